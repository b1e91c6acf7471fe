"""Figures per campaign placement: scans and visitors of its code, and the orders it brought with what
came of them (paid, vouchers redeemed at the counter, reviews, repeat purchases, revenue), against its cost.

An order counts for at most one placement: the one the attribution model picks among the buyer's scans
of that merchant's placements before the order, no older than the merchant's window (last touch: the
latest such scan; first touch: the earliest). A buyer's scans are those of their account and of every
browser (visitor cookie) linked to it. The range is in days of the merchant's own timezone, both ends
included; scans count by when they happened, orders by when they were placed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.analytics.selectors import merchant_timezone
from o2o.campaigns.enums import AttributionModel
from o2o.campaigns.models import Placement, Scan
from o2o.campaigns.selectors import pick_scan, window_days
from o2o.core.errors import Invalid
from o2o.core.money import Money
from o2o.merchants.access import merchant_for_staff
from o2o.orders.models import Order
from o2o.reviews.models import Review
from o2o.vouchers.models import Voucher

MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 30


@dataclass
class PlacementFigures:
    placement: Placement
    scans: int = 0
    visitors: int = 0
    orders: int = 0
    paid: int = 0
    redemptions: int = 0
    reviews: int = 0
    repeat: int = 0  # paid orders that were not the buyer's first paid order at this merchant
    revenue: Decimal = Decimal(0)

    @property
    def cost(self) -> Money:
        return self.placement.cost

    @property
    def revenue_money(self) -> Money:
        return Money(self.revenue, self.placement.currency)

    @property
    def roi(self) -> Decimal | None:
        """(revenue - cost) / cost, to two decimals; None for a placement that cost nothing."""
        cost = self.placement.cost_amount
        if not cost:
            return None
        return ((self.revenue - cost) / cost).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _day(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(_("Some fields are not valid."), fields={field: _("Enter a date as YYYY-MM-DD.")}) from None


def date_range(*, date_from: Any, date_to: Any, tz: str, now: datetime | None = None) -> tuple[date, date]:
    """The days asked for (both included): the last 30 days up to today by default; backwards or longer
    than a year -> Invalid."""
    today = timezone.localtime(now or timezone.now(), ZoneInfo(tz)).date()
    end = _day(date_to, "to") or today
    start = _day(date_from, "from") or end - timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if start > end:
        raise Invalid(_("The range ends before it starts."), fields={"to": _("Give a day on or after “from”.")},
                      code="invalid_range")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise Invalid(_("The range is too long."), fields={
            "from": _("Ask for at most %(n)d days.") % {"n": MAX_RANGE_DAYS}}, code="invalid_range")
    return start, end


def placement_figures(*, user: Any, merchant_id: Any, date_from: Any = None, date_to: Any = None,
                      model: Any = AttributionModel.LAST_TOUCH, now: datetime | None = None) -> list[PlacementFigures]:
    """Every placement of the merchant (newest campaign first) with its figures over the range."""
    merchant, _m = merchant_for_staff(user=user, merchant_id=merchant_id)
    if model not in AttributionModel.values:
        raise Invalid(_("Some fields are not valid."), fields={
            "model": _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(AttributionModel.values)}})
    zone = ZoneInfo(merchant_timezone(merchant))
    first, last = date_range(date_from=date_from, date_to=date_to, tz=str(zone), now=now)
    start = datetime.combine(first, time(0), zone)
    end = datetime.combine(last + timedelta(days=1), time(0), zone)

    placements = list(Placement.objects.filter(merchant=merchant).select_related("campaign")
                      .order_by("-campaign__created_at", "created_at"))
    figures = {p.pk: PlacementFigures(placement=p) for p in placements}
    if not figures:
        return []
    for row in (Scan.objects.filter(merchant=merchant, at__gte=start, at__lt=end).values("placement_id")
                .annotate(n=Count("id"), v=Count("visitor_id", distinct=True))):
        f = figures.get(row["placement_id"])
        if f is not None:
            f.scans, f.visitors = row["n"], row["v"]

    window = timedelta(days=window_days(merchant.pk))
    orders = list(Order.objects.filter(merchant=merchant, created_at__gte=start, created_at__lt=end)
                  .values_list("pk", "customer_id", "created_at", "paid_at", "paid_amount", "currency"))
    buyers = {o[1] for o in orders}
    scans_of: dict[Any, list[tuple[datetime, UUID]]] = defaultdict(list)
    if buyers:
        for uid, at, pid in (Scan.objects.filter(merchant=merchant, user_id__in=buyers, at__gte=start - window,
                                                 at__lt=end).values_list("user_id", "at", "placement_id")):
            scans_of[uid].append((at, pid))
    first_paid = dict(Order.objects.filter(merchant=merchant, customer_id__in=buyers, paid_at__isnull=False)
                      .values("customer_id").annotate(first=Min("paid_at")).values_list("customer_id", "first"))
    order_placement: dict[UUID, UUID] = {}
    for oid, uid, created, paid_at, paid_amount, currency in orders:
        picked = pick_scan(scans_of.get(uid, ()), before=created, window=window, model=model)
        f = figures.get(picked) if picked is not None else None
        if f is None:
            continue
        order_placement[oid] = f.placement.pk
        f.orders += 1
        if paid_at is not None:
            f.paid += 1
            if first_paid.get(uid) is not None and paid_at > first_paid[uid]:
                f.repeat += 1
            if currency == f.placement.currency:
                f.revenue += paid_amount
    if order_placement:
        ids = list(order_placement)
        for oid, n in (Voucher.objects.filter(order_id__in=ids, redeemed_at__isnull=False).values("order_id")
                       .annotate(n=Count("id")).values_list("order_id", "n")):
            figures[order_placement[oid]].redemptions += n
        for oid in Review.objects.filter(order_id__in=ids).values_list("order_id", flat=True):
            figures[order_placement[oid]].reviews += 1
    return [figures[p.pk] for p in placements]
