"""Tenancy: every read and write of merchant data passes through these checks.

A user who is not staff of the merchant gets NotFound (404, never the data); staff whose role
does not allow the action get Forbidden (403). Every "is this user staff of this store / owner of
this merchant" rule lives here: the API, the pages, the counter and the audit log ask these.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from o2o.core.errors import Conflict, Forbidden, NotFound
from o2o.merchants.enums import ALL_STORE_ROLES, MANAGING_ROLES, MerchantStatus, Role
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


def merchant_for_owner(*, user: Any, merchant_id: Any, message: str | None = None) -> tuple[Merchant, StaffMembership]:
    """The merchant if `user` is its owner: not staff -> NotFound, staff but not the owner -> Forbidden."""
    merchant, membership = merchant_for_staff(user=user, merchant_id=merchant_id)
    if membership.role != Role.OWNER:
        raise Forbidden(message or _("Only the owner can do this."))
    return merchant, membership


class StoreOfOtherMerchant(Conflict):
    """The counter's store belongs to another merchant than the one whose item is brought to it
    (the caller says what that means for its item: e.g. vouchers answer wrong_merchant)."""

    code = "wrong_merchant"


def store_for_counter(*, user: Any, store_id: Any, merchant_id: Any) -> Store:
    """The store where `user` serves an item of merchant `merchant_id` at the counter.

    Not staff of that merchant, or no such store -> NotFound; the store is another merchant's (one
    the user is staff of) -> StoreOfOtherMerchant, of a merchant the user is not staff of -> NotFound;
    a clerk not assigned to the store -> Forbidden.
    """
    store = Store.objects.filter(pk=_uuid(store_id)).first()
    membership = membership_of(user, merchant_id)
    if store is None or membership is None:
        raise NotFound()
    if store.merchant_id != membership.merchant_id:
        if membership_of(user, store.merchant_id) is None:
            raise NotFound()
        raise StoreOfOtherMerchant()
    if not membership_allows_store(membership, store):
        raise Forbidden(_("You are not assigned to this store."))
    return store


def is_staff_at(user: Any, store: Store) -> bool:
    """Whether `user` may act at `store` (staff of its merchant, assigned to it when a clerk)."""
    membership = membership_of(user, store.merchant_id)
    return membership is not None and membership_allows_store(membership, store)


def counter_stores(user: Any) -> list[Store]:
    """Stores where the user may redeem: every active store for owners and managers, assigned ones for clerks."""
    if not getattr(user, "is_authenticated", False):
        return []
    out: list[Store] = []
    memberships = (StaffMembership.objects.filter(user=user, is_active=True).select_related("merchant")
                   .prefetch_related("stores").order_by("merchant__name"))
    for m in memberships:
        if m.role in ALL_STORE_ROLES:
            out.extend(Store.objects.filter(merchant=m.merchant, is_active=True).select_related("merchant")
                       .order_by("name"))
        elif m.role == Role.CLERK:
            out.extend(m.stores.filter(is_active=True).select_related("merchant").order_by("name"))
    return out


def staff_roles(user: Any) -> dict[str, bool]:
    """What the user may open: any console (staff), a counter, the managing console."""
    if not getattr(user, "is_authenticated", False):
        return {"staff": False, "counter": False, "manage": False}
    roles = set(StaffMembership.objects.filter(user=user, is_active=True).values_list("role", flat=True))
    return {"staff": bool(roles), "counter": bool(roles & {Role.CLERK, *ALL_STORE_ROLES}),
            "manage": bool(roles & set(ALL_STORE_ROLES))}


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


def public_merchant(merchant_id: Any) -> Merchant:
    """A merchant anyone may see (active: a pending or suspended one is nobody's business), else NotFound."""
    merchant = Merchant.objects.filter(pk=_uuid(merchant_id), status=MerchantStatus.ACTIVE).first()
    if merchant is None:
        raise NotFound()
    return merchant


as_uuid = _uuid
