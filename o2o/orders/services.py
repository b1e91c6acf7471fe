"""Checkout, payment and refund.

Stock changes only with conditional updates on stock buckets (catalogue.stock); a customer's orders are
serialised by locking the customer's row, so the per-customer limit holds under concurrency.
"""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.audit.services import audit_record
from o2o.catalogue.enums import OfferingStatus
from o2o.catalogue.models import Offering
from o2o.catalogue.stock import buckets_for, stock_give, stock_left, stock_take
from o2o.core import conf
from o2o.core.errors import Invalid, NotFound, PaymentRequired, TransitionNotAllowed
from o2o.core.money import Money
from o2o.core.state import transition
from o2o.merchants.access import as_uuid
from o2o.merchants.enums import MerchantStatus
from o2o.orders.enums import ORDER_TRANSITIONS, OrderStatus
from o2o.orders.errors import (
    AlreadyPaid,
    LimitExceeded,
    NothingToRefund,
    OrderExpired,
    PaymentInProgress,
    SoldOut,
)
from o2o.orders.models import Order, OrderEvent, OrderLine
from o2o.orders.selectors import MAX_QTY, units_held
from o2o.payments.enums import PAYMENT_TRANSITIONS, PaymentStatus
from o2o.payments.models import Payment, PaymentEvent, Refund
from o2o.payments.providers import get_provider
from o2o.payments.providers.base import ChargeResult
from o2o.vouchers.enums import VoucherStatus
from o2o.vouchers.models import Voucher
from o2o.vouchers.services import vouchers_issue, vouchers_refund

log = logging.getLogger(__name__)
MAX_LINES = 20
# A pending payment younger than this is still at the gateway (payments_reconcile takes older ones).
PAYMENT_STALE_AFTER = timedelta(minutes=2)


def _new_number() -> str:
    return "O" + timezone.now().strftime("%y%m%d") + f"{secrets.randbelow(10**8):08d}"


def _parse_lines(lines: Any) -> dict[UUID, int]:
    if not isinstance(lines, list) or not lines:
        raise Invalid(_("An order needs at least one line."), fields={"lines": _("non-empty list")})
    if len(lines) > MAX_LINES:
        raise Invalid(_("Too many lines."), fields={"lines": _("at most %(n)d") % {"n": MAX_LINES}})
    wanted: dict[UUID, int] = defaultdict(int)
    for i, line in enumerate(lines):
        if not isinstance(line, dict):
            raise Invalid(_("Some fields are not valid."), fields={f"lines.{i}": _("object expected")})
        try:
            oid = UUID(str(line.get("offering_id")))
        except ValueError:
            raise Invalid(_("Unknown offering."), fields={f"lines.{i}.offering_id": _("not an id")}) from None
        qty = line.get("quantity")
        if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= MAX_QTY:
            raise Invalid(_("Quantity must be a whole number from 1 to %(n)d.") % {"n": MAX_QTY},
                          fields={f"lines.{i}.quantity": _("1 to %(n)d") % {"n": MAX_QTY}})
        wanted[oid] += qty
    return dict(wanted)


def orders_expire_due(*, offering_ids: Iterable[UUID] | None = None, order_ids: Iterable[Any] | None = None,
                      now: datetime | None = None) -> int:
    """Expire unpaid orders past their hold and give their units back. Safe to run any time, repeatedly."""
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
        with transaction.atomic():
            order = Order.objects.filter(pk=order_id).first()
            if order is None:
                continue
            try:
                transition(obj=order, to=OrderStatus.EXPIRED, table=ORDER_TRANSITIONS, event_model=OrderEvent,
                           event_fk="order", reason="payment hold ran out")
            except TransitionNotAllowed:
                continue  # paid or expired by someone else meanwhile
            for line in order.lines.all():
                stock_give(offering_id=line.offering_id, n=line.quantity)
            count += 1
    return count


def _units_held(*, customer: User, offering_id: UUID, now: datetime) -> int:
    return units_held(customer=customer, offering_id=offering_id, now=now)  # the rule lives in selectors


def order_create(*, customer: User, lines: Any) -> Order:
    """Reserve the units of `lines` for the customer in a new order awaiting payment.

    Concurrent one-line checkouts in this process are written together (orders.grouped); the
    rules and answers are the same either way.
    """
    wanted = _parse_lines(lines)
    now = timezone.now()
    from o2o.orders import grouped

    if grouped.eligible(wanted):
        (oid, qty), = wanted.items()
        return grouped.order_create_grouped(customer=customer, offering_id=oid, quantity=qty, now=now,
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


def offerings_for_sale(offering_ids: Iterable[UUID]) -> dict[UUID, Offering]:
    """The live offerings of active merchants among these ids (what a checkout may buy)."""
    return {o.pk: o for o in Offering.objects.filter(
        pk__in=list(offering_ids), status=OfferingStatus.LIVE, merchant__status=MerchantStatus.ACTIVE)}


def not_for_sale(offering_id: UUID) -> NotFound:
    return NotFound(_("This offering is not for sale."), fields={"offering_id": str(offering_id)})


def limit_exceeded(*, offering_id: UUID, limit: int, held: int) -> LimitExceeded:
    return LimitExceeded(_("You can buy at most %(n)d of this deal; you already have %(h)d.") % {"n": limit, "h": held},
                         fields={"offering_id": str(offering_id), "limit": limit, "held": held})


def new_order_rows(*, customer: User, wanted: dict[UUID, int], offerings: dict[UUID, Offering],
                   now: datetime) -> tuple[Order, list[OrderLine], OrderEvent]:
    """A new order awaiting payment with its lines and its first event, not yet saved
    (one merchant and one currency, as the caller has checked)."""
    currency = offerings[next(iter(wanted))].currency
    total = Money.zero(currency)
    for oid, qty in wanted.items():
        total = total + offerings[oid].price * qty
    order = Order(number=_new_number(), customer=customer, merchant_id=offerings[next(iter(wanted))].merchant_id,
                  status=OrderStatus.AWAITING_PAYMENT, currency=currency, total_amount=total.amount,
                  expires_at=now + conf.get().order_hold)
    lines = [OrderLine(order=order, offering_id=oid, title=offerings[oid].title, quantity=qty,
                       unit_price_amount=offerings[oid].price_amount, currency=currency)
             for oid, qty in wanted.items()]
    event = OrderEvent(order=order, actor=customer, from_status="", to_status=order.status, reason="created",
                       data={"lines": {str(k): v for k, v in wanted.items()}})
    return order, lines, event


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
        if any(o.per_customer_limit for o in offerings.values()):
            # One limited checkout per customer at a time: the limit check cannot race with itself.
            list(User.objects.select_for_update().filter(pk=customer.pk).values_list("pk", flat=True))
        for oid, qty in sorted(wanted.items()):
            offering = offerings[oid]
            if offering.per_customer_limit:
                held = _units_held(customer=customer, offering_id=oid, now=now)
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
        transaction.on_commit(partial(_schedule_hold_expiry, order))
    return order


def _schedule_hold_expiry(order: Order) -> None:
    """Release the units right when the hold runs out, where the task backend can defer a job.

    Without such a backend (the immediate one of development) holds are released lazily: by the
    next checkout of the same offering, a pay attempt, or `manage.py reconcile_payments`.
    """
    from o2o.orders.tasks import order_hold_expire_task

    try:
        if not order_hold_expire_task.get_backend().supports_defer:
            return
        order_hold_expire_task.using(run_after=order.expires_at + timedelta(seconds=1)).enqueue(str(order.pk))
    except Exception:  # a queue outage must not fail a checkout that has committed; the sweeps remain
        log.exception("could not schedule the hold expiry of order %s", order.number)


def _payment_move(payment: Payment, to: str, *, actor: Any = None, reason: str = "", **extra: Any) -> None:
    transition(obj=payment, to=to, table=PAYMENT_TRANSITIONS, event_model=PaymentEvent, event_fk="payment",
               actor=actor, reason=reason, extra=extra or None)


def _expired_error(order: Order) -> Exception:
    """After expiry: sold_out if the units have gone to someone else meanwhile, else order_expired."""
    for line in order.lines.all():
        if stock_left([line.offering_id]).get(line.offering_id, 0) < line.quantity:
            return SoldOut(_("This order expired and its units were sold to someone else."))
    return OrderExpired()


def order_pay(*, customer: User, order_id: Any, provider: str, details: dict[str, str]) -> Order:
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
            raise PaymentRequired(_("The card was declined; nothing was charged."),
                                  fields={"reason": payment.decline_code or "declined"})
        if not result.succeeded:
            _payment_move(payment, PaymentStatus.DECLINED, actor=actor, reason=result.decline_code,
                          provider_ref=result.reference, card_last4=result.card_last4,
                          decline_code=result.decline_code)
    if late_success:  # a charge went through after we had given the payment up: give it back
        get_provider(payment.provider).refund(charge_reference=result.reference, amount=payment.money)
        raise PaymentRequired(_("The payment could not be completed; the charge was refunded."))
    if not result.succeeded:
        raise PaymentRequired(_("The card was declined; nothing was charged."), fields={"reason": result.decline_code})

    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        _payment_move(payment, PaymentStatus.SUCCEEDED, actor=actor, provider_ref=result.reference,
                      card_last4=result.card_last4)
        if order.status == OrderStatus.AWAITING_PAYMENT:
            transition(obj=order, to=OrderStatus.PAID, table=ORDER_TRANSITIONS, event_model=OrderEvent,
                       event_fk="order", actor=actor, reason="paid", extra={"paid_at": timezone.now()},
                       data={"payment": str(payment.pk)})
            vouchers_issue(order=order)
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
            vouchers_issue(order=order)
            return order
    get_provider(payment.provider).refund(charge_reference=result.reference, amount=order.total)
    with transaction.atomic():
        _payment_move(Payment.objects.get(pk=payment.pk), PaymentStatus.REFUNDED,
                      reason="order expired during payment", refunded_amount=order.total_amount)
    raise SoldOut(_("This order expired during payment and its units were sold; the charge was refunded."))


def payments_reconcile(*, older_than: timedelta = timedelta(minutes=2)) -> dict[str, int]:
    """Finish payments left pending (the process died between the gateway call and the record).

    Asks the gateway what happened to each: a charge found completes the order (or refunds it),
    none found marks the payment declined. Safe to run any time, from many places at once.
    """
    counts = {"completed": 0, "declined": 0, "refunded": 0}
    cutoff = timezone.now() - older_than
    for payment in Payment.objects.filter(status=PaymentStatus.PENDING, created_at__lt=cutoff)[:500]:
        gateway = get_provider(payment.provider)
        result = gateway.lookup(merchant_reference=str(payment.pk))
        if result is None:
            result = ChargeResult(succeeded=False, reference="", decline_code="abandoned")
        try:
            payment_complete(payment_id=payment.pk, result=result)
            counts["completed"] += 1
        except PaymentRequired:
            counts["declined"] += 1
        except (SoldOut, AlreadyPaid):  # charged, but the units or the order went elsewhere: refunded
            counts["refunded"] += 1
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
        candidates = Voucher.objects.filter(order=order, status=VoucherStatus.ISSUED)
        if voucher_ids is not None:
            if not isinstance(voucher_ids, list | tuple):
                raise Invalid(_("Some fields are not valid."), fields={"voucher_ids": _("list of ids")})
            candidates = candidates.filter(pk__in=[as_uuid(v) for v in voucher_ids])
        refunded = vouchers_refund(vouchers=list(candidates), actor=customer)
        if not refunded:
            raise NothingToRefund()
        amount = Money.zero(order.currency)
        per_offering: dict[UUID, int] = defaultdict(int)
        for v in refunded:
            amount = amount + v.order_line.unit_price
            per_offering[v.offering_id] += 1
        for oid, n in per_offering.items():
            stock_give(offering_id=oid, n=n)
        payment = Payment.objects.select_for_update().get(
            order=order, status__in=[PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED])
        result = get_provider(payment.provider).refund(charge_reference=payment.provider_ref, amount=amount)
        Refund.objects.create(payment=payment, currency=amount.currency, amount=amount.amount,
                              provider_ref=result.reference, voucher_ids=[str(v.pk) for v in refunded])
        new_refunded = payment.refunded_amount + amount.amount
        full = new_refunded >= payment.amount
        _payment_move(payment, PaymentStatus.REFUNDED if full else PaymentStatus.PARTIALLY_REFUNDED, actor=customer,
                      reason="refund", refunded_amount=new_refunded)
        left = Voucher.objects.filter(order=order).filter(~Q(status=VoucherStatus.REFUNDED)).exists()
        transition(obj=order, to=OrderStatus.PARTIALLY_REFUNDED if left else OrderStatus.REFUNDED,
                   table=ORDER_TRANSITIONS, event_model=OrderEvent, event_fk="order", actor=customer,
                   reason="refund", extra={"refunded_amount": order.refunded_amount + amount.amount},
                   data={"amount": str(amount.amount), "vouchers": [str(v.pk) for v in refunded]})
    audit_record(actor=customer, action="order.refund", obj=order, summary=f"Order {order.number}: {amount.amount} {amount.currency} refunded", data={"amount": str(amount.amount), "vouchers": len(refunded)})
    return order
