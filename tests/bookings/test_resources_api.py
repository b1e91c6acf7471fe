"""Resources booked with services (a teacher, a room, a stylist): never in two places at once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from o2o.bookings.models import SlotHold
from o2o.capacity.models import CapacitySlot
from tests.bookings.conftest import local_day, resource
from tests.bookings.test_bookings_api import book, slots
from tests.helpers import assert_error, quick_user

pytestmark = pytest.mark.django_db


def _at(day_slots: list[dict[str, Any]], hhmm: str) -> str | None:
    return next((s["start"] for s in day_slots if datetime.fromisoformat(s["start"]).strftime("%H:%M") == hhmm), None)


def test_resources_are_created_listed_and_guarded(school):
    api, mid = school["api"], school["merchant"]["id"]
    t = resource(school, "Mr Wang", "stylist")
    assert t["kind"] == "stylist" and t["active"] is True
    r = api.get(f"/merchants/{mid}/resources", school["clerk"]["token"])
    assert r.status_code == 200 and [x["id"] for x in r.json()] == [t["id"]]
    assert_error(api.post(f"/merchants/{mid}/resources", {"name": "X"}, school["clerk"]["token"]), 403, "forbidden")
    assert_error(api.post(f"/merchants/{mid}/resources", {"name": "X"}, quick_user()["token"]), 404)
    assert_error(api.post(f"/merchants/{mid}/resources", {"name": "X", "kind": "robot"}, school["owner"]["token"]),
                 422)
    assert_error(api.post(f"/merchants/{mid}/resources", {"name": "  "}, school["owner"]["token"]), 422)


def test_a_service_cannot_name_another_merchants_resource(school, api_client):
    rival = quick_user("rival")
    ms = api_client.merchant_with_store(rival, name="Rival", category="training")
    r = api_client.post(f"/merchants/{ms['merchant']['id']}/resources", {"name": "Theirs"}, rival["token"])
    body = {"kind": "service", "title": "X", "price": {"amount": "1.00", "currency": "CNY"}, "duration_minutes": 30,
            "capacity": 1, "store_ids": [school["store"]["id"]], "status": "live",
            "schedule": {"mon": [["10:00", "12:00"]]}, "resource_ids": [r.json()["id"]]}
    err = assert_error(school["api"].post(f"/merchants/{school['merchant']['id']}/offerings", body,
                                          school["owner"]["token"]), 422)
    assert "resource_ids" in err["fields"]


def test_a_teacher_booked_for_a_class_is_busy_for_the_lesson_at_the_same_time(two_classes):
    s = two_classes
    api, c, day = s["api"], s["customer"], local_day(2)
    ten = _at(slots(api, c["token"], s["a"]["id"], day), "10:00")
    assert book(api, c, s["a"]["id"], ten).status_code == 201
    # the class's second seat: the same session already holds the teacher
    assert book(api, quick_user(), s["a"]["id"], ten).status_code == 201
    lesson = slots(api, c["token"], s["b"]["id"], day)
    assert _at(lesson, "10:00") is None and _at(lesson, "10:30") is None and _at(lesson, "11:00") is not None
    half_past = (datetime.fromisoformat(ten) + timedelta(minutes=30)).isoformat()
    assert_error(book(api, quick_user(), s["b"]["id"], half_past), 409, "resource_busy")
    assert book(api, quick_user(), s["b"]["id"], _at(lesson, "11:00")).status_code == 201
    # and the other way round: the lesson at 11:00 keeps the teacher from the class at 11:00
    assert_error(book(api, quick_user(), s["a"]["id"], _at(lesson, "11:00")), 409, "resource_busy")
    cells = CapacitySlot.objects.filter(resource=f"resource:{s['teacher']['id'].replace('-', '')}")
    assert cells.count() == 12 + 6 and all(c.taken == 1 and c.capacity == 1 for c in cells)


def test_the_teacher_is_free_again_when_the_slots_last_booking_is_cancelled(two_classes):
    s = two_classes
    api, c, day = s["api"], s["customer"], local_day(2)
    ten = _at(slots(api, c["token"], s["a"]["id"], day), "10:00")
    other = quick_user()
    b1, b2 = book(api, c, s["a"]["id"], ten).json(), book(api, other, s["a"]["id"], ten).json()
    assert api.post(f"/bookings/{b1['id']}/cancel", None, c["token"]).status_code == 200
    assert _at(slots(api, c["token"], s["b"]["id"], day), "10:30") is None  # one student left: still teaching
    assert api.post(f"/bookings/{b2['id']}/cancel", None, other["token"]).status_code == 200
    assert _at(slots(api, c["token"], s["b"]["id"], day), "10:30") is not None
    assert book(api, c, s["b"]["id"], (datetime.fromisoformat(ten) + timedelta(minutes=30)).isoformat()
                ).status_code == 201
    # booking the class at 10:00 again needs the teacher back, who is now in the lesson at 10:30
    assert_error(book(api, other, s["a"]["id"], ten), 409, "resource_busy")
    hold = SlotHold.objects.get(offering_id=s["a"]["id"])
    assert hold.resources_held is False


def test_a_refused_booking_writes_nothing(two_classes):
    s = two_classes
    api, c, day = s["api"], s["customer"], local_day(2)
    lesson_ten = _at(slots(api, c["token"], s["b"]["id"], day), "10:30")
    book(api, c, s["b"]["id"], lesson_ten)
    before = sorted(CapacitySlot.objects.values_list("resource", "start", "taken"))
    ten = _at(slots(api, c["token"], s["a"]["id"], day), "10:00")
    assert ten is None  # the class at 10:00 would need the teacher at 10:30: left out of the listing
    start = (datetime.fromisoformat(lesson_ten) - timedelta(minutes=30)).isoformat()
    assert_error(book(api, quick_user(), s["a"]["id"], start), 409, "resource_busy")
    assert sorted(CapacitySlot.objects.values_list("resource", "start", "taken")) == before
