"""Zones, fee bands, the minimum order, out_of_zone and the quote, through the HTTP API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.delivery.conftest import BANDS, LAT, LNG, delivery_body, make_shop, north
from tests.helpers import assert_error, quick_user

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    from o2o.delivery.models import Delivery
    from o2o.orders.models import Order, OrderAdjustment

    return Order.objects.count(), OrderAdjustment.objects.count(), Delivery.objects.count()


def test_zone_is_listed_with_its_bands(shop):
    api = shop["api"]
    r = api.get(f"/merchants/{shop['merchant_id']}/stores/{shop['store_id']}/delivery-zones", shop["owner"]["token"])
    assert r.status_code == 200, r.content
    zone = r.json()["results"][0]
    assert zone["kind"] == "radius" and zone["radius_m"] == 3000
    assert [b["fee"]["amount"] for b in zone["fee_bands"]] == ["3.00", "5.00", "8.00"]
    assert zone["minimum_order"] == {"amount": "20.00", "currency": "CNY", **({"display": zone["minimum_order"]["display"]} if "display" in zone["minimum_order"] else {})}
    assert r.json()["settings"]["failed_refund"] == "full"


def test_zone_rules_for_who_and_what(shop):
    api, mid, sid = shop["api"], shop["merchant_id"], shop["store_id"]
    path = f"/merchants/{mid}/stores/{sid}/delivery-zones"
    body = {"name": "x", "kind": "radius", "radius_m": 1000, "fee_bands": BANDS[:1]}
    assert_error(api.post(path, body, shop["clerk"]["token"]), 403, "forbidden")
    assert_error(api.post(path, body, quick_user("stranger")["token"]), 404)
    assert_error(api.post(path, body, shop["courier"]["token"]), 403)
    bad = [
        {**body, "kind": "circle"},
        {**body, "radius_m": 10},
        {**body, "fee_bands": [{"up_to_m": 2000, "fee": "5.00"}, {"up_to_m": 1000, "fee": "3.00"}]},
        {**body, "fee_bands": [{"up_to_m": 1000, "fee": "-1.00"}]},
        {**body, "fee_bands": [{"up_to_m": 1000, "fee": "1.005"}]},
        {**body, "kind": "polygon", "polygon": [[LNG, LAT], [LNG + 0.01, LAT]]},
        {**body, "kind": "polygon", "polygon": [[LNG, LAT], [LNG + 0.01, LAT + 0.01], [LNG + 0.01, LAT], [LNG, LAT + 0.01]]},
        {**body, "minimum_order": "abc"},
    ]
    for b in bad:
        assert_error(api.post(path, b, shop["owner"]["token"]), 422)
    r = api.get(path, shop["owner"]["token"])
    assert len(r.json()["results"]) == 1  # nothing of the bad ones was written


def test_quote_in_each_band_and_out_of_zone(shop):
    api, sid, token = shop["api"], shop["store_id"], shop["customer"]["token"]
    for metres, fee in ((500, "3.00"), (1500, "5.00"), (2900, "8.00")):
        lat, lng = north(metres)
        r = api.get(f"/stores/{sid}/delivery-quote", token, lat=lat, lng=lng)
        assert r.status_code == 200, r.content
        q = r.json()
        assert q["fee"]["amount"] == fee
        assert abs(q["distance_m"] - metres) <= 2
        # the ETA: the store's usual prep (15) + the ride at 18 km/h on roads 1.3x the line + 2 min handover
        ride = -(-(metres * 1.3 / 5 + 120) // 60)
        assert q["eta_minutes"] == 15 + ride == q["prep_minutes"] + q["travel_minutes"]
    lat, lng = north(3200)
    assert_error(api.get(f"/stores/{sid}/delivery-quote", token, lat=lat, lng=lng), 409, "out_of_zone")
    assert_error(api.get(f"/stores/{sid}/delivery-quote", token, lat=95, lng=lng), 422)


def test_polygon_zone_and_the_cheapest_zone_wins(shop):
    api, mid, sid = shop["api"], shop["merchant_id"], shop["store_id"]
    # a square 4-6 km east of the store, free delivery there; the radius zone does not reach it
    d = 1 / 96.0  # about 1 km of longitude at this latitude
    square = [[LNG + 4 * d, LAT - d], [LNG + 6 * d, LAT - d], [LNG + 6 * d, LAT + d], [LNG + 4 * d, LAT + d]]
    r = api.post(f"/merchants/{mid}/stores/{sid}/delivery-zones",
                 {"name": "Office park", "kind": "polygon", "polygon": square,
                  "fee_bands": [{"up_to_m": 8000, "fee": "0.00"}], "minimum_order": "50.00"}, shop["owner"]["token"])
    assert r.status_code == 201, r.content
    token = shop["customer"]["token"]
    q = api.get(f"/stores/{sid}/delivery-quote", token, lat=LAT, lng=LNG + 5 * d).json()
    assert q["fee"]["amount"] == "0.00" and q["zone"] == "Office park" and q["minimum_order"]["amount"] == "50.00"
    assert_error(api.get(f"/stores/{sid}/delivery-quote", token, lat=LAT + 3 * d, lng=LNG + 5 * d), 409, "out_of_zone")
    # an order there must reach the polygon's minimum
    body = delivery_body(shop, at=(LAT, LNG + 5 * d), noodles=2)
    assert_error(api.post("/orders", body, token), 409, "below_minimum")
    body = delivery_body(shop, at=(LAT, LNG + 5 * d), noodles=3)
    r = api.post("/orders", body, token)
    assert r.status_code == 201, r.content
    assert r.json()["total"]["amount"] == "54.00"


def test_delivery_order_adds_the_fee_as_an_adjustment(shop):
    api, token = shop["api"], shop["customer"]["token"]
    r = api.post("/orders", delivery_body(shop, at=north(1500), noodles=1, cola=1), token)
    assert r.status_code == 201, r.content
    order = r.json()
    assert order["fulfilment"] == "delivery" and order["status"] == "awaiting_payment"
    assert [(a["kind"], a["amount"]["amount"]) for a in order["adjustments"]] == [("delivery_fee", "5.00")]
    assert order["total"]["amount"] == "28.00"  # 18 + 5 + the fee 5
    got = api.get(f"/orders/{order['id']}", token).json()
    assert got["total"] == order["total"] and got["delivery"]["status"] == "pending"
    assert got["delivery"]["delivery_code"] is None  # only once paid
    assert got["delivery"]["fee"]["amount"] == "5.00"


def test_refusals_write_nothing(shop):
    api, token = shop["api"], shop["customer"]["token"]
    before = _counts()
    assert_error(api.post("/orders", delivery_body(shop, at=north(3500), noodles=2), token), 409, "out_of_zone")
    r = api.post("/orders", delivery_body(shop, at=north(500), noodles=1), token)  # 18.00 < 20.00
    assert_error(r, 409, "below_minimum")
    assert r.json()["error"]["fields"] == {"minimum_order": "20.00", "subtotal": "18.00"}
    body = delivery_body(shop, at=north(500), noodles=2)
    for broken in ({**body["fulfilment"], "address": ""}, {**body["fulfilment"], "lat": None},
                   {**body["fulfilment"], "lat": 91}):
        assert_error(api.post("/orders", {**body, "fulfilment": broken}, token), 422)
    assert_error(api.post("/orders", {**body, "fulfilment": {**body["fulfilment"],
                                                             "store_id": "00000000-0000-0000-0000-000000000000"}},
                          token), 404)
    assert _counts() == before


def test_a_store_with_no_zone_delivers_nowhere(api_client):
    from tests.ordering.conftest import product

    api = api_client
    owner = quick_user("owner")
    ms = api.merchant_with_store(owner, name="No Delivery")
    p = product(api, owner, ms["merchant"]["id"], title="Tea", price="30.00",
                stock=[{"store_id": ms["store"]["id"], "quantity": None}])
    body = {"lines": [{"offering_id": p["id"], "quantity": 1}],
            "fulfilment": {"type": "delivery", "store_id": ms["store"]["id"], "address": "next door",
                           "lat": LAT, "lng": LNG}}
    assert_error(api.post("/orders", body, quick_user("c")["token"]), 409, "out_of_zone")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(metres=st.integers(min_value=0, max_value=3400))
def test_fee_is_the_band_of_the_distance(shop, metres):
    api, sid, token = shop["api"], shop["store_id"], shop["customer"]["token"]
    lat, lng = north(metres)
    r = api.get(f"/stores/{sid}/delivery-quote", token, lat=lat, lng=lng)
    from o2o.delivery.geo import haversine_m

    exact = haversine_m(LAT, LNG, lat, lng)
    want = next((Decimal(b["fee"]) for b in BANDS if exact <= b["up_to_m"]), None)
    if want is None:
        assert_error(r, 409, "out_of_zone")
    else:
        assert r.status_code == 200 and Decimal(r.json()["fee"]["amount"]) == want


def test_two_shops_zones_do_not_mix(api_client):
    a = make_shop(api_client, name="A")
    b = make_shop(api_client, name="B", lat=LAT + 0.1)
    token = quick_user("c")["token"]
    r = api_client.get(f"/stores/{b['store_id']}/delivery-quote", token, lat=LAT, lng=LNG)
    assert_error(r, 409, "out_of_zone")
    assert api_client.get(f"/stores/{a['store_id']}/delivery-quote", token, lat=LAT, lng=LNG).status_code == 200
