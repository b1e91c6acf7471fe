"""Appointments through the HTTP API (API.md "Appointments"): services, slots, booking, cancel, check-in."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from o2o.bookings.models import Booking, BookingEvent
from o2o.capacity.models import CapacitySlot
from tests.bookings.conftest import TZ, local_day, money, service
from tests.helpers import HOURS_ALL_DAY, assert_error, quick_user

pytestmark = pytest.mark.django_db


def slots(api, token, offering_id, day, **params):  # type: ignore[no-untyped-def]
    r = api.get(f"/offerings/{offering_id}/slots", token, date=day.isoformat(), **params)
    assert r.status_code == 200, r.content
    return r.json()["slots"]


def book(api, customer, offering_id, start, **kw):  # type: ignore[no-untyped-def]
    return api.post("/bookings", {"offering_id": offering_id, "start": start}, customer["token"], **kw)


def first_slot(s: dict[str, Any]) -> dict[str, Any]:
    return slots(s["api"], s["customer"]["token"], s["service"]["id"], local_day(1))[0]


# --- services --------------------------------------------------------------------------------------------------

def test_a_service_is_created_with_its_booking_side_and_shown_by_get_offering(school):
    api, svc = school["api"], school["service"]
    assert svc["kind"] == "service" and svc["status"] == "live"
    assert svc["service"]["duration_minutes"] == 60 and svc["service"]["capacity"] == 2
    assert svc["service"]["store_ids"] == [school["store"]["id"]]
    assert svc["service"]["lead_minutes"] == 0 and svc["service"]["horizon_days"] == 60
    assert svc["service"]["cancel_minutes"] == 0 and svc["service"]["exceptions"] == {}
    r = api.get(f"/offerings/{svc['id']}")
    assert r.status_code == 200 and r.json()["service"] == svc["service"]


@pytest.mark.parametrize(("over", "field"), [
    ({"duration_minutes": 0}, "duration_minutes"),
    ({"duration_minutes": 47}, "duration_minutes"),
    ({"duration_minutes": None}, "duration_minutes"),
    ({"capacity": 0}, "capacity"),
    ({"store_ids": []}, "store_ids"),
    ({"schedule": {"mon": [["10:00"]]}}, "schedule"),
    ({"schedule": {"mon": [["10:03", "12:00"]]}}, "schedule"),
    ({"schedule": {"someday": []}}, "schedule"),
    ({"exceptions": {"2026-13-01": []}}, "exceptions"),
    ({"exceptions": {"2026-12-24": [["25:00", "26:00"]]}}, "exceptions.2026-12-24"),
    ({"lead_minutes": -1}, "lead_minutes"),
    ({"horizon_days": 0}, "horizon_days"),
    ({"resource_ids": ["not-a-uuid"]}, "resource_ids"),
])
def test_a_bad_service_is_refused_with_the_field_named_and_nothing_written(school, over, field):
    from o2o.catalogue.models import Offering

    before = Offering.objects.count()
    body = {"kind": "service", "title": "Bad", "price": money("10.00"), "duration_minutes": 60, "capacity": 2,
            "store_ids": [school["store"]["id"]], "status": "live", "schedule": HOURS_ALL_DAY, **over}
    r = school["api"].post(f"/merchants/{school['merchant']['id']}/offerings", body, school["owner"]["token"])
    err = assert_error(r, 422)
    assert field in err["fields"], err
    assert Offering.objects.count() == before


def test_a_clerk_cannot_create_a_service_and_a_stranger_gets_404(school):
    api = school["api"]
    body = {"kind": "service", "title": "X", "price": money("1.00"), "duration_minutes": 30, "capacity": 1,
            "store_ids": [school["store"]["id"]], "status": "live", "schedule": HOURS_ALL_DAY}
    assert_error(api.post(f"/merchants/{school['merchant']['id']}/offerings", body, school["clerk"]["token"]), 403,
                 "forbidden")
    assert_error(api.post(f"/merchants/{school['merchant']['id']}/offerings", body, quick_user()["token"]), 404,
                 "not_found")


# --- slots -----------------------------------------------------------------------------------------------------

def test_slots_of_a_day_are_in_the_store_timezone_every_duration(school):
    day = local_day(1)
    got = slots(school["api"], school["customer"]["token"], school["service"]["id"], day)
    assert len(got) == 24
    first = datetime.fromisoformat(got[0]["start"])
    assert first.utcoffset() == timedelta(hours=8)
    assert first.astimezone(ZoneInfo(TZ)).date() == day and first.hour == 0
    assert [datetime.fromisoformat(s["start"]).hour for s in got] == list(range(24))
    assert all(s["capacity_left"] == 2 and s["store_id"] == school["store"]["id"] for s in got)
    assert datetime.fromisoformat(got[0]["end"]) - first == timedelta(minutes=60)


def test_schedule_windows_exceptions_and_store_holidays(school):
    api, owner, mid, store = school["api"], school["owner"], school["merchant"]["id"], school["store"]
    day, closed, other = local_day(2), local_day(3), local_day(4)
    weekly = {d: [["09:00", "12:00"], ["14:00", "15:30"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    svc = service(api, owner, mid, [store["id"]], duration_minutes=45, schedule=weekly,
                  exceptions={closed.isoformat(): [], other.isoformat(): [["18:00", "19:30"]]})
    token = school["customer"]["token"]
    hours = [datetime.fromisoformat(s["start"]).strftime("%H:%M") for s in slots(api, token, svc["id"], day)]
    assert hours == ["09:00", "09:45", "10:30", "11:15", "14:00", "14:45"]
    assert slots(api, token, svc["id"], closed) == []
    assert [datetime.fromisoformat(s["start"]).strftime("%H:%M") for s in slots(api, token, svc["id"], other)] == [
        "18:00", "18:45"]
    from o2o.merchants.models import Store

    Store.objects.filter(pk=store["id"]).update(closed_dates=[day.isoformat()])  # the store's own holiday
    assert slots(api, token, svc["id"], day) == []


def test_past_too_soon_and_too_far_slots_are_left_out(school):
    api, owner, mid, store = school["api"], school["owner"], school["merchant"]["id"], school["store"]
    svc = service(api, owner, mid, [store["id"]], lead_minutes=180, horizon_days=2)
    token = school["customer"]["token"]
    now = datetime.now(ZoneInfo(TZ))
    today = slots(api, token, svc["id"], now.date())
    assert all(datetime.fromisoformat(s["start"]) >= now + timedelta(minutes=180) for s in today)
    assert slots(api, token, svc["id"], local_day(-1)) == []
    assert slots(api, token, svc["id"], local_day(5)) == []


def test_slots_bad_date_unknown_service_and_no_token(school):
    api, token = school["api"], school["customer"]["token"]
    assert_error(api.get(f"/offerings/{school['service']['id']}/slots", token, date="2026-02-30"), 422)
    assert_error(api.get(f"/offerings/{school['service']['id']}/slots", token, date="tomorrow"), 422)
    assert_error(api.get("/offerings/00000000-0000-0000-0000-000000000000/slots", token, date="2026-12-01"), 404)
    assert_error(api.get(f"/offerings/{school['service']['id']}/slots", None, date="2026-12-01"), 401)


# --- booking ---------------------------------------------------------------------------------------------------

def test_booking_a_slot_takes_a_seat_and_a_full_slot_answers_slot_full(school):
    api, oid = school["api"], school["service"]["id"]
    slot = first_slot(school)
    r = book(api, school["customer"], oid, slot["start"])
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "booked" and body["start"] == slot["start"] and body["end"] == slot["end"]
    assert (body["price"]["amount"], body["price"]["currency"]) == ("120.00", "CNY")
    day = local_day(1)
    assert slots(api, school["customer"]["token"], oid, day)[0]["capacity_left"] == 1
    assert book(api, quick_user(), oid, slot["start"]).status_code == 201
    assert_error(book(api, quick_user(), oid, slot["start"]), 409, "slot_full")
    assert slots(api, school["customer"]["token"], oid, day)[0]["start"] != slot["start"]  # full: left out
    assert CapacitySlot.objects.get(start=datetime.fromisoformat(slot["start"])).taken == 2
    assert list(BookingEvent.objects.filter(booking_id=body["id"]).values_list("to_status", flat=True)) == ["booked"]


def test_the_same_idempotency_key_answers_the_same_booking(school):
    api, oid, c = school["api"], school["service"]["id"], school["customer"]
    slot = first_slot(school)
    r1 = book(api, c, oid, slot["start"], headers={"Idempotency-Key": "k-1"})
    r2 = book(api, c, oid, slot["start"], headers={"Idempotency-Key": "k-1"})
    assert (r1.status_code, r2.status_code) == (201, 200) and r1.json() == r2.json()
    assert Booking.objects.filter(customer_id=c["id"]).count() == 1
    other = slots(api, c["token"], oid, local_day(1))[1]["start"]
    assert_error(book(api, c, oid, other, headers={"Idempotency-Key": "k-1"}), 422, "idempotency_mismatch")


@pytest.mark.parametrize("start", ["tomorrow at ten", "2026-12-04T10:00:00", "", "2026-13-04T10:00:00+08:00"])
def test_a_malformed_time_is_422(school, start):
    err = assert_error(book(school["api"], school["customer"], school["service"]["id"], start), 422)
    assert "start" in err["fields"]


def test_not_a_slot_past_and_beyond_the_horizon_are_slot_unavailable(school):
    api, oid, c = school["api"], school["service"]["id"], school["customer"]
    slot = datetime.fromisoformat(first_slot(school)["start"])
    assert_error(book(api, c, oid, (slot + timedelta(minutes=30)).isoformat()), 409, "slot_unavailable")
    assert_error(book(api, c, oid, (slot - timedelta(days=2)).isoformat()), 409, "slot_unavailable")
    assert_error(book(api, c, oid, (slot + timedelta(days=90)).isoformat()), 409, "slot_unavailable")
    assert not Booking.objects.exists() and not CapacitySlot.objects.exists()


def test_the_same_instant_in_another_offset_books_the_same_slot(school):
    slot = datetime.fromisoformat(first_slot(school)["start"])
    r = book(school["api"], school["customer"], school["service"]["id"],
             slot.astimezone(ZoneInfo("Europe/Berlin")).isoformat())
    assert r.status_code == 201 and datetime.fromisoformat(r.json()["start"]) == slot


def test_an_unknown_draft_or_non_service_offering_is_404(school):
    api, c, owner, mid = school["api"], school["customer"], school["owner"], school["merchant"]["id"]
    start = first_slot(school)["start"]
    assert_error(book(api, c, "00000000-0000-0000-0000-000000000000", start), 404)
    draft = service(api, owner, mid, [school["store"]["id"]], status="draft")
    assert_error(book(api, c, draft["id"], start), 404)
    deal = api.deal(owner, mid, [school["store"]["id"]])
    assert_error(book(api, c, deal["id"], start), 404)
    assert_error(api.post("/bookings", {"offering_id": school["service"]["id"], "start": start}), 401)


def test_my_bookings_lists_only_mine(school):
    api, oid, c = school["api"], school["service"]["id"], school["customer"]
    s = slots(api, c["token"], oid, local_day(1))
    mine = [book(api, c, oid, s[i]["start"]).json()["id"] for i in (0, 1)]
    book(api, quick_user(), oid, s[0]["start"])
    r = api.get("/bookings", c["token"])
    assert r.status_code == 200
    assert sorted(b["id"] for b in r.json()["results"]) == sorted(mine)
    assert api.get(f"/bookings/{mine[0]}", c["token"]).json()["id"] == mine[0]
    assert_error(api.get(f"/bookings/{mine[0]}", quick_user()["token"]), 404)


# --- cancel ----------------------------------------------------------------------------------------------------

def test_cancel_frees_the_seat_and_a_second_cancel_is_refused(school):
    api, oid, c = school["api"], school["service"]["id"], school["customer"]
    start = first_slot(school)["start"]
    b = book(api, c, oid, start).json()
    book(api, quick_user(), oid, start)
    assert_error(book(api, quick_user(), oid, start), 409, "slot_full")
    r = api.post(f"/bookings/{b['id']}/cancel", None, c["token"])
    assert r.status_code == 200 and r.json()["status"] == "cancelled" and r.json()["cancelled_at"]
    assert book(api, quick_user(), oid, start).status_code == 201  # the seat is free again
    assert_error(api.post(f"/bookings/{b['id']}/cancel", None, c["token"]), 409, "not_cancellable")
    assert list(BookingEvent.objects.filter(booking_id=b["id"]).values_list("to_status", flat=True)) == [
        "booked", "cancelled"]


def test_someone_elses_booking_cannot_be_cancelled(school):
    api, c = school["api"], school["customer"]
    b = book(api, c, school["service"]["id"], first_slot(school)["start"]).json()
    assert_error(api.post(f"/bookings/{b['id']}/cancel", None, quick_user()["token"]), 404)
    assert_error(api.post(f"/bookings/{b['id']}/cancel", None, school["owner"]["token"]), 404)
    assert Booking.objects.get(pk=b["id"]).status == "booked"


def test_cancel_outside_the_window_is_refused_and_keeps_the_seat(school):
    api, c = school["api"], school["customer"]
    svc = service(api, school["owner"], school["merchant"]["id"], [school["store"]["id"]], cancel_minutes=48 * 60)
    start = slots(api, c["token"], svc["id"], local_day(1))[0]["start"]
    b = book(api, c, svc["id"], start).json()
    err = assert_error(api.post(f"/bookings/{b['id']}/cancel", None, c["token"]), 409, "cancel_window_closed")
    assert "cancel_until" in err["fields"]
    assert Booking.objects.get(pk=b["id"]).status == "booked"
    assert CapacitySlot.objects.get(start=datetime.fromisoformat(start)).taken == 1


# --- check-in --------------------------------------------------------------------------------------------------

def _soon(school: dict[str, Any]) -> dict[str, Any]:
    """A booking of the next slot (within the hour: no notice, hourly slots all day)."""
    api, c = school["api"], school["customer"]
    start = slots(api, c["token"], school["service"]["id"], datetime.now(ZoneInfo(TZ)).date())
    start = start or slots(api, c["token"], school["service"]["id"], local_day(1))  # just before midnight
    return book(api, c, school["service"]["id"], start[0]["start"]).json()


def test_staff_of_the_store_check_in_once(school):
    api = school["api"]
    b = _soon(school)
    r = api.post(f"/bookings/{b['id']}/check-in", None, school["clerk"]["token"])
    assert r.status_code == 200 and r.json()["status"] == "checked_in" and r.json()["checked_in_at"]
    assert_error(api.post(f"/bookings/{b['id']}/check-in", None, school["owner"]["token"]), 409, "already_checked_in")
    assert_error(api.post(f"/bookings/{b['id']}/cancel", None, school["customer"]["token"]), 409, "not_cancellable")
    day = datetime.fromisoformat(b["start"]).date()
    listed = api.get(f"/stores/{school['store']['id']}/bookings", school["clerk"]["token"], date=day.isoformat())
    assert [x["id"] for x in listed.json()["results"]] == [b["id"]]


def test_check_in_by_another_merchant_or_a_customer_is_404_and_a_clerk_elsewhere_403(school):
    api, owner, mid = school["api"], school["owner"], school["merchant"]["id"]
    b = _soon(school)
    other = quick_user("rival")
    api.merchant_with_store(other, name="Rival School", category="training")
    assert_error(api.post(f"/bookings/{b['id']}/check-in", None, other["token"]), 404)
    assert_error(api.post(f"/bookings/{b['id']}/check-in", None, school["customer"]["token"]), 404)
    r = api.post(f"/merchants/{mid}/stores", {"name": "Second", "address": "2 Rd", "lat": 30.6, "lng": 104.0,
                                              "timezone": TZ, "opening_hours": HOURS_ALL_DAY}, owner["token"])
    from tests.helpers import add_staff

    elsewhere = add_staff(api, owner, mid, "clerk", [r.json()["id"]])
    assert_error(api.post(f"/bookings/{b['id']}/check-in", None, elsewhere["token"]), 403, "forbidden")
    assert Booking.objects.get(pk=b["id"]).status == "booked"


def test_check_in_of_a_cancelled_or_far_booking_is_refused(school):
    api, c = school["api"], school["customer"]
    b = _soon(school)
    api.post(f"/bookings/{b['id']}/cancel", None, c["token"])
    assert_error(api.post(f"/bookings/{b['id']}/check-in", None, school["clerk"]["token"]), 409, "check_in_closed")
    far = book(api, c, school["service"]["id"], slots(api, c["token"], school["service"]["id"], local_day(3))[0]["start"])
    assert_error(api.post(f"/bookings/{far.json()['id']}/check-in", None, school["clerk"]["token"]), 409,
                 "check_in_closed")


def test_errors_read_in_chinese_and_defaults_are_documented_values(school):
    api, c, oid = school["api"], school["customer"], school["service"]["id"]
    start = first_slot(school)["start"]
    book(api, quick_user(), oid, start)
    book(api, quick_user(), oid, start)
    r = api.call("POST", "/bookings", {"offering_id": oid, "start": start}, c["token"],
                 headers={"Accept-Language": "zh-hans"})
    assert assert_error(r, 409, "slot_full")["message"] == "这个时间刚刚约满了，请另选一个。"
    body = {"kind": "service", "title": "Haircut", "price": money("68.00"), "duration_minutes": 45, "capacity": 1,
            "store_ids": [school["store"]["id"]], "status": "live", "schedule": HOURS_ALL_DAY}
    r = api.post(f"/merchants/{school['merchant']['id']}/offerings", body, school["owner"]["token"])
    assert r.status_code == 201
    svc = r.json()["service"]
    assert (svc["lead_minutes"], svc["horizon_days"], svc["cancel_minutes"]) == (60, 60, 120)
    doc = api.get("/openapi.json").json()
    assert "/api/v1/offerings/{offering_id}/slots" in doc["paths"]
    assert "slot_full" in doc["paths"]["/api/v1/bookings"]["post"]["description"]
    assert "cancel_minutes" in doc["components"]["schemas"]["OfferingIn"]["properties"]
