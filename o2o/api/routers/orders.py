from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from ninja import Router, Status

from o2o.api import idempotency
from o2o.api.auth import AUTH
from o2o.api.errors import ErrorOut
from o2o.api.schemas import OrderIn, OrderListOut, OrderOut, PayIn, RefundIn
from o2o.api.serializers import json_safe, order_out
from o2o.campaigns.selectors import placement_for_checkout
from o2o.delivery.checkout import delivery_order_create
from o2o.members.checkout import member_order_create
from o2o.members.errors import CouponNotApplicable
from o2o.ordering.checkout import ordering_order_create
from o2o.orders import services as orders
from o2o.orders.enums import Channel
from o2o.orders.selectors import order_for_customer, orders_of_customer
from o2o.payments import services as payments

router = Router(tags=["orders"], auth=AUTH)
_ERRORS = {400: ErrorOut, 401: ErrorOut, 402: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _answer(status: int, body):  # type: ignore[no-untyped-def]
    return Status(status, body)


@router.post("/orders", response={200: OrderOut, 201: OrderOut, **_ERRORS})
def order_create(request: HttpRequest, body: OrderIn):  # type: ignore[no-untyped-def]
    """Check out. Without `fulfilment` (or `{type: "voucher"}`) a group-buy deal's units are reserved and
    paid vouchers follow. With `{type: "pickup", store_id, slot_start}` or `{type: "dine_in", table_id,
    pay_at_counter}` products are ordered from that store's menu; lines carry `options: [{name, choice}]`
    and may carry the `unit_price` shown. 409: `sold_out` (at that store, or switched sold out),
    `slot_full`, `slot_unavailable` (past or too soon for the dishes' prep time), `store_closed`,
    `wrong_store` (a table of another merchant's store), `price_changed`. With `{type: "delivery", store_id,
    address, lat, lng}` the store's zones price it: the delivery fee is an adjustment line (kind
    `delivery_fee`); 409 `out_of_zone` outside every zone, `below_minimum` under the zone's minimum order
    (`fields`: minimum_order, subtotal); 422 with `fields` for bad
    options (unknown, too many choices, a required group missing) or quantities; 404 for an unknown
    store, table or a dish not on that store's menu. A deal order may carry a `coupon` (id or code) and
    `points` to spend, each an adjustment line (see the fields for their refusals); a member whose tier
    has a member price gets it as a `member_price` adjustment line. A deal sold to teams -> 409
    team_deal_only (open or join a team). A refused checkout writes nothing."""
    raw = body.dict()
    for perk in ("coupon", "points"):  # new optional fields: absent from the idempotency body when not sent
        if raw.get(perk) is None:
            raw.pop(perk, None)
    placement = raw.pop("placement_id", None)
    if placement is not None:
        raw["placement_id"] = str(placement)

    fulfilment = raw.pop("fulfilment", None)
    if fulfilment is None or fulfilment.get("type", "voucher") == "voucher":
        for line in raw["lines"]:  # a deal's lines are {offering_id, quantity} as before
            line.pop("options", None)
            line.pop("unit_price", None)
    else:
        raw["fulfilment"] = fulfilment
        if "coupon" in raw or "points" in raw:
            raise CouponNotApplicable(_("Coupons and points apply to deal orders; pickup and table orders "
                                        "take them at the counter."), fields={"fulfilment": "voucher"})

    def work():  # type: ignore[no-untyped-def]
        chosen = placement or placement_for_checkout(  # else the buyer's scans (account or this browser's cookie)
            user=request.user, visitor_key=getattr(request, "visitor_key", None),
            offering_ids=[line.get("offering_id") for line in raw["lines"]], at=timezone.now())
        source = orders.Source(channel=Channel.APP, placement_id=chosen)
        if "fulfilment" in raw and raw["fulfilment"].get("type") == "delivery":
            order = delivery_order_create(customer=request.user, lines=raw["lines"], fulfilment=raw["fulfilment"],
                                          source=source)
        elif "fulfilment" in raw:
            order = ordering_order_create(customer=request.user, lines=raw["lines"], fulfilment=raw["fulfilment"],
                                          source=source)
        else:  # a deal order: with a coupon, points or a tier's member price as adjustment lines
            order = member_order_create(customer=request.user, lines=raw["lines"], source=source,
                                        coupon=raw.get("coupon"), points=raw.get("points"))
        return 201, json_safe(order_out(order))  # as written: no re-read (GET /orders/{id} answers the same)

    # atomic: the order and the key's answer commit together, so a retry after the first attempt's
    # process died never makes a second order (a keyed checkout takes the plain path, not a batch)
    status, out = idempotency.run(request, endpoint="orders.create", body=raw, work=work,
                                  replay_status=lambda s: 200 if s == 201 else s, atomic=True)
    return _answer(status, out)


@router.get("/orders", response={200: OrderListOut, 401: ErrorOut})
def order_list(request: HttpRequest, response: HttpResponse):  # type: ignore[no-untyped-def]
    add_never_cache_headers(response)  # voucher codes and QR payloads: never stored by a cache
    return {"results": [order_out(o) for o in orders_of_customer(user=request.user)[:50]]}


@router.get("/orders/{order_id}", response={200: OrderOut, **_ERRORS})
def order_get(request: HttpRequest, response: HttpResponse, order_id: str):  # type: ignore[no-untyped-def]
    add_never_cache_headers(response)  # voucher codes and QR payloads: never stored by a cache
    return order_out(order_for_customer(user=request.user, order_id=order_id))


@router.post("/orders/{order_id}/pay", response={200: OrderOut, **_ERRORS})
def order_pay(request: HttpRequest, order_id: str, body: PayIn):  # type: ignore[no-untyped-def]
    order_for_customer(user=request.user, order_id=order_id)  # 404 before anything else
    raw = body.dict()

    def work():  # type: ignore[no-untyped-def]
        payments.order_pay(customer=request.user, order_id=order_id, provider=raw["provider"],
                           details={k: raw[k] for k in ("card_number", "exp_month", "exp_year", "cvc")
                                    if raw.get(k) is not None},
                           purpose=raw["purpose"], amount=raw["amount"], reference=raw["reference"])
        return 200, json_safe(order_out(order_for_customer(user=request.user, order_id=order_id)))

    status, out = idempotency.run(request, endpoint=f"orders.pay:{order_id}",
                                  body={k: v for k, v in raw.items() if k not in ("card_number", "cvc")}
                                  | {"card": raw["card_number"][-4:]}, work=work)
    return _answer(status, out)


@router.post("/orders/{order_id}/refund", response={200: OrderOut, **_ERRORS})
def order_refund(request: HttpRequest, order_id: str, body: RefundIn | None = None):  # type: ignore[no-untyped-def]
    order_for_customer(user=request.user, order_id=order_id)
    raw = body.dict() if body else {"voucher_ids": None}

    def work():  # type: ignore[no-untyped-def]
        payments.order_refund(customer=request.user, order_id=order_id, voucher_ids=raw["voucher_ids"])
        return 200, json_safe(order_out(order_for_customer(user=request.user, order_id=order_id)))

    status, out = idempotency.run(request, endpoint=f"orders.refund:{order_id}", body=raw, work=work)
    return _answer(status, out)
