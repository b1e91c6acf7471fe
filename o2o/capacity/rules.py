"""Slot times from weekly hours: which slots a calendar day has, and which of them a customer may still pick.

Hours are API.md's opening-hours format ({"mon": [["09:00", "21:00"]], ...}) in the resource's own
timezone, parsed by o2o.merchants.hours. Slots are computed, not stored: a CapacitySlot row appears only when
a place is taken. Every datetime returned is UTC.

Slots step in elapsed time from the window's opening instant to its closing instant, so on a day the clocks
change a window holds exactly the slots of its real length (a 01:00-03:00 window is one hour shorter on the
spring day, one hour longer on the autumn day), and no slot start is repeated or falls in the gap. A wall
time that does not exist (inside the spring gap) is read as the instant the clocks jumped past; a wall time
that happens twice (autumn) as its first occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from o2o.capacity.selectors import taken_by_start
from o2o.merchants.hours import day_windows


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    capacity_left: int


def _utc(wall: datetime, zone: ZoneInfo) -> datetime:
    return wall.replace(tzinfo=zone).astimezone(UTC)


def slot_windows(*, hours: dict[str, list[list[str]]], tz: str, day: date, step_minutes: int,
                 length_minutes: int | None = None, closed_dates: list[str] | None = None,
                 ) -> list[tuple[datetime, datetime]]:
    """(start, end) in UTC of every slot of `day`, the resource's local calendar day, sorted by start.

    Only the windows that open on `day` count (a window belongs to the day it opens on, also when it runs
    past midnight; yesterday's late window belongs to yesterday's list). In each window a slot starts every
    `step_minutes` from its opening and lasts `length_minutes` (default: `step_minutes`); a slot must end by
    the window's close (a window includes its start and excludes its end). A day listed in `closed_dates`
    (ISO dates) has no slots. Overlapping windows give each start once.
    """
    if step_minutes < 1:
        raise ValueError("step_minutes must be at least 1")
    length = step_minutes if length_minutes is None else length_minutes
    if length < 1:
        raise ValueError("length_minutes must be at least 1")
    if day.isoformat() in set(closed_dates or ()):
        return []
    zone = ZoneInfo(tz)
    midnight = datetime.combine(day, time(0))  # naive: the local wall clock
    step, span = timedelta(minutes=step_minutes), timedelta(minutes=length)
    slots: dict[datetime, datetime] = {}
    changes = _clocks_change(zone, midnight)
    for open_min, close_min in day_windows(day.weekday(), hours):
        opens = _utc(midnight + timedelta(minutes=open_min), zone)
        closes = _utc(midnight + timedelta(minutes=close_min), zone)
        start = opens
        while start + span <= closes:
            # On a day the clocks go back, a window that opens inside the repeated hour has begun once
            # already when the wall clock reads that hour again; opening hours are wall-clock times
            # (merchants.hours.is_open, the "open now" everyone sees), so such a slot is kept only where the
            # wall clock reads inside the window at its start and in its last minute.
            if not changes or (_inside(start, zone, day, open_min, close_min)
                               and _inside(start + span - timedelta(minutes=1), zone, day, open_min, close_min)):
                slots.setdefault(start, start + span)
            start += step
    return sorted(slots.items())


def _inside(at: datetime, zone: ZoneInfo, day: date, open_min: int, close_min: int) -> bool:
    """Whether the wall clock at `at` reads within [open_min, close_min) counted from `day`'s midnight."""
    local = at.astimezone(zone)
    minute = (local.date() - day).days * 24 * 60 + local.hour * 60 + local.minute
    return open_min <= minute < close_min


def _clocks_change(zone: ZoneInfo, midnight: datetime) -> bool:
    """Whether the UTC offset changes between this local midnight and two days on (a window may run past midnight)."""
    first = midnight.replace(tzinfo=zone).utcoffset()
    return any((midnight + timedelta(hours=h)).replace(tzinfo=zone).utcoffset() != first for h in (12, 24, 36, 48))


def open_slots(*, resource: str, hours: dict[str, list[list[str]]], tz: str, day: date, step_minutes: int,
               capacity: int, now: datetime, lead: timedelta = timedelta(0), length_minutes: int | None = None,
               closed_dates: list[str] | None = None) -> list[Slot]:
    """The slots of `day` a customer may still pick: start >= now + lead and places left (capacity minus
    taken, with `capacity` the caller's current figure). At most one query (taken_by_start)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    earliest = now + lead
    windows = [(s, e) for s, e in slot_windows(hours=hours, tz=tz, day=day, step_minutes=step_minutes,
                                               length_minutes=length_minutes, closed_dates=closed_dates)
               if s >= earliest]
    if not windows or capacity <= 0:
        return []
    taken = taken_by_start(resource=resource, starts=[s for s, _ in windows])
    return [Slot(start=s, end=e, capacity_left=left) for s, e in windows if (left := capacity - taken[s]) > 0]


GRAIN_MINUTES = 5


def grains(*, start: datetime, end: datetime, grain_minutes: int = GRAIN_MINUTES) -> list[datetime]:
    """The starts (UTC) of the fixed `grain_minutes` cells of the UTC clock that [start, end) covers.

    A resource that can be in one place only (a teacher, a room, a stylist) holds capacity 1 in every cell
    of each span it is booked for (services.capacity_take_span), so two spans overlap exactly when they share
    a cell, whatever slot grid each comes from: with spans on the grid (starts and ends on whole multiples of
    the grain, as 5-minute times in any real timezone are) no false overlap arises either.
    """
    if grain_minutes < 1:
        raise ValueError("grain_minutes must be at least 1")
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be aware datetimes")
    if end <= start:
        return []
    step = timedelta(minutes=grain_minutes)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    cell = epoch + ((start.astimezone(UTC) - epoch) // step) * step
    out = []
    while cell < end:
        out.append(cell)
        cell += step
    return out
