"""The books of orders: invariants between stock, orders, their lines and adjustments and their units.

payments.books adds the money (ledger, gateway) to them for `manage.py check_books`.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.db.models import Sum

from o2o.catalogue.enums import OfferingKind
from o2o.catalogue.models import Offering
from o2o.catalogue.selectors import with_quantity_left
from o2o.orders import fulfilment
from o2o.orders.enums import PAID_STATUSES, OrderStatus
from o2o.orders.models import Order, OrderLine
from o2o.orders.services import order_line_nets


def orders_books_problems() -> list[str]:
    """Stock, orders, lines and units (the money side is payments.books)."""
    problems: list[str] = []
    reserved = Counter({
        row["offering_id"]: row["n"]
        for row in OrderLine.objects.filter(order__status=OrderStatus.AWAITING_PAYMENT)
        .values("offering_id").annotate(n=Sum("quantity"))
    })
    sold: Counter = Counter()
    for h in fulfilment.handlers():
        sold.update(h.live_units_by_offering())
    # A deal's units are counted here; a product's stock is per store and set by the merchant at will
    # (StoreStock's constraint keeps it from going below zero); a service's seats are the capacity calendar's;
    # a job (jobs) is quoted one by one and keeps no stock either.
    counted = Offering.objects.exclude(kind__in=[OfferingKind.PRODUCT, OfferingKind.SERVICE, OfferingKind.JOB])
    for o in with_quantity_left(counted.only("pk", "title", "quantity_total")):
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
            fulfilled = fulfilment.handler(order.fulfilment).units_of_order(order=order)
            if fulfilled != units:
                problems.append(f"order {order.number}: {fulfilled} vouchers for {units} units")
            if order.total_amount < 0:
                problems.append(f"order {order.number}: negative total {order.total_amount}")
            nets = order_line_nets(order)
            if sum(nets.values(), Decimal(0)) != order.total_amount:
                problems.append(f"order {order.number}: total {order.total_amount} != lines + adjustments "
                                f"{sum(nets.values(), Decimal(0))}")
            refunded = Decimal(0)
            for line in order.lines.all():
                refunded += line.refunded_amount
                if line.refunded_amount > nets[line.pk]:
                    problems.append(f"order {order.number}: line {line.title} refunded {line.refunded_amount} "
                                    f"of {nets[line.pk]} paid")
            if refunded != order.refunded_amount:
                problems.append(f"order {order.number}: refunded {order.refunded_amount} != lines' {refunded}")
        except Exception as exc:  # noqa: BLE001
            problems.append(f"order {number}: unreadable row ({type(exc).__name__}: {exc})")
    orphan = sum(h.orphans() for h in fulfilment.handlers())
    if orphan:
        problems.append(f"{orphan} vouchers belong to orders that are not paid")
    return problems
