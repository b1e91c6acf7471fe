"""Weekly opening hours in a store's own timezone (API.md's format)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.utils.translation import gettext as _

from o2o.core.errors import Invalid

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")


def _minutes(text: str) -> int:
    if not isinstance(text, str) or not _HHMM.match(text):
        raise ValueError(text)
    if text == "24:00":
        return 24 * 60
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def validate_timezone(name: str) -> str:
    try:
        if not name or name not in _zones():
            raise ZoneInfoNotFoundError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(_("Unknown timezone."), fields={"timezone": _("Enter a timezone name such as Asia/Shanghai.")}) from None
    return name


_ZONES: set[str] | None = None


def _zones() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = available_timezones()
    return _ZONES


def validate_hours(hours: Any) -> dict[str, list[list[str]]]:
    """Check and normalise opening hours; every day present (missing days are closed)."""
    if not isinstance(hours, dict):
        raise Invalid(_("Opening hours must be an object keyed by day."), fields={"opening_hours": _("Give the hours per day, as {\"mon\": [[\"09:00\", \"21:00\"]]}.")})
    unknown = set(hours) - set(DAYS)
    if unknown:
        raise Invalid(_("Unknown day in opening hours."), fields={"opening_hours": _("Unknown days: %(d)s. Use mon to sun.") % {"d": ", ".join(sorted(map(str, unknown)))}})
    out: dict[str, list[list[str]]] = {}
    for day in DAYS:
        windows = hours.get(day, [])
        if not isinstance(windows, list) or len(windows) > 6:
            raise Invalid(_("Each day is a list of [open, close] windows."), fields={"opening_hours": day})
        clean = []
        for w in windows:
            if not (isinstance(w, list | tuple) and len(w) == 2):
                raise Invalid(_("A window is [open, close]."), fields={"opening_hours": day})
            try:
                start, end = _minutes(w[0]), _minutes(w[1])
            except ValueError:
                raise Invalid(_("Times are HH:MM (00:00 to 24:00)."), fields={"opening_hours": day}) from None
            if start == end or start == 24 * 60:
                raise Invalid(_("A window must not be empty."), fields={"opening_hours": day})
            clean.append([w[0], w[1]])
        out[day] = clean
    return out


def validate_closed_dates(value: Any) -> list[str]:
    """Holiday closures: a list of ISO dates (YYYY-MM-DD) in the store's own calendar, sorted, unique."""
    if value is None:
        return []
    if not isinstance(value, list | tuple) or len(value) > 400:
        raise Invalid("Closed dates are a list of dates.", fields={"closed_dates": "list of YYYY-MM-DD"})
    out = set()
    for d in value:
        try:
            if not isinstance(d, str) or len(d) != 10:
                raise ValueError(d)
            out.add(date.fromisoformat(d).isoformat())
        except ValueError:
            raise Invalid("Closed dates are YYYY-MM-DD.", fields={"closed_dates": str(d)[:20]}) from None
    return sorted(out)


def _intervals_for(day_index: int, hours: dict[str, list[list[str]]]) -> list[tuple[int, int]]:
    """Intervals in minutes from the start of that day; a window past midnight spills over (end > 1440)."""
    result = []
    for start_s, end_s in hours.get(DAYS[day_index], []):
        start, end = _minutes(start_s), _minutes(end_s)
        if end < start:  # runs past midnight into the next day
            end += 24 * 60
        result.append((start, end))
    return result


def day_windows(day_index: int, hours: dict[str, list[list[str]]]) -> list[tuple[int, int]]:
    """The windows that open on weekday `day_index` (0 = Monday) as (start, end) minutes from that day's
    midnight; a window past midnight ends after 1440, "24:00" is 1440."""
    return _intervals_for(day_index, hours)


def is_open(hours: dict[str, list[list[str]]], tz: str, at: datetime, closed_dates: list[str] | None = None) -> bool:
    """Whether a store with these hours is open at the instant `at` (aware datetime)."""
    local = at.astimezone(ZoneInfo(tz))
    minute = local.hour * 60 + local.minute
    today = local.date()
    closed = set(closed_dates or [])
    wd = local.weekday()
    if today.isoformat() not in closed:
        for start, end in _intervals_for(wd, hours):
            if start <= minute < end:
                return True
    # yesterday's windows that run past midnight
    yesterday = today - timedelta(days=1)
    if yesterday.isoformat() not in closed:
        for _start, end in _intervals_for((wd - 1) % 7, hours):
            if end > 24 * 60 and minute < end - 24 * 60:
                return True
    return False


def today_text(hours: dict[str, list[list[str]]], tz: str, at: datetime) -> str:
    local = at.astimezone(ZoneInfo(tz))
    windows = hours.get(DAYS[local.weekday()], [])
    return ", ".join(f"{a}–{b}" for a, b in windows)


def all_day() -> dict[str, list[list[str]]]:
    return {d: [["00:00", "24:00"]] for d in DAYS}


def local_midnight(d: date, tz: str) -> datetime:
    return datetime.combine(d, time(0), tzinfo=ZoneInfo(tz))
