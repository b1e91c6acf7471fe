"""Open-now on the hot path: opening hours as local minute-of-week intervals.

`encode_week(hours)` turns API.md's weekly hours into "start-end,..." where minutes count from
Monday 00:00 local time; a window past midnight ends after its day (Sunday's may end past 10080).
`open_at(week, closed, clock)` gives exactly `o2o.merchants.hours.is_open` (tests check this with
hypothesis), but parses each distinct hours string once and converts the instant to local time once
per timezone per query.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from o2o.merchants.hours import DAYS, _intervals_for

WEEK = 7 * 24 * 60


def encode_week(hours: dict[str, list[list[str]]]) -> str:
    parts = []
    for d in range(7):
        for start, end in _intervals_for(d, hours):
            parts.append(f"{d * 1440 + start}-{d * 1440 + end}")
    return ",".join(parts)


# Hours of the week (local, Monday 00:00-01:00 is hour 0) in three integer columns of 56 bits each.
HOUR_WORDS = 3
HOUR_BITS = 56


@lru_cache(maxsize=4096)
def closed_hours(week: str) -> tuple[int, ...]:
    """The hours of the week in which the weekly hours open at no minute, as HOUR_WORDS bitmasks.

    SQL drops a row whose bit of the current local hour is set: such a store is closed now whatever
    its closed dates say. A row whose bit is clear may still be closed (closed dates, the minutes of
    the hour); open_at decides those exactly. Zero bits (the column default) never drop a row."""
    open_bits = 0
    for start, end in _parse(week):
        for hour in range(start // 60, (end - 1) // 60 + 1):
            open_bits |= 1 << (hour % 168)
    closed = ~open_bits & ((1 << 168) - 1)
    mask = (1 << HOUR_BITS) - 1
    return tuple((closed >> (HOUR_BITS * i)) & mask for i in range(HOUR_WORDS))


def hour_bit(minute_of_week: int) -> tuple[int, int]:
    """(word, bit value) of the hour holding this local minute of the week, as closed_hours lays them out."""
    hour = minute_of_week // 60
    return hour // HOUR_BITS, 1 << (hour % HOUR_BITS)


def encode_closed(closed_dates: list[str] | None) -> str:
    return ",".join(sorted(set(closed_dates or [])))


@lru_cache(maxsize=4096)
def _parse(week: str) -> tuple[tuple[int, int], ...]:
    if not week:
        return ()
    out = []
    for part in week.split(","):
        a, b = part.split("-")
        out.append((int(a), int(b)))
    return tuple(out)


class Clock:
    """One instant, converted to each timezone's local (date, minute of week) at most once."""

    def __init__(self, at: datetime) -> None:
        self.at = at
        self._local: dict[str, tuple[date, int]] = {}

    def local(self, tz: str) -> tuple[date, int]:
        hit = self._local.get(tz)
        if hit is None:
            loc = self.at.astimezone(ZoneInfo(tz))
            hit = (loc.date(), loc.weekday() * 1440 + loc.hour * 60 + loc.minute)
            self._local[tz] = hit
        return hit


def open_at(week: str, closed: str, tz: str, clock: Clock) -> bool:
    today, m = clock.local(tz)
    wd = m // 1440
    for start, end in _parse(week):
        if start <= m < end:
            started = today
        elif start <= m + WEEK < end:  # Sunday's window running into Monday
            started = today
        else:
            continue
        if closed:
            started = today if start // 1440 == wd else today - timedelta(days=1)
            if started.isoformat() in closed.split(","):
                continue
        return True
    return False


__all__ = ["DAYS", "Clock", "closed_hours", "encode_closed", "encode_week", "hour_bit", "open_at"]
