"""Paying for bookings through the payments core (an order of fulfilment kind "booking", one line).

A service says what is paid online (Service.prepay): nothing (paid at the store), a deposit, or the full
price. Booking such a service writes, in the booking's transaction, an order awaiting payment that holds
the seat as long as an order's payment hold (the seat is the capacity calendar's, not stock); not paid in
time, the order expires and the booking is cancelled with it (bookings.fulfilment.on_released). The
customer pays it as any order (POST /bookings/{id}/pay, or POST /orders/{id}/pay with the purpose).

What happens to the money is the service's rules, copied on the booking when it is made:
- cancelled up to cancel_until: everything paid goes back;
- cancelled later: refused, unless late_cancel_keep_percent is set: that share of what was paid is kept;
- a no-show (staff mark it from the start): no_show_fee_amount of what was paid is kept (all of it when
  the fee is not set), the rest goes back.
A refund is booked in the transaction that cancels the booking (payments.order_refund_book) and sent to
the gateway after it commits (refunds_send): the booking never changes without its money, or the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from o2o.bookings.enums import Prepay
from o2o.bookings.models import Booking, Service
from o2o.catalogue.services import _int
from o2o.core.errors import Invalid
from o2o.core.money import Money, parse_amount, quantum
from o2o.core.state import transition
from o2o.orders.checkout import new_number, new_order_rows
from o2o.orders.enums import ORDER_TRANSITIONS, PAID_STATUSES, FulfilmentKind, OrderStatus
from o2o.orders.events import orders_placed_append
from o2o.orders.models import Order, OrderEvent, OrderLine
from o2o.orders.services import order_fulfilment_move
from o2o.payments.enums import PaymentPurpose
from o2o.payments.models import Refund
from o2o.payments.services import order_refund_book

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PaymentRules:
    prepay: str
    deposit: Decimal | None
    late_cancel_keep_percent: int | None
    no_show_fee: Decimal | None


def _money_or_none(value: Any, *, currency: str, field: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, dict):
        if value.get("currency") not in (None, currency):
            raise Invalid(_("Some fields are not valid."), fields={field: _("in the price's currency")})
        value = value.get("amount")
    return parse_amount(value, currency, field=field).amount


def payment_rules(*, price: Money, prepay: Any = Prepay.NONE, deposit: Any = None,
                  late_cancel_keep_percent: Any = None, no_show_fee: Any = None) -> PaymentRules:
    """A service's payment rules, checked (422 naming the field): a deposit more than 0 and less than the
    price (only with prepay "deposit"); a percent 0-100; a no-show fee no more than what is paid online."""
    if prepay not in Prepay.values:
        raise Invalid(_("Some fields are not valid."), fields={"prepay": ", ".join(Prepay.values)})
    dep = _money_or_none(deposit, currency=price.currency, field="deposit")
    if prepay == Prepay.DEPOSIT:
        if dep is None or not ZERO < dep < price.amount:
            raise Invalid(_("A deposit is more than nothing and less than the price."),
                          fields={"deposit": _("more than 0 and less than %(p)s") % {"p": price.amount}})
    elif dep is not None:
        raise Invalid(_("Some fields are not valid."), fields={"deposit": _("only with prepay \"deposit\"")})
    pct = None if late_cancel_keep_percent is None else _int(late_cancel_keep_percent, "late_cancel_keep_percent",
                                                            lo=0, hi=100)
    fee = _money_or_none(no_show_fee, currency=price.currency, field="no_show_fee")
    online = {Prepay.NONE: ZERO, Prepay.DEPOSIT: dep or ZERO, Prepay.FULL: price.amount}[Prepay(prepay)]
    if fee is not None and fee > online:
        raise Invalid(_("A no-show fee is kept from what is paid online; it cannot be more than that."),
                      fields={"no_show_fee": _("at most %(n)s") % {"n": online}})
    return PaymentRules(prepay=prepay, deposit=dep, late_cancel_keep_percent=pct, no_show_fee=fee)


def booking_order_create(*, booking: Booking, service: Service, now: datetime) -> Order | None:
    """Inside the booking's transaction: the order that pays for it, awaiting payment (None when the
    service is paid at the store). Its expiry (the payment hold) cancels the booking."""
    if service.prepay == Prepay.NONE:
        return None
    offering = service.offering
    for _attempt in range(3):
        order, lines, event = new_order_rows(customer=booking.customer, wanted={offering.pk: 1},
                                             offerings={offering.pk: offering}, now=now, store_id=booking.store_id)
        order.fulfilment = FulfilmentKind.BOOKING
        event.data = {**event.data, "booking": str(booking.pk)}
        try:
            with transaction.atomic():
                order.save(force_insert=True)
        except IntegrityError:  # an order-number collision: another number
            order.number = new_number()
            continue
        OrderLine.objects.bulk_create(lines)
        event.save(force_insert=True)
        orders_placed_append([(order, [offering.pk])])  # the analytics stream's "order", as every order path
        Booking.objects.filter(pk=booking.pk).update(order=order)
        booking.order = order
        return order
    raise RuntimeError("no free order number")


def pay_now(booking: Booking) -> tuple[str, Decimal | None]:
    """The payments core's purpose and amount for paying the booking online (a deposit, or the total)."""
    if booking.prepay == Prepay.DEPOSIT and booking.order is not None:
        deposit = booking.order.lines.values_list("offering__service__deposit_amount", flat=True).first()
        if deposit is not None and deposit < booking.order.total_amount:
            return PaymentPurpose.DEPOSIT, deposit
    return PaymentPurpose.FULL, None


def is_paid(booking: Booking) -> bool:
    """Paid as the service asks (or nothing to pay online)."""
    return booking.order is None or booking.order.status in PAID_STATUSES


def kept_on(*, booking: Booking, paid: Decimal, late: bool, no_show: bool) -> Decimal:
    """What the merchant keeps of `paid` by the booking's rules."""
    if no_show:
        return paid if booking.no_show_fee_amount is None else min(booking.no_show_fee_amount, paid)
    if late and booking.late_cancel_keep_percent:
        share = paid * Decimal(booking.late_cancel_keep_percent) / Decimal(100)
        return share.quantize(quantum(booking.currency), rounding=ROUND_HALF_UP)
    return ZERO


def booking_settle(*, booking: Booking, order: Order | None, actor: Any, late: bool = False,
                   no_show: bool = False) -> list[Refund]:
    """Inside the transaction that cancels the booking or marks it a no-show, the order locked (by the
    caller, before the slot's hold): an unpaid order is cancelled; a paid one gives back what the rules
    do not keep (refunds booked, to be sent after the commit: the caller's refunds_send)."""
    if order is None:
        return []
    to = "no_show" if no_show else "cancelled"
    if order.status == OrderStatus.AWAITING_PAYMENT:
        transition(obj=order, to=OrderStatus.CANCELLED, table=ORDER_TRANSITIONS, event_model=OrderEvent,
                   event_fk="order", actor=actor, reason=f"booking {to}")
        order_fulfilment_move(order=order, to="cancelled", actor=actor, reason=f"booking {to}")
        return []
    if order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        return []  # expired or cancelled already: nothing was kept
    if order.fulfilment_status in ("pending", "confirmed"):
        if order.fulfilment_status == "pending":
            order_fulfilment_move(order=order, to="confirmed", actor=actor, reason="paid")
        order_fulfilment_move(order=order, to=to, actor=actor, reason=f"booking {to}")
    keep = kept_on(booking=booking, paid=order.paid_amount, late=late, no_show=no_show)
    if keep >= order.paid_amount:
        return []  # the merchant keeps everything paid: nothing to refund
    _order, _units, refunds = order_refund_book(customer=booking.customer, order_id=order.pk, actor=actor,
                                                keep=keep)
    return refunds
