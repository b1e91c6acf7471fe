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
