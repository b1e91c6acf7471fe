"""A service's slot times as properties (hypothesis): across the clock changes of Europe/Berlin and
America/New_York, with exceptions and holidays, windows past midnight, and notice (lead) and horizon.

The oracle is elapsed time: a window that opens at wall time A and closes at wall time B on a local day
lasts (B - A) in real minutes, which is one hour less on the spring day and one more on the autumn day when
the change falls inside it; it holds floor(length / duration) slots, each exactly `duration` long.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from o2o.bookings.rules import bookable, day_slots, slot_at, validate_exceptions, validate_schedule
from o2o.merchants.hours import DAYS, is_open

TZS = ("Europe/Berlin", "America/New_York")
CHANGES = {  # the days the clocks change in 2026
    "Europe/Berlin": (date(2026, 3, 29), date(2026, 10, 25)),
    "America/New_York": (date(2026, 3, 8), date(2026, 11, 1)),
}


def _hhmm(minutes: int) -> str:
    return "24:00" if minutes == 1440 else f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def window(draw: st.DrawFn) -> list[str]:
    """A window on the 5-minute grid; about a third run past midnight (end before start)."""
    start = draw(st.integers(0, 287)) * 5
    if draw(st.integers(0, 2)) == 0 and start > 0:
        end = draw(st.integers(0, start // 5 - 1)) * 5  # past midnight
    else:
        end = draw(st.integers(start // 5 + 1, 288)) * 5
    return [_hhmm(start), _hhmm(end)]


days_st = st.one_of(
    st.sampled_from([d for pair in CHANGES.values() for d in pair]),
    st.sampled_from([d + timedelta(days=k) for pair in CHANGES.values() for d in pair for k in (-1, 1)]),
    st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
)
durations = st.sampled_from([5, 15, 30, 45, 60, 90, 120])


def _read_twice_or_never(tz: str, day: date, hhmm: str) -> bool:
    """Whether this wall time of `day` (or of the next day, for "24:00") is repeated or skipped by a clock change."""
    minutes = int(hhmm[:2]) * 60 + int(hhmm[3:])
    wall = datetime.combine(day, time(0)) + timedelta(minutes=minutes)
    zone = ZoneInfo(tz)
    return wall.replace(tzinfo=zone, fold=0).utcoffset() != wall.replace(tzinfo=zone, fold=1).utcoffset()


def _elapsed(tz: str, day: date, w: list[str]) -> tuple[datetime, datetime]:
    """The oracle: a window's opening and closing instants (wall time read with zoneinfo's fold=0)."""
    zone = ZoneInfo(tz)
    a = int(w[0][:2]) * 60 + int(w[0][3:])
    b = int(w[1][:2]) * 60 + int(w[1][3:])
    if b < a:
        b += 1440
    midnight = datetime.combine(day, time(0))  # naive on purpose: the local wall clock
    return ((midnight + timedelta(minutes=a)).replace(tzinfo=zone).astimezone(UTC),
            (midnight + timedelta(minutes=b)).replace(tzinfo=zone).astimezone(UTC))


@settings(max_examples=300, deadline=None)
@given(tz=st.sampled_from(TZS), day=days_st, w=window(), duration=durations)
def test_one_window_holds_its_real_length_in_slots_each_exactly_the_duration(tz, day, w, duration):
    schedule = validate_schedule({DAYS[day.weekday()]: [w]})
    slots = day_slots(schedule=schedule, exceptions={}, tz=tz, day=day, duration_minutes=duration)
    opens, closes = _elapsed(tz, day, w)
    close_day = day + timedelta(days=1) if w[1] < w[0] else day
    if _read_twice_or_never(tz, day, w[0]) or _read_twice_or_never(tz, close_day, w[1]):
        # opening inside the hour the clocks repeat, or closing inside the hour they skip: the wall clock
        # (what "open now" reads) leaves the window before its elapsed end, and no slot is offered there
        assert len(slots) <= (closes - opens) // timedelta(minutes=duration)
        assert all(is_open(schedule, tz, s) and is_open(schedule, tz, e - timedelta(minutes=1)) for s, e in slots)
    else:
        assert len(slots) == (closes - opens) // timedelta(minutes=duration)
    assert all(e - s == timedelta(minutes=duration) for s, e in slots)
    assert all(opens <= s and e <= closes for s, e in slots)
    starts = [s for s, _e in slots]
    assert starts == sorted(set(starts))  # no start repeated, even when the clocks go back
    assert all(s.utcoffset() == timedelta(0) for s in starts)
    # each start, in any offset, is found again as that slot; a start 5 minutes off is not a slot
    for s, e in slots:
        assert slot_at(schedule=schedule, exceptions={}, tz=tz, start=s.astimezone(ZoneInfo(tz)),
                       duration_minutes=duration) == (s, e)
    if duration > 5 and slots:
        assert slot_at(schedule=schedule, exceptions={}, tz=tz, start=slots[0][0] + timedelta(minutes=5),
                       duration_minutes=duration) is None


@settings(max_examples=200, deadline=None)
@given(tz=st.sampled_from(TZS), day=days_st, weekly=st.lists(window(), max_size=3),
       special=st.lists(window(), max_size=2), duration=durations)
def test_an_exception_replaces_the_day_and_a_holiday_closes_it(tz, day, weekly, special, duration):
    schedule = validate_schedule({d: weekly for d in DAYS})
    exceptions = validate_exceptions({day.isoformat(): special})
    got = day_slots(schedule=schedule, exceptions=exceptions, tz=tz, day=day, duration_minutes=duration)
    as_weekly = day_slots(schedule=validate_schedule({d: special for d in DAYS}), exceptions={}, tz=tz, day=day,
                          duration_minutes=duration)
    assert got == as_weekly
    closed = day_slots(schedule=schedule, exceptions={day.isoformat(): []}, tz=tz, day=day, duration_minutes=duration)
    assert closed == []
    assert day_slots(schedule=schedule, exceptions={}, tz=tz, day=day, duration_minutes=duration,
                     closed_dates=[day.isoformat()]) == []
    # the days around keep their weekly slots
    nxt = day + timedelta(days=1)
    assert day_slots(schedule=schedule, exceptions=exceptions, tz=tz, day=nxt, duration_minutes=duration) == \
        day_slots(schedule=schedule, exceptions={}, tz=tz, day=nxt, duration_minutes=duration)


@settings(max_examples=200, deadline=None)
@given(tz=st.sampled_from(TZS), day=days_st, start=st.integers(12 * 12, 287).map(lambda n: n * 5),
       end=st.integers(0, 11 * 12).map(lambda n: n * 5), duration=durations)
def test_a_window_past_midnight_belongs_to_its_opening_day_and_its_late_slots_are_found(tz, day, start, end,
                                                                                       duration):
    w = [_hhmm(start), _hhmm(end)]
    schedule = validate_schedule({DAYS[day.weekday()]: [w]})
    slots = day_slots(schedule=schedule, exceptions={}, tz=tz, day=day, duration_minutes=duration)
    assert day_slots(schedule=schedule, exceptions={}, tz=tz, day=day + timedelta(days=1),
                     duration_minutes=duration) == []
    zone = ZoneInfo(tz)
    after_midnight = [(s, e) for s, e in slots if s.astimezone(zone).date() > day]
    assume(after_midnight)
    for s, e in after_midnight:  # booked by its instant: found among the day before's windows
        assert slot_at(schedule=schedule, exceptions={}, tz=tz, start=s, duration_minutes=duration) == (s, e)
    # a holiday on the next day does not close the window that opened the evening before
    assert day_slots(schedule=schedule, exceptions={}, tz=tz, day=day, duration_minutes=duration,
                     closed_dates=[(day + timedelta(days=1)).isoformat()]) == slots


@settings(max_examples=300, deadline=None)
@given(tz=st.sampled_from(TZS), day=days_st, duration=durations, lead=st.integers(0, 3 * 24 * 60),
       horizon=st.integers(1, 30), offset=st.integers(-36 * 60, 36 * 60))
def test_notice_and_horizon_cut_the_day_exactly(tz, day, duration, lead, horizon, offset):
    schedule = validate_schedule({d: [["00:00", "24:00"]] for d in DAYS})
    slots = day_slots(schedule=schedule, exceptions={}, tz=tz, day=day, duration_minutes=duration)
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo(tz))
    now = (noon + timedelta(minutes=offset)).astimezone(UTC)
    kept = [s for s, _e in slots if bookable(start=s, now=now, lead_minutes=lead, horizon_days=horizon)]
    assert kept == [s for s, _e in slots if now + timedelta(minutes=lead) <= s <= now + timedelta(days=horizon)]
    assert all(s >= now for s in kept)  # never in the past


def test_the_clock_changes_give_23_and_25_hourly_slots():
    schedule = validate_schedule({d: [["00:00", "24:00"]] for d in DAYS})
    for tz, (spring, autumn) in CHANGES.items():
        assert len(day_slots(schedule=schedule, exceptions={}, tz=tz, day=spring, duration_minutes=60)) == 23
        assert len(day_slots(schedule=schedule, exceptions={}, tz=tz, day=autumn, duration_minutes=60)) == 25
        normal = day_slots(schedule=schedule, exceptions={}, tz=tz, day=spring - timedelta(days=7),
                           duration_minutes=60)
        assert len(normal) == 24
