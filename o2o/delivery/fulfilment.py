"""The `delivery` fulfilment (registered with orders.fulfilment in apps.ready).

A paid delivery order joins the kitchen queue like a pickup order (ordering's ticket: its pickup code
is the label the courier scans at the store), gets the delivery code the customer shows the courier,
and its task opens for the dispatcher. Its units are the lines' quantities. A refund is refused
while a courier carries the order (picked up, or failed and not yet back at the store); a refund
before that cancels the task (the orders.hooks listener below)."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.core.errors import TransitionNotAllowed
from o2o.core.state import transition
from o2o.delivery.enums import CARRIED, DELIVERY_TRANSITIONS
from o2o.delivery.models import Delivery, DeliveryEvent
from o2o.ordering.fulfilment import PickupFulfilment
from o2o.orders.enums import OrderStatus
from o2o.orders.fulfilment import RefundedUnit


def new_delivery_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def delivery_move(delivery: Delivery, to: str, *, actor: Any = None, reason: str = "", **extra: Any) -> None:
    """The one setter of Delivery.status (its table in enums.DELIVERY_TRANSITIONS), with its event row."""
    transition(obj=delivery, to=to, table=DELIVERY_TRANSITIONS, event_model=DeliveryEvent, event_fk="delivery",
               actor=actor, reason=reason or to, extra=extra or None,
               data={"courier": str(delivery.courier_id) if delivery.courier_id else None})


class DeliveryFulfilment:
    kind = "delivery"

    def __init__(self) -> None:
        self._products = PickupFulfilment()  # the kitchen's side is a pickup's: ticket, code, queue

    def on_paid(self, *, order: Any) -> None:
        self._products.on_paid(order=order)
        delivery = Delivery.objects.filter(order=order).first()
        if delivery is None or delivery.status != "pending":
            return
        now = timezone.now()
        delivery_move(delivery, "open", reason="paid", delivery_code=new_delivery_code(),
                      ready_estimate=now + timedelta(minutes=delivery.prep_minutes))

    def on_released(self, *, order: Any) -> None:
        pass  # no slot; the hooks listener below cancels the task

    def units_owned(self, *, customer: Any, offering_id: UUID) -> int:
        return 0

    def refund_units(self, *, order: Any, unit_ids: Sequence[Any] | None, actor: Any) -> list[RefundedUnit]:
        status = Delivery.objects.filter(order=order).values_list("status", flat=True).first()
        if status in (*CARRIED, "delivered"):
            raise TransitionNotAllowed(_("The courier has this order; it can be refunded once it is back at the store."))
        return self._products.refund_units(order=order, unit_ids=unit_ids, actor=actor)

    def units_left(self, *, order: Any) -> bool:
        return self._products.units_left(order=order)

    def live_units_by_offering(self) -> Counter[UUID]:
        return Counter()

    def units_of_order(self, *, order: Any) -> int:
        return self._products.units_of_order(order=order)

    def orphans(self) -> int:
        return 0


def _cancel_task(order: Any, reason: str) -> None:
    delivery = Delivery.objects.filter(order=order, status__in=("pending", "open", "assigned")).first()
    if delivery is not None:
        delivery_move(delivery, "cancelled", reason=reason)


def on_refunded(*, order: Any) -> None:
    """orders.hooks: a delivery order refunded in full before its courier took it is not delivered."""
    if order.fulfilment == "delivery" and order.status == OrderStatus.REFUNDED:
        _cancel_task(order, "refunded")


def on_released(*, order: Any) -> None:
    if order.fulfilment == "delivery":
        _cancel_task(order, "not paid")
