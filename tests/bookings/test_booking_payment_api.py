"""Paying for bookings through the HTTP API: a deposit or the full price paid through the sandbox as an
order of fulfilment "booking"; refunded on a cancel inside the window, partly kept outside it by the
service's rule; a no-show keeps its fee; an unpaid booking lets its seat go when its payment hold runs out."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from o2o.bookings.models import Booking
from o2o.capacity.models import CapacitySlot
from o2o.payments.books import books_problems
from tests.bookings.conftest import local_day, money, service
from tests.helpers import assert_error, quick_user

pytestmark = pytest.mark.django_db
OK, DECLINED = "4242424242424242", "4000000000000002"


def slots(api, token, offering_id, day):  # type: ignore[no-untyped-def]
    r = api.get(f"/offerings/{offering_id}/slots", token, date=day.isoformat())
    assert r.status_code == 200, r.content
    return r.json()["slots"]


def paid_service(school: dict[str, Any], **over: Any) -> dict[str, Any]:
    return service(school["api"], school["owner"], school["merchant"]["id"], [school["store"]["id"]],
                   title="Balayage", capacity=1, **over)


def book(school: dict[str, Any], svc: dict[str, Any], day_offset: int = 1, customer: dict[str, Any] | None = None
         ) -> dict[str, Any]:
    c = customer or school["customer"]
    start = slots(school["api"], c["token"], svc["id"], local_day(day_offset))[0]["start"]
    r = school["api"].post("/bookings", {"offering_id": svc["id"], "start": start}, c["token"])
    assert r.status_code == 201, r.content
    return r.json()


def pay(school: dict[str, Any], booking: dict[str, Any], card: str = OK, **kw: Any):  # type: ignore[no-untyped-def]
    return school["api"].post(f"/bookings/{booking['id']}/pay", {"provider": "sandbox", "card_number": card},
                              school["customer"]["token"], **kw)


def books_balance() -> None:
    assert books_problems() == []


def test_full_prepayment_is_an_order_of_kind_booking_paid_through_the_sandbox(school):
    api, c = school["api"], school["customer"]
    svc = paid_service(school, prepay="full")
    assert svc["service"]["prepay"] == "full" and svc["service"]["deposit"] is None
    b = book(school, svc)
    assert b["status"] == "booked"
    p = b["payment"]
    assert p["status"] == "awaiting_payment" and p["due_now"]["amount"] == "120.00" and p["pay_by"]
    order = api.get(f"/orders/{p['order_id']}", c["token"]).json()
    assert order["fulfilment"] == "booking" and order["status"] == "awaiting_payment"
    assert order["total"]["amount"] == "120.00" and order["store_id"] == school["store"]["id"]
    # the clerk cannot check in a booking paid online before it is paid
    r = pay(school, b, DECLINED)
    assert_error(r, 402, "payment_declined")
    assert api.get(f"/bookings/{b['id']}", c["token"]).json()["payment"]["status"] == "awaiting_payment"
    r = pay(school, b, headers={"Idempotency-Key": "pay-1"})
    assert r.status_code == 200, r.content
    p = r.json()["payment"]
    assert p["status"] == "paid" and p["paid"]["amount"] == "120.00" and p["due_now"] is None
    again = pay(school, b, headers={"Idempotency-Key": "pay-1"})  # the same answer, not a second charge
    assert again.status_code == 200 and again.json()["payment"] == p
    assert_error(pay(school, b), 409, "already_paid")
    order = api.get(f"/orders/{p['order_id']}", c["token"]).json()
    assert order["status"] == "paid" and order["fulfilment_status"] == "confirmed" and order["vouchers"] == []
    assert [(x["status"], x["amount"]["amount"]) for x in order["payments"]] == [("declined", "120.00"),
                                                                                ("succeeded", "120.00")]
    books_balance()


def test_a_deposit_is_paid_online_and_given_back_on_a_cancel_inside_the_window(school):
    api, c = school["api"], school["customer"]
    svc = paid_service(school, prepay="deposit", deposit=money("30.00"), cancel_minutes=60)
    assert svc["service"]["deposit"]["amount"] == "30.00"
    b = book(school, svc)
    assert b["payment"]["due_now"]["amount"] == "30.00"
    p = pay(school, b).json()["payment"]
    assert p["status"] == "paid" and p["paid"]["amount"] == "30.00"
    order = api.get(f"/orders/{p['order_id']}", c["token"]).json()
    assert [(x["purpose"], x["amount"]["amount"]) for x in order["payments"]] == [("deposit", "30.00")]
    # refunding the order directly would skip the booking's rules
    assert_error(api.post(f"/orders/{p['order_id']}/refund", None, c["token"]), 409, "booking_live")
    r = api.post(f"/bookings/{b['id']}/cancel", None, c["token"])
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    p = r.json()["payment"]
    assert p["status"] == "refunded" and p["refunded"]["amount"] == "30.00" and p["kept"]["amount"] == "0.00"
    order = api.get(f"/orders/{p['order_id']}", c["token"]).json()
    assert order["fulfilment_status"] == "cancelled" and order["payments"][0]["status"] == "refunded"
    # the seat is free again
    assert slots(api, c["token"], svc["id"], local_day(1))[0]["start"] == b["start"]
    books_balance()


def test_a_late_cancel_keeps_the_services_share_and_without_a_rule_is_refused(school):
    api, c = school["api"], school["customer"]
    strict = paid_service(school, prepay="full", cancel_minutes=72 * 60)
    b = book(school, strict)
    pay(school, b)
    assert_error(api.post(f"/bookings/{b['id']}/cancel", None, c["token"]), 409, "cancel_window_closed")
    assert api.get(f"/bookings/{b['id']}", c["token"]).json()["payment"]["status"] == "paid"

    lenient = paid_service(school, prepay="full", cancel_minutes=72 * 60, late_cancel_keep_percent=25)
    assert lenient["service"]["late_cancel_keep_percent"] == 25
    b = book(school, lenient)
    pay(school, b)
    r = api.post(f"/bookings/{b['id']}/cancel", None, c["token"])
    assert r.status_code == 200, r.content
    p = r.json()["payment"]
    assert r.json()["status"] == "cancelled"
    assert p["refunded"]["amount"] == "90.00" and p["kept"]["amount"] == "30.00" and p["status"] == "refunded"
    assert slots(api, c["token"], lenient["id"], local_day(1))[0]["start"] == b["start"]
    books_balance()


def test_an_unpaid_booking_cancelled_cancels_its_order_and_cannot_be_paid_after(school):
    api, c = school["api"], school["customer"]
    b = book(school, paid_service(school, prepay="full"))
    r = api.post(f"/bookings/{b['id']}/cancel", None, c["token"])
    assert r.status_code == 200 and r.json()["payment"]["status"] == "cancelled"
    assert_error(pay(school, b), 409, "not_payable")
    assert_error(api.post(f"/orders/{b['payment']['order_id']}/pay", {"provider": "sandbox", "card_number": OK},
                          c["token"]), 409)
    books_balance()


def test_an_unpaid_booking_lets_its_seat_go_when_its_payment_hold_runs_out(school):
    api, c = school["api"], school["customer"]
    svc = paid_service(school, prepay="full")
    b = book(school, svc)
    start = datetime.fromisoformat(b["start"])
    assert CapacitySlot.objects.get(start=start).taken == 1
    assert slots(api, c["token"], svc["id"], local_day(1))[0]["start"] != b["start"]
    with time_machine.travel(datetime.fromisoformat(b["payment"]["pay_by"]) + timedelta(seconds=5), tick=False):
        assert_error(pay(school, b), 409, "order_expired")
        got = api.get(f"/bookings/{b['id']}", c["token"]).json()
        assert got["status"] == "cancelled" and got["payment"]["status"] == "expired"
        assert CapacitySlot.objects.get(start=start).taken == 0
        other = quick_user("next")
        again = api.post("/bookings", {"offering_id": svc["id"], "start": b["start"]}, other["token"])
        assert again.status_code == 201, again.content
    books_balance()


def test_check_in_needs_the_online_payment_and_moves_the_orders_fulfilment(school):
    api, c = school["api"], school["customer"]
    svc = paid_service(school, prepay="deposit", deposit=money("20.00"))
    b = book(school, svc)
    with time_machine.travel(datetime.fromisoformat(b["start"]) + timedelta(minutes=5), tick=False):
        assert_error(api.post(f"/bookings/{b['id']}/check-in", None, school["clerk"]["token"]), 409, "not_paid")
    pay(school, b)
    with time_machine.travel(datetime.fromisoformat(b["start"]) + timedelta(minutes=5), tick=False):
        r = api.post(f"/bookings/{b['id']}/check-in", None, school["clerk"]["token"])
        assert r.status_code == 200 and r.json()["status"] == "checked_in", r.content
    order = api.get(f"/orders/{b['payment']['order_id']}", c["token"]).json()
    assert order["fulfilment_status"] == "checked_in"


@pytest.mark.parametrize(("fee", "kept", "refunded"), [(money("50.00"), "50.00", "70.00"), (None, "120.00", "0.00")])
def test_a_no_show_keeps_its_fee_and_refunds_the_rest(school, fee, kept, refunded):
    api, c = school["api"], school["customer"]
    svc = paid_service(school, prepay="full", no_show_fee=fee)
    b = book(school, svc)
    pay(school, b)
    no_show = f"/bookings/{b['id']}/no-show"
    assert_error(api.post(no_show, None, school["clerk"]["token"]), 409, "not_started")
    with time_machine.travel(datetime.fromisoformat(b["start"]) + timedelta(minutes=20), tick=False):
        assert_error(api.post(no_show, None, c["token"]), 404)  # the customer is not staff
        assert_error(api.post(no_show, None, quick_user()["token"]), 404)
        r = api.post(no_show, None, school["clerk"]["token"])
        assert r.status_code == 200, r.content
        assert r.json()["status"] == "no_show" and r.json()["no_show_at"]
        p = r.json()["payment"]
        assert p["kept"]["amount"] == kept and p["refunded"]["amount"] == refunded
        assert_error(api.post(no_show, None, school["clerk"]["token"]), 409, "check_in_closed")
        assert_error(api.post(f"/bookings/{b['id']}/cancel", None, c["token"]), 409, "not_cancellable")
    order = api.get(f"/orders/{p['order_id']}", c["token"]).json()
    assert order["fulfilment_status"] == "no_show"
    assert Decimal(order["paid"]["amount"]) == Decimal(kept)
    books_balance()


def test_a_service_paid_at_the_store_has_nothing_to_pay_online(school):
    b = book(school, school["service"])
    assert b["payment"] == {"prepay": "none", "status": "at_store", "order_id": None, "due_now": None,
                            "pay_by": None, "paid": None, "refunded": None, "kept": None}
    assert_error(pay(school, b), 409, "nothing_to_pay")
    assert Booking.objects.get(pk=b["id"]).order_id is None


def test_someone_elses_booking_cannot_be_paid(school):
    b = book(school, paid_service(school, prepay="full"))
    r = school["api"].post(f"/bookings/{b['id']}/pay", {"provider": "sandbox", "card_number": OK},
                           quick_user()["token"])
    assert_error(r, 404)
    assert Booking.objects.get(pk=b["id"]).order.status == "awaiting_payment"


@pytest.mark.parametrize(("over", "field"), [
    ({"prepay": "sometimes"}, "prepay"),
    ({"prepay": "deposit"}, "deposit"),
    ({"prepay": "deposit", "deposit": money("120.00")}, "deposit"),
    ({"prepay": "deposit", "deposit": money("0.00")}, "deposit"),
    ({"prepay": "full", "deposit": money("10.00")}, "deposit"),
    ({"prepay": "deposit", "deposit": {"amount": "10.00", "currency": "USD"}}, "deposit"),
    ({"prepay": "full", "late_cancel_keep_percent": 101}, "late_cancel_keep_percent"),
    ({"prepay": "none", "no_show_fee": money("10.00")}, "no_show_fee"),
    ({"prepay": "deposit", "deposit": money("10.00"), "no_show_fee": money("11.00")}, "no_show_fee"),
])
def test_bad_payment_rules_are_refused_with_the_field_and_write_nothing(school, over, field):
    from o2o.catalogue.models import Offering

    before = Offering.objects.count()
    body = {"kind": "service", "title": "X", "price": money("120.00"), "duration_minutes": 60, "capacity": 1,
            "store_ids": [school["store"]["id"]], "status": "live", "schedule": {"mon": [["10:00", "12:00"]]}, **over}
    r = school["api"].post(f"/merchants/{school['merchant']['id']}/offerings", body, school["owner"]["token"])
    assert field in assert_error(r, 422)["fields"]
    assert Offering.objects.count() == before


def test_a_service_is_not_sold_as_a_voucher(school):
    r = school["api"].post("/orders", {"lines": [{"offering_id": school["service"]["id"], "quantity": 1}]},
                           school["customer"]["token"])
    assert "fulfilment" in assert_error(r, 422)["fields"]
