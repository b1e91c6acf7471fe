from django.http import HttpRequest
from ninja import Router, Status

from o2o.api.auth import AUTH
from o2o.api.errors import ErrorOut
from o2o.api.schemas import KeysOut, RedeemIn, RedemptionOut, VoucherCheckOut
from o2o.vouchers import services as vouchers
from o2o.vouchers.signing import active_key, public_keys

router = Router(tags=["vouchers"])
_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.post("/redemptions", response={201: RedemptionOut, **_ERRORS}, auth=AUTH)
def redeem(request: HttpRequest, body: RedeemIn):  # type: ignore[no-untyped-def]
    v = vouchers.voucher_redeem(actor=request.user, store_id=body.store_id, code=body.code, qr_payload=body.qr_payload)
    return Status(201, {"voucher_id": v.pk, "status": v.status, "redeemed_at": v.redeemed_at,
                        "store_id": v.redeemed_store_id, "offering_title": v.offering.title,
                        "order_number": v.order.number})


@router.post("/redemptions/check", response={200: VoucherCheckOut, **_ERRORS}, auth=AUTH)
def check(request: HttpRequest, body: RedeemIn):  # type: ignore[no-untyped-def]
    """What a counter shows before redeeming; answers the same errors redeeming would."""
    v = vouchers.voucher_check(actor=request.user, store_id=body.store_id, code=body.code, qr_payload=body.qr_payload)
    return {"voucher_id": v.pk, "status": v.display_status, "offering_title": v.offering.title,
            "valid_until": v.valid_until, "order_number": v.order.number, "customer_name": v.customer.display_name}


@router.get("/keys/vouchers", response={200: KeysOut}, auth=None)
def keys(request: HttpRequest):  # type: ignore[no-untyped-def]
    active_key()  # make sure one exists
    return {"keys": public_keys()}
