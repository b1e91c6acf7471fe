from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import StrictInt

from o2o.api.auth import AUTH, me
from o2o.api.errors import ErrorOut
from o2o.api.schemas import (
    MerchantIn,
    MerchantOut,
    MoneyIn,
    OfferingIn,
    OfferingOut,
    StaffIn,
    StaffOut,
    StoreIn,
    StoreOut,
)
from o2o.api.serializers import merchant_out, offering_out, store_out
from o2o.bookings import services as bookings
from o2o.catalogue import services as catalogue
from o2o.merchants import services as merchants
from o2o.merchants.access import merchant_for_staff
from o2o.merchants.selectors import merchant_staff

router = Router(tags=["merchants"], auth=AUTH)
_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class StaffPatchIn(Schema):
    """Only the fields sent change. role: manager, clerk or courier (never owner)."""

    role: str | None = Field(None, max_length=20)
    store_ids: list[str] | None = Field(None, max_length=500)


class OfferingPatchIn(Schema):
    """Only the fields sent change, with the rules of creation. Orders already placed keep their prices;
    quantity_total never drops below the units sold or held by unpaid orders (422)."""

    title: str | None = Field(None, max_length=500)
    description: str | None = Field(None, max_length=20000)
    price: MoneyIn | None = None
    list_price: MoneyIn | None = None
    quantity_total: StrictInt | None = None
    per_customer_limit: StrictInt | None = None
    valid_days: StrictInt | None = None
    redeemable_store_ids: list[str] | None = Field(None, max_length=500)


def _staff_out(ms: Any) -> dict[str, Any]:
    return {"id": ms.pk, "user_id": ms.user_id, "email": ms.user.email, "role": ms.role,
            "store_ids": [s.pk for s in ms.stores.all()], "invite_token": ms.invite_token or None}


@router.post("/merchants", response={201: MerchantOut, **_ERRORS})
def merchant_create(request: HttpRequest, body: MerchantIn):  # type: ignore[no-untyped-def]
    m = merchants.merchant_create(owner=me(request), name=body.name, category=body.category,
                                  description=body.description)
    return Status(201, merchant_out(m))


@router.get("/merchants/{merchant_id}", response={200: MerchantOut, **_ERRORS})
def merchant_get(request: HttpRequest, merchant_id: str):  # type: ignore[no-untyped-def]
    m, _membership = merchant_for_staff(user=request.user, merchant_id=merchant_id)
    return merchant_out(m)


@router.post("/merchants/{merchant_id}/stores", response={201: StoreOut, **_ERRORS})
def store_create(request: HttpRequest, merchant_id: str, body: StoreIn):  # type: ignore[no-untyped-def]
    m, _membership = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    store = merchants.store_create(merchant=m, name=body.name, address=body.address, lat=body.lat, lng=body.lng,
                                   timezone=body.timezone, opening_hours=body.opening_hours, phone=body.phone)
    return Status(201, store_out(store))


@router.post("/merchants/{merchant_id}/staff", response={201: StaffOut, **_ERRORS})
def staff_add(request: HttpRequest, merchant_id: str, body: StaffIn):  # type: ignore[no-untyped-def]
    m, _membership = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    ms = merchants.staff_add(merchant=m, email=body.email, role=body.role, store_ids=body.store_ids)
    return Status(201, _staff_out(ms))


@router.get("/merchants/{merchant_id}/staff", response={200: list[StaffOut], **_ERRORS})
def staff_list(request: HttpRequest, merchant_id: str):  # type: ignore[no-untyped-def]
    """The merchant's active staff, the owner first (owner and managers only)."""
    _m, rows = merchant_staff(user=request.user, merchant_id=merchant_id)
    return [_staff_out(ms) for ms in rows]


@router.patch("/merchants/{merchant_id}/staff/{staff_id}", response={200: StaffOut, **_ERRORS})
def staff_change(request: HttpRequest, merchant_id: str, staff_id: str, body: StaffPatchIn):  # type: ignore[no-untyped-def]
    """Change a member's role and/or stores (owner and managers; a clerk -> 403, another merchant -> 404).
    The owner's role cannot change (409 `owner_protected`); a manager asking for `owner` -> 403."""
    m, _membership = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    ms = merchants.staff_change_role(merchant=m, actor=me(request), staff_id=staff_id, role=body.role,
                                     store_ids=body.store_ids)
    return _staff_out(ms)


@router.delete("/merchants/{merchant_id}/staff/{staff_id}", response={204: None, **_ERRORS})
def staff_remove(request: HttpRequest, merchant_id: str, staff_id: str):  # type: ignore[no-untyped-def]
    """Remove a member: their access ends with this answer. The owner cannot be removed (409 `owner_protected`)."""
    m, _membership = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    merchants.staff_remove(merchant=m, actor=me(request), staff_id=staff_id)
    return Status(204, None)


@router.post("/merchants/{merchant_id}/offerings", response={201: OfferingOut, **_ERRORS})
def offering_create(request: HttpRequest, merchant_id: str, body: OfferingIn):  # type: ignore[no-untyped-def]
    m, _membership = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    if body.kind == "service":  # a bookable service (API.md "Appointments"): the bookings app writes it
        return Status(201, offering_out(bookings.service_create(
            merchant=m, actor=me(request), title=body.title, description=body.description, price=body.price.dict(),
            duration_minutes=body.duration_minutes, capacity=body.capacity, store_ids=body.store_ids,
            schedule=body.schedule, exceptions=body.exceptions, status=body.status, lead_minutes=body.lead_minutes,
            horizon_days=body.horizon_days, cancel_minutes=body.cancel_minutes, resource_ids=body.resource_ids,
            prepay=body.prepay, deposit=body.deposit.dict() if body.deposit else None,
            late_cancel_keep_percent=body.late_cancel_keep_percent,
            no_show_fee=body.no_show_fee.dict() if body.no_show_fee else None)))
    o = catalogue.offering_create(
        merchant=m, actor=me(request), kind=body.kind, title=body.title, description=body.description,
        price=body.price.dict(), list_price=body.list_price.dict() if body.list_price else None,
        quantity_total=body.quantity_total, per_customer_limit=body.per_customer_limit, valid_days=body.valid_days,
        redeemable_store_ids=body.redeemable_store_ids, status=body.status,
        product={"stock": body.stock, "options": body.options, "section_id": body.section_id,
                 "prep_minutes": body.prep_minutes} if body.kind == "product" else None,
    )
    return Status(201, offering_out(o))


@router.patch("/merchants/{merchant_id}/offerings/{offering_id}", response={200: OfferingOut, **_ERRORS})
def offering_update(request: HttpRequest, merchant_id: str, offering_id: str,
                    body: OfferingPatchIn):  # type: ignore[no-untyped-def]
    """Edit an offering (owner and managers; a clerk -> 403; another merchant's offering -> 404).
    Status changes stay with their own transitions."""
    m, _membership = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    changes = body.dict(exclude_unset=True)
    o = catalogue.offering_update(offering_id=offering_id, merchant=m, actor=me(request), **changes)
    return offering_out(o)
