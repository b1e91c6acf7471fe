"""Discovery through the API: text in Chinese and English, filters, ranking, cursors, tenancy, offerings."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from o2o.discovery.models import Place
from o2o.discovery.selectors import bayesian_rating
from o2o.discovery.services import reindex_all, search_index_merchant
from o2o.merchants.models import Merchant, Store
from o2o.merchants.services import merchant_set_status, store_update
from tests.helpers import CENTRE, HOURS_ALL_DAY

pytestmark = pytest.mark.django_db(transaction=True)
LAT, LNG = CENTRE


def _merchant(api, owner, name, category="restaurant"):
    r = api.post("/merchants", {"name": name, "category": category}, owner["token"])
    assert r.status_code == 201, r.content
    return r.json()


def _store(api, owner, merchant, name, dlat=0.0, dlng=0.0, hours=None, tz="Asia/Shanghai"):
    r = api.post(f"/merchants/{merchant['id']}/stores", {
        "name": name, "address": "8 Kehua Road", "lat": LAT + dlat, "lng": LNG + dlng, "timezone": tz,
        "opening_hours": HOURS_ALL_DAY if hours is None else hours}, owner["token"])
    assert r.status_code == 201, r.content
    return r.json()


def _names(r):
    assert r.status_code == 200, r.content
    return [x["name"] for x in r.json()["results"]]


@pytest.fixture
def city(api_client):
    api = api_client
    owner = api.register("owner")
    m_cq = _merchant(api, owner, "渝味")
    m_hp = _merchant(api, owner, "Hotpot House")
    m_sushi = _merchant(api, owner, "Sakura")
    m_salon = _merchant(api, owner, "Lily", "salon")
    s = {
        "cq": _store(api, owner, m_cq, "重庆老火锅", 0.001),
        "hp": _store(api, owner, m_hp, "Hotpot House", 0.002),
        "sushi": _store(api, owner, m_sushi, "Sakura Sushi Bar", 0.003),
        "salon": _store(api, owner, m_salon, "Lily Hair Salon", 0.004),
    }
    return {"api": api, "owner": owner, "stores": s, "merchants": {"cq": m_cq, "hp": m_hp, "sushi": m_sushi,
                                                                   "salon": m_salon}}


@pytest.mark.parametrize("q, expected", [
    ("火锅", ["重庆老火锅"]), ("老火锅", ["重庆老火锅"]), ("重庆", ["重庆老火锅"]), ("渝味", ["重庆老火锅"]),
    ("hot pot", ["Hotpot House"]), ("hotpot", ["Hotpot House"]), ("HOTPOT house", ["Hotpot House"]),
    ("hotpt", ["Hotpot House"]), ("hotpoot", ["Hotpot House"]), ("hotopt", ["Hotpot House"]),
    ("hotpit", ["Hotpot House"]), ("sakrua", ["Sakura Sushi Bar"]), ("sushi", ["Sakura Sushi Bar"]),
    ("salon", ["Lily Hair Salon"]), ("美发", ["Lily Hair Salon"]), ("餐厅", ["重庆老火锅", "Hotpot House",
                                                                            "Sakura Sushi Bar"]),
    ("restaurant", ["重庆老火锅", "Hotpot House", "Sakura Sushi Bar"]), ("Ｈｏｔｐｏｔ", ["Hotpot House"]),
    ("pizza", []), ("火星", []), ("sakuraxx", []),
])
def test_text_matching_chinese_english_typos(city, q, expected):
    api = city["api"]
    assert _names(api.get("/stores/nearby", lat=LAT, lng=LNG, q=q)) == expected
    hits = api.get("/search", lat=LAT, lng=LNG, q=q).json()["results"]
    assert [h["store"]["name"] for h in hits if h["type"] == "store"] == expected


def test_typo_tolerance_is_one_edit_of_a_long_word(city):
    api = city["api"]
    assert _names(api.get("/stores/nearby", lat=LAT, lng=LNG, q="susi")) == ["Sakura Sushi Bar"]  # "sushi" less h
    assert _names(api.get("/stores/nearby", lat=LAT, lng=LNG, q="sashu")) == []  # two edits
    assert _names(api.get("/stores/nearby", lat=LAT, lng=LNG, q="lilx")) == []  # "lily" is too short to forgive


def test_open_now_uses_each_stores_timezone_and_hours(city):
    api, owner = city["api"], city["owner"]
    m = _merchant(api, owner, "Night Owl")
    now = timezone.now()
    # a window covering now in New York time, and one that closed an hour ago in Shanghai time
    ny = now.astimezone(ZoneInfo("America/New_York"))
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[ny.weekday()]
    start = (ny - timedelta(hours=2)).strftime("%H:%M")
    end = (ny + timedelta(hours=2)).strftime("%H:%M")  # may run past midnight: allowed
    hours_ny = {d: [] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    hours_ny[day] = [[start, end]]
    prev = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[(ny.weekday() - 1) % 7]
    if end < start:  # crossing midnight from yesterday's side too
        hours_ny[prev] = [[start, end]]
    sh = now.astimezone(ZoneInfo("Asia/Shanghai"))
    sday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[sh.weekday()]
    closed_start = (sh - timedelta(hours=3)).replace(minute=0)
    closed_end = (sh - timedelta(hours=1))
    hours_sh = {d: [] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    if closed_start.date() == sh.date() and closed_end.date() == sh.date():
        hours_sh[sday] = [[closed_start.strftime("%H:%M"), closed_end.strftime("%H:%M")]]
    _store(api, owner, m, "Owl NY", 0.0005, hours=hours_ny, tz="America/New_York")
    _store(api, owner, m, "Owl SH", 0.0006, hours=hours_sh, tz="Asia/Shanghai")
    res = api.get("/stores/nearby", lat=LAT, lng=LNG, open_now="true").json()["results"]
    names = [x["name"] for x in res]
    assert "Owl NY" in names and "Owl SH" not in names
    assert all(x["open_now"] for x in res)
    everything = api.get("/stores/nearby", lat=LAT, lng=LNG).json()["results"]
    assert {x["name"]: x["open_now"] for x in everything}["Owl SH"] is False


def test_closed_dates_close_a_store_for_the_day(city):
    store = Store.objects.get(pk=city["stores"]["hp"]["id"])
    today = timezone.now().astimezone(ZoneInfo(store.timezone)).date()
    store_update(store=store, closed_dates=[today.isoformat()])
    names = _names(city["api"].get("/stores/nearby", lat=LAT, lng=LNG, open_now=True))
    assert "Hotpot House" not in names and "重庆老火锅" in names


def test_bayesian_rating_order(city):
    Store.objects.filter(pk=city["stores"]["cq"]["id"]).update(rating_sum=5, review_count=1)
    Store.objects.filter(pk=city["stores"]["hp"]["id"]).update(rating_sum=1920, review_count=400)  # 4.8
    Store.objects.filter(pk=city["stores"]["sushi"]["id"]).update(rating_sum=30, review_count=10)  # 3.0
    assert bayesian_rating(1920, 400) > bayesian_rating(5, 1) > bayesian_rating(0, 0) > bayesian_rating(30, 10)
    names = _names(city["api"].get("/stores/nearby", lat=LAT, lng=LNG, sort="rating"))
    assert names == ["Hotpot House", "重庆老火锅", "Lily Hair Salon", "Sakura Sushi Bar"]
    names = _names(city["api"].get("/stores/nearby", lat=LAT, lng=LNG, min_rating=4.5))
    assert names == ["重庆老火锅", "Hotpot House"]
    # rating pages with a cursor too
    api = city["api"]
    r1 = api.get("/stores/nearby", lat=LAT, lng=LNG, sort="rating", limit=2).json()
    r2 = api.get("/stores/nearby", lat=LAT, lng=LNG, sort="rating", limit=2, cursor=r1["next_cursor"]).json()
    assert [x["name"] for x in r1["results"] + r2["results"]] == names[:0] + [
        "Hotpot House", "重庆老火锅", "Lily Hair Salon", "Sakura Sushi Bar"]
    # a distance cursor is not a rating cursor
    d = api.get("/stores/nearby", lat=LAT, lng=LNG, limit=1).json()["next_cursor"]
    assert api.get("/stores/nearby", lat=LAT, lng=LNG, sort="rating", cursor=d).status_code == 422


def test_popularity_counts_recent_redemptions(api_client):
    from o2o.discovery.services import refresh_popularity
    from tests.helpers import world

    w = world(api_client)
    api = api_client
    other = api.merchant_with_store(w["owner"], name="Quiet Place", lat=LAT + 0.0001)
    order = api.buy(w["customer"], w["deal"]["id"], 2)
    for v in order["vouchers"]:
        r = api.post("/redemptions", {"store_id": w["store"]["id"], "code": v["code"]}, w["clerk"]["token"])
        assert r.status_code == 201, r.content
    assert refresh_popularity() == 1
    names = _names(api.get("/stores/nearby", lat=LAT + 0.0001, lng=LNG, sort="popularity"))
    assert names == [w["store"]["name"], other["store"]["name"]]
    assert _names(api.get("/stores/nearby", lat=LAT + 0.0001, lng=LNG))[0] == other["store"]["name"]


def test_cursor_pagination_through_the_api_has_no_gaps_or_duplicates(api_client):
    api = api_client
    owner = api.register("owner")
    m = _merchant(api, owner, "Chain")
    for i in range(23):
        _store(api, owner, m, f"Branch {i:02d}", dlat=0.0003 * (i % 7), dlng=0.0)  # many exact ties
    full = api.get("/stores/nearby", lat=LAT, lng=LNG, limit=100).json()["results"]
    assert len(full) == 23
    seen, cursor = [], None
    while True:
        params = {"lat": LAT, "lng": LNG, "limit": 4, **({"cursor": cursor} if cursor else {})}
        body = api.get("/stores/nearby", **params).json()
        seen += [x["id"] for x in body["results"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == [x["id"] for x in full]
    assert len(set(seen)) == 23


def test_pending_and_suspended_merchants_never_appear(city, settings):
    api, owner = city["api"], city["owner"]
    merchant = Merchant.objects.get(pk=city["merchants"]["hp"]["id"])
    merchant_set_status(merchant=merchant, status="suspended", actor=None, reason="test")
    # the status change itself takes the merchant's stores out of the index ...
    assert not Place.objects.filter(merchant_id=merchant.pk, visible=True).exists()
    # ... and with an index gone stale (a row still marked visible), the page gate keeps the store out
    Place.objects.filter(merchant_id=merchant.pk).update(visible=True)
    for path in ("/stores/nearby", "/search"):
        r = api.get(path, lat=LAT, lng=LNG, **({"q": "hotpot"} if path == "/search" else {}))
        assert r.status_code == 200
        assert "Hotpot House" not in str(r.json())
    names = _names(api.get("/stores/nearby", lat=LAT, lng=LNG, limit=2))
    assert names == ["重庆老火锅", "Sakura Sushi Bar"]  # the page is refilled, no gap
    search_index_merchant(merchant=merchant)
    assert "Hotpot House" not in _names(api.get("/stores/nearby", lat=LAT, lng=LNG))
    # a pending merchant (approval required) is not public either
    settings.O2O = {**settings.O2O, "MERCHANT_APPROVAL": True}
    pm = _merchant(api, owner, "Pending Pies")
    assert pm["status"] == "pending"
    _store(api, owner, pm, "Pending Pies")
    assert "Pending Pies" not in _names(api.get("/stores/nearby", lat=LAT, lng=LNG))
    # an inactive store neither
    store_update(store=Store.objects.get(pk=city["stores"]["cq"]["id"]), is_active=False)
    assert "重庆老火锅" not in _names(api.get("/stores/nearby", lat=LAT, lng=LNG))
    # and a full rebuild agrees
    reindex_all()
    assert _names(api.get("/stores/nearby", lat=LAT, lng=LNG)) == ["Sakura Sushi Bar", "Lily Hair Salon"]


def test_offerings_nearby(api_client):
    api = api_client
    owner = api.register("owner")
    near = api.merchant_with_store(owner, name="Hotpot House", lat=LAT + 0.001)
    m = near["merchant"]
    far_store = _store(api, owner, m, "Hotpot House Far", 0.01)
    deal = api.deal(owner, m["id"], [near["store"]["id"], far_store["id"]])  # 99 vs 158
    other = api.deal(owner, m["id"], [far_store["id"]], title="Lunch set", price={"amount": "30.00", "currency": "CNY"},
                     list_price={"amount": "30.00", "currency": "CNY"}, kind="product")
    api.deal(owner, m["id"], [near["store"]["id"]], title="Draft deal", status="draft")
    sold = api.deal(owner, m["id"], [near["store"]["id"]], title="Last one", quantity_total=1, per_customer_limit=1)
    customer = api.register("customer")
    api.buy(customer, sold["id"], 1)
    body = api.get("/offerings/nearby", lat=LAT, lng=LNG).json()
    res = body["results"]
    assert [x["id"] for x in res] == [deal["id"], other["id"]]  # each once, the draft and the sold-out left out
    first = res[0]
    assert first["store"]["id"] == near["store"]["id"]  # at its nearest redeemable store
    assert first["price"]["amount"] == "99.00" and first["list_price"]["amount"] == "158.00"
    assert first["discount_percent"] == 37 and first["quantity_left"] == 10
    assert 100 < first["distance_m"] < 120 and first["merchant"]["name"] == "Hotpot House"
    assert [x["id"] for x in api.get("/offerings/nearby", lat=LAT, lng=LNG, kind="product").json()["results"]] == [
        other["id"]]
    assert [x["id"] for x in api.get("/offerings/nearby", lat=LAT, lng=LNG, price_max="50").json()["results"]] == [
        other["id"]]
    assert api.get("/offerings/nearby", lat=LAT, lng=LNG, radius_m=500).json()["results"][0]["id"] == deal["id"]
    assert len(api.get("/offerings/nearby", lat=LAT, lng=LNG, radius_m=500).json()["results"]) == 1
    # stores: has_deals and price range use the live catalogue
    assert _names(api.get("/stores/nearby", lat=LAT, lng=LNG, has_deals=True)) == ["Hotpot House Chunxi Rd",
                                                                                   "Hotpot House Far"]
    assert _names(api.get("/stores/nearby", lat=LAT, lng=LNG, price_min="20", price_max="50")) == ["Hotpot House Far"]
    # search mixes stores and offerings, nearest first
    hits = api.get("/search", lat=LAT, lng=LNG, q="hotpot", radius_m=5000).json()["results"]
    # (the deal and its store tie on distance: ties order by id) - the lunch set matches by its store's name
    assert sorted((h["type"], h["store"]["name"], (h["offering"] or {}).get("title")) for h in hits) == [
        ("offering", "Hotpot House Chunxi Rd", "Hotpot for two"), ("offering", "Hotpot House Far", "Lunch set"),
        ("store", "Hotpot House Chunxi Rd", None), ("store", "Hotpot House Far", None)]
    assert [h["distance_m"] for h in hits] == sorted(h["distance_m"] for h in hits)
    hits = api.get("/search", lat=LAT, lng=LNG, q="lunch").json()["results"]
    assert [h["offering"]["title"] for h in hits] == ["Lunch set"]
    # pausing or ending a deal takes it out at once
    from o2o.catalogue.models import Offering
    from o2o.catalogue.services import offering_set_status

    offering_set_status(offering=Offering.objects.get(pk=deal["id"]), status="paused", actor=None)
    assert [x["id"] for x in api.get("/offerings/nearby", lat=LAT, lng=LNG).json()["results"]] == [other["id"]]


def test_selector_results_are_store_cards(city):
    """A result carries what a list shows of its store, read through the tenancy gate in one query."""
    from django.core.management import call_command

    from o2o.discovery.filters import Filters
    from o2o.discovery.selectors import StoreCard, stores_nearby, stores_nearby_page
    from o2o.merchants.models import Store

    rows = stores_nearby(lat=LAT, lng=LNG, radius_m=3000, q="火锅")
    assert [r.store.name for r in rows] == ["重庆老火锅"]
    card, store = rows[0].store, Store.objects.get(name="重庆老火锅")
    assert isinstance(card, StoreCard) and card.pk == store.pk
    assert (card.address, card.lat, card.lng, card.timezone) == (store.address, store.lat, store.lng, store.timezone)
    assert (card.rating, card.review_count) == (store.rating, store.review_count)
    assert card.merchant.name == "渝味" and card.merchant.category == "restaurant"
    assert card.merchant.get_category_display() == store.merchant.get_category_display()
    assert rows[0].open_now is True
    call_command("discovery_reindex", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("discovery_popularity", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page = stores_nearby_page(lat=LAT, lng=LNG, radius_m=3000, limit=2, filters=Filters())
    assert len(page.results) == 2 and page.next_cursor


def test_offerings_pages_have_no_gaps(api_client):
    api = api_client
    owner = api.register("owner")
    ms = api.merchant_with_store(owner, name="Deals Galore")
    other = _store(api, owner, ms["merchant"], "Second", 0.002)
    made = [api.deal(owner, ms["merchant"]["id"], [ms["store"]["id"], other["id"]], title=f"Deal {i}")["id"]
            for i in range(7)]
    seen, cursor = [], None
    while True:
        body = api.get("/offerings/nearby", lat=LAT, lng=LNG, limit=3, **({"cursor": cursor} if cursor else {})).json()
        seen += [x["id"] for x in body["results"]]
        assert all(x["store"]["id"] == ms["store"]["id"] for x in body["results"])
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(made) and len(seen) == 7
