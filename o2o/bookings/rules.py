"""A service's slot times: its weekly schedule and exceptions in a store's timezone, through the capacity
calendar's one slot rule (o2o.capacity.rules.slot_windows). Pure functions, no database.

- Slots start every `duration_minutes` from each window's opening and end by its close; a window belongs to
  the day it opens on, also past midnight (API.md's opening-hours format).
- An exception date replaces that day's windows ([] closes it); a store's closed_dates close it too.
- A customer may book a slot that starts no sooner than `lead` from now and no later than `horizon`.
- Times in a schedule sit on the 5-minute grid so that a resource's cells (capacity.rules.grains) never
  make two touching bookings overlap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

from o2o.capacity.rules import GRAIN_MINUTES, slot_windows
from o2o.core.errors import Invalid
from o2o.merchants.hours import DAYS, validate_hours

Windows = list[list[str]]
MAX_EXCEPTIONS = 400


def _on_grid(windows: Iterable[list[str]]) -> bool:
    return all(int(t[-2:]) % GRAIN_MINUTES == 0 for w in windows for t in w)


def validate_schedule(value: Any, field: str = "schedule") -> dict[str, Windows]:
    """API.md's opening-hours format, every time on the 5-minute grid; 422 naming `field` otherwise."""
    try:
        hours = validate_hours(value)
    except Invalid as exc:
        raise Invalid(exc.message, fields={field: next(iter(exc.fields.values()), "")}) from None
    for day, windows in hours.items():
        if not _on_grid(windows):
            raise Invalid(_("Schedule times are on a 5-minute grid (10:00, 10:05 ...)."), fields={field: day})
    return hours


def validate_exceptions(value: Any, field: str = "exceptions") -> dict[str, Windows]:
    """{"YYYY-MM-DD": [["10:00", "12:00"]] or [] (closed)} in the store's calendar."""
    if value is None:
        return {}
    if not isinstance(value, Mapping) or len(value) > MAX_EXCEPTIONS:
        raise Invalid(_("Exceptions map a date to that day's windows."),
                      fields={field: _("Give {\"2026-12-25\": []} for a closed day.")})
    out: dict[str, Windows] = {}
    for key, windows in value.items():
        try:
            day = date.fromisoformat(key) if isinstance(key, str) and len(key) == 10 else None
        except ValueError:
            day = None
        if day is None:
            raise Invalid(_("Exception dates are YYYY-MM-DD."), fields={field: str(key)[:20]})
        out[day.isoformat()] = validate_schedule({"mon": windows}, field=f"{field}.{day.isoformat()}")["mon"]
    return dict(sorted(out.items()))


def day_hours(*, schedule: Mapping[str, Windows], exceptions: Mapping[str, Windows], day: date) -> dict[str, Windows]:
    """The weekly hours to read `day` with: the exception's windows for that weekday when there is one."""
    iso = day.isoformat()
    if iso in exceptions:
        return {DAYS[day.weekday()]: list(exceptions[iso])}
    return dict(schedule)


def day_slots(*, schedule: Mapping[str, Windows], exceptions: Mapping[str, Windows], tz: str, day: date,
              duration_minutes: int, closed_dates: Iterable[str] = ()) -> list[tuple[datetime, datetime]]:
    """(start, end) in UTC of every slot of the windows that open on `day` (the store's calendar day)."""
    return slot_windows(hours=day_hours(schedule=schedule, exceptions=exceptions, day=day), tz=tz, day=day,
                        step_minutes=duration_minutes, closed_dates=list(closed_dates))


def slot_at(*, schedule: Mapping[str, Windows], exceptions: Mapping[str, Windows], tz: str, start: datetime,
            duration_minutes: int, closed_dates: Iterable[str] = ()) -> tuple[datetime, datetime] | None:
    """The slot that starts at the instant `start`, if any (from that local day's windows or the day before's
    windows that run past midnight)."""
    from zoneinfo import ZoneInfo

    # compare in UTC: an aware datetime of a zone whose wall time falls in a fold never equals one of another
    # zone (PEP 495), so 02:00 CEST on the autumn day would not match its own slot
    start = start.astimezone(UTC)
    local_day = start.astimezone(ZoneInfo(tz)).date()
    closed = list(closed_dates)
    for day in (local_day, local_day - timedelta(days=1)):
        for s, e in day_slots(schedule=schedule, exceptions=exceptions, tz=tz, day=day,
                              duration_minutes=duration_minutes, closed_dates=closed):
            if s == start:
                return s, e
    return None


def bookable(*, start: datetime, now: datetime, lead_minutes: int, horizon_days: int) -> bool:
    """Whether a slot starting at `start` may be booked at `now`: not sooner than the notice, not beyond
    the horizon."""
    return now + timedelta(minutes=lead_minutes) <= start <= now + timedelta(days=horizon_days)
