"""The baseline: the straightforward pickup checkout. The same checks before the transaction as o2o
(lines, options, prices, the slot: ordering.checkout's helpers), then one transaction that first locks
the store stock rows of the cart's dishes (`SELECT ... FOR UPDATE`, one query, in offering order),
checks them, writes the order, its lines, event and ticket, takes the slot's place and last updates the
counted stock: the stock rows stay locked for the whole transaction. The same rows as o2o's checkout."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from o2o.accounts.models import User
from o2o.capacity.services import capacity_take
from o2o.catalogue.models import StoreStock
from o2o.core import conf
from o2o.merchants.access import public_store
from o2o.ordering.checkout import ordering_settings, parse_product_lines, pickup_slot_for, price_lines
from o2o.ordering.enums import TicketKind
from o2o.ordering.errors import SlotFull
from o2o.ordering.fulfilment import pickup_resource
from o2o.ordering.models import Ticket
from o2o.orders.checkout import new_number
from o2o.orders.enums import FulfilmentKind, OrderStatus
from o2o.orders.errors import SoldOut
from o2o.orders.models import Order, OrderEvent, OrderLine


def naive_order_create(*, customer: User, store_id: Any, lines: Any, slot_start: str) -> Order:
    now = timezone.now()
    parsed = parse_product_lines(lines)
    store = public_store(store_id)
    products, priced, wanted, total = price_lines(store=store, parsed=parsed)
    slot = pickup_slot_for(store=store, start_text=slot_start, prep_minutes=max(p.prep_minutes for p in products.values()),
                           now=now)
    with transaction.atomic():
        rows = {r.offering_id: r for r in StoreStock.objects.select_for_update().filter(
            store=store, offering_id__in=list(wanted)).order_by("offering_id")}
        for oid, n in wanted.items():
            row = rows.get(oid)
            if row is None or row.sold_out or (row.quantity_left is not None and row.quantity_left < n):
                raise SoldOut(fields={"offering_id": str(oid)})
        order = Order.objects.create(
            number=new_number(), customer=customer, merchant_id=store.merchant_id, store=store,
            fulfilment=FulfilmentKind.PICKUP, status=OrderStatus.AWAITING_PAYMENT, currency=total.currency,
            total_amount=total.amount, expires_at=now + conf.get().order_hold)
        OrderLine.objects.bulk_create([OrderLine(
            order=order, offering_id=ln.offering_id, title=products[ln.offering_id].title, quantity=ln.quantity,
            unit_price_amount=p.unit_price.amount, options=p.snapshot, line_total_amount=t.amount,
            currency=total.currency) for ln, p, t in priced])
        OrderEvent.objects.create(order=order, actor=customer, from_status="", to_status=order.status,
                                  reason="created", data={"fulfilment": "pickup", "store": str(store.pk)})
        Ticket.objects.create(order=order, store=store, kind=TicketKind.PICKUP, slot_start=slot[0], slot_end=slot[1])
        if not capacity_take(resource=pickup_resource(store.pk), start=slot[0], end=slot[1],
                             capacity=ordering_settings(store).slot_capacity):
            raise SlotFull()
        for oid, n in wanted.items():
            if rows[oid].quantity_left is not None:
                StoreStock.objects.filter(pk=rows[oid].pk).update(quantity_left=F("quantity_left") - n)
    return order
