"""Taking and giving back places in a capacity slot: conditional UPDATEs only, never check-then-act.

Both run inside the caller's transaction (e.g. the checkout that creates the order), so a place taken by an
order that then fails is given back by the rollback.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest

from o2o.capacity.models import CapacitySlot
from o2o.capacity.rules import GRAIN_MINUTES, grains

log = logging.getLogger(__name__)


def _check(start: datetime, n: int) -> None:
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("slot start must be an aware datetime")
    if n < 1:
        raise ValueError("n must be at least 1")


def capacity_take(*, resource: str, start: datetime, end: datetime, capacity: int, n: int = 1) -> bool:
    """Take n places of the slot (resource, start) if that keeps it within `capacity`; False when it is full.

    `capacity` is the caller's current figure for the slot (a merchant may raise or lower it at any time):
    the take succeeds when taken + n <= capacity, and the row's capacity is then set to that figure. On a
    refused take the row's capacity is still brought to the figure, but never below what is taken (orders
    already placed keep their places). A full slot never raises.

    The row is created on the first take: the insert runs in a savepoint, and when another transaction
    created the same row first (IntegrityError on (resource, start)) this one carries on with that row.
    `end` is written only when the row is created.
    """
    _check(start, n)
    if capacity < 0:
        raise ValueError("capacity must not be negative")
    row = CapacitySlot.objects.filter(resource=resource, start=start)

    def bump() -> bool:
        return row.filter(taken__lte=capacity - n).update(taken=F("taken") + n, capacity=capacity) == 1

    if bump():  # the usual case once the slot has a row: one query
        return True
    try:
        with transaction.atomic():
            CapacitySlot.objects.create(resource=resource, start=start, end=end, capacity=capacity)
    except IntegrityError:
        pass  # another taker created the row first (on PostgreSQL, after waiting for it to commit)
    if bump():
        return True
    row.exclude(capacity=capacity).update(capacity=Greatest(Value(capacity), F("taken")))
    return False


def capacity_release(*, resource: str, start: datetime, n: int = 1) -> None:
    """Give n places of the slot back (an order cancelled or expired, a booking cancelled).

    Conditional on taken >= n, so a release never drives the count below zero; a release with nothing to
    give back (no row, or fewer taken) changes nothing and is logged.
    """
    _check(start, n)
    done = CapacitySlot.objects.filter(resource=resource, start=start, taken__gte=n).update(taken=F("taken") - n)
    if not done:
        log.warning("capacity_release with nothing to give back: %s %s n=%d", resource, start.isoformat(), n)


class _SpanRefused(Exception):
    pass


def capacity_take_span(*, resource: str, start: datetime, end: datetime, grain_minutes: int | None = None) -> bool:
    """Hold a one-place resource (a teacher, a room, a stylist) for [start, end): capacity 1 in every grain
    cell the span covers (rules.grains), all or nothing. False when any cell is already held (the cells this
    call took are given back by its savepoint); never raises for a busy resource."""
    step = grain_minutes or GRAIN_MINUTES
    cells = grains(start=start, end=end, grain_minutes=step)
    if not cells:
        raise ValueError("the span must not be empty")
    try:
        with transaction.atomic():
            for cell in cells:
                if not capacity_take(resource=resource, start=cell, end=cell + timedelta(minutes=step), capacity=1):
                    raise _SpanRefused
    except _SpanRefused:
        return False
    return True


def capacity_release_span(*, resource: str, start: datetime, end: datetime, grain_minutes: int | None = None) -> None:
    """Give back what capacity_take_span took for the same span."""
    for cell in grains(start=start, end=end, grain_minutes=grain_minutes or GRAIN_MINUTES):
        capacity_release(resource=resource, start=cell)
