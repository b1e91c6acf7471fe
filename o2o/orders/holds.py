"""Payment holds: an unpaid order keeps its units until its hold runs out; then they go back on sale."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from o2o.core.errors import TransitionNotAllowed
from o2o.core.state import transition
from o2o.merchants.access import as_uuid
from o2o.orders import fulfilment
from o2o.orders.enums import ORDER_TRANSITIONS, OrderStatus
from o2o.orders.models import Order, OrderEvent, OrderLine
from o2o.orders.stock import order_units_give

log = logging.getLogger(__name__)


def orders_expire_due(*, offering_ids: Iterable[UUID] | None = None, order_ids: Iterable[Any] | None = None,
                      now: datetime | None = None, failures: list[str] | None = None) -> int:
    """Expire unpaid orders past their hold and give their units back. Safe to run any time, repeatedly.

    Each order is expired in its own transaction: one that cannot be (an unreadable row) is logged,
    added to `failures` when given, and the others are still expired.
    """
    now = now or timezone.now()
    # The (status, expires_at) index answers this with the few stale holds there are, usually none.
    qs = Order.objects.filter(status=OrderStatus.AWAITING_PAYMENT, expires_at__lte=now)
    if order_ids is not None:
        qs = qs.filter(pk__in=[as_uuid(o) for o in order_ids])
    due = list(qs.values_list("pk", flat=True)[:500])
    if due and offering_ids is not None:
        due = list(OrderLine.objects.filter(order_id__in=due, offering_id__in=list(offering_ids))
                   .values_list("order_id", flat=True).distinct())
    count = 0
    for order_id in due:
        try:
            count += _order_expire_one(order_id)
        except Exception as exc:  # noqa: BLE001 - one bad row never stops the sweep of the others
            log.exception("could not expire order %s", order_id)
            if failures is not None:
                failures.append(f"order {order_id}: {type(exc).__name__}: {exc}")
    return count


def _order_expire_one(order_id: UUID) -> int:
    with transaction.atomic():
        order = Order.objects.filter(pk=order_id).first()
        if order is None:
            return 0
        try:
            transition(obj=order, to=OrderStatus.EXPIRED, table=ORDER_TRANSITIONS, event_model=OrderEvent,
                       event_fk="order", reason="payment hold ran out")
        except TransitionNotAllowed:
            return 0  # paid or expired by someone else meanwhile
        for line in order.lines.all():
            order_units_give(order=order, offering_id=line.offering_id, n=line.quantity)
        fulfilment.released(order=order)
    return 1
