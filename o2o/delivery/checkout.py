"""Checkout of a delivery order: products of one store's menu brought to an address.

    delivery_order_create(customer=..., lines=[...], fulfilment={"type": "delivery", "store_id", "address",
                          "lat", "lng"})

Everything is checked before anything is written: the store (open now), the products and their
options (ordering's checks and prices), the zone serving the position (out_of_zone), the minimum
order (below_minimum) and the fee. Then one transaction writes what a pickup order writes (order,
lines, the kitchen's ticket, stock) plus the delivery_fee adjustment line and the Delivery row; the
order's total is the lines' sum plus the fee (orders.totals). Any refusal rolls all of it back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.core.errors import Invalid, NotFound
from o2o.core.money import Money, check_fits
from o2o.delivery.errors import BelowMinimum
from o2o.delivery.geo import check_position
from o2o.delivery.models import Delivery
from o2o.delivery.zones import delivery_settings, quote_for
from o2o.merchants.access import as_uuid, public_stores
from o2o.merchants.hours import is_open
from o2o.ordering.checkout import Where, offerings_by_id, order_write, parse_product_lines, price_lines
from o2o.ordering.errors import StoreClosed
from o2o.orders.checkout import Source, as_written
from o2o.orders.enums import AdjustmentKind, FulfilmentKind
from o2o.orders.errors import SoldOut
from o2o.orders.holds import orders_expire_due
from o2o.orders.models import Order, OrderAdjustment
from o2o.orders.totals import Adjustment, order_total

MAX_ADDRESS = 300


def delivery_order_create(*, customer: User, lines: Any, fulfilment: Any, source: Source | None = None,
                          now: datetime | None = None) -> Order:
    """A delivery order awaiting payment; see the module docstring. Refusals: out_of_zone,
    below_minimum, store_closed, sold_out, wrong_store, price_changed (409); bad lines, options,
    address or position (422); an unknown store (404). `now` is when it is placed (the store's hours
    are checked then, the hold and the promised ETA count from it): the demo seed's past orders."""
    if not isinstance(fulfilment, dict):
        raise Invalid(_("Say how the order is served."), fields={"fulfilment": _("an object with a type")})
    parsed = parse_product_lines(lines)
    address = fulfilment.get("address")
    if not isinstance(address, str) or not address.strip() or len(address) > MAX_ADDRESS:
        raise Invalid(_("Give the address the courier goes to."), fields={"fulfilment.address": _("1 to 300 characters")})
    lat, lng = check_position(fulfilment.get("lat"), fulfilment.get("lng"), prefix="fulfilment.")
    store = public_stores().select_related("merchant", "delivery_settings").filter(
        pk=as_uuid(fulfilment.get("store_id"))).first()
    if store is None:
        raise NotFound()
    now = now or timezone.now()
    if not is_open(store.opening_hours, store.timezone, now, store.closed_dates):
        raise StoreClosed(_("%(store)s is closed now.") % {"store": store.name})
    candidates = offerings_by_id(sorted({ln.offering_id for ln in parsed}, key=str))
    products, priced, wanted, subtotal = price_lines(store=store, parsed=parsed, candidates=candidates)
    cart_prep = max((products[oid].prep_minutes for oid in wanted), default=0)
    quote = quote_for(store=store, lat=lat, lng=lng, prep_minutes=cart_prep or delivery_settings(store).prep_minutes)
    if subtotal.amount < quote.minimum_order.amount:
        raise BelowMinimum(_("Delivery from %(store)s starts at %(min)s; add %(more)s more.")
                           % {"store": store.name, "min": quote.minimum_order.amount,
                              "more": (quote.minimum_order - subtotal).amount},
                           fields={"minimum_order": format(quote.minimum_order.amount, "f"),
                                   "subtotal": format(subtotal.amount, "f")})
    total = Money(order_total(lines={i: t.amount for i, (_ln, _p, t) in enumerate(priced)},
                              adjustments=[Adjustment(amount=quote.fee.amount)]), subtotal.currency)
    check_fits(total, field="total")
    where = Where(store=store, kind=FulfilmentKind.DELIVERY, ticket_kind="delivery")
    swept = False
    for attempt in range(5):
        try:
            with transaction.atomic():
                order = order_write(customer=customer, where=where, priced=priced, wanted=wanted, total=total,
                                    products=products, source=source or Source(), now=now)
                fee = OrderAdjustment.objects.create(order=order, kind=AdjustmentKind.DELIVERY_FEE,
                                                     label=_("Delivery fee"), amount=quote.fee.amount,
                                                     currency=quote.fee.currency, reference=str(quote.zone.pk))
                Delivery.objects.create(order=order, store=store, zone=quote.zone, address=address.strip(),
                                        lat=lat, lng=lng, distance_m=quote.distance_m, fee_amount=quote.fee.amount,
                                        currency=quote.fee.currency, prep_minutes=quote.prep_minutes,
                                        promised_at=quote.eta_at(now))
            lines_written = list(order.lines.all())
            return as_written(order, lines=lines_written, adjustments=[fee])
        except IntegrityError:
            if attempt == 4:  # an order-number collision: the whole write runs again
                raise
        except SoldOut:
            # stale holds of these dishes give their units back first, then once more
            if swept or not orders_expire_due(offering_ids=wanted.keys(), now=now):
                raise
            swept = True
    raise AssertionError("unreachable")
