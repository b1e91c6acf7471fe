"""Checkout, the paid mark, unit refunds and fulfilment moves of orders (the entry points; the pieces
are in checkout, batching, holds, totals and fulfilment). Money is the payments app's: it calls
order_mark_paid and order_units_refund inside its own transactions.

Stock changes only with conditional updates on stock buckets (catalogue.stock); a customer's orders are
serialised by locking the customer's row, so the per-customer limit holds under concurrency.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.catalogue.stock import buckets_for, stock_take
from o2o.core.errors import Invalid, NotFound, TransitionNotAllowed
from o2o.core.events import EventKind
from o2o.core.state import transition
from o2o.merchants.access import as_uuid
from o2o.merchants.models import Store
from o2o.orders import batching, fulfilment, hooks
from o2o.orders.checkout import (
    MAX_LINES,
    MAX_QTY,
    AdjustmentIn,
    Source,
    as_written,
    checkout_total,
    default_store_ids,
    limit_exceeded,
    new_adjustment_rows,
    new_order_rows,
    offerings_of_one_merchant,
    parse_lines,
    units_held,
)
from o2o.orders.enums import (
    FULFILMENT_TRANSITIONS,
    ORDER_TRANSITIONS,
    AdjustmentKind,
    FulfilmentKind,
    OrderStatus,
)
from o2o.orders.errors import NothingToRefund, OrderExpired, SoldOut
from o2o.orders.events import order_event_append, orders_placed_append
from o2o.orders.holds import orders_expire_due
from o2o.orders.models import FulfilmentEvent, Order, OrderAdjustment, OrderEvent, OrderLine
from o2o.orders.stock import order_units_give, order_units_left, order_units_take
from o2o.orders.totals import Adjustment, line_nets, order_total, units_refund_amount

__all__ = ["MAX_LINES", "MAX_QTY", "AdjustmentIn", "Source", "order_adjust_unpaid", "order_create",
           "order_fulfilment_move", "order_mark_paid", "order_units_refund", "orders_expire_due"]


def order_create(*, customer: User, lines: Any, source: Source | None = None, store_id: Any = None,
                 adjustments: Sequence[AdjustmentIn] = (), fulfilment: str = FulfilmentKind.VOUCHER) -> Order:
    """Reserve the units of `lines` for the customer in a new order awaiting payment.

    `source` says where the checkout came from; `store_id` the store it is served from (default: the
    first offering's first redeemable store); `adjustments` are the pricing steps' signed lines
    (coupons, points, fees) that the total includes; `fulfilment` a kind served like vouchers by a
    higher app (`team`: members.teams) instead of `voucher`. Concurrent one-line checkouts without
    adjustments in this process are written together (orders.batching); the rules are the same.
    """
    wanted = parse_lines(lines)
    now = timezone.now()
    source = source or Source()
    if batching.eligible(wanted) and not adjustments and store_id is None and fulfilment == FulfilmentKind.VOUCHER:
        (oid, qty), = wanted.items()
        return batching.order_create_grouped(customer=customer, offering_id=oid, quantity=qty, now=now,
                                            plain=_order_create_plain, source=source)
    return _order_create_plain(customer, wanted, now, source, store_id=store_id, adjustments=adjustments,
                               fulfilment=fulfilment)


def _order_create_plain(customer: User, wanted: dict[UUID, int], now: datetime, source: Source, *,
                        store_id: Any = None, adjustments: Sequence[AdjustmentIn] = (),
                        fulfilment: str = FulfilmentKind.VOUCHER) -> Order:
    orders_expire_due(offering_ids=wanted.keys(), now=now)
    for attempt in range(5):
        try:
            return _order_create_once(customer=customer, wanted=wanted, now=now, source=source,
                                      store_id=store_id, adjustments=adjustments, fulfilment=fulfilment)
        except IntegrityError:
            # An order-number collision (1 in 10^8 a day) aborts the transaction; the whole checkout
            # runs again rather than paying for a savepoint on every order.
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def _order_create_once(*, customer: User, wanted: dict[UUID, int], now: datetime, source: Source,
                       store_id: Any, adjustments: Sequence[AdjustmentIn], fulfilment: str) -> Order:
    with transaction.atomic():
        offerings = offerings_of_one_merchant(wanted)
        merchants = {o.merchant_id for o in offerings.values()}
        checkout_total(wanted=wanted, offerings=offerings, adjustments=adjustments)  # before any write or lock
        if store_id is not None:
            store_id = as_uuid(store_id)
            if not Store.objects.filter(pk=store_id, merchant_id=next(iter(merchants))).exists():
                raise Invalid(_("Some fields are not valid."), fields={"store_id": _("not a store of this merchant")})
        if any(o.per_customer_limit for o in offerings.values()):
            # One limited checkout per customer at a time: the limit check cannot race with itself.
            list(User.objects.select_for_update().filter(pk=customer.pk).values_list("pk", flat=True))
        for oid, qty in sorted(wanted.items()):
            offering = offerings[oid]
            if offering.per_customer_limit:
                held = units_held(customer=customer, offering_id=oid, now=now)
                if held + qty > offering.per_customer_limit:
                    raise limit_exceeded(offering_id=oid, limit=offering.per_customer_limit, held=held)
        order, lines, event = new_order_rows(
            customer=customer, wanted=wanted, offerings=offerings, now=now, source=source, store_id=store_id,
            store_ids=None if store_id else default_store_ids([next(iter(wanted))]), adjustments=adjustments)
        order.fulfilment = fulfilment
        order.save(force_insert=True)
        OrderLine.objects.bulk_create(lines)
        adjustment_rows = new_adjustment_rows(order=order, lines=lines, adjustments=adjustments)
        if adjustment_rows:
            OrderAdjustment.objects.bulk_create(adjustment_rows)
        event.save(force_insert=True)
        orders_placed_append([(order, wanted)])
        # Units are taken last, so a stock bucket stays locked only from here to the commit.
        for oid, qty in sorted(wanted.items()):
            if not stock_take(offering_id=oid, n=qty, buckets_hint=buckets_for(offerings[oid].quantity_total)):
                raise SoldOut(fields={"offering_id": str(oid)})
    return as_written(order, lines=lines, adjustments=adjustment_rows)


def order_adjust_unpaid(*, order_id: Any, adjustments: Sequence[AdjustmentIn]) -> Order:
    """Add pricing steps' adjustment lines to an order still awaiting payment (points spent at the counter
    once the member card is scanned), in the caller's transaction: the total is made again from the lines
    and every adjustment (orders.totals), never below zero (422). Answers the order, locked."""
    order = Order.objects.select_for_update().filter(pk=as_uuid(order_id)).first()
    if order is None:
        raise NotFound()
    if order.status != OrderStatus.AWAITING_PAYMENT:
        raise TransitionNotAllowed(_("Only an order awaiting payment can change its price."))
    lines = list(order.lines.all())
    rows = new_adjustment_rows(order=order, lines=lines, adjustments=adjustments)
    if any(r.currency != order.currency or r.kind not in AdjustmentKind.values for r in rows):
        raise Invalid(_("Some fields are not valid."), fields={"adjustments": _("currency or kind")})
    adj = [Adjustment(amount=a.amount, line=a.line_id) for a in order.adjustments.all()]
    adj += [Adjustment(amount=r.amount, line=r.line.pk if r.line is not None else None) for r in rows]
    line_totals = {ln.pk: ln.line_total_amount for ln in lines}
    total = order_total(lines=line_totals, adjustments=adj)
    if total < 0 or min(line_nets(lines=line_totals, adjustments=adj).values()) < 0:
        raise Invalid(_("Some fields are not valid."), fields={"adjustments": _("more than the price")})
    OrderAdjustment.objects.bulk_create(rows)
    Order.objects.filter(pk=order.pk).update(total_amount=total, updated_at=timezone.now())
    order.total_amount = total
    return order


def order_fulfilment_move(*, order: Order, to: str, actor: Any = None, reason: str = "") -> None:
    """Move the order's fulfilment status along its kind's table (orders.enums.FULFILMENT_TRANSITIONS)."""
    transition(obj=order, to=to, table=FULFILMENT_TRANSITIONS[order.fulfilment], event_model=FulfilmentEvent,
               event_fk="order", actor=actor, reason=reason or f"fulfilment {to}", field="fulfilment_status",
               data={"fulfilment": order.fulfilment})
    if to == "picked_up":  # the event stream: handed over at the counter (a pickup order collected)
        order_event_append(order, "picked_up")


def order_mark_paid(*, order: Order, actor: Any = None, reason: str = "paid", data: dict[str, Any] | None = None) -> None:
    """Inside the payer's transaction, with the order locked: the order is paid (awaiting payment or
    expired-and-re-reserved), and its kind's fulfilment starts (vouchers are issued)."""
    transition(obj=order, to=OrderStatus.PAID, table=ORDER_TRANSITIONS, event_model=OrderEvent,
               event_fk="order", actor=actor, reason=reason, extra={"paid_at": timezone.now()}, data=data)
    order_event_append(order, EventKind.PAID, at=order.paid_at, amount=order.total_amount)
    fulfilment.handler(order.fulfilment).on_paid(order=order)
    hooks.fire("paid", order=order)


def order_expired_error(order: Order) -> Exception:
    """After expiry: sold_out if the units have gone to someone else meanwhile, else order_expired."""
    for line in order.lines.all():
        if order_units_left(order=order, offering_id=line.offering_id) < line.quantity:
            return SoldOut(_("This order expired and its units were sold to someone else."))
    return OrderExpired()


def order_rereserve(order: Order) -> bool:
    """Take the expired order's units again if they are all still there."""
    with transaction.atomic():
        for line in order.lines.all():
            if not order_units_take(order=order, offering_id=line.offering_id, n=line.quantity):
                transaction.set_rollback(True)
                return False
    return True


def order_line_nets(order: Order) -> dict[UUID, Decimal]:
    """What each line of the order costs after its adjustments (orders.totals.line_nets)."""
    lines = {ln.pk: ln.line_total_amount for ln in order.lines.all()}
    adj = [Adjustment(amount=a.amount, line=a.line_id) for a in order.adjustments.all()]
    return line_nets(lines=lines, adjustments=adj)


@dataclass(frozen=True)
class UnitsRefund:
    """What order_units_refund gave up: the amount to pay back and how it falls on the lines."""

    amount: Decimal
    per_line: dict[str, str]  # line id -> amount
    unit_ids: list[str]


def order_units_refund(*, customer: User, order_id: Any, unit_ids: Sequence[Any] | None,
                       keep: Decimal = Decimal("0.00"), actor: Any = None) -> UnitsRefund:
    """Inside the payer's transaction: lock the customer's order, give up its refundable units (or the
    given ones), put them back on sale and book the refund on the lines: each line gives back its units'
    shares of its net (orders.totals), never more than was paid for it, and never more than the order's
    paid_amount (what its payments still hold: a deposit-only order gives back at most the deposit) less
    `keep` (what the merchant keeps by its rules: a booking's late-cancellation or no-show fee).
    `actor` is who refunds when it is not the customer (staff marking a no-show)."""
    actor = actor or customer
    order = Order.objects.select_for_update().filter(pk=as_uuid(order_id), customer=customer).first()
    if order is None:
        raise NotFound()
    if order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        raise NothingToRefund(_("Only paid orders can be refunded."))
    if unit_ids is not None and not isinstance(unit_ids, list | tuple):
        raise Invalid(_("Some fields are not valid."), fields={"voucher_ids": _("list of ids")})
    units = fulfilment.handler(order.fulfilment).refund_units(order=order, unit_ids=unit_ids, actor=actor)
    if not units:
        raise NothingToRefund()
    nets = order_line_nets(order)
    lines = {ln.pk: ln for ln in OrderLine.objects.select_for_update().filter(order=order)}
    n_by_line: dict[UUID, int] = defaultdict(int)
    per_offering: dict[UUID, int] = defaultdict(int)
    for u in units:
        n_by_line[u.line_id or next(ln.pk for ln in lines.values() if ln.offering_id == u.offering_id)] += 1
        per_offering[u.offering_id] += 1
    left = max(order.paid_amount - keep, Decimal("0.00"))
    per_line: dict[str, str] = {}
    total = Decimal("0.00")
    for line_id in sorted(n_by_line, key=str):
        line, n = lines[line_id], n_by_line[line_id]
        share = units_refund_amount(net=nets[line_id], quantity=line.quantity, already=line.refunded_quantity, n=n)
        share = min(share, nets[line_id] - line.refunded_amount, left)  # never more than paid for the line
        share = max(share, Decimal("0.00"))
        left -= share
        total += share
        OrderLine.objects.filter(pk=line.pk).update(refunded_quantity=line.refunded_quantity + n,
                                                    refunded_amount=line.refunded_amount + share)
        per_line[str(line_id)] = str(share)
    for oid, n in per_offering.items():
        order_units_give(order=order, offering_id=oid, n=n)
    still = fulfilment.handler(order.fulfilment).units_left(order=order)
    transition(obj=order, to=OrderStatus.PARTIALLY_REFUNDED if still else OrderStatus.REFUNDED,
               table=ORDER_TRANSITIONS, event_model=OrderEvent, event_fk="order", actor=actor,
               reason="refund", extra={"refunded_amount": order.refunded_amount + total},
               data={"amount": str(total), "vouchers": [str(u.unit_id) for u in units]})
    order_event_append(order, EventKind.REFUNDED, amount=total)
    hooks.fire("refunded", order=order)
    return UnitsRefund(amount=total, per_line=per_line, unit_ids=[str(u.unit_id) for u in units])


def order_for_payment(*, customer: User, order_id: Any) -> Order:
    """The customer's order, locked (the payer's transaction), or NotFound."""
    order = Order.objects.select_for_update().filter(pk=as_uuid(order_id), customer=customer).first()
    if order is None:
        raise NotFound()
    if order.status == OrderStatus.CANCELLED:
        raise TransitionNotAllowed(_("This order was cancelled."))
    return order
