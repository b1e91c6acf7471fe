"""Open-now: the fast weekly encoding answers exactly as merchants.hours.is_open, in every timezone."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from o2o.discovery.openness import Clock, encode_closed, encode_week, open_at
from o2o.merchants.hours import DAYS, is_open

TZS = ["Asia/Shanghai", "America/New_York", "Europe/London", "Pacific/Auckland", "Asia/Kolkata",
       "America/St_Johns", "Pacific/Chatham", "UTC"]

hhmm = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from([0, 1, 15, 30, 59]))
window = st.tuples(hhmm, st.one_of(hhmm, st.just("24:00"))).filter(lambda w: w[0] != w[1]).map(list)
hours_st = st.fixed_dictionaries({d: st.lists(window, max_size=3) for d in DAYS})
instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31),  # noqa: DTZ001
                        timezones=st.just(UTC))


@settings(max_examples=2000, deadline=None)
@given(hours=hours_st, tz=st.sampled_from(TZS), at=instants, closed_offsets=st.lists(st.integers(-2, 2), max_size=3))
def test_fast_open_now_equals_reference(hours, tz, at, closed_offsets):
    from zoneinfo import ZoneInfo

    local_day = at.astimezone(ZoneInfo(tz)).date()
    closed = [(local_day + timedelta(days=o)).isoformat() for o in closed_offsets]
    assert open_at(encode_week(hours), encode_closed(closed), tz, Clock(at)) == is_open(hours, tz, at, closed)


def _at(tz: str, d: date, hh: int, mm: int) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(d.year, d.month, d.day, hh, mm, tzinfo=ZoneInfo(tz)).astimezone(UTC)


@pytest.mark.parametrize("tz", TZS)
def test_past_midnight_and_holiday(tz):
    hours = {d: [] for d in DAYS}
    hours["fri"] = [["18:00", "02:00"]]
    week, friday, saturday = encode_week(hours), date(2026, 11, 27), date(2026, 11, 28)
    assert open_at(week, "", tz, Clock(_at(tz, friday, 23, 59)))
    assert open_at(week, "", tz, Clock(_at(tz, saturday, 1, 59)))
    assert not open_at(week, "", tz, Clock(_at(tz, saturday, 2, 0)))
    assert not open_at(week, "", tz, Clock(_at(tz, friday, 17, 59)))
    # closed on the Friday: the night that starts on Friday is closed, also after midnight
    assert not open_at(week, encode_closed(["2026-11-27"]), tz, Clock(_at(tz, saturday, 1, 0)))
    # closed on the Saturday only: Friday's night still runs into Saturday
    assert open_at(week, encode_closed(["2026-11-28"]), tz, Clock(_at(tz, saturday, 1, 0)))


def test_sunday_night_runs_into_monday():
    hours = {d: [] for d in DAYS}
    hours["sun"] = [["22:00", "03:00"]]
    week = encode_week(hours)
    assert open_at(week, "", "Asia/Shanghai", Clock(_at("Asia/Shanghai", date(2026, 11, 30), 2, 30)))  # Monday
    assert not open_at(week, "", "Asia/Shanghai", Clock(_at("Asia/Shanghai", date(2026, 11, 30), 3, 0)))


def test_same_instant_differs_by_timezone():
    hours = {d: [["09:00", "17:00"]] for d in DAYS}
    at = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai, 22:00 the day before in New York
    clock = Clock(at)
    assert open_at(encode_week(hours), "", "Asia/Shanghai", clock)
    assert not open_at(encode_week(hours), "", "America/New_York", clock)


@settings(max_examples=1500, deadline=None)
@given(hours=hours_st, tz=st.sampled_from(TZS), at=instants)
def test_closed_hours_never_drop_an_open_store(hours, tz, at):
    """The SQL pre-filter of open-now (closed_hours) only drops stores that open_at calls closed."""
    from o2o.discovery.openness import closed_hours, hour_bit

    week, clock = encode_week(hours), Clock(at)
    word, bit = hour_bit(clock.local(tz)[1])
    if open_at(week, "", tz, clock):
        assert closed_hours(week)[word] & bit == 0


@settings(max_examples=400, deadline=None)
@given(hours=hours_st, hour=st.integers(0, 167))
def test_closed_hours_mark_exactly_the_hours_without_an_open_minute(hours, hour):
    from o2o.discovery.openness import WEEK, _parse, closed_hours, hour_bit

    week = encode_week(hours)
    any_open = any(start <= m < end or start <= m + WEEK < end
                   for m in range(hour * 60, hour * 60 + 60) for start, end in _parse(week))
    word, bit = hour_bit(hour * 60)
    assert bool(closed_hours(week)[word] & bit) == (not any_open)
