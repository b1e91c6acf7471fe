"""The one event stream: every online and offline step appends one row (scan, order, paid, redeemed,
reviewed, refunded, ...) in the same transaction as the change it records.

The table belongs to o2o/analytics (the top layer, which reads it for every dashboard); the domain apps
below it cannot import it, so they call ``event_append`` here and analytics registers the writer at
start-up (``register_writer`` in its AppConfig.ready). An explicit call, not a signal: the writer runs
inline, inside the caller's transaction, so an event exists exactly when its change was committed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone


class EventKind(models.TextChoices):
    SCAN = "scan"
    VIEW = "view"
    ORDER = "order"
    PAID = "paid"
    REDEEMED = "redeemed"
    PICKED_UP = "picked_up"
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    REVIEWED = "reviewed"
    REFUNDED = "refunded"


@dataclass(frozen=True)
class EventIn:
    kind: str
    merchant_id: Any
    at: datetime
    store_id: Any = None
    placement_id: Any = None
    customer_id: Any = None
    visitor_id: int | None = None
    order_id: Any = None
    amount: Decimal | None = None
    currency: str = ""
    offering_id: Any = None
    data: dict[str, Any] = field(default_factory=dict)


# The writer takes a list: one event for event_append, a batch for events_append (one INSERT either way).
_writer: Callable[[list[EventIn]], None] | None = None


def register_writer(writer: Callable[[list[EventIn]], None]) -> None:
    global _writer
    _writer = writer


def event_append(*, kind: str, merchant_id: Any, at: datetime | None = None, store_id: Any = None,
                 placement_id: Any = None, customer_id: Any = None, visitor_id: int | None = None,
                 order_id: Any = None, amount: Decimal | None = None, currency: str = "",
                 offering_id: Any = None, data: dict[str, Any] | None = None) -> None:
    """Append one event (call it inside the transaction of the change). Without a writer (analytics not
    installed) nothing is written."""
    if kind not in EventKind.values:
        raise ValueError(f"unknown event kind {kind!r}")
    if _writer is None:
        return
    _writer([EventIn(kind=kind, merchant_id=merchant_id, at=at or timezone.now(), store_id=store_id,
                     placement_id=placement_id, customer_id=customer_id, visitor_id=visitor_id, order_id=order_id,
                     amount=amount, currency=currency, offering_id=offering_id, data=data or {})])


def events_append(events: list[EventIn]) -> None:
    """Append several events with one INSERT (a batch of checkouts written together), in the caller's
    transaction."""
    for event in events:
        if event.kind not in EventKind.values:
            raise ValueError(f"unknown event kind {event.kind!r}")
    if _writer is None or not events:
        return
    _writer(events)


def order_offering(offering_ids: Any) -> Any:
    """The offering an order's events name: its one offering, or None when it buys several (an order of
    several dishes counts for its merchant and store, not for one dish)."""
    ids = set(offering_ids)
    return next(iter(ids)) if len(ids) == 1 else None
