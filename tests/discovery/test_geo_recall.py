"""Nearby is exact: the same stores, in the same order, as brute force over every store."""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o2o.accounts.models import User
from o2o.discovery import geo
from o2o.discovery.filters import Filters, encode_cursor
from o2o.discovery.models import Place
from o2o.discovery.selectors import Explain, store_candidates, stores_nearby_page
from o2o.discovery.services import refresh_density
from o2o.merchants.services import merchant_create, store_create
from tests.helpers import HOURS_ALL_DAY

pytestmark = pytest.mark.django_db

# (lat, lng, spread in degrees, stores): a dense city, its sparse edge, the antimeridian, the far north
CLUSTERS = [(30.657, 104.066, 0.02, 160), (30.657, 104.066, 0.3, 120), (-17.8, 179.995, 0.05, 80),
            (-17.8, -179.995, 0.05, 60), (69.65, 18.95, 0.05, 60)]
CATEGORIES = ["restaurant", "salon", "training"]


@pytest.fixture
def world():
    owner = User.objects.create_user(email="geo@example.com", password=None, display_name="geo")
    merchants = [merchant_create(owner=owner, name=f"M{c}", category=c) for c in CATEGORIES]
    rnd = random.Random(5)
    for lat0, lng0, spread, n in CLUSTERS:
        prev = (lat0, lng0)
        for i in range(n):
            lat = lat0 + rnd.uniform(-spread, spread)
            lng = lng0 + rnd.uniform(-spread, spread)
            if lng > 180:
                lng -= 360
            if lng < -180:
                lng += 360
            if i % 17 == 0 and i:  # some stores share a position exactly: ties must order by id
                lat, lng = prev
            prev = (lat, lng)
            hours = HOURS_ALL_DAY if i % 3 else {"mon": [["09:00", "17:00"]]}
            store_create(merchant=merchants[i % len(merchants)], name=f"S{i}", address="x", lat=lat, lng=lng,
                         opening_hours=hours)
    refresh_density()
    return merchants


def brute(lat, lng, radius, limit, category=None, after=None):
    dist = geo.Distance(lat, lng)
    rows = []
    for p in Place.objects.filter(visible=True):
        if category and p.category != category:
            continue
        d = dist(p.lat, p.lng)
        if d <= radius:
            rows.append((d, p.store_id.hex))
    rows.sort()
    if after:
        rows = [r for r in rows if r > after]
    return rows[:limit]


points = st.sampled_from(CLUSTERS).flatmap(lambda c: st.tuples(
    st.floats(c[0] - 4 * c[2], c[0] + 4 * c[2]), st.floats(c[1] - 4 * c[2], c[1] + 4 * c[2])))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(point=points, radius=st.one_of(st.integers(1, 3000), st.integers(3000, 50000)), limit=st.integers(1, 100),
       category=st.sampled_from([None, *CATEGORIES]))
def test_nearby_equals_brute_force(world, point, radius, limit, category):
    lat, lng = point
    lng = (lng + 180) % 360 - 180
    f = Filters(category=category)
    got = [(round(d, 6), c.key) for d, c in store_candidates(lat=lat, lng=lng, radius_m=radius, limit=limit,
                                                             filters=f)]
    want = [(round(d, 6), k) for d, k in brute(lat, lng, radius, limit, category)]
    assert got == want


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(point=points, density=st.sampled_from([0.0, 1e-7, 1e-5, 1e-3, 1.0]))
def test_recall_does_not_depend_on_the_density_guess(world, point, density):
    """The density only picks the resolution: even a wildly wrong guess gives the exact answer."""
    lat, lng = point
    lng = (lng + 180) % 360 - 180
    dist = geo.Distance(lat, lng)
    rows = list(Place.objects.filter(visible=True).values_list("lat", "lng", "store_id"))

    def fetch(column, cells, box):
        cells = set(cells)
        for la, ln, sid in rows:
            if geo.cells_of(la, ln)[column] in cells and box.holds(la, ln):
                yield sid.hex, la, ln

    got = geo.nearest(lat=lat, lng=lng, radius_m=5000, limit=25, fetch=fetch, key=lambda r: r[0], density=density)
    want = sorted((dist(la, ln), sid.hex) for la, ln, sid in rows if dist(la, ln) <= 5000)[:25]
    assert [(round(d, 6), r[0]) for d, r in got] == [(round(d, 6), k) for d, k in want]


def test_city_edge_and_whole_radius(world):
    # at the sparse edge of the city the search widens to the whole radius and still finds everything
    lat, lng = 30.657 + 0.33, 104.066 + 0.33
    e = Explain()
    got = [c.key for _d, c in store_candidates(lat=lat, lng=lng, radius_m=50000, limit=100, explain=e)]
    assert got == [k for _d, k in brute(lat, lng, 50000, 100)]
    assert len(got) == 100


def test_cursor_pages_equal_one_big_page(world):
    lat, lng = 30.657, 104.066
    full = brute(lat, lng, 3000, 10_000)
    assert len(full) > 100
    seen, f = [], Filters()
    while True:
        page = stores_nearby_page(lat=lat, lng=lng, radius_m=3000, limit=7, filters=f)
        seen += [(r.distance_m, r.store.pk.hex) for r in page.results]
        if not page.next_cursor:
            break
        from o2o.discovery.filters import validate_filters
        f = validate_filters(cursor=page.next_cursor)
    assert [k for _d, k in seen] == [k for _d, k in full]
    assert len({k for _d, k in seen}) == len(seen)


def _destination(lat, lng, bearing_deg, distance_m):
    """The point distance_m from (lat, lng) along a great circle at the bearing (spherical Earth)."""
    import math

    d = distance_m / geo.EARTH_RADIUS_M
    p1, l1, b = math.radians(lat), math.radians(lng), math.radians(bearing_deg)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180


@settings(max_examples=400, deadline=None)
@given(lat=st.floats(-89.99, 89.99), lng=st.floats(-180, 180), radius=st.floats(1, 50_000),
       bearing=st.floats(0, 360), share=st.floats(0, 1))
def test_box_holds_the_whole_circle(lat, lng, radius, bearing, share):
    """Every point within the radius is in the box: at the antimeridian and next to the poles too."""
    box = geo.Box.around(lat, lng, radius)
    p_lat, p_lng = _destination(lat, lng, bearing, radius * share)
    assert geo.haversine_m(lat, lng, p_lat, p_lng) <= radius + 0.01
    assert box.holds(p_lat, p_lng), (box, p_lat, p_lng)


def test_box_is_tight_and_wraps_at_the_antimeridian():
    box = geo.Box.around(30.0, 104.0, 1000)
    assert 0.0089 < box.lat_hi - 30.0 < 0.0091  # 1 km is 0.009 degrees of latitude
    assert not box.holds(30.0, 104.02) and not box.holds(30.02, 104.0)
    east = geo.Box.around(-17.8, 179.999, 1000)
    assert east.wraps and east.holds(-17.8, -179.999) and not east.holds(-17.8, 179.9)
    pole = geo.Box.around(89.995, 10.0, 2000)  # the pole is inside: every longitude
    assert (pole.lng_lo, pole.lng_hi, pole.lat_hi) == (-180.0, 180.0, 90.0) and pole.holds(89.99, -170.0)


def test_rows_outside_the_box_stay_in_the_database(world):
    """The SQL returns only the rows of the cells that lie in the bound's box, not the whole disk."""
    from h3.api import basic_int as h3i

    lat, lng = 30.657, 104.066
    e = Explain()
    got = store_candidates(lat=lat, lng=lng, radius_m=3000, limit=5, explain=e)
    assert len(got) == 5 and e.plan.queries == 1
    disk = set(h3i.grid_disk(h3i.latlng_to_cell(lat, lng, e.plan.res), e.plan.rings))
    column = geo.COLUMNS[e.plan.res]
    in_disk = [p for p in Place.objects.filter(visible=True) if getattr(p, column) in disk]
    box = geo.Box.around(lat, lng, e.plan.bound_m)
    assert e.plan.rows == sum(1 for p in in_disk if box.holds(p.lat, p.lng))
    assert e.plan.rows < len(in_disk)


def test_density_is_read_a_district_at_a_time(world, django_assert_num_queries):
    """The first query in a district reads its density counts once; its neighbours then cost no query."""
    from h3.api import basic_int as h3i

    from o2o.discovery import density

    disk = geo.density_disk(30.657, 104.066)
    loaded = {geo.density_block(c) for c in disk}
    # a point two cells away whose cells all lie in the districts read for the first: none of its
    # own cell and neighbours was asked for, and yet it costs no query
    other = next(c for c in h3i.grid_ring(disk[0], 2)
                 if {geo.density_block(n) for n in h3i.grid_disk(c, 1)} <= loaded)
    o_lat, o_lng = h3i.cell_to_latlng(other)
    assert geo.density_cell(o_lat, o_lng) not in disk
    with django_assert_num_queries(1):
        first = density.density_near(30.657, 104.066, "restaurant")
    with django_assert_num_queries(0):
        again = density.density_near(30.657, 104.066, "restaurant")
        density.density_near(o_lat, o_lng, "restaurant")
    assert first == again > 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(point=points, radius=st.integers(200, 8000), limit=st.integers(1, 15),
       category=st.sampled_from([None, *CATEGORIES]))
def test_cursor_pages_equal_brute_force_anywhere(world, point, radius, limit, category):
    """Paging from anywhere (dense centre, sparse edge, antimeridian, far north) gives exactly the
    brute-force order: each page starts its read at the last row of the one before."""
    from o2o.discovery.filters import validate_filters

    lat, lng = point
    lng = (lng + 180) % 360 - 180
    want = [k for _d, k in brute(lat, lng, radius, 10_000, category)][:limit * 8]
    seen, f = [], Filters(category=category)
    for _page in range(8):
        got = store_candidates(lat=lat, lng=lng, radius_m=radius, limit=limit, filters=f)
        seen += [c.key for _d, c in got]
        if len(got) < limit:
            break
        d, c = got[-1]
        f = validate_filters(category=category, cursor=encode_cursor("distance", d, c.key))
    assert seen == want[:len(seen)] and (len(seen) == len(want) or len(seen) == limit * 8)


def test_open_now_drops_closed_places_in_sql(world):
    """A third of the stores open only on Mondays 9-17: on a Tuesday their rows stay in the database."""
    from datetime import UTC, datetime

    from o2o.discovery.openness import Clock, open_at

    lat, lng = 30.657, 104.066
    monday, tuesday = datetime(2026, 11, 30, 2, 0, tzinfo=UTC), datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 local
    f = Filters(open_now=True)
    reads = {}
    for name, at in (("monday", monday), ("tuesday", tuesday)):
        e = Explain()
        got = store_candidates(lat=lat, lng=lng, radius_m=3000, limit=5, filters=f, at=at, explain=e)
        assert e.plan.switches == 0 and len(got) == 5
        clock = Clock(at)
        open_places = {p.store_id.hex for p in Place.objects.filter(visible=True) if open_at(p.week, p.closed, p.tz, clock)}
        want = [k for _d, k in brute(lat, lng, 3000, 10_000) if k in open_places][:5]
        assert [c.key for _d, c in got] == want
        reads[name] = e.plan.rows
    assert reads["tuesday"] < reads["monday"]
