"""The checkout pieces shared by the plain path (orders.services) and the batched one (orders.batching):
parsing lines, what is for sale, the per-customer limit, the total, the rows of a new order."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.catalogue.enums import OfferingKind, OfferingStatus
from o2o.catalogue.models import Offering
from o2o.core import conf
from o2o.core.errors import Invalid, NotFound
from o2o.core.money import Money, check_fits
from o2o.merchants.enums import MerchantStatus
from o2o.orders import fulfilment
from o2o.orders.enums import AdjustmentKind, Channel, FulfilmentKind, OrderStatus
from o2o.orders.errors import LimitExceeded
from o2o.orders.models import Order, OrderAdjustment, OrderEvent, OrderLine
from o2o.orders.totals import Adjustment, line_nets, order_total

MAX_LINES = 20
MAX_QTY = 100


@dataclass(frozen=True)
class Source:
    """Where a checkout came from: the channel, the campaign placement (a flyer's id) and the referrer."""

    channel: str = Channel.WEB
    placement_id: UUID | None = None
    referrer_id: Any = None


@dataclass(frozen=True)
class AdjustmentIn:
    """An adjustment line a pricing step (a coupon, points, a member price, a fee) adds at checkout.
    `amount` is signed (discounts negative); `offering_id` ties it to that offering's line."""

    kind: str
    amount: Money
    label: str = ""
    offering_id: UUID | None = None
    reference: str = ""


def new_number(*, at: datetime | None = None) -> str:
    """A short human order number dated by the platform's local day (TIME_ZONE), not UTC's: an order
    placed at 07:00 in Chengdu (23:00 UTC the day before) reads as today's."""
    day = timezone.localtime(at or timezone.now()).date()
    return "O" + day.strftime("%y%m%d") + f"{secrets.randbelow(10**8):08d}"


def checked_lines(lines: Any, *, max_lines: int) -> list[Any]:
    """The request's lines: a non-empty list of at most max_lines (422 naming `lines` otherwise)."""
    if not isinstance(lines, list) or not lines:
        raise Invalid(_("An order needs at least one line."), fields={"lines": _("non-empty list")})
    if len(lines) > max_lines:
        raise Invalid(_("Too many lines."), fields={"lines": _("at most %(n)d") % {"n": max_lines}})
    return lines


def line_offering_quantity(i: int, line: Any, *, max_qty: int) -> tuple[UUID, int]:
    """Line i's offering id and quantity (a whole number 1..max_qty, not a bool, not a string), or 422
    naming the line's field. Every checkout (deals, pickup, tables, the counter) reads lines through it."""
    if not isinstance(line, dict):
        raise Invalid(_("Some fields are not valid."), fields={f"lines.{i}": _("object expected")})
    try:
        oid = UUID(str(line.get("offering_id")))
    except ValueError:
        raise Invalid(_("Unknown offering."), fields={f"lines.{i}.offering_id": _("not an id")}) from None
    qty = line.get("quantity")
    if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= max_qty:
        raise Invalid(_("Quantity must be a whole number from 1 to %(n)d.") % {"n": max_qty},
                      fields={f"lines.{i}.quantity": _("1 to %(n)d") % {"n": max_qty}})
    return oid, qty


def parse_lines(lines: Any) -> dict[UUID, int]:
    wanted: dict[UUID, int] = defaultdict(int)
    first_line: dict[UUID, int] = {}
    for i, line in enumerate(checked_lines(lines, max_lines=MAX_LINES)):
        oid, qty = line_offering_quantity(i, line, max_qty=MAX_QTY)
        wanted[oid] += qty
        first_line.setdefault(oid, i)
    # Lines of one offering are merged before the cap is applied: the cap is per offering per order,
    # so two lines of 60 are one of 120 and refused like it.
    for oid, qty in wanted.items():
        if qty > MAX_QTY:
            raise Invalid(_("At most %(n)d of one offering per order.") % {"n": MAX_QTY},
                          fields={f"lines.{first_line[oid]}.quantity": _("at most %(n)d in all lines of this offering")
                                  % {"n": MAX_QTY}})
    return dict(wanted)


def checkout_total(*, wanted: dict[UUID, int], offerings: dict[UUID, Offering],
                   adjustments: Sequence[AdjustmentIn] = ()) -> Money:
    """The order's total (orders.totals.order_total of the lines and adjustments), refused (422
    amount_too_large) unless every line total and the total fit the money columns, and (422) when an
    adjustment is of another currency or kind, or makes a line or the total negative. Called before
    anything of the checkout is written."""
    currency = offerings[next(iter(wanted))].currency
    line_totals: dict[Any, Any] = {}
    for oid, qty in wanted.items():
        line_total = offerings[oid].price * qty
        check_fits(line_total, field="lines")
        line_totals[oid] = line_total.amount
    adj = []
    for a in adjustments:
        if a.kind not in AdjustmentKind.values or a.amount.currency != currency or (
                a.offering_id is not None and a.offering_id not in wanted):
            raise Invalid(_("Some fields are not valid."), fields={"adjustments": a.kind})
        adj.append(Adjustment(amount=a.amount.amount, line=a.offering_id))
    total = Money(order_total(lines=line_totals, adjustments=adj), currency)
    if adj and (total.amount < 0 or min(line_nets(lines=line_totals, adjustments=adj).values()) < 0):
        raise Invalid(_("Some fields are not valid."), fields={"adjustments": _("more than the price")})
    check_fits(total, field="total")
    return total


def default_store_ids(offering_ids: Iterable[UUID]) -> dict[UUID, UUID]:
    """Each offering's first redeemable store (the one added first): where its order is served from."""
    through = Offering.redeemable_stores.through
    out: dict[UUID, UUID] = {}
    for oid, sid in (through.objects.filter(offering_id__in=list(offering_ids))
                     .order_by("id").values_list("offering_id", "store_id")):
        out.setdefault(oid, sid)
    return out


def units_held(*, customer: User, offering_id: UUID, now: datetime) -> int:
    reserved = OrderLine.objects.filter(
        order__customer=customer, offering_id=offering_id,
        order__status=OrderStatus.AWAITING_PAYMENT, order__expires_at__gt=now,
    ).aggregate(n=Sum("quantity"))["n"] or 0
    owned = fulfilment.units_owned(customer=customer, offering_id=offering_id)
    return int(reserved) + owned


def offerings_for_sale(offering_ids: Iterable[UUID]) -> dict[UUID, Offering]:
    """The live offerings of active merchants among these ids (what a checkout may buy). A product is
    bought for pickup or at a table (ordering), never as a voucher: 422 naming `fulfilment`."""
    found = {o.pk: o for o in Offering.objects.filter(
        pk__in=list(offering_ids), status=OfferingStatus.LIVE, merchant__status=MerchantStatus.ACTIVE)}
    if any(o.kind == OfferingKind.PRODUCT for o in found.values()):
        raise Invalid(_("Say how you get it: pick it up or order at a table."),
                      fields={"fulfilment": _("pickup or dine_in for products")})
    if any(o.kind == OfferingKind.SERVICE for o in found.values()):  # paid as a booking (POST /bookings)
        raise Invalid(_("A service is booked for a time: pick a slot and book it."),
                      fields={"fulfilment": _("book services with POST /bookings")})
    return found


def not_for_sale(offering_id: UUID) -> NotFound:
    return NotFound(_("This offering is not for sale."), fields={"offering_id": str(offering_id)})


def offerings_of_one_merchant(offering_ids: Iterable[UUID]) -> dict[UUID, Offering]:
    """offerings_for_sale, all of them found (404 naming the first that is not) and of one merchant in one
    currency (422 otherwise): what one order may buy."""
    wanted = list(offering_ids)
    offerings = offerings_for_sale(wanted)
    missing = [k for k in wanted if k not in offerings]
    if missing:
        raise not_for_sale(missing[0])
    if len({o.merchant_id for o in offerings.values()}) > 1 or len({o.currency for o in offerings.values()}) > 1:
        raise Invalid(_("One order buys from one merchant; please check out separately."),
                      fields={"lines": _("one merchant per order")})
    return offerings


def limit_exceeded(*, offering_id: UUID, limit: int, held: int) -> LimitExceeded:
    return LimitExceeded(_("You can buy at most %(n)d of this deal; you already have %(h)d.") % {"n": limit, "h": held},
                         fields={"offering_id": str(offering_id), "limit": limit, "held": held})


def new_order_rows(*, customer: User, wanted: dict[UUID, int], offerings: dict[UUID, Offering],
                   now: datetime, store_ids: dict[UUID, UUID] | None = None, source: Source | None = None,
                   adjustments: Sequence[AdjustmentIn] = (), store_id: UUID | None = None,
                   ) -> tuple[Order, list[OrderLine], OrderEvent]:
    """A new order awaiting payment with its lines (snapshots) and its first event, not yet saved (one
    merchant and one currency, as the caller has checked). The store is `store_id` if given, else the
    first line's offering's first redeemable store (`store_ids`, from default_store_ids)."""
    first = next(iter(wanted))
    currency = offerings[first].currency
    total = checkout_total(wanted=wanted, offerings=offerings, adjustments=adjustments)
    source = source or Source()
    order = Order(number=new_number(), customer=customer, merchant_id=offerings[first].merchant_id,
                  store_id=store_id or (store_ids or {}).get(first), fulfilment=FulfilmentKind.VOUCHER,
                  source_channel=source.channel, source_placement=source.placement_id,
                  source_referrer_id=source.referrer_id,
                  status=OrderStatus.AWAITING_PAYMENT, currency=currency, total_amount=total.amount,
                  expires_at=now + conf.get().order_hold)
    lines = [OrderLine(order=order, offering_id=oid, title=offerings[oid].title, quantity=qty,
                       unit_price_amount=offerings[oid].price_amount, options=[],
                       line_total_amount=(offerings[oid].price * qty).amount, currency=currency)
             for oid, qty in wanted.items()]
    event = OrderEvent(order=order, actor=customer, from_status="", to_status=order.status, reason="created",
                       data={"lines": {str(k): v for k, v in wanted.items()}})
    return order, lines, event


def new_adjustment_rows(*, order: Order, lines: list[OrderLine],
                        adjustments: Sequence[AdjustmentIn]) -> list[OrderAdjustment]:
    by_offering = {ln.offering_id: ln for ln in lines}
    return [OrderAdjustment(order=order, line=by_offering.get(a.offering_id) if a.offering_id else None,
                            kind=a.kind, label=a.label[:140], amount=a.amount.amount, currency=a.amount.currency,
                            reference=a.reference[:64]) for a in adjustments]


def as_written(order: Order, *, lines: Sequence[OrderLine], adjustments: Sequence[OrderAdjustment] = ()) -> Order:
    """The order as the checkout just wrote it, its lines and adjustments in place of a re-read: a new order
    has no payments and no vouchers yet, so answering it costs no query (the HTTP checkout's answer).
    Filled in as Django's prefetch_related fills it: querysets whose results are already known."""
    known = {"lines": list(lines), "adjustments": list(adjustments), "payments": [], "vouchers": []}
    cache = {}
    for name, rows in known.items():
        qs = getattr(order, name).all()
        qs._result_cache = rows
        qs._prefetch_done = True
        cache[name] = qs
    order._prefetched_objects_cache = cache  # type: ignore[attr-defined]
    return order
