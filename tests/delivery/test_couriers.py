"""Couriers through the HTTP API: shifts, positions (throttled, refused far away), pickup by the bag's
code, the delivery code (right, wrong, another order's), failed deliveries (retry, return, refund by
the store's rule) and who may do what."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.delivery.conftest import LAT, LNG, bag_code, make_shop, north, on_shift, paid_delivery
from tests.helpers import add_staff, assert_error, quick_user

pytestmark = pytest.mark.django_db


def _allow_next_position(courier) -> None:
    """The 5 s between two positions, passed without sleeping."""
    from datetime import timedelta

    from o2o.delivery.models import Courier

    c = Courier.objects.get(user_id=courier["id"])
    Courier.objects.filter(pk=c.pk).update(position_at=c.position_at - timedelta(seconds=6))


def _picked_up(shop, **kw):
    api, courier = shop["api"], shop["courier"]
    order = paid_delivery(shop, **kw)
    on_shift(api, courier, (LAT, LNG))
    r = api.post("/courier/pickups", {"store_id": shop["store_id"], "code": bag_code(order["id"])}, courier["token"])
    assert r.status_code == 200, r.content
    return order, r.json()


def test_paid_order_has_a_delivery_code_and_the_kitchen_sees_it(shop):
    api = shop["api"]
    order = paid_delivery(shop)
    d = order["delivery"]
    assert order["status"] == "paid" and d["status"] == "open"
    assert len(d["delivery_code"]) == 6 and d["delivery_code"].isdigit()
    assert order["pickup_code"] is None  # the bag's code is the courier's, not the customer's
    r = api.get(f"/stores/{shop['store_id']}/kitchen", shop["clerk"]["token"])
    assert r.status_code == 200
    assert order["id"] in str(r.content)
    # the kitchen takes it and marks it ready; it cannot hand it over itself
    assert api.post(f"/orders/{order['id']}/accept", {}, shop["clerk"]["token"]).status_code == 200
    r = api.post(f"/orders/{order['id']}/ready", {}, shop["clerk"]["token"])
    assert r.status_code == 200 and r.json()["fulfilment_status"] == "ready"
    assert_error(api.post(f"/orders/{order['id']}/hand-over", {}, shop["clerk"]["token"]), 409, "not_ready")


def test_full_delivery_with_the_right_code(shop):
    api, courier, token = shop["api"], shop["courier"], shop["customer"]["token"]
    order, task = _picked_up(shop)
    assert task["status"] == "picked_up"
    got = api.get(f"/orders/{order['id']}", token).json()
    assert got["fulfilment_status"] == "dispatched" and got["delivery"]["courier"]["name"] == "courier"
    tasks = api.get("/courier/tasks", courier["token"]).json()["tasks"]
    assert [t["id"] for t in tasks] == [task["id"]]
    assert "delivery_code" not in str(tasks)
    r = api.post(f"/courier/tasks/{task['id']}/deliver", {"code": order["delivery"]["delivery_code"]},
                 courier["token"])
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "delivered"
    got = api.get(f"/orders/{order['id']}", token).json()
    assert got["fulfilment_status"] == "delivered" and got["delivery"]["delivered_at"]
    # once only
    assert_error(api.post(f"/courier/tasks/{task['id']}/deliver", {"code": order["delivery"]["delivery_code"]},
                          courier["token"]), 409)
    assert api.get("/courier/tasks", courier["token"]).json()["tasks"] == []
    # a delivered order may be reviewed (it was served offline)
    r = api.post("/reviews", {"order_id": order["id"], "rating": 5, "text": "Hot and on time"}, token)
    assert r.status_code == 201, r.content


def test_wrong_code_and_the_code_of_another_order(shop):
    api, courier = shop["api"], shop["courier"]
    first, task1 = _picked_up(shop)
    second = paid_delivery(shop, customer=quick_user("neighbour"), at=north(900))
    r = api.post("/courier/pickups", {"store_id": shop["store_id"], "code": bag_code(second["id"])}, courier["token"])
    assert r.status_code == 200, r.content
    code1, code2 = first["delivery"]["delivery_code"], second["delivery"]["delivery_code"]
    wrong = next(c for c in (f"{n:06d}" for n in range(1000)) if c not in (code1, code2))
    assert_error(api.post(f"/courier/tasks/{task1['id']}/deliver", {"code": wrong}, courier["token"]), 409, "wrong_code")
    assert_error(api.post(f"/courier/tasks/{task1['id']}/deliver", {"code": code2}, courier["token"]), 409,
                 "code_of_other_order")
    assert_error(api.post(f"/courier/tasks/{task1['id']}/deliver", {"code": "12ab"}, courier["token"]), 422)
    got = api.get(f"/orders/{first['id']}", shop["customer"]["token"]).json()
    assert got["fulfilment_status"] == "dispatched" and got["delivery"]["status"] == "picked_up"  # nothing moved
    assert api.post(f"/courier/tasks/{task1['id']}/deliver", {"code": code1}, courier["token"]).status_code == 200


def test_wrong_codes_are_rate_limited_per_delivery(shop):
    """Five wrong codes in a row lock that delivery's code for ten minutes (429 with Retry-After, the
    right code refused too, so six digits cannot be guessed at the door); another order of the courier
    is not locked; once the lock is over the right code delivers."""
    from datetime import timedelta

    from o2o.delivery.models import Delivery

    api, courier = shop["api"], shop["courier"]
    first, task1 = _picked_up(shop)
    second = paid_delivery(shop, customer=quick_user("neighbour"), at=north(900))
    r = api.post("/courier/pickups", {"store_id": shop["store_id"], "code": bag_code(second["id"])}, courier["token"])
    assert r.status_code == 200, r.content
    code1, code2 = first["delivery"]["delivery_code"], second["delivery"]["delivery_code"]
    wrongs = [c for c in (f"{n:06d}" for n in range(20)) if c not in (code1, code2)][:6]
    url = f"/courier/tasks/{task1['id']}/deliver"
    for i, wrong in enumerate(wrongs[:4]):
        err = assert_error(api.post(url, {"code": wrong}, courier["token"]), 409, "wrong_code")
        assert err["fields"]["tries_left"] == 4 - i
    # the code of another order the courier carries is a mix-up of bags, not a guess: not counted
    assert_error(api.post(url, {"code": code2}, courier["token"]), 409, "code_of_other_order")
    r = api.post(url, {"code": wrongs[4]}, courier["token"])  # the fifth wrong one locks
    err = assert_error(r, 429, "too_many_wrong_codes")
    assert int(r["Retry-After"]) == 600 and err["fields"]["retry_after_seconds"] == 600
    r = api.post(url, {"code": code1}, courier["token"])  # locked: the right code waits too
    assert_error(r, 429, "too_many_wrong_codes")
    assert 0 < int(r["Retry-After"]) <= 600
    got = api.get(f"/orders/{first['id']}", shop["customer"]["token"]).json()
    assert got["delivery"]["status"] == "picked_up"  # nothing moved
    # the other delivery has its own count
    task2 = next(t for t in api.get("/courier/tasks", courier["token"]).json()["tasks"] if t["order_id"] == second["id"])
    assert api.post(f"/courier/tasks/{task2['id']}/deliver", {"code": code2}, courier["token"]).status_code == 200
    # ten minutes later the count starts again: a wrong code has 5 tries, the right one delivers
    d = Delivery.objects.get(pk=task1["id"])
    Delivery.objects.filter(pk=d.pk).update(code_locked_until=d.code_locked_until - timedelta(minutes=10, seconds=1))
    err = assert_error(api.post(url, {"code": wrongs[5]}, courier["token"]), 409, "wrong_code")
    assert err["fields"]["tries_left"] == 4
    r = api.post(url, {"code": code1}, courier["token"])
    assert r.status_code == 200 and r.json()["status"] == "delivered"


def test_failed_delivery_retry_then_delivered(shop):
    api, courier = shop["api"], shop["courier"]
    order, task = _picked_up(shop)
    tid = task["id"]
    assert_error(api.post(f"/courier/tasks/{tid}/retry", {}, courier["token"]), 409)  # not failed yet
    assert_error(api.post(f"/courier/tasks/{tid}/fail", {"reason": ""}, courier["token"]), 422)
    r = api.post(f"/courier/tasks/{tid}/fail", {"reason": "Nobody answered the door"}, courier["token"])
    assert r.status_code == 200 and r.json()["status"] == "failed" and r.json()["attempts"] == 1
    got = api.get(f"/orders/{order['id']}", shop["customer"]["token"]).json()
    assert got["fulfilment_status"] == "failed" and got["delivery"]["fail_reason"] == "Nobody answered the door"
    # the customer cannot refund it while the courier has it
    assert_error(api.post(f"/orders/{order['id']}/refund", {}, shop["customer"]["token"]), 409)
    assert_error(api.post(f"/courier/tasks/{tid}/deliver", {"code": order["delivery"]["delivery_code"]},
                          courier["token"]), 409)  # failed: try again first
    r = api.post(f"/courier/tasks/{tid}/retry", {}, courier["token"])
    assert r.status_code == 200 and r.json()["status"] == "picked_up"
    r = api.post(f"/courier/tasks/{tid}/deliver", {"code": order["delivery"]["delivery_code"]}, courier["token"])
    assert r.status_code == 200 and r.json()["status"] == "delivered"


def test_attempts_run_out_then_return_refunds_in_full(shop):
    api, courier, token = shop["api"], shop["courier"], shop["customer"]["token"]
    order, task = _picked_up(shop)
    tid = task["id"]
    for _ in range(2):  # the store's default: 2 attempts
        assert api.post(f"/courier/tasks/{tid}/fail", {"reason": "Nobody there"}, courier["token"]).status_code == 200
        r = api.post(f"/courier/tasks/{tid}/retry", {}, courier["token"])
        if r.status_code != 200:
            break
    assert_error(r, 409, "too_many_attempts")
    r = api.post(f"/courier/tasks/{tid}/return", {}, courier["token"])
    assert r.status_code == 200 and r.json()["status"] == "returned"
    got = api.get(f"/orders/{order['id']}", token).json()
    assert got["status"] == "refunded" and got["fulfilment_status"] == "returned"
    assert Decimal(got["refunded"]["amount"]) == Decimal(order["total"]["amount"])  # the fee too
    assert_error(api.post(f"/courier/tasks/{tid}/return", {}, courier["token"]), 409)  # once


def test_return_under_a_no_refund_rule_keeps_the_payment(shop):
    api, courier, token = shop["api"], shop["courier"], shop["customer"]["token"]
    r = api.call("PUT", f"/merchants/{shop['merchant_id']}/stores/{shop['store_id']}/delivery-settings",
                 {"failed_refund": "none", "max_attempts": 1}, shop["owner"]["token"])
    assert r.status_code == 200 and r.json()["failed_refund"] == "none"
    assert_error(api.call("PUT", f"/merchants/{shop['merchant_id']}/stores/{shop['store_id']}/delivery-settings",
                          {"failed_refund": "half"}, shop["owner"]["token"]), 422)
    assert_error(api.call("PUT", f"/merchants/{shop['merchant_id']}/stores/{shop['store_id']}/delivery-settings",
                          {"failed_refund": "full"}, shop["clerk"]["token"]), 403)
    order, task = _picked_up(shop)
    tid = task["id"]
    assert api.post(f"/courier/tasks/{tid}/fail", {"reason": "Wrong address"}, courier["token"]).status_code == 200
    assert_error(api.post(f"/courier/tasks/{tid}/retry", {}, courier["token"]), 409, "too_many_attempts")
    assert api.post(f"/courier/tasks/{tid}/return", {}, courier["token"]).status_code == 200
    got = api.get(f"/orders/{order['id']}", token).json()
    assert got["status"] == "paid" and got["refunded"]["amount"] == "0.00"
    assert got["fulfilment_status"] == "returned"


def test_refund_before_pickup_cancels_the_task(shop):
    api, token = shop["api"], shop["customer"]["token"]
    order = paid_delivery(shop)
    r = api.post(f"/orders/{order['id']}/refund", {}, token)
    assert r.status_code == 200, r.content
    got = api.get(f"/orders/{order['id']}", token).json()
    assert got["status"] == "refunded" and got["delivery"]["status"] == "cancelled"
    on_shift(api, shop["courier"], (LAT, LNG))
    assert_error(api.post("/courier/pickups", {"store_id": shop["store_id"], "code": bag_code(order["id"])},
                          shop["courier"]["token"]), 409)


def test_courier_access_checks(shop, api_client):
    api = shop["api"]
    order = paid_delivery(shop)
    code = bag_code(order["id"])
    # not a courier at all: the customer, the clerk
    for who in (shop["customer"], shop["clerk"]):
        assert_error(api.post("/courier/shift", {"on": True}, who["token"]), 403, "forbidden")
        assert_error(api.get("/courier/tasks", who["token"]), 403)
    assert_error(api.get("/courier/tasks"), 401)
    # a courier of another merchant: this store and this task do not exist for them
    other = make_shop(api_client, name="Other Noodles", lat=LAT + 0.01)
    on_shift(api, other["courier"], (LAT, LNG))
    assert_error(api.post("/courier/pickups", {"store_id": shop["store_id"], "code": code}, other["courier"]["token"]), 404)
    # off shift: no pickup
    assert_error(api.post("/courier/pickups", {"store_id": shop["store_id"], "code": code}, shop["courier"]["token"]),
                 409, "off_shift")
    _o, task = None, None
    on_shift(api, shop["courier"], (LAT, LNG))
    r = api.post("/courier/pickups", {"store_id": shop["store_id"], "code": code}, shop["courier"]["token"])
    assert r.status_code == 200
    task = r.json()
    code_shown = order["delivery"]["delivery_code"]
    assert_error(api.post(f"/courier/tasks/{task['id']}/deliver", {"code": code_shown}, other["courier"]["token"]), 404)
    # a second courier of the same merchant cannot take or close it
    second = add_staff(api, shop["owner"], shop["merchant_id"], "courier", [])
    on_shift(api, second, (LAT, LNG))
    assert_error(api.post(f"/courier/tasks/{task['id']}/deliver", {"code": code_shown}, second["token"]), 409,
                 "not_your_task")
    assert_error(api.post("/courier/pickups", {"store_id": shop["store_id"], "code": code}, second["token"]), 409,
                 "already_collected")
    assert_error(api.post("/courier/pickups", {"store_id": shop["store_id"], "code": "000000" if code != "000000" else "111111"},
                          second["token"]), 404)


def test_shared_fleet_courier_carries_for_two_merchants(shop, api_client):
    api = shop["api"]
    other = make_shop(api_client, name="Dumplings", lat=LAT + 0.005)
    fleet = shop["courier"]
    r = api.post(f"/merchants/{other['merchant_id']}/staff", {"email": fleet["email"], "role": "courier",
                                                              "store_ids": []}, other["owner"]["token"])
    assert r.status_code == 201, r.content
    on_shift(api, fleet, (LAT, LNG))
    for s in (shop, {**other, "api": api, "customer": quick_user("c2")}):
        order = paid_delivery(s)
        r = api.post("/courier/pickups", {"store_id": s["store_id"], "code": bag_code(order["id"])}, fleet["token"])
        assert r.status_code == 200, r.content
    assert len(api.get("/courier/tasks", fleet["token"]).json()["tasks"]) == 2


def test_position_is_throttled_and_refused_far_away(shop):
    api, courier = shop["api"], shop["courier"]
    assert_error(api.post("/courier/position", {"lat": LAT, "lng": LNG}, courier["token"]), 409, "off_shift")
    on_shift(api, courier, (LAT, LNG))
    r = api.post("/courier/position", {"lat": LAT + 0.001, "lng": LNG}, courier["token"])
    assert_error(r, 429, "rate_limited")
    _allow_next_position(courier)
    r = api.post("/courier/position", {"lat": LAT + 0.001, "lng": LNG}, courier["token"])
    assert r.status_code == 200 and r.json()["lat"] == pytest.approx(LAT + 0.001)
    _allow_next_position(courier)
    # Beijing is 1500 km from the store's city: refused, the last position stays
    assert_error(api.post("/courier/position", {"lat": 39.9042, "lng": 116.4074}, courier["token"]), 422, "out_of_area")
    assert_error(api.post("/courier/position", {"lat": 91, "lng": LNG}, courier["token"]), 422)
    tasks = api.get("/courier/tasks", courier["token"]).json()
    assert tasks["courier"]["lat"] == pytest.approx(LAT + 0.001) and tasks["courier"]["on_shift"] is True
    r = api.post("/courier/shift", {"on": False}, courier["token"])
    assert r.status_code == 200 and r.json()["on_shift"] is False


def test_a_refund_lost_after_the_return_is_made_by_the_sweep(shop):
    from o2o.delivery.models import Delivery
    from o2o.delivery.tasks import refund_returned

    api, courier, token = shop["api"], shop["courier"], shop["customer"]["token"]
    api.call("PUT", f"/merchants/{shop['merchant_id']}/stores/{shop['store_id']}/delivery-settings",
             {"failed_refund": "none", "max_attempts": 1}, shop["owner"]["token"])
    order, task = _picked_up(shop)
    api.post(f"/courier/tasks/{task['id']}/fail", {"reason": "Nobody there"}, courier["token"])
    assert api.post(f"/courier/tasks/{task['id']}/return", {}, courier["token"]).status_code == 200
    assert refund_returned() == 0  # the store keeps the money: nothing due
    # as if the process had died between a refund-in-full return and its refund
    Delivery.objects.filter(pk=task["id"]).update(refund_due=True)
    assert refund_returned() == 1
    got = api.get(f"/orders/{order['id']}", token).json()
    assert got["status"] == "refunded" and got["refunded"] == got["total"]
    assert refund_returned() == 0  # once
