"""The waitlist: a freed seat is offered to the first in line first, kept for them for a time, then passed on."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from o2o.bookings.models import WaitlistEntry, WaitlistEvent
from o2o.capacity.models import CapacitySlot
from tests.bookings.conftest import local_day
from tests.bookings.test_bookings_api import book, first_slot, slots
from tests.helpers import assert_error, quick_user

pytestmark = pytest.mark.django_db


def join(api, who, oid, start):  # type: ignore[no-untyped-def]
    return api.post("/waitlist", {"offering_id": oid, "start": start}, who["token"])


def mine(api, who):  # type: ignore[no-untyped-def]
    return {e["id"]: e for e in api.get("/waitlist", who["token"]).json()["results"]}


@pytest.fixture
def full(school):  # type: ignore[no-untyped-def]
    """The class's first slot tomorrow, booked out by two customers."""
    api, oid = school["api"], school["service"]["id"]
    start = first_slot(school)["start"]
    a, b = quick_user("a"), quick_user("b")
    ba, bb = book(api, a, oid, start).json(), book(api, b, oid, start).json()
    return {**school, "start": start, "a": a, "b": b, "ba": ba, "bb": bb, "oid": oid}


def _seats(start: str) -> int:
    return CapacitySlot.objects.get(resource__startswith="service:", start=datetime.fromisoformat(start)).taken


def test_joining_a_full_slot_queues_in_order_and_refuses_repeats(full):
    api, oid, start = full["api"], full["oid"], full["start"]
    c, d = quick_user("c"), quick_user("d")
    r = join(api, c, oid, start)
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "waiting" and r.json()["position"] == 1 and r.json()["start"] == start
    assert join(api, d, oid, start).json()["position"] == 2
    assert_error(join(api, c, oid, start), 409, "already_waiting")
    assert_error(join(api, full["a"], oid, start), 409, "already_booked")
    open_slot = slots(api, c["token"], oid, local_day(1))[0]["start"]
    assert_error(join(api, c, oid, open_slot), 409, "slot_open")
    assert_error(join(api, c, oid, "soon"), 422)
    assert_error(join(api, c, oid, (datetime.fromisoformat(start) + timedelta(minutes=7)).isoformat()), 409,
                 "slot_unavailable")


def test_a_freed_seat_is_offered_to_the_first_in_line_and_kept_for_them(full):
    api, oid, start = full["api"], full["oid"], full["start"]
    c, d = quick_user("c"), quick_user("d")
    ec, ed = join(api, c, oid, start).json(), join(api, d, oid, start).json()
    assert api.post(f"/bookings/{full['ba']['id']}/cancel", None, full["a"]["token"]).status_code == 200
    offer = mine(api, c)[ec["id"]]
    assert offer["status"] == "offered" and offer["offered_until"] and offer["position"] is None
    assert _seats(start) == 2  # kept for c: nobody else can take it
    assert_error(book(api, quick_user(), oid, start), 409, "slot_full")
    assert_error(api.post(f"/waitlist/{ed['id']}/take", None, d["token"]), 409, "not_offered")
    assert_error(api.post(f"/waitlist/{ec['id']}/take", None, d["token"]), 404)
    r = api.post(f"/waitlist/{ec['id']}/take", None, c["token"])
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "booked" and r.json()["start"] == start
    assert _seats(start) == 2
    assert mine(api, c)[ec["id"]]["booking_id"] == r.json()["id"]
    assert list(WaitlistEvent.objects.filter(entry_id=ec["id"]).values_list("to_status", flat=True)) == [
        "waiting", "offered", "booked"]
    assert_error(api.post(f"/waitlist/{ec['id']}/take", None, c["token"]), 409, "not_offered")


def test_an_offer_not_taken_in_time_passes_on_and_a_leave_gives_the_seat_back(full):
    api, oid, start = full["api"], full["oid"], full["start"]
    c, d = quick_user("c"), quick_user("d")
    ec, ed = join(api, c, oid, start).json(), join(api, d, oid, start).json()
    api.post(f"/bookings/{full['ba']['id']}/cancel", None, full["a"]["token"])
    WaitlistEntry.objects.filter(pk=ec["id"]).update(offered_until=timezone.now() - timedelta(seconds=1))  # time passes
    assert_error(api.post(f"/waitlist/{ec['id']}/take", None, c["token"]), 409, "offer_expired")
    assert mine(api, c)[ec["id"]]["status"] == "expired"
    assert mine(api, d)[ed["id"]]["status"] == "offered"
    assert _seats(start) == 2
    r = api.post(f"/waitlist/{ed['id']}/leave", None, d["token"])
    assert r.status_code == 200 and r.json()["status"] == "left"
    assert _seats(start) == 1  # nobody left in line: back to the calendar
    assert slots(api, c["token"], oid, local_day(1))[0]["start"] == start
    assert_error(api.post(f"/waitlist/{ed['id']}/leave", None, d["token"]), 409, "not_waiting")
    assert book(api, quick_user(), oid, start).status_code == 201


def test_the_slot_listing_passes_on_expired_offers(full):
    api, oid, start = full["api"], full["oid"], full["start"]
    c = quick_user("c")
    ec = join(api, c, oid, start).json()
    api.post(f"/bookings/{full['ba']['id']}/cancel", None, full["a"]["token"])
    assert slots(api, c["token"], oid, local_day(1))[0]["start"] != start  # kept for c
    WaitlistEntry.objects.filter(pk=ec["id"]).update(offered_until=timezone.now() - timedelta(seconds=1))
    first = slots(api, c["token"], oid, local_day(1))[0]
    assert first["start"] == start and first["capacity_left"] == 1
    assert WaitlistEntry.objects.get(pk=ec["id"]).status == "expired"


def test_someone_elses_entry_is_404(full):
    api = full["api"]
    c = quick_user("c")
    ec = join(api, c, full["oid"], full["start"]).json()
    stranger = quick_user()
    assert_error(api.post(f"/waitlist/{ec['id']}/leave", None, stranger["token"]), 404)
    assert ec["id"] not in mine(api, stranger)
