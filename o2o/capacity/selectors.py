"""Reading a resource's calendar: how many places are taken in given slots (one query)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from o2o.capacity.models import CapacitySlot


def taken_by_start(*, resource: str, starts: Sequence[datetime]) -> dict[datetime, int]:
    """{start: places taken} for every start asked for (0 where no row exists yet), in one query.

    The keys are the caller's own datetimes; aware datetimes compare by instant, so any timezone works.
    """
    if not starts:
        return {}
    found = dict(CapacitySlot.objects.filter(resource=resource, start__in=list(starts))
                 .values_list("start", "taken"))
    return {s: found.get(s, 0) for s in starts}


def busy_cells(*, resources: Sequence[str], start: datetime, end: datetime) -> dict[str, set[datetime]]:
    """{resource: starts of its rows with a place taken} for rows starting in [start, end), one query:
    what a listing needs to leave out slots whose one-place resources are held elsewhere."""
    if not resources:
        return {}
    out: dict[str, set[datetime]] = {r: set() for r in resources}
    rows = CapacitySlot.objects.filter(resource__in=list(resources), start__gte=start, start__lt=end, taken__gt=0)
    for resource, at in rows.values_list("resource", "start"):
        out[resource].add(at)
    return out
