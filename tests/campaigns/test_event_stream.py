"""The one event stream (o2o/core/events.py -> analytics.Event): a scan, a payment, a counter
redemption, a review and a refund each append one row in the same transaction as the change, with the
merchant, store, placement, customer and H3 cell; a refused change appends nothing."""

from __future__ import annotations

from o2o.analytics.models import Event
from o2o.campaigns.models import Scan
from o2o.merchants.models import Store
from tests.campaigns.conftest import figures, scan
from tests.helpers import DECLINED_CARD, ApiClient, quick_user


def _kinds(merchant_id: str) -> list[str]:
    return list(Event.objects.filter(merchant_id=merchant_id).order_by("id").values_list("kind", flat=True))


def test_from_scan_to_review_on_one_stream(shop):
    phone = ApiClient()
    buyer = quick_user("buyer")
    m, flyer = shop["merchant"]["id"], shop["flyer"]["id"]
    scan(phone, shop["flyer"]["code"])
    order = phone.buy(buyer, shop["deal"]["id"])
    r = phone.post("/redemptions", {"store_id": shop["store"]["id"], "code": order["vouchers"][0]["code"]},
                   shop["clerk"]["token"])
    assert r.status_code == 201
    assert phone.post("/reviews", {"order_id": order["id"], "rating": 4, "text": "ok"}, buyer["token"]).status_code == 201
    assert _kinds(m) == ["scan", "order", "paid", "redeemed", "reviewed"]
    events = {e.kind: e for e in Event.objects.filter(merchant_id=m)}
    assert str(events["scan"].placement_id) == flyer and events["scan"].visitor_id == Scan.objects.get().visitor_id
    assert str(events["paid"].placement_id) == flyer and str(events["paid"].order_id) == order["id"]
    assert str(events["paid"].amount) == "99.00" and events["paid"].currency == "CNY"
    assert str(events["paid"].customer_id) == buyer["id"]
    redeemed = events["redeemed"]
    assert str(redeemed.store_id) == shop["store"]["id"] and str(redeemed.order_id) == order["id"]
    assert redeemed.h3_r8 == Store.objects.get(pk=shop["store"]["id"]).h3_r8 and redeemed.h3_r8
    assert events["reviewed"].data == {"rating": 4} and str(events["reviewed"].placement_id) == flyer
    assert str(events["order"].placement_id) == flyer and str(events["order"].offering_id) == shop["deal"]["id"]
    assert str(redeemed.placement_id) == flyer and str(redeemed.offering_id) == shop["deal"]["id"]


def test_a_refund_appends_its_amount(shop):
    phone = ApiClient()
    buyer = quick_user("buyer")
    order = phone.buy(buyer, shop["deal"]["id"])
    assert phone.post(f"/orders/{order['id']}/refund", {}, buyer["token"]).status_code == 200
    refunded = Event.objects.get(merchant_id=shop["merchant"]["id"], kind="refunded")
    assert str(refunded.amount) == "99.00" and str(refunded.order_id) == order["id"]


def test_refused_changes_append_nothing(shop, settings):
    settings.O2O = {**settings.O2O, "SCAN_RATE": "2/m"}
    phone = ApiClient()
    buyer = quick_user("buyer")
    for _ in range(4):
        scan(phone, shop["flyer"]["code"])
    order = phone.buy(buyer, shop["deal"]["id"], pay=False)
    r = phone.post(f"/orders/{order['id']}/pay", {"provider": "sandbox", "card_number": DECLINED_CARD}, buyer["token"])
    assert r.status_code == 402
    paid = phone.buy(buyer, shop["deal"]["id"])
    code = paid["vouchers"][0]["code"]
    assert phone.post("/redemptions", {"store_id": shop["store"]["id"], "code": code}, shop["clerk"]["token"]).status_code == 201
    assert phone.post("/redemptions", {"store_id": shop["store"]["id"], "code": code}, shop["clerk"]["token"]).status_code == 409
    # the declined payment appends nothing; its order (placed) does
    assert _kinds(shop["merchant"]["id"]) == ["scan", "scan", "order", "order", "paid", "redeemed"]
    # the stream and the placement figures agree on the scans
    row = figures(shop["api"], shop["owner"], shop["merchant"]["id"])[shop["flyer"]["id"]]
    assert row["scans"] == Event.objects.filter(placement_id=shop["flyer"]["id"], kind="scan").count() == 2
