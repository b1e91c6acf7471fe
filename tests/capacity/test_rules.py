"""Slot times from weekly hours: steps, windows past midnight, holidays, "24:00", clock changes, long slots."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from o2o.capacity.rules import slot_windows
from o2o.merchants.hours import DAYS, is_open
from tests.discovery.test_open_now import TZS, hours_st

FRIDAY = date(2026, 11, 27)
SPRING_LONDON = date(2026, 3, 29)  # last Sunday of March: 01:00 GMT becomes 02:00 BST
AUTUMN_LONDON = date(2026, 10, 25)  # last Sunday of October: 02:00 BST becomes 01:00 GMT


def _hours(**days: list[list[str]]) -> dict[str, list[list[str]]]:
    return {d: days.get(d, []) for d in DAYS}


def _local(tz: str, d: date, hh: int, mm: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hh, mm, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def test_a_slot_every_15_minutes_inside_the_window_in_utc() -> None:
    slots = slot_windows(hours=_hours(fri=[["09:00", "12:00"]]), tz="Asia/Shanghai", day=FRIDAY, step_minutes=15)
    assert len(slots) == 12
    assert slots[0] == (datetime(2026, 11, 27, 1, 0, tzinfo=UTC), datetime(2026, 11, 27, 1, 15, tzinfo=UTC))
    assert slots[-1] == (datetime(2026, 11, 27, 3, 45, tzinfo=UTC), datetime(2026, 11, 27, 4, 0, tzinfo=UTC))
    assert all(s.utcoffset() == timedelta(0) and e - s == timedelta(minutes=15) for s, e in slots)
    assert [s for s, _ in slots] == sorted({s for s, _ in slots})
    # another weekday has no hours, so no slots
    assert slot_windows(hours=_hours(fri=[["09:00", "12:00"]]), tz="Asia/Shanghai", day=FRIDAY + timedelta(1),
                        step_minutes=15) == []


def test_two_windows_and_a_step_that_does_not_divide_the_window() -> None:
    hours = _hours(fri=[["11:00", "14:00"], ["17:00", "17:50"]])
    starts = [s for s, _ in slot_windows(hours=hours, tz="Asia/Shanghai", day=FRIDAY, step_minutes=20)]
    assert len(starts) == 9 + 2  # 17:40 would end at 18:00, after the close at 17:50
    assert starts[-1] == _local("Asia/Shanghai", FRIDAY, 17, 20)


def test_a_window_past_midnight_belongs_to_the_day_it_opens_on() -> None:
    hours = _hours(fri=[["22:00", "02:00"]])
    friday = slot_windows(hours=hours, tz="Asia/Shanghai", day=FRIDAY, step_minutes=30)
    assert len(friday) == 8
    assert friday[0][0] == _local("Asia/Shanghai", FRIDAY, 22)
    assert friday[-1][1] == _local("Asia/Shanghai", FRIDAY + timedelta(1), 2)
    assert slot_windows(hours=hours, tz="Asia/Shanghai", day=FRIDAY + timedelta(1), step_minutes=30) == []


def test_a_closed_date_has_no_slots_but_the_night_before_still_runs_into_it() -> None:
    hours = _hours(fri=[["22:00", "02:00"]], sat=[["10:00", "12:00"]])
    assert slot_windows(hours=hours, tz="Asia/Shanghai", day=FRIDAY, step_minutes=30,
                        closed_dates=["2026-11-27"]) == []
    friday = slot_windows(hours=hours, tz="Asia/Shanghai", day=FRIDAY, step_minutes=30, closed_dates=["2026-11-28"])
    assert len(friday) == 8  # Friday's night is Friday's, even though it ends on the closed Saturday
    assert slot_windows(hours=hours, tz="Asia/Shanghai", day=FRIDAY + timedelta(1), step_minutes=30,
                        closed_dates=["2026-11-28"]) == []
    assert len(slot_windows(hours=hours, tz="Asia/Shanghai", day=FRIDAY + timedelta(1), step_minutes=30,
                            closed_dates=["2026-11-27"])) == 4


def test_24_00_is_midnight() -> None:
    slots = slot_windows(hours=_hours(fri=[["22:00", "24:00"]]), tz="Asia/Shanghai", day=FRIDAY, step_minutes=15)
    assert len(slots) == 8
    assert slots[-1][1] == _local("Asia/Shanghai", FRIDAY + timedelta(1), 0)
    all_day = slot_windows(hours=_hours(fri=[["00:00", "24:00"]]), tz="Asia/Shanghai", day=FRIDAY, step_minutes=60)
    assert len(all_day) == 24 and all_day[0][0] == datetime(2026, 11, 26, 16, 0, tzinfo=UTC)


def test_london_spring_day_keeps_a_morning_window_whole_at_the_new_offset() -> None:
    hours = _hours(sun=[["09:00", "12:00"]], sat=[["09:00", "12:00"]])
    slots = slot_windows(hours=hours, tz="Europe/London", day=SPRING_LONDON, step_minutes=15)
    assert len(slots) == 12
    assert slots[0][0] == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # 09:00 BST
    assert slots[-1] == (datetime(2026, 3, 29, 10, 45, tzinfo=UTC), datetime(2026, 3, 29, 11, 0, tzinfo=UTC))
    saturday = slot_windows(hours=hours, tz="Europe/London", day=SPRING_LONDON - timedelta(1), step_minutes=15)
    assert saturday[0][0] == datetime(2026, 3, 28, 9, 0, tzinfo=UTC)  # 09:00 GMT the day before


def test_london_clock_change_inside_a_window_gives_its_real_length_without_repeats() -> None:
    hours = _hours(sun=[["00:00", "03:00"]])
    spring = slot_windows(hours=hours, tz="Europe/London", day=SPRING_LONDON, step_minutes=15)
    assert len(spring) == 8  # 00:00 GMT to 03:00 BST is two hours
    assert spring[0][0] == datetime(2026, 3, 29, 0, 0, tzinfo=UTC) and spring[-1][1] == datetime(2026, 3, 29, 2, 0, tzinfo=UTC)
    autumn = slot_windows(hours=hours, tz="Europe/London", day=AUTUMN_LONDON, step_minutes=15)
    assert len(autumn) == 16  # 00:00 BST to 03:00 GMT is four hours
    assert autumn[0][0] == datetime(2026, 10, 24, 23, 0, tzinfo=UTC) and autumn[-1][1] == datetime(2026, 10, 25, 3, 0, tzinfo=UTC)
    for slots in (spring, autumn):
        starts = [s for s, _ in slots]
        assert all(b - a == timedelta(minutes=15) for a, b in zip(starts, starts[1:], strict=False))


def test_shanghai_has_no_clock_change_and_is_eight_hours_ahead() -> None:
    hours = _hours(sun=[["09:00", "12:00"]])
    slots = slot_windows(hours=hours, tz="Asia/Shanghai", day=SPRING_LONDON, step_minutes=15)
    assert len(slots) == 12 and slots[0][0] == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


def test_45_minute_appointments_every_15_minutes_end_inside_the_window() -> None:
    slots = slot_windows(hours=_hours(fri=[["10:00", "12:00"]]), tz="Asia/Shanghai", day=FRIDAY,
                         step_minutes=15, length_minutes=45)
    assert [s for s, _ in slots] == [_local("Asia/Shanghai", FRIDAY, 10, m) for m in (0, 15, 30, 45)] + \
        [_local("Asia/Shanghai", FRIDAY, 11, m) for m in (0, 15)]
    assert all(e - s == timedelta(minutes=45) for s, e in slots)
    assert slots[-1][1] == _local("Asia/Shanghai", FRIDAY, 12)


@pytest.mark.parametrize("kw", [{"step_minutes": 0}, {"step_minutes": 15, "length_minutes": 0}])
def test_nonsense_steps_are_refused(kw: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        slot_windows(hours=_hours(fri=[["10:00", "12:00"]]), tz="Asia/Shanghai", day=FRIDAY, **kw)


@settings(max_examples=600, deadline=None)
@given(hours=hours_st, tz=st.sampled_from([*TZS, "Europe/London"]),
       day=st.one_of(st.dates(date(2025, 1, 1), date(2027, 12, 31)), st.sampled_from([SPRING_LONDON, AUTUMN_LONDON])),
       step=st.sampled_from([5, 15, 30, 45, 60]), extra=st.sampled_from([0, 15, 40]), closed=st.booleans())
def test_every_slot_lies_in_opening_hours(hours, tz, day, step, extra, closed) -> None:
    closed_dates = [day.isoformat()] if closed else None
    slots = slot_windows(hours=hours, tz=tz, day=day, step_minutes=step, length_minutes=step + extra,
                         closed_dates=closed_dates)
    if closed:
        assert slots == []
    starts = [s for s, _ in slots]
    assert starts == sorted(set(starts))
    for s, e in slots:
        assert e - s == timedelta(minutes=step + extra)
        assert is_open(hours, tz, s) and is_open(hours, tz, e - timedelta(minutes=1))
        assert s.astimezone(ZoneInfo(tz)).date() in (day, day + timedelta(1))  # opened on `day`, maybe ran past midnight
