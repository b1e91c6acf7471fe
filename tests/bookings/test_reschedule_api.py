"""Moving a booking to another slot (POST /bookings/{id}/reschedule): the old seat is freed, the new one
taken, nothing changes when the new slot cannot take it, and the window and ownership are enforced."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from o2o.bookings.models import Booking, BookingEvent, SlotHold
from o2o.capacity.models import CapacitySlot
from tests.bookings.conftest import local_day, service
from tests.bookings.test_bookings_api import book, slots
from tests.bookings.test_resources_api import _at
from tests.helpers import assert_error, quick_user

pytestmark = pytest.mark.django_db


def move(api, customer, booking_id, start):  # type: ignore[no-untyped-def]
    return api.post(f"/bookings/{booking_id}/reschedule", {"start": start}, customer["token"])


def taken(start: str) -> int:
    cell = CapacitySlot.objects.filter(start=datetime.fromisoformat(start), resource__startswith="service:").first()
    return cell.taken if cell else 0


def test_a_booking_moves_to_a_free_slot_and_its_old_seat_is_free_again(school):
    api, c, oid = school["api"], school["customer"], school["service"]["id"]
    day = slots(api, c["token"], oid, local_day(1))
    ten, eleven = _at(day, "10:00"), _at(day, "11:00")
    b = book(api, c, oid, ten).json()
    book(api, quick_user(), oid, ten)
    assert_error(book(api, quick_user(), oid, ten), 409, "slot_full")
    r = move(api, c, b["id"], eleven)
    assert r.status_code == 200, r.content
    got = r.json()
    assert datetime.fromisoformat(got["start"]) == datetime.fromisoformat(eleven) and got["status"] == "booked"
    assert datetime.fromisoformat(got["cancel_until"]) == datetime.fromisoformat(eleven)  # cancel_minutes 0
    assert taken(ten) == 1 and taken(eleven) == 1
    assert book(api, quick_user(), oid, ten).status_code == 201  # the seat it left is free for someone else
    event = BookingEvent.objects.filter(booking_id=b["id"]).order_by("id").last()
    assert event.reason == "rescheduled" and datetime.fromisoformat(event.data["from"]) == datetime.fromisoformat(ten)
    assert api.get(f"/bookings/{b['id']}", c["token"]).json()["start"] == got["start"]


def test_a_full_slot_refuses_the_move_and_the_booking_keeps_its_seat(school):
    api, c, oid = school["api"], school["customer"], school["service"]["id"]
    day = slots(api, c["token"], oid, local_day(1))
    ten, eleven = _at(day, "10:00"), _at(day, "11:00")
    b = book(api, c, oid, ten).json()
    book(api, quick_user(), oid, eleven)
    book(api, quick_user(), oid, eleven)
    assert_error(move(api, c, b["id"], eleven), 409, "slot_full")
    kept = Booking.objects.get(pk=b["id"])
    assert kept.start == datetime.fromisoformat(ten) and kept.hold.start == kept.start
    assert taken(ten) == 1 and taken(eleven) == 2
    assert not BookingEvent.objects.filter(booking_id=b["id"], reason="rescheduled").exists()


def test_the_teacher_moves_with_the_last_student_and_a_busy_teacher_refuses_the_move(two_classes):
    s = two_classes
    api, c, day = s["api"], s["customer"], local_day(2)
    class_slots = slots(api, c["token"], s["a"]["id"], day)
    ten, twelve = _at(class_slots, "10:00"), _at(class_slots, "12:00")
    b = book(api, c, s["a"]["id"], ten).json()
    # the teacher is busy at 12:00 with a lesson: the class cannot move there
    pupil = quick_user()
    lesson = book(api, pupil, s["b"]["id"], twelve).json()
    assert_error(move(api, c, b["id"], twelve), 409, "resource_busy")
    assert Booking.objects.get(pk=b["id"]).start == datetime.fromisoformat(ten)
    assert _at(slots(api, c["token"], s["b"]["id"], day), "10:00") is None  # still teaching at 10
    # the lesson is cancelled; the class moves to 12:00 and takes the teacher along: free at 10, busy at 12
    assert api.post(f"/bookings/{lesson['id']}/cancel", None, pupil["token"]).status_code == 200
    assert move(api, c, b["id"], twelve).status_code == 200
    lesson_slots = slots(api, c["token"], s["b"]["id"], day)
    assert _at(lesson_slots, "10:00") is not None and _at(lesson_slots, "12:00") is None
    old = SlotHold.objects.get(offering_id=s["a"]["id"], start=datetime.fromisoformat(ten))
    assert old.resources_held is False and old.resource_keys == []


def test_someone_elses_booking_a_closed_window_and_a_cancelled_booking_are_refused(school):
    api, c = school["api"], school["customer"]
    oid = school["service"]["id"]
    day = slots(api, c["token"], oid, local_day(1))
    b = book(api, c, oid, _at(day, "10:00")).json()
    assert_error(move(api, quick_user(), b["id"], _at(day, "11:00")), 404)
    assert_error(move(api, c, b["id"], _at(day, "10:00")), 422)  # its own time
    assert_error(move(api, c, b["id"], "tomorrow at ten"), 422)
    assert_error(move(api, c, b["id"], "2020-01-01T10:00:00+08:00"), 409, "slot_unavailable")
    api.post(f"/bookings/{b['id']}/cancel", None, c["token"])
    assert_error(move(api, c, b["id"], _at(day, "11:00")), 409, "not_reschedulable")
    svc = service(api, school["owner"], school["merchant"]["id"], [school["store"]["id"]], cancel_minutes=48 * 60)
    far = slots(api, c["token"], svc["id"], local_day(1))
    late = book(api, c, svc["id"], _at(far, "10:00")).json()
    err = assert_error(move(api, c, late["id"], _at(far, "11:00")), 409, "reschedule_window_closed")
    assert "cancel_until" in err["fields"]
    assert Booking.objects.get(pk=late["id"]).start == datetime.fromisoformat(_at(far, "10:00"))
    assert timedelta(0) < Booking.objects.get(pk=late["id"]).start - Booking.objects.get(pk=late["id"]).cancel_until
