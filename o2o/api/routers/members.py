"""Members: coupons (made by merchants, claimed by customers, used at checkout through POST /orders
`coupon`), member cards with their signed QR and the points ledger (earned on paid orders and at the
counter, spent through POST /orders `points` or a counter sale's `points`)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool, StrictInt

from o2o.api.auth import AUTH, me
from o2o.api.errors import ErrorOut
from o2o.api.schemas import MoneyIn, MoneyOut
from o2o.api.serializers import merchant_ref, money
from o2o.core.errors import NotFound
from o2o.core.money import Money
from o2o.members import cards, coupons
from o2o.members.models import Coupon, CouponClaim, Membership, PointsEntry
from o2o.members.services import points_expire_card
from o2o.merchants.access import as_uuid

router = Router(tags=["members"], auth=AUTH)
_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class CouponIn(Schema):
    """A coupon: `kind` fixed (`amount` off) or percent (`percent` 1-100, at most `max_discount`);
    `min_spend` on what it covers; `offering_ids` / `store_ids` restrict it (empty: all of the merchant's);
    valid from `valid_from` (default now) until `valid_until`; `total_limit` coupons in all (null:
    unlimited) and `per_customer_limit` each (default 1); whether it stacks with points or member
    prices; `refund_rule` return (given back on a full refund, the default) or forfeit. `code` (letters
    and digits, default generated) is what a customer may type at checkout."""

    title: str = Field(..., max_length=140)
    kind: str = Field(..., examples=["fixed", "percent"], max_length=16)
    amount: MoneyIn | None = None
    percent: StrictInt | None = None
    max_discount: MoneyIn | None = None
    min_spend: MoneyIn | None = None
    code: str | None = Field(None, max_length=32)
    offering_ids: list[str] = Field([], max_length=500)
    store_ids: list[str] = Field([], max_length=500)
    valid_from: datetime | None = None
    valid_until: datetime
    total_limit: StrictInt | None = None
    per_customer_limit: StrictInt = 1
    stacks_with_points: StrictBool = True
    stacks_with_member_price: StrictBool = True
    refund_rule: str = Field("return", max_length=16)
    status: str = Field("active", max_length=16)


class CouponOut(Schema):
    id: UUID
    merchant_id: UUID
    code: str
    title: str
    kind: str
    amount: MoneyOut | None = None
    percent: int | None = None
    max_discount: MoneyOut | None = None
    min_spend: MoneyOut
    offering_ids: list[UUID]
    store_ids: list[UUID]
    valid_from: datetime
    valid_until: datetime
    total_limit: int | None = None
    per_customer_limit: int
    claimed: int
    left: int | None = Field(None, description="coupons left to claim (null: unlimited)")
    stacks_with_points: bool
    stacks_with_member_price: bool
    refund_rule: str
    status: str


class ClaimOut(Schema):
    id: UUID
    status: str = Field(..., description="available or used")
    order_id: UUID | None = None
    claimed_at: datetime
    used_at: datetime | None = None
    coupon: CouponOut
    merchant: dict[str, Any]


class ClaimListOut(Schema):
    results: list[ClaimOut]


class CouponListOut(Schema):
    results: list[CouponOut]


class EntryOut(Schema):
    at: datetime
    kind: str = Field(..., description="earn, spend, reverse (a refund or an order that did not go through), expire")
    points: int
    reference: str
    expires_at: datetime | None = None


class CardOut(Schema):
    id: UUID
    merchant: dict[str, Any]
    points: int
    qr_payload: str = Field(..., description="O2O1.<payload>.<signature>, signed like vouchers (GET /keys/vouchers); "
                                             "payload {kid, typ: 'card', card, mid, exp}")
    qr_expires_at: int = Field(..., description="unix seconds")
    entries: list[EntryOut] = []


class CardListOut(Schema):
    results: list[CardOut]


class JoinIn(Schema):
    merchant_id: str = Field(..., max_length=64)


class ScanIn(Schema):
    qr_payload: str = Field(..., max_length=4096)


class ScanOut(Schema):
    card_id: UUID
    merchant_id: UUID
    customer_name: str
    points: int


def coupon_out(c: Coupon) -> dict[str, Any]:
    cur = c.currency
    return {"id": c.pk, "merchant_id": c.merchant_id, "code": c.code, "title": c.title, "kind": c.kind,
            "amount": money(Money(c.amount, cur)) if c.amount is not None else None, "percent": c.percent,
            "max_discount": money(Money(c.max_discount, cur)) if c.max_discount is not None else None,
            "min_spend": money(Money(c.min_spend, cur)),
            "offering_ids": [o.pk for o in c.offerings.all()], "store_ids": [s.pk for s in c.stores.all()],
            "valid_from": c.valid_from, "valid_until": c.valid_until, "total_limit": c.total_limit,
            "per_customer_limit": c.per_customer_limit, "claimed": c.claimed_count,
            "left": coupons.coupon_claims_left(coupon=c), "stacks_with_points": c.stacks_with_points,
            "stacks_with_member_price": c.stacks_with_member_price, "refund_rule": c.refund_rule,
            "status": c.status}


def claim_out(cl: CouponClaim) -> dict[str, Any]:
    return {"id": cl.pk, "status": cl.status, "order_id": cl.order_id, "claimed_at": cl.created_at,
            "used_at": cl.used_at, "coupon": coupon_out(cl.coupon), "merchant": merchant_ref(cl.coupon.merchant)}


def card_out(card: Membership, *, entries: bool = False) -> dict[str, Any]:
    card = points_expire_card(card=card)
    qr, exp = cards.member_card_qr(card)
    out = {"id": card.pk, "merchant": merchant_ref(card.merchant), "points": card.balance, "qr_payload": qr,
           "qr_expires_at": exp}
    if entries:
        out["entries"] = [{"at": e.at, "kind": e.kind, "points": e.points, "reference": e.reference,
                           "expires_at": e.expires_at}
                          for e in PointsEntry.objects.filter(membership=card).order_by("-at", "-id")[:100]]
    return out


@router.post("/merchants/{merchant_id}/coupons", response={201: CouponOut, **_ERRORS})
def coupon_create(request: HttpRequest, merchant_id: str, body: CouponIn):  # type: ignore[no-untyped-def]
    """Owners and managers make a coupon (a clerk -> 403; not staff -> 404); 422 with `fields`; a code
    the merchant already has -> 422 coupon_code_taken."""
    c = coupons.coupon_create(user=me(request), merchant_id=merchant_id, data=body.dict())
    return Status(201, coupon_out(c))


@router.get("/merchants/{merchant_id}/coupons", response={200: CouponListOut, **_ERRORS})
def coupon_list(request: HttpRequest, merchant_id: str):  # type: ignore[no-untyped-def]
    """The merchant's coupons (its staff), newest first, with how many were claimed."""
    return {"results": [coupon_out(c) for c in coupons.coupons_of_merchant(user=me(request), merchant_id=merchant_id)]}


@router.post("/coupons/{coupon_id}/claim", response={201: ClaimOut, **_ERRORS})
def coupon_claim(request: HttpRequest, coupon_id: str):  # type: ignore[no-untyped-def]
    """Put one of the coupon into my wallet. 404 coupon_not_found; 409 coupon_expired,
    coupon_not_yet_valid, coupon_not_applicable (paused), coupon_used_up (none left),
    coupon_limit_reached (I have as many as allowed)."""
    return Status(201, claim_out(coupons.coupon_claim(customer=me(request), coupon_id=coupon_id)))


@router.get("/me/coupons", response={200: ClaimListOut, 401: ErrorOut})
def my_coupons(request: HttpRequest):  # type: ignore[no-untyped-def]
    """My claimed coupons (available and used), newest first."""
    return {"results": [claim_out(cl) for cl in coupons.claims_of_customer(customer=me(request))]}


@router.get("/me/member-cards", response={200: CardListOut, 401: ErrorOut})
def my_cards(request: HttpRequest, response: HttpResponse):  # type: ignore[no-untyped-def]
    """My member cards, each with its points and a fresh signed QR for the counter."""
    add_never_cache_headers(response)
    rows = Membership.objects.filter(customer=me(request)).select_related("merchant").order_by("-updated_at")[:100]
    return {"results": [card_out(c) for c in rows]}


@router.post("/me/member-cards", response={200: CardOut, 201: CardOut, **_ERRORS})
def join(request: HttpRequest, body: JoinIn):  # type: ignore[no-untyped-def]
    """Open my member card at a merchant (201; 200 if I have one already)."""
    card, created = cards.member_card_join(customer=me(request), merchant_id=body.merchant_id)
    card = Membership.objects.select_related("merchant").get(pk=card.pk)
    return Status(201 if created else 200, card_out(card, entries=True))


@router.get("/me/member-cards/{merchant_id}", response={200: CardOut, **_ERRORS})
def my_card(request: HttpRequest, response: HttpResponse, merchant_id: str):  # type: ignore[no-untyped-def]
    """My card at the merchant with its points ledger (newest first) and a fresh QR; 404 if I have none."""
    add_never_cache_headers(response)
    card = (Membership.objects.select_related("merchant")
            .filter(customer=me(request), merchant_id=as_uuid(merchant_id)).first())
    if card is None:
        raise NotFound()
    return card_out(card, entries=True)


@router.post("/stores/{store_id}/member-cards/scan", response={200: ScanOut, **_ERRORS})
def scan(request: HttpRequest, store_id: str, body: ScanIn):  # type: ignore[no-untyped-def]
    """A clerk scans a customer's member card QR (staff of the store). 400 invalid_signature (forged or
    altered), 400 invalid_member_card (a genuine QR that is not a card), 409 wrong_merchant, 409
    card_expired (an old QR: the phone shows a fresh one)."""
    card = points_expire_card(card=cards.member_card_scan(user=me(request), store_id=store_id,
                                                          qr_payload=body.qr_payload))
    return {"card_id": card.pk, "merchant_id": card.merchant_id, "customer_name": card.customer.display_name,
            "points": card.balance}
