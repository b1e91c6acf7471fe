"""Pickup orders through the API: slots, options priced and snapshotted, the code handed over once, and
every refusal leaving nothing half-written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tests.helpers import GOOD_CARD, HOURS_ALL_DAY, assert_error, expire_hold, quick_user
from tests.ordering.conftest import first_slot, pickup_body

pytestmark = pytest.mark.django_db

LARGE_EGG_BEEF = [{"name": "Size", "choice": "Large"}, {"name": "Extras", "choice": "Egg"},
                  {"name": "Extras", "choice": "Beef"}]


def _counts():
    from o2o.capacity.models import CapacitySlot
    from o2o.catalogue.models import StoreStock
    from o2o.ordering.models import Ticket
    from o2o.orders.models import Order, OrderLine

    return (Order.objects.count(), OrderLine.objects.count(), Ticket.objects.count(),
            sorted(CapacitySlot.objects.values_list("start", "taken")),
            sorted(StoreStock.objects.values_list("pk", "quantity_left", "sold_out")))


def _pay(api, customer, order_id):
    r = api.post(f"/orders/{order_id}/pay", {"provider": "sandbox", "card_number": GOOD_CARD}, customer["token"])
    assert r.status_code == 200, r.content
    return r.json()


def test_slots_every_15_minutes_and_none_in_the_past(bar):
    api, c = bar["api"], bar["customer"]
    day = timezone.localtime().date().isoformat()
    r = api.get(f"/stores/{bar['store']['id']}/pickup-slots", c["token"], date=day)
    assert r.status_code == 200, r.content
    slots = r.json()["slots"]
    starts = [parse_datetime(s["start"]) for s in slots]
    now = timezone.now()
    assert all(s > now for s in starts)
    assert all((b - a) == timedelta(minutes=15) for a, b in zip(starts, starts[1:], strict=False))
    assert all(parse_datetime(s["end"]) - parse_datetime(s["start"]) == timedelta(minutes=15) for s in slots)
    assert all(s["capacity_left"] == 8 for s in slots)
    assert_error(api.get(f"/stores/{bar['store']['id']}/pickup-slots", c["token"], date="tomorrow"), 422)


def test_pickup_order_with_options_paid_ready_and_handed_over_once(bar):
    api, c, clerk = bar["api"], bar["customer"], bar["clerk"]
    store_id = bar["store"]["id"]
    slot = first_slot(api, store_id, c["token"])
    r = api.post("/orders", pickup_body(store_id, slot, [
        {"offering_id": bar["noodles"]["id"], "quantity": 2, "options": LARGE_EGG_BEEF},
        {"offering_id": bar["beef"]["id"], "quantity": 1}]), c["token"])
    assert r.status_code == 201, r.content
    order = r.json()
    noodle_line = order["lines"][0]
    assert noodle_line["unit_price"]["amount"] == "31.00"  # 18 + 3 + 2 + 8
    assert noodle_line["total"]["amount"] == "62.00"
    assert noodle_line["options"] == [{"name": "Size", "choice": "Large", "price_delta": "3.00"},
                                      {"name": "Extras", "choice": "Egg", "price_delta": "2.00"},
                                      {"name": "Extras", "choice": "Beef", "price_delta": "8.00"}]
    assert order["total"]["amount"] == "88.00"
    assert order["fulfilment"] == "pickup" and order["store_id"] == store_id
    assert order["pickup_code"] is None  # not before it is paid
    assert parse_datetime(order["ticket"]["slot_start"]) == parse_datetime(slot)
    assert order == api.get(f"/orders/{order['id']}", c["token"]).json() | {"expires_at": order["expires_at"]}
    # nothing in the kitchen before it is paid
    assert api.get(f"/stores/{store_id}/kitchen", clerk["token"]).json()["orders"] == []
    paid = _pay(api, c, order["id"])
    code = paid["pickup_code"]
    assert code and len(code) == 6 and code.isdigit()
    queue = api.get(f"/stores/{store_id}/kitchen", clerk["token"]).json()["orders"]
    assert [q["number"] for q in queue] == [order["number"]]
    assert queue[0]["lines"][0]["options"] == ["Size: Large", "Extras: Egg", "Extras: Beef"]
    r = api.post(f"/orders/{order['id']}/accept", token=clerk["token"])
    assert r.status_code == 200 and r.json()["fulfilment_status"] == "preparing", r.content
    r = api.post(f"/orders/{order['id']}/ready", token=clerk["token"])
    assert r.json()["fulfilment_status"] == "ready"
    assert api.get(f"/orders/{order['id']}", c["token"]).json()["fulfilment_status"] == "ready"  # the customer sees it
    r = api.post("/pickups", {"store_id": store_id, "code": code}, clerk["token"])
    assert r.status_code == 200, r.content
    assert r.json()["fulfilment_status"] == "picked_up"
    assert_error(api.post("/pickups", {"store_id": store_id, "code": code}, clerk["token"]), 409, "already_collected")
    assert api.get(f"/stores/{store_id}/kitchen", clerk["token"]).json()["orders"] == []
    # a customer may now review it (fulfilled offline)
    r = api.post("/reviews", {"order_id": order["id"], "rating": 5, "text": "Great noodles, ready on time"}, c["token"])
    assert r.status_code == 201, r.content


def test_pickup_code_of_another_store_and_unknown_code(bar, api_client):
    api, c, owner = bar["api"], bar["customer"], bar["owner"]
    slot = first_slot(api, bar["store2"]["id"], c["token"])
    r = api.post("/orders", pickup_body(bar["store2"]["id"], slot, [{"offering_id": bar["beef"]["id"], "quantity": 1}]),
                 c["token"])
    assert r.status_code == 201, r.content
    code = _pay(api, c, r.json()["id"])["pickup_code"]
    assert_error(api.post("/pickups", {"store_id": bar["store"]["id"], "code": code}, owner["token"]), 409,
                 "wrong_store")
    wrong = "000000" if code != "000000" else "111111"
    assert_error(api.post("/pickups", {"store_id": bar["store2"]["id"], "code": wrong}, owner["token"]), 404)
    assert_error(api.post("/pickups", {"store_id": bar["store2"]["id"], "code": "12ab"}, owner["token"]), 422)
    # the clerk of the first store may not hand over at the second
    assert_error(api.post("/pickups", {"store_id": bar["store2"]["id"], "code": code}, bar["clerk"]["token"]), 403)


def test_refusals_write_nothing(bar):
    from o2o.catalogue.models import StoreStock

    api, c = bar["api"], bar["customer"]
    sid = bar["store"]["id"]
    slot = first_slot(api, sid, c["token"])
    noodles, beef = bar["noodles"]["id"], bar["beef"]["id"]
    before = _counts()
    cases = [
        # an option that does not exist / a choice that does not exist / too many choices / required missing
        ([{"offering_id": noodles, "quantity": 1, "options": [{"name": "Size", "choice": "Large"},
                                                              {"name": "Sauce", "choice": "Soy"}]}], 422, None),
        ([{"offering_id": noodles, "quantity": 1, "options": [{"name": "Size", "choice": "Huge"}]}], 422, None),
        ([{"offering_id": noodles, "quantity": 1, "options": [{"name": "Size", "choice": "Large"},
                                                              {"name": "Extras", "choice": "Egg"},
                                                              {"name": "Extras", "choice": "Beef"},
                                                              {"name": "Extras", "choice": "Greens"}]}], 422, None),
        ([{"offering_id": noodles, "quantity": 1}], 422, None),
        # negative and absurd quantities
        ([{"offering_id": beef, "quantity": -1}], 422, None),
        ([{"offering_id": beef, "quantity": 10**9}], 422, None),
        ([{"offering_id": beef, "quantity": 0}], 422, None),
        # more than the store has (5): sold out, and the noodle line before it is rolled back too
        ([{"offering_id": noodles, "quantity": 1, "options": [{"name": "Size", "choice": "Regular"}]},
          {"offering_id": beef, "quantity": 6}], 409, "sold_out"),
        # a tampered price
        ([{"offering_id": beef, "quantity": 1, "unit_price": {"amount": "0.01", "currency": "CNY"}}], 409,
         "price_changed"),
    ]
    for lines, status, code in cases:
        err = assert_error(api.post("/orders", pickup_body(sid, slot, lines), c["token"]), status, code)
        if status == 422:
            assert err["fields"], err
    # sold out by the switch
    StoreStock.objects.filter(offering_id=beef, store_id=sid).update(sold_out=True)
    assert_error(api.post("/orders", pickup_body(sid, slot, [{"offering_id": beef, "quantity": 1}]), c["token"]), 409,
                 "sold_out")
    StoreStock.objects.filter(offering_id=beef, store_id=sid).update(sold_out=False)
    # a dish the store does not sell (cola only at store 1) at store 2
    slot2 = first_slot(api, bar["store2"]["id"], c["token"])
    assert_error(api.post("/orders", pickup_body(bar["store2"]["id"], slot2,
                                                 [{"offering_id": bar["cola"]["id"], "quantity": 1}]), c["token"]), 404)
    # a slot that is not a slot, a slot in the past, an unknown store, a malformed time
    assert_error(api.post("/orders", pickup_body(sid, (parse_datetime(slot) + timedelta(minutes=7)).isoformat(),
                                                 [{"offering_id": beef, "quantity": 1}]), c["token"]), 422)
    past = (parse_datetime(slot) - timedelta(hours=2)).isoformat()
    assert_error(api.post("/orders", pickup_body(sid, past, [{"offering_id": beef, "quantity": 1}]), c["token"]), 409,
                 "slot_unavailable")
    assert_error(api.post("/orders", pickup_body(sid, "noon", [{"offering_id": beef, "quantity": 1}]), c["token"]), 422)
    assert_error(api.post("/orders", pickup_body("00000000-0000-0000-0000-000000000000", slot,
                                                 [{"offering_id": beef, "quantity": 1}]), c["token"]), 404)
    assert_error(api.post("/orders", {"lines": [{"offering_id": beef, "quantity": 1}],
                                      "fulfilment": {"type": "delivery", "store_id": sid}}, c["token"]), 422)
    assert _counts() == before


def test_a_full_slot_is_refused_and_left_out(bar):
    from o2o.ordering.models import StoreOrdering

    api, sid = bar["api"], bar["store"]["id"]
    StoreOrdering.objects.create(store_id=sid, slot_capacity=2)
    slot = first_slot(api, sid, bar["customer"]["token"])
    for _ in range(2):
        buyer = quick_user("buyer")
        r = api.post("/orders", pickup_body(sid, slot, [{"offering_id": bar["cola"]["id"], "quantity": 1}]),
                     buyer["token"])
        assert r.status_code == 201, r.content
    before = _counts()
    late = quick_user("late")
    assert_error(api.post("/orders", pickup_body(sid, slot, [{"offering_id": bar["cola"]["id"], "quantity": 1}]),
                          late["token"]), 409, "slot_full")
    assert _counts() == before
    day = timezone.localtime(parse_datetime(slot)).date().isoformat()
    starts = [s["start"] for s in api.get(f"/stores/{sid}/pickup-slots", late["token"], date=day).json()["slots"]]
    assert parse_datetime(slot) not in [parse_datetime(s) for s in starts]


def test_unpaid_pickup_order_expires_and_gives_back_stock_and_slot(bar):
    from o2o.capacity.models import CapacitySlot
    from o2o.catalogue.models import StoreStock
    from o2o.orders.holds import orders_expire_due

    api, c, sid, beef = bar["api"], bar["customer"], bar["store"]["id"], bar["beef"]["id"]
    slot = first_slot(api, sid, c["token"])
    r = api.post("/orders", pickup_body(sid, slot, [{"offering_id": beef, "quantity": 3}]), c["token"])
    assert r.status_code == 201
    assert StoreStock.objects.get(offering_id=beef, store_id=sid).quantity_left == 2
    assert CapacitySlot.objects.get(start=parse_datetime(slot)).taken == 1
    expire_hold(r.json()["id"])
    assert orders_expire_due() == 1
    assert StoreStock.objects.get(offering_id=beef, store_id=sid).quantity_left == 5
    assert CapacitySlot.objects.get(start=parse_datetime(slot)).taken == 0
    assert_error(api.post(f"/orders/{r.json()['id']}/pay", {"provider": "sandbox", "card_number": GOOD_CARD},
                          c["token"]), 409, "order_expired")


def test_kitchen_rejects_a_paid_order_refunded_stock_and_slot_back(bar):
    from o2o.capacity.models import CapacitySlot
    from o2o.catalogue.models import StoreStock
    from o2o.payments.books import books_problems

    api, c, clerk, sid, beef = bar["api"], bar["customer"], bar["clerk"], bar["store"]["id"], bar["beef"]["id"]
    slot = first_slot(api, sid, c["token"])
    r = api.post("/orders", pickup_body(sid, slot, [{"offering_id": beef, "quantity": 2}]), c["token"])
    order = _pay(api, c, r.json()["id"])
    assert_error(api.post(f"/orders/{order['id']}/reject", {"reason": ""}, clerk["token"]), 422)
    r = api.post(f"/orders/{order['id']}/reject", {"reason": "Out of beef"}, clerk["token"])
    assert r.status_code == 200, r.content
    body = api.get(f"/orders/{order['id']}", c["token"]).json()
    assert body["status"] == "refunded" and body["refunded"]["amount"] == "52.00"
    assert body["fulfilment_status"] == "cancelled" and body["ticket"]["reject_reason"] == "Out of beef"
    assert StoreStock.objects.get(offering_id=beef, store_id=sid).quantity_left == 5
    assert CapacitySlot.objects.get(start=parse_datetime(slot)).taken == 0
    assert books_problems() == []
    assert_error(api.post(f"/orders/{order['id']}/reject", {"reason": "again"}, clerk["token"]), 409)


def test_only_staff_of_the_store_run_the_kitchen(bar):
    api, c, sid = bar["api"], bar["customer"], bar["store"]["id"]
    slot = first_slot(api, sid, c["token"])
    r = api.post("/orders", pickup_body(sid, slot, [{"offering_id": bar["cola"]["id"], "quantity": 1}]), c["token"])
    order = _pay(api, c, r.json()["id"])
    assert_error(api.get(f"/stores/{sid}/kitchen", c["token"]), 404)
    assert_error(api.post(f"/orders/{order['id']}/accept", token=c["token"]), 404)
    other_clerk = api.clerk(bar["owner"], bar["merchant"]["id"], [bar["store2"]["id"]])
    assert_error(api.post(f"/orders/{order['id']}/accept", token=other_clerk["token"]), 403)


def test_a_store_with_no_pickup_hours_that_day_is_closed(bar):
    api, owner, c = bar["api"], bar["owner"], bar["customer"]
    closed = {d: [] for d in HOURS_ALL_DAY}
    r = api.post(f"/merchants/{bar['merchant']['id']}/stores", {
        "name": "Closed branch", "address": "x", "lat": 30.65, "lng": 104.06, "timezone": "Asia/Shanghai",
        "opening_hours": closed}, owner["token"])
    store = r.json()
    api.call("PATCH", f"/stores/{store['id']}/stock/{bar['cola']['id']}", {"quantity": 5}, owner["token"])
    tomorrow = (timezone.localtime() + timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    assert api.get(f"/stores/{store['id']}/pickup-slots", c["token"], date=tomorrow.date().isoformat()).json()["slots"] == []
    assert_error(api.post("/orders", pickup_body(store["id"], tomorrow.isoformat(),
                                                 [{"offering_id": bar["cola"]["id"], "quantity": 1}]), c["token"]), 409,
                 "store_closed")


def test_idempotent_pickup_checkout(bar):
    api, c, sid = bar["api"], bar["customer"], bar["store"]["id"]
    slot = first_slot(api, sid, c["token"])
    body = pickup_body(sid, slot, [{"offering_id": bar["beef"]["id"], "quantity": 1}])
    r1 = api.post("/orders", body, c["token"], headers={"Idempotency-Key": "lunch-1"})
    r2 = api.post("/orders", body, c["token"], headers={"Idempotency-Key": "lunch-1"})
    assert r1.status_code == 201 and r2.status_code == 200 and r1.json()["id"] == r2.json()["id"]
    body["lines"][0]["quantity"] = 2
    assert_error(api.post("/orders", body, c["token"], headers={"Idempotency-Key": "lunch-1"}), 422,
                 "idempotency_mismatch")
