"""The books: invariants that must hold between stock, orders, vouchers and payments.

Used by the fault tests after a crash, and by operators (`manage.py check_books`).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.db.models import Sum

from o2o.catalogue.models import Offering
from o2o.catalogue.selectors import with_quantity_left
from o2o.orders import fulfilment
from o2o.orders.enums import PAID_STATUSES, OrderStatus
from o2o.orders.models import Order, OrderLine
from o2o.payments.enums import PaymentStatus
from o2o.payments.models import Payment, SandboxCharge


def books_problems() -> list[str]:
    problems: list[str] = []
    reserved = Counter({
        row["offering_id"]: row["n"]
        for row in OrderLine.objects.filter(order__status=OrderStatus.AWAITING_PAYMENT)
        .values("offering_id").annotate(n=Sum("quantity"))
    })
    sold: Counter = Counter()
    for h in fulfilment.handlers():
        sold.update(h.live_units_by_offering())
    for o in with_quantity_left(Offering.objects.only("pk", "title", "quantity_total")):
        accounted = o.quantity_left + reserved[o.pk] + sold[o.pk]
        if accounted != o.quantity_total:
            problems.append(f"offering {o.pk} ({o.title}): left {o.quantity_left} + reserved {reserved[o.pk]} + "
                            f"sold {sold[o.pk]} = {accounted} != total {o.quantity_total}")
    # Row by row, each read on its own: a row that cannot be read (an amount too large for its
    # column, planted by hand or by an old bug) is reported as a problem and the others are checked.
    for pk, number in Order.objects.filter(status__in=PAID_STATUSES).values_list("pk", "number"):
        try:
            order = Order.objects.get(pk=pk)
            order.total  # noqa: B018 - reading the amounts is part of the check
            units = order.lines.aggregate(n=Sum("quantity"))["n"] or 0
            fulfilled = fulfilment.handler().units_of_order(order=order)
            if fulfilled != units:
                problems.append(f"order {order.number}: {fulfilled} vouchers for {units} units")
            if not order.payments.filter(status__in=[PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED,
                                                     PaymentStatus.REFUNDED]).exists():
                problems.append(f"order {order.number}: {order.status} without a successful payment")
        except Exception as exc:  # noqa: BLE001
            problems.append(f"order {number}: unreadable row ({type(exc).__name__}: {exc})")
    orphan = sum(h.orphans() for h in fulfilment.handlers())
    if orphan:
        problems.append(f"{orphan} vouchers belong to orders that are not paid")
    # money: every successful sandbox charge is a payment we know, and no charge is kept for an unpaid order
    payment_pks = {str(pk) for pk in Payment.objects.values_list("pk", flat=True)}
    for ch_pk, ch_ref in SandboxCharge.objects.filter(succeeded=True).values_list("pk", "reference"):
        try:
            ch = SandboxCharge.objects.get(pk=ch_pk)
            if ch.merchant_reference not in payment_pks:
                problems.append(f"charge {ch.reference} has no payment")
                continue
            p = Payment.objects.select_related("order").get(pk=ch.merchant_reference)
        except Exception as exc:  # noqa: BLE001
            problems.append(f"charge {ch_ref}: unreadable row or its payment ({type(exc).__name__}: {exc})")
            continue
        kept = ch.amount - ch.refunded
        if p.status == PaymentStatus.PENDING:
            problems.append(f"payment {p.pk} pending although the gateway charged it (run reconcile_payments)")
        elif p.status in (PaymentStatus.DECLINED,) and kept != Decimal(0):
            problems.append(f"payment {p.pk} declined but {kept} was kept")
        elif p.status == PaymentStatus.SUCCEEDED and p.order.status not in PAID_STATUSES:
            problems.append(f"payment {p.pk} succeeded but order {p.order.number} is {p.order.status}")
        elif p.amount - p.refunded_amount != kept and p.status != PaymentStatus.DECLINED:
            problems.append(f"payment {p.pk}: we think {p.amount - p.refunded_amount} is kept, gateway {kept}")
    return problems
