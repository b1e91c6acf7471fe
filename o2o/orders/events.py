"""An order's rows in the event stream (o2o/core/events.py): placed, paid, picked up, refunded.

Each names the order's merchant, store, placement (its source), customer and, when it buys one
offering only, that offering; `amount` is the money the step moved (the total when placed or paid, the
share given back when refunded). Called inside the transaction of the change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from o2o.core.events import EventIn, event_append, events_append, order_offering
from o2o.orders.models import Order


def order_event_in(order: Order, kind: str, *, offering_ids: Iterable[Any] | None = None,
                   at: datetime | None = None, amount: Decimal | None = None,
                   data: dict[str, Any] | None = None) -> EventIn:
    """The event of `order`'s step `kind`. offering_ids: the order's lines' offerings (read from its lines,
    prefetched or not, when not given)."""
    if offering_ids is None:
        offering_ids = [line.offering_id for line in order.lines.all()]
    return EventIn(kind=kind, merchant_id=order.merchant_id, at=at or timezone.now(), store_id=order.store_id,
                   placement_id=order.source_placement, customer_id=order.customer_id, order_id=order.pk,
                   amount=amount, currency=order.currency if amount is not None else "",
                   offering_id=order_offering(offering_ids), data=data or {})


def order_event_append(order: Order, kind: str, **kwargs: Any) -> None:
    e = order_event_in(order, kind, **kwargs)
    event_append(kind=e.kind, merchant_id=e.merchant_id, at=e.at, store_id=e.store_id, placement_id=e.placement_id,
                 customer_id=e.customer_id, order_id=e.order_id, amount=e.amount, currency=e.currency,
                 offering_id=e.offering_id, data=e.data)


def orders_placed_append(orders: Iterable[tuple[Order, Iterable[Any]]]) -> None:
    """The "order" events of several orders just written together (one INSERT): (order, its offering ids)."""
    events_append([order_event_in(order, "order", offering_ids=ids, at=order.created_at, amount=order.total_amount,
                                  data={"channel": order.source_channel, "fulfilment": order.fulfilment})
                   for order, ids in orders])
