"""Reads of merchants, stores and staff. Every entry point checks tenancy through merchants.access.

Dashboard figures (orders, vouchers, revenue) live in the analytics app, above the apps they read.
"""

from __future__ import annotations

from typing import Any

from o2o.merchants.access import merchant_for_staff
from o2o.merchants.models import Merchant, StaffMembership, Store


def merchant_staff(*, user: Any, merchant_id: Any) -> tuple[Merchant, list[StaffMembership]]:
    merchant, _m = merchant_for_staff(user=user, merchant_id=merchant_id, manage=True)
    rank = {"owner": 0, "manager": 1, "clerk": 2, "courier": 3}
    rows = sorted(StaffMembership.objects.filter(merchant=merchant, is_active=True).select_related("user")
                  .prefetch_related("stores").order_by("created_at"), key=lambda m: rank.get(m.role, 9))
    return merchant, rows


def memberships_of_user(*, user: Any) -> list[StaffMembership]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(StaffMembership.objects.filter(user=user, is_active=True).select_related("merchant")
                .prefetch_related("stores").order_by("merchant__name"))


def counter_stores_of_user(*, user: Any) -> list[Store]:
    """Stores where the user may redeem: every store for owners and managers, assigned stores for clerks."""
    out: list[Store] = []
    for m in memberships_of_user(user=user):
        if m.role in ("owner", "manager"):
            out.extend(Store.objects.filter(merchant=m.merchant, is_active=True).select_related("merchant")
                       .order_by("name"))
        elif m.role == "clerk":
            out.extend(m.stores.filter(is_active=True).select_related("merchant").order_by("name"))
    return out
