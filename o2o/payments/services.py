"""The payment lifecycle of orders: pay (full, deposit, balance, milestone), record the gateway's answer,
refund, reconcile. The gateway is never called inside a database transaction: a pending attempt row is
committed first, the gateway called, and its answer recorded in a new transaction; a refund is booked
(pending, in the ledger) first and sent after the commit. payments_reconcile finishes both when an
answer was lost. The order's side (paid mark, fulfilment, unit refunds) is orders.services'.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.audit.services import audit_record
from o2o.core.errors import Invalid, NotFound, PaymentRequired, TransitionNotAllowed
from o2o.core.money import parse_amount
from o2o.merchants.access import as_uuid
from o2o.orders.enums import PAID_STATUSES, OrderStatus
from o2o.orders.errors import AlreadyPaid, PaymentInProgress, SoldOut
from o2o.orders.holds import orders_expire_due
from o2o.orders.models import Order
from o2o.orders.services import (
    UnitsRefund,
    order_expired_error,
    order_for_payment,
    order_mark_paid,
    order_rereserve,
    order_units_refund,
)
from o2o.payments.cards import DECLINE_MESSAGES
from o2o.payments.enums import PaymentPurpose, PaymentStatus, RefundStatus
from o2o.payments.ledger import ledger_capture, payment_move, refund_book, refund_send, refunds_send
from o2o.payments.models import Payment, PaymentEvent, Refund
from o2o.payments.providers import get_provider
from o2o.payments.providers.base import ChargeResult

log = logging.getLogger(__name__)
__all__ = ["order_pay", "order_pay_at_counter", "order_refund", "order_refund_book", "payment_complete",
           "payments_reconcile"]
# A pending payment younger than this is still at the gateway (payments_reconcile takes older ones).
PAYMENT_STALE_AFTER = timedelta(minutes=2)


def outstanding(order: Order) -> Decimal:
    """What is still to pay of the order: its total less what is paid and what was refunded of its units."""
    return order.total_amount - order.paid_amount - order.refunded_amount


def _amount_for(order: Order, purpose: str, amount: Any) -> Decimal:
    if purpose not in PaymentPurpose.values:
        raise Invalid(_("Some fields are not valid."), fields={"purpose": ", ".join(PaymentPurpose.values)})
    due = outstanding(order)
    if purpose == PaymentPurpose.FULL:
        if order.status in PAID_STATUSES:
            raise AlreadyPaid()
        return order.total_amount
    if purpose == PaymentPurpose.DEPOSIT and order.status in PAID_STATUSES:
        raise AlreadyPaid()
    if purpose == PaymentPurpose.BALANCE and order.status not in PAID_STATUSES:
        raise Invalid(_("Some fields are not valid."), fields={"purpose": _("a balance follows a deposit")})
    if due <= 0:
        raise AlreadyPaid()
    value = due if amount is None and purpose == PaymentPurpose.BALANCE else (
        parse_amount(amount, currency=order.currency, field="amount").amount if amount is not None else None)
    if value is None or not (Decimal(0) < value <= due) or (purpose == PaymentPurpose.DEPOSIT and value >= due):
        raise Invalid(_("Some fields are not valid."), fields={"amount": _("more than 0 and at most %(due)s")
                                                               % {"due": due}})
    return value


def order_pay(*, customer: User, order_id: Any, provider: str, details: dict[str, Any],
              purpose: str = PaymentPurpose.FULL, amount: Any = None, reference: str = "") -> Order:
    """Charge the customer for the order (`purpose` full by default; a deposit, the balance after it or
    a milestone with its `amount` and `reference`). The first captured payment marks the order paid and
    starts its fulfilment."""
    if provider == "cash":  # cash is taken by a clerk at the counter (order_pay_at_counter), never online
        raise Invalid(_("Cash is paid at the counter."), fields={"provider": "sandbox"})
    return _pay(lock=lambda: order_for_payment(customer=customer, order_id=order_id), actor=customer,
                provider=provider, details=details, purpose=purpose, amount=amount, reference=reference)


def order_pay_at_counter(*, staff: User, order_id: Any, method: str, card_number: Any = None) -> Order:
    """The clerk takes the whole order's money at the counter: cash (the till) or a card (the sandbox
    terminal). The caller has checked that `staff` works at the order's store."""
    if method == "cash":
        provider, details = "cash", {"clerk": str(staff.pk)}
    elif method == "card":
        provider, details = "sandbox", {"card_number": card_number}
    else:
        raise Invalid(_("Some fields are not valid."), fields={"payment.method": "cash, card"})

    def lock() -> Order:
        order = Order.objects.select_for_update().filter(pk=as_uuid(order_id)).first()
        if order is None:
            raise NotFound()
        return order

    return _pay(lock=lock, actor=staff, provider=provider, details=details, purpose=PaymentPurpose.FULL,
                amount=None, reference="counter")


def _pay(*, lock: Callable[[], Order], actor: User, provider: str, details: dict[str, Any], purpose: str,
         amount: Any, reference: str) -> Order:
    gateway = get_provider(provider)
    with transaction.atomic():
        order = lock()
        if order.status == OrderStatus.CANCELLED:
            raise TransitionNotAllowed(_("This order was cancelled."))
        value = _amount_for(order, purpose, amount)
        expired = order.status not in PAID_STATUSES and (
            order.status == OrderStatus.EXPIRED or order.expires_at <= timezone.now())
        if not expired:
            # One charge at a time per order: a second pay while the first is at the gateway would
            # charge twice. A pending payment older than PAYMENT_STALE_AFTER is the reconciler's.
            if Payment.objects.filter(order=order, status=PaymentStatus.PENDING,
                                      created_at__gt=timezone.now() - PAYMENT_STALE_AFTER).exists():
                raise PaymentInProgress()
            payment = Payment.objects.create(order=order, provider=gateway.name, currency=order.currency,
                                             amount=value, status=PaymentStatus.PENDING, purpose=purpose,
                                             reference=str(reference or "")[:64])
            PaymentEvent.objects.create(payment=payment, actor=actor, to_status=PaymentStatus.PENDING,
                                        reason="created")
    if expired:
        orders_expire_due(offering_ids=order.lines.values_list("offering_id", flat=True))
        raise order_expired_error(order)
    # The gateway is called outside any database transaction (a real one is a network call). If the
    # process dies right after it, payments_reconcile() finds the charge by our reference and finishes.
    try:
        result = gateway.charge(amount=payment.money, details=details, merchant_reference=str(payment.pk))
    except Invalid:  # refused before charging (a bad card number): nothing was charged, the payment is over
        with transaction.atomic():
            payment_move(Payment.objects.get(pk=payment.pk), PaymentStatus.DECLINED, actor=actor,
                         reason="invalid details", decline_code="invalid_details")
        raise
    return payment_complete(payment_id=payment.pk, result=result, actor=actor)


def _give_back(payment: Payment, *, actor: Any, memo: str) -> Refund:
    """Inside a transaction: book the whole captured payment for refund (sent after the commit)."""
    return refund_book(payment=Payment.objects.get(pk=payment.pk), amount=payment.amount - payment.refunded_amount,
                       actor=actor, memo=memo, returned=True)


def payment_complete(*, payment_id: UUID, result: ChargeResult, actor: Any = None) -> Order:
    """Record the gateway's answer for a pending payment: idempotent, safe from the request or a reconciler."""
    with transaction.atomic():
        payment = Payment.objects.get(pk=payment_id)
        order = Order.objects.select_for_update().get(pk=payment.order_id)
        payment = Payment.objects.select_for_update().get(pk=payment_id)  # re-read under the order lock
        if payment.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED):
            return order  # completed already (the request and a reconciler both got here)
        late_success = payment.status != PaymentStatus.PENDING and result.succeeded
        if not late_success and payment.status != PaymentStatus.PENDING:
            raise _declined(payment.decline_code or "declined")
        if not result.succeeded:
            payment_move(payment, PaymentStatus.DECLINED, actor=actor, reason=result.decline_code,
                         provider_ref=result.reference, card_last4=result.card_last4,
                         decline_code=result.decline_code)
        elif late_success:  # a charge went through after we had given the payment up: it goes back
            Payment.objects.filter(pk=payment.pk).update(provider_ref=result.reference)
            payment.provider_ref = result.reference
            ledger_capture(payment=payment, memo="late charge")
            late = _give_back(payment, actor=actor, memo="charge after the payment was given up")
    if late_success:
        refund_send(refund_id=late.pk)
        raise PaymentRequired(_("The payment could not be completed; the charge was refunded."))
    if not result.succeeded:
        raise _declined(result.decline_code)

    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        due = outstanding(order)
        payment_move(payment, PaymentStatus.SUCCEEDED, actor=actor, provider_ref=result.reference,
                     card_last4=result.card_last4)
        ledger_capture(payment=payment, memo=payment.purpose, order=order)
        if order.status == OrderStatus.AWAITING_PAYMENT:
            order_mark_paid(order=order, actor=actor, data={"payment": str(payment.pk)})
            return order
        planned = payment.purpose != PaymentPurpose.FULL and payment.amount <= due
        if order.status in PAID_STATUSES and planned:
            return order  # a balance or milestone: expected, kept
        if order.status != OrderStatus.EXPIRED:
            # Another payment of this order won meanwhile (or it was cancelled): this charge goes back.
            dup = _give_back(payment, actor=actor, memo="order already paid by another payment")
    if order.status != OrderStatus.EXPIRED:
        refund_send(refund_id=dup.pk)
        raise AlreadyPaid(_("This order was already paid; this charge was refunded."))
    # The hold ran out while the card was being charged and the sweeper released the units:
    # take them again if they are still there, else give the money back.
    if order_rereserve(order):
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=order.pk)
            order_mark_paid(order=order, actor=actor, reason="paid as the hold ran out; units re-reserved",
                            data={"payment": str(payment.pk)})
            return order
    with transaction.atomic():
        gone = _give_back(payment, actor=actor, memo="order expired during payment")
    refund_send(refund_id=gone.pk)
    raise SoldOut(_("This order expired during payment and its units were sold; the charge was refunded."))


def _declined(decline_code: str) -> PaymentRequired:
    """402 with the decline's own code where it has one (expired_card, incorrect_cvc), else payment_declined."""
    if decline_code in DECLINE_MESSAGES:
        return PaymentRequired(str(DECLINE_MESSAGES[decline_code]), code=decline_code,
                               fields={"reason": decline_code})
    return PaymentRequired(_("The card was declined; nothing was charged."), fields={"reason": decline_code})


def order_refund_book(*, customer: User, order_id: Any, voucher_ids: Any = None, actor: User | None = None,
                      keep: Decimal = Decimal("0.00")) -> tuple[Order, UnitsRefund, list[Refund]]:
    """Inside the caller's transaction: give up the order's refundable units (order_units_refund, less
    `keep`, what the merchant keeps by its rules) and book the refunds on its payments (latest first).
    The caller sends them after its commit (refunds_send); nothing is booked when everything is kept."""
    actor = actor or customer
    units = order_units_refund(customer=customer, order_id=order_id, unit_ids=voucher_ids, keep=keep, actor=actor)
    order = Order.objects.get(pk=as_uuid(order_id), customer=customer)
    left = units.amount
    refunds: list[Refund] = []
    if left <= 0 and keep > 0:
        return order, units, refunds
    kept = list(Payment.objects.select_for_update().filter(
        order=order, status__in=[PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED])
        .order_by("-created_at", "-id"))
    for i, payment in enumerate(kept):
        part = min(left, payment.amount - payment.refunded_amount)
        if part <= 0 and (refunds or i < len(kept) - 1):
            continue
        refunds.append(refund_book(payment=payment, amount=part, actor=actor, voucher_ids=units.unit_ids,
                                   lines=units.per_line if not refunds else {}))
        left -= part
        if left <= 0:
            break
    if left > 0:
        raise AssertionError(f"order {order.number}: {left} to refund but no payment holds it")
    return order, units, refunds


def order_refund(*, customer: User, order_id: Any, voucher_ids: Any = None, actor: User | None = None) -> Order:
    """Refund the order's unredeemed vouchers (or the given ones): their units go back on sale, each
    line gives back at most what was paid for it, and the amount is taken from the order's payments
    (latest first). The refunds are booked in one transaction and sent to the gateway after it. `actor`
    is who refunds when it is not the customer (a kitchen rejecting the order)."""
    actor = actor or customer
    with transaction.atomic():
        order, units, refunds = order_refund_book(customer=customer, order_id=order_id, voucher_ids=voucher_ids,
                                                  actor=actor)
    audit_record(actor=actor, action="order.refund", obj=order,
                 summary=f"Order {order.number}: {units.amount} {order.currency} refunded",
                 data={"amount": str(units.amount), "vouchers": len(units.unit_ids)})
    refunds_send([r.pk for r in refunds])
    return Order.objects.get(pk=order.pk)


def payments_reconcile(*, older_than: timedelta = timedelta(minutes=2),
                       failures: list[str] | None = None) -> dict[str, int]:
    """Finish payments left pending (the process died between the gateway call and the record) and
    send refunds booked but not confirmed by the gateway.

    Asks the gateway what happened to each payment: a charge found completes the order (or refunds it),
    none found marks the payment declined. Safe to run any time, from many places at once. Each row
    is finished on its own: one that fails is logged, counted as failed (and added to `failures` when
    given), and the others are still finished.
    """
    counts = {"completed": 0, "declined": 0, "refunded": 0, "failed": 0, "refunds_sent": 0}
    cutoff = timezone.now() - older_than
    pending = list(Payment.objects.filter(status=PaymentStatus.PENDING, created_at__lt=cutoff)
                   .values_list("pk", "provider")[:500])
    for payment_pk, provider in pending:
        try:
            result = get_provider(provider).lookup(merchant_reference=str(payment_pk))
            if result is None:
                result = ChargeResult(succeeded=False, reference="", decline_code="abandoned")
            payment_complete(payment_id=payment_pk, result=result)
            counts["completed"] += 1
        except PaymentRequired:
            counts["declined"] += 1
        except (SoldOut, AlreadyPaid):  # charged, but the units or the order went elsewhere: refunded
            counts["refunded"] += 1
        except Exception as exc:  # noqa: BLE001 - one bad row never stops the others
            log.exception("could not reconcile payment %s", payment_pk)
            counts["failed"] += 1
            if failures is not None:
                failures.append(f"payment {payment_pk}: {type(exc).__name__}: {exc}")
    for refund_pk in Refund.objects.filter(status=RefundStatus.PENDING, created_at__lt=cutoff).values_list(
            "pk", flat=True)[:500]:
        try:
            refund_send(refund_id=refund_pk)
            counts["refunds_sent"] += 1
        except Exception as exc:  # noqa: BLE001
            log.exception("could not send refund %s", refund_pk)
            counts["failed"] += 1
            if failures is not None:
                failures.append(f"refund {refund_pk}: {type(exc).__name__}: {exc}")
    return counts
