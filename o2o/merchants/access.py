"""Tenancy: every read and write of merchant data passes through these checks.

A user who is not staff of the merchant gets NotFound (404, never the data); staff whose role
does not allow the action get Forbidden (403).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from o2o.core.errors import Forbidden, NotFound
from o2o.merchants.enums import ALL_STORE_ROLES, MANAGING_ROLES, MerchantStatus
from o2o.merchants.models import Merchant, StaffMembership, Store


def _uuid(value: Any) -> UUID:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise NotFound() from None


def membership_of(user: Any, merchant_id: Any) -> StaffMembership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        StaffMembership.objects.select_related("merchant")
        .filter(user=user, merchant_id=_uuid(merchant_id), is_active=True)
        .first()
    )


def merchant_for_staff(*, user: Any, merchant_id: Any, manage: bool = False) -> tuple[Merchant, StaffMembership]:
    """The merchant if `user` is its staff; with manage=True only owners and managers pass."""
    membership = membership_of(user, merchant_id)
    if membership is None:
        raise NotFound()
    if manage and membership.role not in MANAGING_ROLES:
        raise Forbidden()
    return membership.merchant, membership


def membership_allows_store(membership: StaffMembership, store: Store) -> bool:
    if membership.merchant_id != store.merchant_id:
        return False
    if membership.role in ALL_STORE_ROLES:
        return True
    return membership.stores.filter(pk=store.pk).exists()


def store_for_staff(*, user: Any, store_id: Any, manage: bool = False) -> tuple[Store, StaffMembership]:
    """The store if `user` is staff of its merchant (404 otherwise) and may act at it (403 otherwise)."""
    store = Store.objects.select_related("merchant").filter(pk=_uuid(store_id)).first()
    if store is None:
        raise NotFound()
    membership = membership_of(user, store.merchant_id)
    if membership is None:
        raise NotFound()
    if manage and membership.role not in MANAGING_ROLES:
        raise Forbidden()
    if not membership_allows_store(membership, store):
        raise Forbidden()
    return store, membership


def staff_merchant_ids(user: Any) -> list[UUID]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(StaffMembership.objects.filter(user=user, is_active=True).values_list("merchant_id", flat=True))


def public_stores() -> QuerySet[Store]:
    """Stores anyone may see: active stores of active merchants."""
    return Store.objects.filter(is_active=True, merchant__status=MerchantStatus.ACTIVE)


def public_store(store_id: Any) -> Store:
    store = public_stores().select_related("merchant").filter(pk=_uuid(store_id)).first()
    if store is None:
        raise NotFound()
    return store


as_uuid = _uuid
