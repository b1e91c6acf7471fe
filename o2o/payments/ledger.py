"""The payments ledger: every capture, refund, escrow hold and release is a LedgerEntry row, written in
the same transaction as the amounts it explains (Payment.refunded_amount, Order.paid_amount).

Invariants (payments.books checks them): for every order, paid_amount == sum(captures) - sum(refunds);
for every payment, refunds <= captures and 0 <= holds - releases <= captures - refunds.
Sums are made in Decimal in Python (SQLite would add decimals as floats).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils.translation import gettext as _

from o2o.core.errors import Invalid
from o2o.core.money import Money
from o2o.core.state import transition
from o2o.orders.models import Order
from o2o.payments.enums import PAYMENT_TRANSITIONS, LedgerKind, PaymentStatus, RefundStatus
from o2o.payments.models import LedgerEntry, Payment, PaymentEvent, Refund
from o2o.payments.providers import get_provider

log = logging.getLogger(__name__)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Sums:
    captured: Decimal = ZERO
    refunded: Decimal = ZERO
    held: Decimal = ZERO
    released: Decimal = ZERO

    @property
    def paid(self) -> Decimal:
        return self.captured - self.refunded

    @property
    def in_escrow(self) -> Decimal:
        return self.held - self.released


def ledger_sums(*, order_id: Any = None, payment_id: Any = None) -> Sums:
    """The ledger's totals per kind for one order or one payment."""
    qs = LedgerEntry.objects.all()
    qs = qs.filter(order_id=order_id) if order_id is not None else qs.filter(payment_id=payment_id)
    by: dict[str, Decimal] = {}
    for kind, amount in qs.values_list("kind", "amount"):
        by[kind] = by.get(kind, ZERO) + amount
    return Sums(captured=by.get(LedgerKind.CAPTURE, ZERO), refunded=by.get(LedgerKind.REFUND, ZERO),
                held=by.get(LedgerKind.HOLD, ZERO), released=by.get(LedgerKind.RELEASE, ZERO))


def payment_move(payment: Payment, to: str, *, actor: Any = None, reason: str = "", **extra: Any) -> None:
    transition(obj=payment, to=to, table=PAYMENT_TRANSITIONS, event_model=PaymentEvent, event_fk="payment",
               actor=actor, reason=reason, extra=extra or None)


def _order_paid_add(order_id: UUID, delta: Decimal, order: Order | None = None) -> None:
    """Add to the order's paid amount; `order` is the caller's row, read under its lock, if it has one."""
    if order is None:
        order = Order.objects.select_for_update().get(pk=order_id)
    Order.objects.filter(pk=order_id).update(paid_amount=order.paid_amount + delta)
    order.paid_amount += delta


def ledger_capture(*, payment: Payment, memo: str = "", order: Order | None = None) -> LedgerEntry:
    """Book the payment's amount as captured (inside the caller's transaction; pass the order when the
    caller holds its lock, else it is locked here)."""
    entry = LedgerEntry.objects.create(order_id=payment.order_id, payment=payment, kind=LedgerKind.CAPTURE,
                                       amount=payment.amount, currency=payment.currency, memo=memo[:140])
    _order_paid_add(payment.order_id, payment.amount, order)
    return entry


def refund_book(*, payment: Payment, amount: Decimal, actor: Any = None, voucher_ids: Sequence[str] = (),
                lines: dict[str, str] | None = None, memo: str = "refund", returned: bool = False) -> Refund:
    """Book a refund of `amount` of the payment (inside the caller's transaction): the pending Refund,
    its ledger entry, the payment's refunded amount and status, the order's paid amount. The gateway is
    told afterwards, outside the transaction (refund_send)."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if amount < 0 or payment.refunded_amount + amount > payment.amount:
        raise Invalid(_("Some fields are not valid."), fields={"amount": _("more than was paid")})
    sums = ledger_sums(payment_id=payment.pk)
    if sums.in_escrow and sums.paid - amount < sums.in_escrow:
        raise Invalid(_("Some fields are not valid."), fields={"amount": _("more than is held")})
    refund = Refund.objects.create(payment=payment, currency=payment.currency, amount=amount,
                                   status=RefundStatus.PENDING, voucher_ids=list(voucher_ids), lines=lines or {},
                                   returned=returned)
    LedgerEntry.objects.create(order_id=payment.order_id, payment=payment, refund=refund, kind=LedgerKind.REFUND,
                               amount=amount, currency=payment.currency, memo=memo[:140])
    new_refunded = payment.refunded_amount + amount
    if payment.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED):
        to = PaymentStatus.REFUNDED if new_refunded >= payment.amount else PaymentStatus.PARTIALLY_REFUNDED
        payment_move(payment, to, actor=actor, reason=memo, refunded_amount=new_refunded)
    else:  # a charge we had given up (declined) that went through late: it goes back whole
        Payment.objects.filter(pk=payment.pk).update(refunded_amount=new_refunded)
    _order_paid_add(payment.order_id, -amount)
    return refund


def refund_send(*, refund_id: Any) -> Refund:
    """Tell the gateway about a booked refund (never inside a transaction) and record its answer.
    Safe to repeat: the gateway is given the refund's id and pays it once."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status == RefundStatus.SUCCEEDED:
        return refund
    payment = refund.payment
    result = get_provider(payment.provider).refund(charge_reference=payment.provider_ref,
                                                  amount=Money(refund.amount, refund.currency),
                                                  merchant_reference=str(refund.pk))
    with transaction.atomic():
        Refund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
            status=RefundStatus.SUCCEEDED, provider_ref=result.reference)
    refund.refresh_from_db()
    return refund


def refunds_send(refund_ids: Sequence[Any]) -> None:
    """refund_send for each; one that fails stays pending for reconcile_payments (and is logged)."""
    for rid in refund_ids:
        try:
            refund_send(refund_id=rid)
        except Exception:  # noqa: BLE001 - booked already; the reconciler sends it again
            log.exception("refund %s not sent; reconcile_payments will retry", rid)


def escrow_hold(*, payment_id: Any, amount: Money, memo: str = "") -> LedgerEntry:
    """Hold part of what a payment captured (the platform keeps it until released, e.g. a job's deposit)."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        sums = ledger_sums(payment_id=payment.pk)
        if amount.currency != payment.currency or amount.amount <= 0 or sums.in_escrow + amount.amount > sums.paid:
            raise Invalid(_("Some fields are not valid."), fields={"amount": _("more than was paid")})
        return LedgerEntry.objects.create(order_id=payment.order_id, payment=payment, kind=LedgerKind.HOLD,
                                          amount=amount.amount, currency=amount.currency, memo=memo[:140])


def escrow_release(*, payment_id: Any, amount: Money, memo: str = "") -> LedgerEntry:
    """Release part of what is held for the payment; never more than is still held."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        sums = ledger_sums(payment_id=payment.pk)
        if amount.currency != payment.currency or amount.amount <= 0 or amount.amount > sums.in_escrow:
            raise Invalid(_("Some fields are not valid."), fields={"amount": _("more than is held")})
        return LedgerEntry.objects.create(order_id=payment.order_id, payment=payment, kind=LedgerKind.RELEASE,
                                          amount=amount.amount, currency=amount.currency, memo=memo[:140])
