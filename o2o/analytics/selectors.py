"""The merchant dashboard's figures. Every entry point checks tenancy through merchants.access.

Money is summed as Decimal in Python (never as a float in SQL: SQLite sums decimals in floating
point), per currency; days and periods are the merchant's own (its stores' timezone).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from o2o.catalogue.models import Offering
from o2o.catalogue.selectors import with_quantity_left
from o2o.core.money import Money
from o2o.merchants.access import merchant_for_staff
from o2o.merchants.models import Merchant, StaffMembership, Store
from o2o.orders.enums import PAID_STATUSES
from o2o.orders.models import Order
from o2o.payments.models import Refund
from o2o.vouchers.enums import VoucherStatus
from o2o.vouchers.models import Voucher

# The dashboard's revenue periods: (key, days including today).
PERIODS = (("today", 1), ("7d", 7), ("30d", 30))


@dataclass
class DealStats:
    offering: Offering
    sold: int = 0
    redeemed: int = 0
    refunded: int = 0

    @property
    def left(self) -> int:
        return self.offering.quantity_left


@dataclass
class StoreStats:
    store: Store
    redeemed: int = 0


@dataclass(frozen=True)
class Revenue:
    """One currency's money over one period: paid, refunded, and what stays (paid minus refunded)."""

    currency: str
    paid: Money
    refunded: Money
    orders: int

    @property
    def net(self) -> Money:
        return self.paid - self.refunded


@dataclass(frozen=True)
class RevenuePeriod:
    key: str  # "today", "7d", "30d"
    days: int
    start: datetime  # aware, the merchant's local midnight
    rows: list[Revenue]  # one per currency, sorted by currency; empty when nothing was paid or refunded

    @property
    def orders(self) -> int:
        return sum(r.orders for r in self.rows)


@dataclass
class Dashboard:
    merchant: Merchant
    membership: StaffMembership
    stores: list[StoreStats]
    deals: list[DealStats]
    recent_orders: list[Order]
    redemptions_by_day: list[tuple[date, int]] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    revenue: list[RevenuePeriod] = field(default_factory=list)
    timezone: str = ""


def merchant_timezone(merchant: Merchant) -> str:
    """The merchant's own timezone: the one most of its active stores keep (the site's when it has none)."""
    zones = Counter(Store.objects.filter(merchant=merchant, is_active=True).values_list("timezone", flat=True))
    if not zones:
        zones = Counter(Store.objects.filter(merchant=merchant).values_list("timezone", flat=True))
    if zones:
        return sorted(zones.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return str(settings.TIME_ZONE)


def merchant_revenue(*, merchant: Merchant, now: datetime | None = None, tz: str | None = None) -> list[RevenuePeriod]:
    """Revenue today, over the last 7 and the last 30 days (today included) in the merchant's timezone.

    Paid counts an order on the day it was paid; refunded counts each refund on the day it was made,
    so a refund today of last month's order lowers today's figure. Orders are those paid in the period.
    """
    zone = ZoneInfo(tz or merchant_timezone(merchant))
    now = now or timezone.now()
    today = now.astimezone(zone).date()
    starts = {key: datetime.combine(today - timedelta(days=days - 1), time.min, tzinfo=zone) for key, days in PERIODS}
    earliest = min(starts.values())
    paid: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    refunded: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    orders: dict[str, Counter[str]] = defaultdict(Counter)
    for currency, amount, paid_at in (
            Order.objects.filter(merchant=merchant, status__in=PAID_STATUSES, paid_at__gte=earliest, paid_at__lte=now)
            .values_list("currency", "total_amount", "paid_at").iterator()):
        for key, start in starts.items():
            if paid_at is not None and paid_at >= start:
                paid[key][currency] += amount
                orders[key][currency] += 1
    for currency, amount, made_at in (
            Refund.objects.filter(payment__order__merchant=merchant, returned=False, created_at__gte=earliest, created_at__lte=now)
            .values_list("currency", "amount", "created_at").iterator()):
        for key, start in starts.items():
            if made_at >= start:
                refunded[key][currency] += amount
    out = []
    for key, days in PERIODS:
        currencies = sorted(set(paid[key]) | set(refunded[key]))
        rows = [Revenue(currency=c, paid=Money(paid[key][c], c), refunded=Money(refunded[key][c], c),
                        orders=orders[key][c]) for c in currencies]
        out.append(RevenuePeriod(key=key, days=days, start=starts[key], rows=rows))
    return out


def merchant_dashboard(*, user: Any, merchant_id: Any, days: int = 14, now: datetime | None = None) -> Dashboard:
    """Stores, deals with sold/redeemed/refunded/left, recent orders, redemptions per day and revenue."""
    merchant, membership = merchant_for_staff(user=user, merchant_id=merchant_id, manage=True)
    tz_name = merchant_timezone(merchant)
    zone = ZoneInfo(tz_name)
    now = now or timezone.now()
    counts: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in Voucher.objects.filter(merchant=merchant).values("offering_id", "status").annotate(n=Count("id")):
        counts[row["offering_id"]][row["status"]] += row["n"]
    deals = []
    for o in with_quantity_left(Offering.objects.filter(merchant=merchant)).order_by("-created_at"):
        c = counts.get(o.pk, {})
        deals.append(DealStats(offering=o, sold=sum(c.values()) if c else 0,
                               redeemed=c.get(VoucherStatus.REDEEMED, 0), refunded=c.get(VoucherStatus.REFUNDED, 0)))
    per_store = dict(
        Voucher.objects.filter(merchant=merchant, status=VoucherStatus.REDEEMED)
        .values_list("redeemed_store_id").annotate(n=Count("id")).values_list("redeemed_store_id", "n"))
    stores = [StoreStats(store=s, redeemed=per_store.get(s.pk, 0))
              for s in Store.objects.filter(merchant=merchant).order_by("name")]
    recent = list(Order.objects.filter(merchant=merchant).select_related("customer").order_by("-created_at")[:10])
    today = now.astimezone(zone).date()
    start = today - timedelta(days=days - 1)
    by_day: Counter[date] = Counter()
    for at in (Voucher.objects.filter(merchant=merchant, status=VoucherStatus.REDEEMED,
                                      redeemed_at__gte=datetime.combine(start, time.min, tzinfo=zone))
               .values_list("redeemed_at", flat=True).iterator()):
        if at is not None:
            by_day[at.astimezone(zone).date()] += 1  # the merchant's day, not the server's
    series = [(start + timedelta(days=i), by_day.get(start + timedelta(days=i), 0)) for i in range(days)]
    totals = {
        "sold": sum(d.sold for d in deals), "redeemed": sum(d.redeemed for d in deals),
        "refunded": sum(d.refunded for d in deals), "live": sum(1 for d in deals if d.offering.status == "live"),
    }
    return Dashboard(merchant=merchant, membership=membership, stores=stores, deals=deals, recent_orders=recent,
                     redemptions_by_day=series, totals=totals,
                     revenue=merchant_revenue(merchant=merchant, now=now, tz=tz_name), timezone=tz_name)
