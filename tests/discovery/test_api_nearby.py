"""Discovery through the HTTP API: nearby stores, nearby offerings, search, bad input."""

import pytest

from o2o.discovery.geo import haversine_m
from tests.helpers import CENTRE, HOURS_ALL_DAY

pytestmark = pytest.mark.django_db(transaction=True)


def _store(api, owner, merchant_id, name, lat, lng, hours=None, tz="Asia/Shanghai"):
    r = api.post(f"/merchants/{merchant_id}/stores", {
        "name": name, "address": "1 Road", "lat": lat, "lng": lng, "timezone": tz,
        "opening_hours": HOURS_ALL_DAY if hours is None else hours}, owner["token"])
    assert r.status_code == 201, r.content
    return r.json()


@pytest.fixture
def town(api_client):
    api = api_client
    owner = api.register("owner")
    hot = api.merchant_with_store(owner, name="Hotpot House")
    cq = api.merchant_with_store(owner, name="重庆老火锅", lat=CENTRE[0] + 0.005, lng=CENTRE[1])
    salon = api.merchant_with_store(owner, name="Lily Salon", category="salon", lat=CENTRE[0], lng=CENTRE[1] + 0.01)
    far = api.merchant_with_store(owner, name="Far Noodles", lat=CENTRE[0] + 0.2, lng=CENTRE[1])
    return {"api": api, "owner": owner, "hot": hot, "cq": cq, "salon": salon, "far": far}


def test_nearby_orders_by_distance_within_radius(town):
    api = town["api"]
    r = api.get("/stores/nearby", lat=CENTRE[0], lng=CENTRE[1])
    assert r.status_code == 200, r.content
    from o2o.api.routers.discovery import NearbyPageOut

    NearbyPageOut.model_validate(r.json())  # the hand-serialised answer keeps the documented shape
    res = r.json()["results"]
    assert isinstance(res[0]["id"], str) and isinstance(res[0]["merchant"]["id"], str)
    names = [x["name"] for x in res]
    assert names == ["Hotpot House Chunxi Rd", "重庆老火锅 Chunxi Rd", "Lily Salon Chunxi Rd"]
    assert [x["distance_m"] for x in res] == sorted(x["distance_m"] for x in res)
    first = res[0]
    assert set(first) >= {"id", "name", "merchant", "lat", "lng", "distance_m", "rating", "review_count", "open_now"}
    assert first["merchant"] == {"id": town["hot"]["merchant"]["id"], "name": "Hotpot House", "category": "restaurant"}
    assert first["open_now"] is True and first["distance_m"] == 0
    d = round(haversine_m(CENTRE[0], CENTRE[1], CENTRE[0] + 0.005, CENTRE[1]))
    assert res[1]["distance_m"] == d


def test_category_filter_and_limit(town):
    api = town["api"]
    res = api.get("/stores/nearby", lat=CENTRE[0], lng=CENTRE[1], category="salon").json()["results"]
    assert [x["name"] for x in res] == ["Lily Salon Chunxi Rd"]
    res = api.get("/stores/nearby", lat=CENTRE[0], lng=CENTRE[1], limit=1).json()
    assert len(res["results"]) == 1 and res["next_cursor"]
    res = api.get("/stores/nearby", lat=CENTRE[0], lng=CENTRE[1], radius_m=50000).json()["results"]
    assert "Far Noodles Chunxi Rd" in [x["name"] for x in res]


@pytest.mark.parametrize("params, field", [
    ({"lat": 91, "lng": 0}, "lat"), ({"lat": -90.5, "lng": 0}, "lat"), ({"lat": 0, "lng": 180.1}, "lng"),
    ({"lat": "nan", "lng": 0}, "lat"), ({"lat": "inf", "lng": 0}, "lat"), ({"lat": "abc", "lng": 0}, "lat"),
    ({"lng": 0}, "lat"), ({"lat": 0, "lng": 0, "radius_m": 50001}, "radius_m"),
    ({"lat": 0, "lng": 0, "radius_m": 0}, "radius_m"), ({"lat": 0, "lng": 0, "radius_m": -5}, "radius_m"),
    ({"lat": 0, "lng": 0, "radius_m": "1e9"}, "radius_m"), ({"lat": 0, "lng": 0, "limit": 101}, "limit"),
    ({"lat": 0, "lng": 0, "limit": 0}, "limit"), ({"lat": 0, "lng": 0, "category": "spaceships"}, "category"),
    ({"lat": 0, "lng": 0, "q": "x" * 10000}, "q"), ({"lat": 0, "lng": 0, "sort": "price"}, "sort"),
    ({"lat": 0, "lng": 0, "cursor": "garbage"}, "cursor"), ({"lat": 0, "lng": 0, "min_rating": 7}, "min_rating"),
    ({"lat": 0, "lng": 0, "price_min": "abc"}, "price_min"), ({"lat": 0, "lng": 0, "price_min": "-1"}, "price_min"),
    ({"lat": 0, "lng": 0, "price_min": "20", "price_max": "10"}, "price_max"),
])
@pytest.mark.parametrize("path", ["/stores/nearby", "/offerings/nearby", "/search"])
def test_bad_input_is_a_clear_422(town, params, field, path):
    api = town["api"]
    if path == "/search":
        params = {"q": "hot", **params}
    r = api.get(path, **params)
    assert r.status_code == 422, (path, params, r.status_code, r.content[:300])
    body = r.json()["error"]
    assert body["code"] in ("invalid", "validation_error")
    assert field in body["fields"], body


@pytest.mark.parametrize("q", ['"', '*', "OR", "NEAR(", 'hot" OR 1=1 --', "'; DROP TABLE x; --", "%", "_", "\\",
                               "hot*", "a AND b", "NEAR(hot pot, 2)", "😀", "\x00"])
@pytest.mark.parametrize("path", ["/stores/nearby", "/offerings/nearby", "/search"])
def test_query_syntax_in_q_never_breaks(town, q, path):
    r = town["api"].get(path, lat=CENTRE[0], lng=CENTRE[1], q=q)
    assert r.status_code in (200, 422), r.content
    if r.status_code == 200:
        assert isinstance(r.json()["results"], list)


def test_search_requires_q(town):
    for q in ("", "   "):
        r = town["api"].get("/search", lat=CENTRE[0], lng=CENTRE[1], q=q)
        assert r.status_code == 422 and "q" in r.json()["error"]["fields"]
