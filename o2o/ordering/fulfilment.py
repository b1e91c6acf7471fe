"""The `pickup` and `dine_in` fulfilments (registered with orders.fulfilment in apps.ready): a paid
order gets its pickup code and joins the kitchen queue; its units are the lines' quantities (no
vouchers); a refund gives back every unit not yet refunded; an expired order frees its pickup slot."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from o2o.capacity.services import capacity_release
from o2o.ordering.models import Ticket
from o2o.orders.fulfilment import RefundedUnit
from o2o.orders.models import OrderLine


def pickup_resource(store_id: Any) -> str:
    """The capacity calendar's name for a store's pickup slots."""
    return f"pickup:{store_id}"


def new_pickup_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def ticket_give_code(ticket: Ticket) -> None:
    """A six-digit code, unique among the store's orders not yet handed over (a savepoint per try)."""
    for _attempt in range(8):
        code = new_pickup_code()
        try:
            with transaction.atomic():
                if Ticket.objects.filter(pk=ticket.pk, pickup_code="").update(pickup_code=code) == 1:
                    ticket.pickup_code = code
                return
        except IntegrityError:
            continue
    raise RuntimeError("no free pickup code")  # 8 collisions in a row: a million codes are not enough


class _ProductFulfilment:
    kind = ""

    def on_paid(self, *, order: Any) -> None:
        ticket = Ticket.objects.filter(order=order).first()
        if ticket is None:
            return
        if not ticket.pickup_code and ticket.kind != "dine_in":
            ticket_give_code(ticket)
        if ticket.queued_at is None:
            Ticket.objects.filter(pk=ticket.pk, queued_at__isnull=True).update(queued_at=timezone.now())

    def on_released(self, *, order: Any) -> None:
        ticket = Ticket.objects.filter(order=order).first()
        if ticket is not None and ticket.slot_start is not None:
            capacity_release(resource=pickup_resource(ticket.store_id), start=ticket.slot_start)

    def units_owned(self, *, customer: Any, offering_id: UUID) -> int:
        return 0  # products have no per-customer limit

    def refund_units(self, *, order: Any, unit_ids: Sequence[Any] | None, actor: Any) -> list[RefundedUnit]:
        units = []
        for line in OrderLine.objects.filter(order=order, refunded_quantity__lt=F("quantity")):
            units += [RefundedUnit(unit_id=line.pk, offering_id=line.offering_id, unit_price=line.unit_price,
                                   line_id=line.pk)] * (line.quantity - line.refunded_quantity)
        return units

    def units_left(self, *, order: Any) -> bool:
        return OrderLine.objects.filter(order=order, refunded_quantity__lt=F("quantity")).exists()

    def live_units_by_offering(self) -> Counter[UUID]:
        return Counter()  # products are counted per store, not against a total (orders.books)

    def units_of_order(self, *, order: Any) -> int:
        return int(OrderLine.objects.filter(order=order).aggregate(n=Sum("quantity"))["n"] or 0)

    def orphans(self) -> int:
        return 0


class PickupFulfilment(_ProductFulfilment):
    kind = "pickup"


class DineInFulfilment(_ProductFulfilment):
    kind = "dine_in"

