"""Reads for the merchant console. Every entry point checks tenancy through merchants.access."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from o2o.catalogue.models import Offering
from o2o.catalogue.selectors import with_quantity_left
from o2o.merchants.access import counter_stores, merchant_for_staff
from o2o.merchants.models import Merchant, StaffMembership, Store
from o2o.orders.models import Order
from o2o.vouchers.enums import VoucherStatus
from o2o.vouchers.models import Voucher


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


@dataclass
class Dashboard:
    merchant: Merchant
    membership: StaffMembership
    stores: list[StoreStats]
    deals: list[DealStats]
    recent_orders: list[Order]
    redemptions_by_day: list[tuple[date, int]] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)


def merchant_dashboard(*, user: Any, merchant_id: Any, days: int = 14) -> Dashboard:
    """Stores, deals with sold/redeemed/refunded/left, recent orders and redemptions per day."""
    merchant, membership = merchant_for_staff(user=user, merchant_id=merchant_id, manage=True)
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
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    by_day = dict(
        Voucher.objects.filter(merchant=merchant, status=VoucherStatus.REDEEMED,
                               redeemed_at__gte=datetime.combine(start, time.min, tzinfo=tz))
        .annotate(day=TruncDate("redeemed_at", tzinfo=tz)).values("day").annotate(n=Count("id"))
        .values_list("day", "n"))
    series = [(start + timedelta(days=i), by_day.get(start + timedelta(days=i), 0)) for i in range(days)]
    totals = {
        "sold": sum(d.sold for d in deals), "redeemed": sum(d.redeemed for d in deals),
        "refunded": sum(d.refunded for d in deals), "live": sum(1 for d in deals if d.offering.status == "live"),
    }
    return Dashboard(merchant=merchant, membership=membership, stores=stores, deals=deals, recent_orders=recent,
                     redemptions_by_day=series, totals=totals)


def merchant_staff(*, user: Any, merchant_id: Any) -> tuple[Merchant, list[StaffMembership]]:
    merchant, _m = merchant_for_staff(user=user, merchant_id=merchant_id, manage=True)
    rows = list(StaffMembership.objects.filter(merchant=merchant).select_related("user")
                .prefetch_related("stores").order_by("role", "created_at"))
    return merchant, rows


def memberships_of_user(*, user: Any) -> list[StaffMembership]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(StaffMembership.objects.filter(user=user, is_active=True).select_related("merchant")
                .prefetch_related("stores").order_by("merchant__name"))


def counter_stores_of_user(*, user: Any) -> list[Store]:
    """Stores where the user may redeem (the rule is merchants.access.counter_stores)."""
    return counter_stores(user)
