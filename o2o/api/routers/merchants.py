from django.http import HttpRequest
from ninja import Router, Status

from o2o.api.auth import AUTH, me
from o2o.api.errors import ErrorOut
from o2o.api.schemas import (
    MerchantIn,
    MerchantOut,
    OfferingIn,
    OfferingOut,
    StaffIn,
    StaffOut,
    StoreIn,
    StoreOut,
)
from o2o.api.serializers import merchant_out, offering_out, store_out
from o2o.catalogue import services as catalogue
from o2o.merchants import services as merchants
from o2o.merchants.access import merchant_for_staff

router = Router(tags=["merchants"], auth=AUTH)
_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


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
    return Status(201, {"id": ms.pk, "user_id": ms.user_id, "email": ms.user.email, "role": ms.role,
                        "store_ids": [s.pk for s in ms.stores.all()], "invite_token": ms.invite_token or None})


@router.post("/merchants/{merchant_id}/offerings", response={201: OfferingOut, **_ERRORS})
def offering_create(request: HttpRequest, merchant_id: str, body: OfferingIn):  # type: ignore[no-untyped-def]
    m, _membership = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    o = catalogue.offering_create(
        merchant=m, actor=me(request), kind=body.kind, title=body.title, description=body.description,
        price=body.price.dict(), list_price=body.list_price.dict() if body.list_price else None,
        quantity_total=body.quantity_total, per_customer_limit=body.per_customer_limit, valid_days=body.valid_days,
        redeemable_store_ids=body.redeemable_store_ids, status=body.status,
    )
    return Status(201, offering_out(o))
