from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

import h3
from django.db import transaction
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.audit.services import audit_record
from o2o.core import conf
from o2o.core.errors import Conflict, Forbidden, Invalid, NotFound
from o2o.core.state import transition
from o2o.merchants.access import as_uuid
from o2o.merchants.enums import MANAGING_ROLES, MERCHANT_TRANSITIONS, Category, MerchantStatus, Role
from o2o.merchants.hours import validate_closed_dates, validate_hours, validate_timezone
from o2o.merchants.models import Merchant, MerchantEvent, StaffMembership, Store


def _text(value: Any, field: str, *, max_len: int, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(_("Some fields are not valid."), fields={field: _("Enter text.")})
    value = value.strip()
    if required and not value:
        raise Invalid(_("Some fields are not valid."), fields={field: _("This field is required.")})
    if len(value) > max_len:
        raise Invalid(_("Some fields are not valid."), fields={field: _("Use at most %(n)d characters.") % {"n": max_len}})
    return value


def validate_lat_lng(lat: Any, lng: Any) -> tuple[float, float]:
    try:
        lat_f, lng_f = float(lat), float(lng)
    except (TypeError, ValueError):
        raise Invalid(_("Coordinates are not valid."), fields={"lat": _("Enter a number."), "lng": _("Enter a number.")}) from None
    fields = {}
    if not -90 <= lat_f <= 90 or lat_f != lat_f:
        fields["lat"] = _("Enter a latitude from -90 to 90.")
    if not -180 <= lng_f <= 180 or lng_f != lng_f:
        fields["lng"] = _("Enter a longitude from -180 to 180.")
    if fields:
        raise Invalid(_("Coordinates are not valid."), fields=fields)
    return lat_f, lng_f


def h3_cells(lat: float, lng: float) -> dict[str, int]:
    return {
        "h3_r6": h3.str_to_int(h3.latlng_to_cell(lat, lng, 6)),
        "h3_r8": h3.str_to_int(h3.latlng_to_cell(lat, lng, 8)),
    }


@transaction.atomic
def merchant_create(*, owner: User, name: str, category: str, description: str = "") -> Merchant:
    name = _text(name, "name", max_len=120)
    if category not in Category.values:
        raise Invalid(_("Unknown category."), fields={"category": _("Choose one of: %(v)s.") % {"v": ", ".join(Category.values)}})
    status = MerchantStatus.PENDING if conf.get().merchant_approval else MerchantStatus.ACTIVE
    merchant = Merchant.objects.create(
        name=name, category=category, status=status, owner=owner,
        description=_text(description, "description", max_len=4000, required=False),
    )
    MerchantEvent.objects.create(merchant=merchant, actor=owner, from_status="", to_status=status, reason="created")
    StaffMembership.objects.create(merchant=merchant, user=owner, role=Role.OWNER)
    return merchant


def merchant_set_status(*, merchant: Merchant, status: str, actor: User | None, reason: str = "") -> Merchant:
    # its stores enter (or leave) nearby search with the status: the update re-indexes them (merchants.models)
    transition(obj=merchant, to=status, table=MERCHANT_TRANSITIONS, event_model=MerchantEvent,
               event_fk="merchant", actor=actor, reason=reason)
    audit_record(actor=actor, action="merchant.status", obj=merchant, summary=f"→ {status} {reason}"[:300], data={"to": status})
    return merchant


@transaction.atomic
def store_create(
    *, merchant: Merchant, name: str, address: str, lat: Any, lng: Any, timezone: str = "Asia/Shanghai",
    opening_hours: Any = None, phone: str = "", closed_dates: Sequence[str] | None = None,
) -> Store:
    name = _text(name, "name", max_len=120)
    address = _text(address, "address", max_len=255)
    lat_f, lng_f = validate_lat_lng(lat, lng)
    tz = validate_timezone(timezone)
    hours = validate_hours(opening_hours if opening_hours is not None else {})
    store = Store.objects.create(
        merchant=merchant, name=name, address=address, lat=lat_f, lng=lng_f, timezone=tz, opening_hours=hours,
        phone=_text(phone, "phone", max_len=32, required=False), closed_dates=validate_closed_dates(closed_dates),
        **h3_cells(lat_f, lng_f),
    )  # the discovery index row is written with it (Store.save)
    audit_record(action="store.create", obj=store, summary=f"Store {store.name}, {store.address}")
    return store


@transaction.atomic
def store_update(*, store: Store, **changes: Any) -> Store:
    if "name" in changes:
        store.name = _text(changes["name"], "name", max_len=120)
    if "address" in changes:
        store.address = _text(changes["address"], "address", max_len=255)
    if "lat" in changes or "lng" in changes:
        store.lat, store.lng = validate_lat_lng(changes.get("lat", store.lat), changes.get("lng", store.lng))
        for k, v in h3_cells(store.lat, store.lng).items():
            setattr(store, k, v)
    if "timezone" in changes:
        store.timezone = validate_timezone(changes["timezone"])
    if "opening_hours" in changes:
        store.opening_hours = validate_hours(changes["opening_hours"])
    if "closed_dates" in changes:
        store.closed_dates = validate_closed_dates(changes["closed_dates"])
    if "phone" in changes:
        store.phone = _text(changes["phone"], "phone", max_len=32, required=False)
    if "is_active" in changes:
        if not isinstance(changes["is_active"], bool):
            raise Invalid(_("Some fields are not valid."), fields={"is_active": _("Give true or false.")})
        store.is_active = changes["is_active"]
    store.save()  # re-indexes the store in this transaction (Store.save)
    return store


@transaction.atomic
def staff_add(*, merchant: Merchant, email: str, role: str, store_ids: Sequence[Any] = ()) -> StaffMembership:
    """Add staff by email. An unknown email gets an account waiting for its invite link."""
    email = _text(email, "email", max_len=254).lower()
    if role not in (Role.MANAGER, Role.CLERK, Role.COURIER):
        raise Invalid(_("Unknown role."), fields={"role": _("Choose manager, clerk or courier.")})
    stores = list(Store.objects.filter(merchant=merchant, pk__in=[as_uuid(s) for s in store_ids]))
    if len(stores) != len(set(store_ids)):
        raise Invalid(_("Unknown store."), fields={"store_ids": _("Choose stores of this merchant only.")})
    from django.core.exceptions import ValidationError

    from o2o.accounts.validators import validate_email

    try:
        validate_email(email)
    except ValidationError:
        raise Invalid(_("Enter a valid email address."), fields={"email": _("Enter a valid email address.")}) from None
    user = User.objects.filter(email__iexact=email).first()
    token = ""
    if user is None:
        user = User.objects.create_user(email=email, password=None, display_name=email.split("@")[0])
        token = secrets.token_urlsafe(24)
    membership, created = StaffMembership.objects.get_or_create(
        merchant=merchant, user=user, defaults={"role": role, "invite_token": token}
    )
    if not created:
        if membership.role == Role.OWNER:
            raise Invalid(_("The owner is already staff."), fields={"email": _("This is the owner's address.")})
        membership.role = role
        membership.is_active = True
        if not user.has_usable_password() and not membership.invite_token:
            membership.invite_token = secrets.token_urlsafe(24)  # removed before accepting: a new link
        membership.save(update_fields=["role", "is_active", "invite_token", "updated_at"])
    membership.stores.set(stores)
    audit_record(action="staff.add", obj=membership, summary=f"{email} as {role}", data={"role": role, "stores": [str(s.pk) for s in stores]})
    return membership


@transaction.atomic
def staff_accept_invite(*, token: str, password: str, display_name: str) -> User:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    membership = StaffMembership.objects.select_related("user").filter(invite_token=token or "-").first()
    if membership is None or not token:
        raise Invalid(_("This invitation link is not valid."), fields={"token": _("unknown")})
    user = membership.user
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise Invalid(_("Choose another password."), fields={"password": " ".join(exc.messages)}) from None
    user.set_password(password)
    if display_name:
        user.display_name = display_name.strip()[:80]
    user.save()
    StaffMembership.objects.filter(invite_token=token).update(invite_token="")
    return user


# --- staff: remove and change role (the owner stays; access follows the membership at once) ---
STAFF_ROLES = (Role.MANAGER, Role.CLERK, Role.COURIER)


def _acting_membership(*, merchant: Merchant, actor: User) -> StaffMembership:
    membership = (StaffMembership.objects.filter(merchant=merchant, user=actor, is_active=True).first()
                  if getattr(actor, "is_authenticated", False) else None)
    if membership is None:
        raise NotFound()
    if membership.role not in MANAGING_ROLES:
        raise Forbidden()
    return membership


def _staff_target(*, merchant: Merchant, staff_id: Any) -> StaffMembership:
    target = (StaffMembership.objects.select_for_update().select_related("user")
              .filter(merchant=merchant, pk=as_uuid(staff_id), is_active=True).first())
    if target is None:
        raise NotFound()
    return target


@transaction.atomic
def staff_remove(*, merchant: Merchant, actor: User, staff_id: Any) -> StaffMembership:
    """End a membership: from the next request on, pages, API tokens and the invite link no longer work.

    The row stays (with is_active off) so the audit trail keeps who did what; adding the person
    again reactivates it. The owner cannot be removed.
    """
    _acting_membership(merchant=merchant, actor=actor)
    target = _staff_target(merchant=merchant, staff_id=staff_id)
    if target.role == Role.OWNER:
        raise Conflict(_("The owner cannot be removed."), code="owner_protected")
    target.is_active = False
    target.invite_token = ""
    target.save(update_fields=["is_active", "invite_token", "updated_at"])
    audit_record(actor=actor, action="staff.remove", obj=target, summary=f"{target.user.email} ({target.role}) removed",
                 data={"role": target.role})
    return target


@transaction.atomic
def staff_change_role(*, merchant: Merchant, actor: User, staff_id: Any, role: Any = None,
                      store_ids: Sequence[Any] | None = None) -> StaffMembership:
    """Give a member another role and/or other stores. The owner's role never changes here, and
    nobody becomes owner by a role change (a manager asking for it is refused with 403)."""
    acting = _acting_membership(merchant=merchant, actor=actor)
    target = _staff_target(merchant=merchant, staff_id=staff_id)
    if role == Role.OWNER:
        if acting.role != Role.OWNER:
            raise Forbidden(_("Only the owner could hand over the merchant, and not by a role change."))
        raise Invalid(_("Ownership cannot be handed over by a role change."),
                      fields={"role": _("Choose manager, clerk or courier.")})
    if target.role == Role.OWNER:
        raise Conflict(_("The owner's role cannot change."), code="owner_protected")
    if role is not None and role not in STAFF_ROLES:
        raise Invalid(_("Unknown role."), fields={"role": _("Choose manager, clerk or courier.")})
    stores = None
    if store_ids is not None:
        if not isinstance(store_ids, list | tuple):
            raise Invalid(_("Some fields are not valid."), fields={"store_ids": _("Give a list of store ids.")})
        ids = {as_uuid(s) for s in store_ids}
        stores = list(Store.objects.filter(merchant=merchant, pk__in=ids))
        if len(stores) != len(ids):
            raise Invalid(_("Unknown store."), fields={"store_ids": _("Choose stores of this merchant only.")})
    before = {"role": target.role, "stores": sorted(str(s) for s in target.stores.values_list("pk", flat=True))}
    if role is not None and role != target.role:
        target.role = role
        target.save(update_fields=["role", "updated_at"])
    if stores is not None:
        target.stores.set(stores)
    audit_record(actor=actor, action="staff.role", obj=target, summary=f"{target.user.email}: {before['role']} → {target.role}",
                 data={"before": before, "role": target.role,
                       "stores": sorted(str(s) for s in target.stores.values_list("pk", flat=True))})
    return target
