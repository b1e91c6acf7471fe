from django.http import HttpRequest
from ninja import Router, Status

from o2o.api.auth import AUTH, me
from o2o.api.errors import ErrorOut
from o2o.api.schemas import KeysOut, RedeemIn, RedemptionOut, SyncIn, SyncOut, VoucherCheckOut
from o2o.vouchers import services as vouchers
from o2o.vouchers.offline import conflict_as_dict, vouchers_sync_offline
from o2o.vouchers.signing import active_key, public_keys

router = Router(tags=["vouchers"])
_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.post("/redemptions", response={201: RedemptionOut, **_ERRORS}, auth=AUTH)
def redeem(request: HttpRequest, body: RedeemIn):  # type: ignore[no-untyped-def]
    v = vouchers.voucher_redeem(actor=me(request), store_id=body.store_id, code=body.code, qr_payload=body.qr_payload)
    return Status(201, {"voucher_id": v.pk, "status": v.status, "redeemed_at": v.redeemed_at,
                        "store_id": v.redeemed_store_id, "offering_title": v.offering.title,
                        "order_number": v.order.number})


@router.post("/redemptions/check", response={200: VoucherCheckOut, **_ERRORS}, auth=AUTH)
def check(request: HttpRequest, body: RedeemIn):  # type: ignore[no-untyped-def]
    """What a counter shows before redeeming; answers the same errors redeeming would."""
    v = vouchers.voucher_check(actor=me(request), store_id=body.store_id, code=body.code, qr_payload=body.qr_payload)
    return {"voucher_id": v.pk, "status": v.display_status, "offering_title": v.offering.title,
            "valid_until": v.valid_until, "order_number": v.order.number, "customer_name": v.customer.display_name}


@router.get("/keys/vouchers", response={200: KeysOut}, auth=None)
def keys(request: HttpRequest):  # type: ignore[no-untyped-def]
    active_key()  # make sure one exists
    return {"keys": public_keys()}


@router.post("/redemptions/sync", response={200: SyncOut, **_ERRORS}, auth=AUTH)
def sync(request: HttpRequest, body: SyncIn):  # type: ignore[no-untyped-def]
    """What a counter redeemed while offline: each item is verified again and redeemed in the order of the
    device's clock; the first redemption of a voucher stands, a later one is a conflict reported to the
    merchant. One result per item, in the order sent; re-sending an item answers its recorded outcome.
    `conflicts` lists the open conflicts in which this device's redemption is the refused one."""
    store, results, conflicts = vouchers_sync_offline(
        actor=me(request), store_id=body.store_id, device_id=body.device_id, device_name=body.device_name,
        items=[item.dict() for item in body.items])
    return {"store_id": store.pk, "device_id": body.device_id, "conflicts": [conflict_as_dict(c) for c in conflicts],
            "results": [{"index": r.index, "status": r.status, "code": r.code, "message": r.message,
                         "voucher_id": r.voucher.pk if r.voucher else None,
                         "offering_title": r.voucher.offering.title if r.voucher else None,
                         "redeemed_at": r.redeemed_at,
                         "conflict": conflict_as_dict(r.conflict) if r.conflict else None} for r in results]}
