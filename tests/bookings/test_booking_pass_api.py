"""Check-in at the door by scanning the booking's QR (its pass, signed like vouchers): through the HTTP API."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from o2o.vouchers.signing import sign
from tests.bookings.conftest import TZ, local_day, service
from tests.helpers import HOURS_ALL_DAY, add_staff, assert_error, quick_user

pytestmark = pytest.mark.django_db


def book(school, svc, customer=None):  # type: ignore[no-untyped-def]
    c = customer or school["customer"]
    start = school["api"].get(f"/offerings/{svc['id']}/slots", c["token"],
                              date=local_day(1).isoformat()).json()["slots"][0]["start"]
    r = school["api"].post("/bookings", {"offering_id": svc["id"], "start": start}, c["token"])
    assert r.status_code == 201, r.content
    return r.json()


def scan(school, qr, token=None, store_id=None):  # type: ignore[no-untyped-def]
    return school["api"].post(f"/stores/{store_id or school['store']['id']}/bookings/scan", {"qr_payload": qr},
                              token or school["clerk"]["token"])


def test_the_customers_qr_checks_them_in_at_the_door_once(school):
    b = book(school, school["service"])
    assert b["qr_payload"].startswith("O2O1.")
    listed = school["api"].get("/bookings", school["customer"]["token"]).json()["results"]
    assert listed[0]["qr_payload"]
    with time_machine.travel(datetime.fromisoformat(b["start"]) - timedelta(minutes=10), tick=False):
        r = scan(school, b["qr_payload"])
        assert r.status_code == 200, r.content
        assert r.json()["status"] == "checked_in" and r.json()["id"] == b["id"] and r.json()["qr_payload"] is None
        assert_error(scan(school, b["qr_payload"]), 409, "already_checked_in")
    # no QR once checked in
    assert school["api"].get(f"/bookings/{b['id']}", school["customer"]["token"]).json()["qr_payload"] is None


def test_a_booking_paid_online_has_its_qr_only_once_paid(school):
    svc = service(school["api"], school["owner"], school["merchant"]["id"], [school["store"]["id"]],
                  title="Colour", prepay="full")
    b = book(school, svc)
    assert b["qr_payload"] is None
    r = school["api"].post(f"/bookings/{b['id']}/pay", {"card_number": "4242424242424242"},
                           school["customer"]["token"])
    assert r.status_code == 200 and r.json()["qr_payload"].startswith("O2O1.")


def test_forged_foreign_and_other_store_passes_are_refused(school):
    api, owner, mid = school["api"], school["owner"], school["merchant"]["id"]
    b = book(school, school["service"])
    qr = b["qr_payload"]
    head, body, sig = qr.split(".")
    assert_error(scan(school, f"{head}.{body}.{sig[:-2]}AA"), 400, "invalid_signature")
    assert_error(scan(school, sign({"vid": b["id"], "mid": mid, "oid": b["offering_id"], "exp": 2**31})), 400,
                 "invalid_booking_pass")
    # a second store of the same merchant: its clerk is told the booking is elsewhere
    r = api.post(f"/merchants/{mid}/stores", {"name": "Second", "address": "2 Rd", "lat": 30.6, "lng": 104.0,
                                              "timezone": TZ, "opening_hours": HOURS_ALL_DAY}, owner["token"])
    second = r.json()["id"]
    other_clerk = add_staff(api, owner, mid, "clerk", [second])
    assert_error(scan(school, qr, other_clerk["token"], second), 409, "wrong_store")
    # the clerk of the first store cannot scan at the second (not assigned) and a rival merchant sees nothing
    assert_error(scan(school, qr, school["clerk"]["token"], second), 403, "forbidden")
    rival = quick_user("rival")
    rs = api.merchant_with_store(rival, name="Rival School", category="training")
    assert_error(scan(school, qr, rival["token"], rs["store"]["id"]), 404)
    assert_error(scan(school, qr, school["customer"]["token"]), 404)
    assert api.get(f"/bookings/{b['id']}", school["customer"]["token"]).json()["status"] == "booked"
