"""Fulfilment: what happens to a paid order's units, per kind, behind one port.

The orders app does not know vouchers (a higher layer): the `voucher` fulfilment (o2o.vouchers.
fulfilment, registered when the app is ready) issues one voucher per unit when an order is paid,
refunds the unredeemed ones, and answers the books. Other kinds (pickup, delivery, dine_in,
booking, job) register their own handler the same way, from their app's ready():

    from o2o.orders import fulfilment
    fulfilment.register(PickupFulfilment())   # an object with kind = "pickup" and the methods below

Paying an order calls ``handler(order.fulfilment).on_paid(order=...)`` in the transaction that marks it
paid; the handler moves ``Order.fulfilment_status`` only through orders.services.order_fulfilment_move
(the kind's table in orders.enums.FULFILMENT_TRANSITIONS). A kind with no handler cannot be paid yet.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from o2o.core.money import Money
from o2o.orders import hooks

DEFAULT_KIND = "voucher"


@dataclass(frozen=True)
class RefundedUnit:
    unit_id: UUID
    offering_id: UUID
    unit_price: Money
    line_id: UUID | None = None  # the order line the unit was bought on


class Fulfilment(Protocol):
    kind: str

    def on_paid(self, *, order: Any) -> None:
        """Called inside the transaction that marks the order paid."""

    def units_owned(self, *, customer: Any, offering_id: UUID) -> int:
        """Units of the offering the customer holds through paid orders (for the per-customer limit)."""

    def refund_units(self, *, order: Any, unit_ids: Sequence[Any] | None, actor: Any) -> list[RefundedUnit]:
        """Give up the order's refundable units (or the given ones) and say which, at what price."""

    def units_left(self, *, order: Any) -> bool:
        """Whether some unit of the order is still not refunded."""

    def live_units_by_offering(self) -> Counter[UUID]:
        """For the books: units sold and not refunded, per offering."""

    def units_of_order(self, *, order: Any) -> int:
        """For the books: units the paid order has fulfilled (one per unit bought)."""

    def orphans(self) -> int:
        """For the books: units that belong to orders that are not paid."""


_HANDLERS: dict[str, Fulfilment] = {}


def register(handler: Fulfilment) -> None:
    _HANDLERS[handler.kind] = handler


def handler(kind: str = DEFAULT_KIND) -> Fulfilment:
    try:
        return _HANDLERS[kind]
    except KeyError:
        raise LookupError(f"no fulfilment registered for {kind!r} (is its app installed?)") from None


def handlers() -> list[Fulfilment]:
    return list(_HANDLERS.values())


def released(*, order: Any) -> None:
    """An unpaid order gave its units back (its hold ran out, it was cancelled): the kind frees what else
    it held (a pickup slot) through its optional ``on_released(order=...)``."""
    h = _HANDLERS.get(order.fulfilment)
    hook = getattr(h, "on_released", None)
    if hook is not None:
        hook(order=order)
    hooks.fire("released", order=order)


def units_owned(*, customer: Any, offering_id: UUID) -> int:
    """Units of the offering the customer holds through paid orders, over every registered kind."""
    return sum(h.units_owned(customer=customer, offering_id=offering_id) for h in _HANDLERS.values())
