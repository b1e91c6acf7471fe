"""Checkout, payment and refund of orders (the entry points; the pieces are in checkout, batching,
holds and fulfilment).

Stock changes only with conditional updates on stock buckets (catalogue.stock); a customer's orders are
serialised by locking the customer's row, so the per-customer limit holds under concurrency.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.audit.services import audit_record
from o2o.catalogue.stock import buckets_for, stock_give, stock_left, stock_take
from o2o.core.errors import Invalid, NotFound, PaymentRequired, TransitionNotAllowed
from o2o.core.money import Money
from o2o.core.state import transition
from o2o.merchants.access import as_uuid
from o2o.orders import batching, fulfilment
from o2o.orders.checkout import (
    MAX_LINES,
    MAX_QTY,
    checkout_total,
    limit_exceeded,
    new_order_rows,
    not_for_sale,
    offerings_for_sale,
    parse_lines,
    units_held,
)
from o2o.orders.enums import ORDER_TRANSITIONS, OrderStatus
from o2o.orders.errors import (
    AlreadyPaid,
    NothingToRefund,
    OrderExpired,
    PaymentInProgress,
    SoldOut,
)
from o2o.orders.holds import orders_expire_due
from o2o.orders.models import Order, OrderEvent, OrderLine
from o2o.orders.tasks import schedule_hold_expiry
from o2o.payments.cards import DECLINE_MESSAGES
from o2o.payments.enums import PAYMENT_TRANSITIONS, PaymentStatus
from o2o.payments.models import Payment, PaymentEvent, Refund
from o2o.payments.providers import get_provider
from o2o.payments.providers.base import ChargeResult

log = logging.getLogger(__name__)
__all__ = ["MAX_LINES", "MAX_QTY", "order_create", "order_pay", "order_refund", "orders_expire_due",
           "payment_complete", "payments_reconcile"]
# A pending payment younger than this is still at the gateway (payments_reconcile takes older ones).
PAYMENT_STALE_AFTER = timedelta(minutes=2)


def order_create(*, customer: User, lines: Any) -> Order:
    """Reserve the units of `lines` for the customer in a new order awaiting payment.

    Concurrent one-line checkouts in this process are written together (orders.batching); the
    rules and answers are the same either way.
    """
    wanted = parse_lines(lines)
    now = timezone.now()
    if batching.eligible(wanted):
        (oid, qty), = wanted.items()
        return batching.order_create_grouped(customer=customer, offering_id=oid, quantity=qty, now=now,
                                            plain=_order_create_plain)
    return _order_create_plain(customer, wanted, now)


def _order_create_plain(customer: User, wanted: dict[UUID, int], now: datetime) -> Order:
    orders_expire_due(offering_ids=wanted.keys(), now=now)
    for attempt in range(5):
        try:
            return _order_create_once(customer=customer, wanted=wanted, now=now)
        except IntegrityError:
            # An order-number collision (1 in 10^8 a day) aborts the transaction; the whole checkout
            # runs again rather than paying for a savepoint on every order.
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def _order_create_once(*, customer: User, wanted: dict[UUID, int], now: datetime) -> Order:
    with transaction.atomic():
        offerings = offerings_for_sale(wanted)
        missing = [k for k in wanted if k not in offerings]
        if missing:
            raise not_for_sale(missing[0])
        merchants = {o.merchant_id for o in offerings.values()}
        currencies = {o.currency for o in offerings.values()}
        if len(merchants) > 1 or len(currencies) > 1:
            raise Invalid(_("One order buys from one merchant; please check out separately."),
                          fields={"lines": _("one merchant per order")})
        checkout_total(wanted=wanted, offerings=offerings)  # before the first write or lock
        if any(o.per_customer_limit for o in offerings.values()):
            # One limited checkout per customer at a time: the limit check cannot race with itself.
            list(User.objects.select_for_update().filter(pk=customer.pk).values_list("pk", flat=True))
        for oid, qty in sorted(wanted.items()):
            offering = offerings[oid]
            if offering.per_customer_limit:
                held = units_held(customer=customer, offering_id=oid, now=now)
                if held + qty > offering.per_customer_limit:
                    raise limit_exceeded(offering_id=oid, limit=offering.per_customer_limit, held=held)
        order, lines, event = new_order_rows(customer=customer, wanted=wanted, offerings=offerings, now=now)
        order.save(force_insert=True)
        OrderLine.objects.bulk_create(lines)
        event.save(force_insert=True)
        # Units are taken last, so a stock bucket stays locked only from here to the commit.
        for oid, qty in sorted(wanted.items()):
            if not stock_take(offering_id=oid, n=qty, buckets_hint=buckets_for(offerings[oid].quantity_total)):
                raise SoldOut(fields={"offering_id": str(oid)})
        transaction.on_commit(partial(schedule_hold_expiry, order))
    return order


def _payment_move(payment: Payment, to: str, *, actor: Any = None, reason: str = "", **extra: Any) -> None:
    transition(obj=payment, to=to, table=PAYMENT_TRANSITIONS, event_model=PaymentEvent, event_fk="payment",
               actor=actor, reason=reason, extra=extra or None)


def _expired_error(order: Order) -> Exception:
    """After expiry: sold_out if the units have gone to someone else meanwhile, else order_expired."""
    for line in order.lines.all():
        if stock_left([line.offering_id]).get(line.offering_id, 0) < line.quantity:
            return SoldOut(_("This order expired and its units were sold to someone else."))
    return OrderExpired()


def order_pay(*, customer: User, order_id: Any, provider: str, details: dict[str, Any]) -> Order:
    gateway = get_provider(provider)
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=as_uuid(order_id), customer=customer).first()
        if order is None:
            raise NotFound()
        if order.status in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED):
            raise AlreadyPaid()
        if order.status == OrderStatus.CANCELLED:
            raise TransitionNotAllowed(_("This order was cancelled."))
        expired = order.status == OrderStatus.EXPIRED or order.expires_at <= timezone.now()
        if not expired:
            # One charge at a time per order: a second pay while the first is at the gateway would
            # charge twice. A pending payment older than PAYMENT_STALE_AFTER is the reconciler's.
            if Payment.objects.filter(order=order, status=PaymentStatus.PENDING,
                                      created_at__gt=timezone.now() - PAYMENT_STALE_AFTER).exists():
                raise PaymentInProgress()
            payment = Payment.objects.create(order=order, provider=gateway.name, currency=order.currency,
                                             amount=order.total_amount, status=PaymentStatus.PENDING)
            PaymentEvent.objects.create(payment=payment, actor=customer, to_status=PaymentStatus.PENDING,
                                        reason="created")
    if expired:
        orders_expire_due(offering_ids=order.lines.values_list("offering_id", flat=True))
        raise _expired_error(order)
    # The gateway is called outside any database transaction (a real one is a network call). If the
    # process dies right after it, payments_reconcile() finds the charge by our reference and finishes.
    try:
        result = gateway.charge(amount=order.total, details=details, merchant_reference=str(payment.pk))
    except Invalid:  # refused before charging (a bad card number): nothing was charged, the payment is over
        with transaction.atomic():
            _payment_move(Payment.objects.get(pk=payment.pk), PaymentStatus.DECLINED, actor=customer,
                          reason="invalid details", decline_code="invalid_details")
        raise
    return payment_complete(payment_id=payment.pk, result=result, actor=customer)


def payment_complete(*, payment_id: UUID, result: ChargeResult, actor: Any = None) -> Order:
    """Record the gateway's answer for a pending payment: idempotent, safe from the request or a reconciler."""
    with transaction.atomic():
        payment = Payment.objects.select_related("order").get(pk=payment_id)
        order = Order.objects.select_for_update().get(pk=payment.order_id)
        payment = Payment.objects.get(pk=payment_id)  # re-read under the order lock
        if payment.status == PaymentStatus.SUCCEEDED:
            return order  # completed already (the request and a reconciler both got here)
        late_success = payment.status != PaymentStatus.PENDING and result.succeeded
        if not late_success and payment.status != PaymentStatus.PENDING:
            raise _declined(payment.decline_code or "declined")
        if not result.succeeded:
            _payment_move(payment, PaymentStatus.DECLINED, actor=actor, reason=result.decline_code,
                          provider_ref=result.reference, card_last4=result.card_last4,
                          decline_code=result.decline_code)
    if late_success:  # a charge went through after we had given the payment up: give it back
        get_provider(payment.provider).refund(charge_reference=result.reference, amount=payment.money)
        raise PaymentRequired(_("The payment could not be completed; the charge was refunded."))
    if not result.succeeded:
        raise _declined(result.decline_code)

    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        _payment_move(payment, PaymentStatus.SUCCEEDED, actor=actor, provider_ref=result.reference,
                      card_last4=result.card_last4)
        if order.status == OrderStatus.AWAITING_PAYMENT:
            transition(obj=order, to=OrderStatus.PAID, table=ORDER_TRANSITIONS, event_model=OrderEvent,
                       event_fk="order", actor=actor, reason="paid", extra={"paid_at": timezone.now()},
                       data={"payment": str(payment.pk)})
            fulfilment.handler().on_paid(order=order)
            return order
        paid_elsewhere = order.status != OrderStatus.EXPIRED
    if paid_elsewhere:
        # Another payment of this order won meanwhile (or it was cancelled): this charge goes back.
        get_provider(payment.provider).refund(charge_reference=result.reference, amount=payment.money)
        with transaction.atomic():
            _payment_move(Payment.objects.get(pk=payment.pk), PaymentStatus.REFUNDED, actor=actor,
                          reason="order already paid by another payment", refunded_amount=payment.amount)
        raise AlreadyPaid(_("This order was already paid; this charge was refunded."))
    # The hold ran out while the card was being charged and the sweeper released the units:
    # take them again if they are still there, else give the money back.
    if _rereserve(order):
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=order.pk)
            transition(obj=order, to=OrderStatus.PAID, table=ORDER_TRANSITIONS, event_model=OrderEvent,
                       event_fk="order", actor=actor, reason="paid as the hold ran out; units re-reserved",
                       extra={"paid_at": timezone.now()}, data={"payment": str(payment.pk)})
            fulfilment.handler().on_paid(order=order)
            return order
    get_provider(payment.provider).refund(charge_reference=result.reference, amount=order.total)
    with transaction.atomic():
        _payment_move(Payment.objects.get(pk=payment.pk), PaymentStatus.REFUNDED,
                      reason="order expired during payment", refunded_amount=order.total_amount)
    raise SoldOut(_("This order expired during payment and its units were sold; the charge was refunded."))


def _declined(decline_code: str) -> PaymentRequired:
    """402 with the decline's own code where it has one (expired_card, incorrect_cvc), else payment_declined."""
    if decline_code in DECLINE_MESSAGES:
        return PaymentRequired(str(DECLINE_MESSAGES[decline_code]), code=decline_code,
                               fields={"reason": decline_code})
    return PaymentRequired(_("The card was declined; nothing was charged."), fields={"reason": decline_code})


def payments_reconcile(*, older_than: timedelta = timedelta(minutes=2),
                       failures: list[str] | None = None) -> dict[str, int]:
    """Finish payments left pending (the process died between the gateway call and the record).

    Asks the gateway what happened to each: a charge found completes the order (or refunds it),
    none found marks the payment declined. Safe to run any time, from many places at once. Each
    payment is finished on its own: one that fails is logged, counted as failed (and added to
    `failures` when given), and the others are still finished.
    """
    counts = {"completed": 0, "declined": 0, "refunded": 0, "failed": 0}
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
    return counts


def _rereserve(order: Order) -> bool:
    with transaction.atomic():
        for line in order.lines.all():
            if not stock_take(offering_id=line.offering_id, n=line.quantity):
                transaction.set_rollback(True)
                return False
    return True


def order_refund(*, customer: User, order_id: Any, voucher_ids: Sequence[Any] | None = None) -> Order:
    """Refund the order's unredeemed vouchers (or the given ones); their units go back on sale."""
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=as_uuid(order_id), customer=customer).first()
        if order is None:
            raise NotFound()
        if order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
            raise NothingToRefund(_("Only paid orders can be refunded."))
        if voucher_ids is not None and not isinstance(voucher_ids, list | tuple):
            raise Invalid(_("Some fields are not valid."), fields={"voucher_ids": _("list of ids")})
        units = fulfilment.handler().refund_units(order=order, unit_ids=voucher_ids, actor=customer)
        if not units:
            raise NothingToRefund()
        amount = Money.zero(order.currency)
        per_offering: dict[UUID, int] = defaultdict(int)
        for u in units:
            amount = amount + u.unit_price
            per_offering[u.offering_id] += 1
        for oid, n in per_offering.items():
            stock_give(offering_id=oid, n=n)
        payment = Payment.objects.select_for_update().get(
            order=order, status__in=[PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED])
        result = get_provider(payment.provider).refund(charge_reference=payment.provider_ref, amount=amount)
        Refund.objects.create(payment=payment, currency=amount.currency, amount=amount.amount,
                              provider_ref=result.reference, voucher_ids=[str(u.unit_id) for u in units])
        new_refunded = payment.refunded_amount + amount.amount
        full = new_refunded >= payment.amount
        _payment_move(payment, PaymentStatus.REFUNDED if full else PaymentStatus.PARTIALLY_REFUNDED, actor=customer,
                      reason="refund", refunded_amount=new_refunded)
        left = fulfilment.handler().units_left(order=order)
        transition(obj=order, to=OrderStatus.PARTIALLY_REFUNDED if left else OrderStatus.REFUNDED,
                   table=ORDER_TRANSITIONS, event_model=OrderEvent, event_fk="order", actor=customer,
                   reason="refund", extra={"refunded_amount": order.refunded_amount + amount.amount},
                   data={"amount": str(amount.amount), "vouchers": [str(u.unit_id) for u in units]})
    audit_record(actor=customer, action="order.refund", obj=order, summary=f"Order {order.number}: {amount.amount} {amount.currency} refunded", data={"amount": str(amount.amount), "vouchers": len(units)})
    return order
