"""The slots a customer may pick: not full, not past, not inside the lead time; one query."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from o2o.capacity.rules import Slot, open_slots, slot_windows
from o2o.capacity.services import capacity_take
from o2o.merchants.hours import DAYS

pytestmark = pytest.mark.django_db

FRIDAY = date(2026, 11, 27)
HOURS = {d: [["09:00", "12:00"]] if d == "fri" else [] for d in DAYS}
TZ = "Asia/Shanghai"


def _at(hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 11, 27, hh - 8, mm, tzinfo=UTC)  # Shanghai wall time on FRIDAY


def test_full_past_and_within_lead_slots_are_left_out(django_assert_num_queries) -> None:
    resource = f"pickup:{uuid.uuid4()}"
    for _ in range(3):
        assert capacity_take(resource=resource, start=_at(11), end=_at(11, 15), capacity=3)
    assert capacity_take(resource=resource, start=_at(11, 30), end=_at(11, 45), capacity=3, n=2)
    capacity_take(resource=f"pickup:{uuid.uuid4()}", start=_at(11, 15), end=_at(11, 30), capacity=3, n=3)  # another store
    with django_assert_num_queries(1):
        slots = open_slots(resource=resource, hours=HOURS, tz=TZ, day=FRIDAY, step_minutes=15, capacity=3,
                           now=_at(10, 5), lead=timedelta(minutes=20))
    # 10:00 and 10:15 are past or inside the 20 minutes' lead; 11:00 is full
    assert [s.start for s in slots] == [_at(10, 30), _at(10, 45), _at(11, 15), _at(11, 30), _at(11, 45)]
    assert slots[0] == Slot(start=_at(10, 30), end=_at(10, 45), capacity_left=3)
    assert {s.start: s.capacity_left for s in slots}[_at(11, 30)] == 1


def test_a_start_exactly_at_now_plus_lead_is_still_open() -> None:
    slots = open_slots(resource="pickup:x", hours=HOURS, tz=TZ, day=FRIDAY, step_minutes=15, capacity=1,
                       now=_at(10, 0), lead=timedelta(minutes=15))
    assert slots[0].start == _at(10, 15)


def test_a_lowered_capacity_counts_against_places_already_taken() -> None:
    resource = f"service:{uuid.uuid4()}"
    assert capacity_take(resource=resource, start=_at(9), end=_at(9, 45), capacity=4, n=3)
    slots = open_slots(resource=resource, hours=HOURS, tz=TZ, day=FRIDAY, step_minutes=15, length_minutes=45,
                       capacity=2, now=_at(8))
    assert _at(9) not in {s.start for s in slots}
    assert len(slots) == len(slot_windows(hours=HOURS, tz=TZ, day=FRIDAY, step_minutes=15, length_minutes=45)) - 1


def test_nothing_to_offer_needs_no_query(django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        assert open_slots(resource="pickup:x", hours=HOURS, tz=TZ, day=FRIDAY, step_minutes=15, capacity=3,
                          now=_at(13)) == []
        assert open_slots(resource="pickup:x", hours=HOURS, tz=TZ, day=FRIDAY, step_minutes=15, capacity=3,
                          now=_at(8), closed_dates=["2026-11-27"]) == []
        assert open_slots(resource="pickup:x", hours=HOURS, tz=TZ, day=FRIDAY, step_minutes=15, capacity=0,
                          now=_at(8)) == []
