"""Walk-in sales at the counter (a simple point of sale): the clerk picks items and options and takes
cash or a card; the sale draws from the same per-store stock as online orders, so nothing sells twice,
and it lands on the same timeline and revenue figures (an order of channel "counter", paid). Items
the kitchen makes (prep time > 0) join the kitchen queue with a pickup number; the rest are handed
over on the spot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.core.errors import DomainError, Invalid
from o2o.merchants.access import store_for_staff
from o2o.ordering.checkout import Where, order_write, parse_product_lines, price_lines
from o2o.ordering.enums import TicketKind
from o2o.ordering.kitchen import fulfilment_advance, order_cancel_unpaid
from o2o.ordering.models import Ticket
from o2o.orders.checkout import Source
from o2o.orders.enums import Channel, FulfilmentKind, OrderStatus
from o2o.orders.models import Order
from o2o.orders.services import order_fulfilment_move
from o2o.payments import services as payments


def counter_sale_create(*, user: User, store_id: Any, lines: Any, payment: Any,
                        before_pay: Callable[[Order], Order] | None = None) -> Order:
    """POST /stores/{id}/sales: ring up a walk-in sale and take its money; answers the paid order. A
    card declined (402) cancels the sale and puts its units back. `before_pay` (the return path's hook:
    points spent with a scanned member card) may add adjustment lines to the unpaid order; if it refuses,
    the sale is cancelled the same way."""
    store, _m = store_for_staff(user=user, store_id=store_id)
    if not isinstance(payment, dict) or payment.get("method") not in ("cash", "card"):
        raise Invalid(_("Say how the customer pays."), fields={"payment.method": "cash, card"})
    if payment["method"] == "card" and not payment.get("card_number"):
        raise Invalid(_("Enter the card number."), fields={"payment.card_number": _("required for card")})
    parsed = parse_product_lines(lines)
    products, priced, wanted, total = price_lines(store=store, parsed=parsed)
    now = timezone.now()
    order = order_write(customer=user, where=Where(store=store, kind=FulfilmentKind.PICKUP, ticket_kind=TicketKind.COUNTER),
                        priced=priced, wanted=wanted, total=total, products=products,
                        source=Source(channel=Channel.COUNTER), now=now)
    try:
        if before_pay is not None:
            order = before_pay(order)
        order = payments.order_pay_at_counter(staff=user, order_id=order.pk, method=payment["method"],
                                              card_number=payment.get("card_number"))
    except DomainError:
        _cancel(order=order, user=user)
        raise
    if not any(p.prep_minutes for p in products.values()):
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=order.pk)
            fulfilment_advance(order=order, upto="ready", actor=user, reason="sold at the counter")
            order_fulfilment_move(order=order, to="picked_up", actor=user, reason="sold at the counter")
            Ticket.objects.filter(order=order).update(done_at=timezone.now(), handed_over_by=user)
    return order


def _cancel(*, order: Order, user: User) -> None:
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status != OrderStatus.AWAITING_PAYMENT:
            return
        order_cancel_unpaid(order=order, actor=user, reason="payment at the counter failed")
        order_fulfilment_move(order=order, to="cancelled", actor=user, reason="payment failed")
