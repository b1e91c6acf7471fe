"""Loyalty rules of a merchant (points, tiers, referral rewards), member tiers and referrals."""

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import StrictInt

from o2o.api.auth import AUTH, me
from o2o.api.errors import ErrorOut
from o2o.api.serializers import merchant_ref
from o2o.core.errors import NotFound
from o2o.members import referrals, tiers
from o2o.members.models import LoyaltyProgram, Membership, Referral, Tier
from o2o.merchants.access import as_uuid, merchant_for_staff
from o2o.merchants.enums import MerchantStatus
from o2o.merchants.models import Merchant

router = Router(tags=["members"], auth=AUTH)
_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ProgramIn(Schema):
    """Fields left out keep their value. `tier_basis`: spend (money paid, less refunds) or points (points
    earned by orders, less those taken back), over the last `tier_window_days`. `referrer_points` and
    `referred_points`: what a referral's first paid order gives each side (0: nothing)."""

    earn_per_unit: str | None = Field(None, description="points per unit of money paid", max_length=16)
    point_value: str | None = Field(None, description="what one point takes off a price", max_length=16)
    expiry_days: StrictInt | None = None
    tier_basis: str | None = Field(None, examples=["spend", "points"], max_length=8)
    tier_window_days: StrictInt | None = None
    referrer_points: StrictInt | None = None
    referred_points: StrictInt | None = None


class TierIn(Schema):
    name: str = Field(..., max_length=60)
    threshold: str = Field(..., description="the qualifying value (money in the merchant's currency, or points) "
                                            "from which a card is in this tier", examples=["1000.00"], max_length=16)
    points_multiplier: str = Field("1", description="points earned are multiplied by this (1 to 10)", max_length=8)
    member_discount_percent: StrictInt = Field(0, description="member price: percent off deal orders (0 to 90)")


class TierOut(Schema):
    id: UUID
    name: str
    threshold: str
    points_multiplier: str
    member_discount_percent: int


class ProgramOut(Schema):
    merchant_id: UUID
    earn_per_unit: str
    point_value: str
    expiry_days: int
    tier_basis: str
    tier_window_days: int
    referrer_points: int
    referred_points: int
    tiers: list[TierOut]


class TierListOut(Schema):
    results: list[TierOut]


class MyTierOut(Schema):
    merchant: dict[str, Any]
    tier: TierOut | None = None
    basis: str = Field(..., description="spend or points")
    window_days: int
    value: str = Field(..., description="what counts towards the tiers now (money or points)")
    next_tier: TierOut | None = None
    to_next: str | None = Field(None, description="how much more reaches the next tier")


class ReferralIn(Schema):
    code: str = Field(..., max_length=32)


class ReferralOut(Schema):
    id: UUID
    merchant: dict[str, Any]
    status: str = Field(..., description="pending (until the first paid order), rewarded, reversed")
    referrer_name: str
    referred_name: str
    referrer_points: int
    referred_points: int
    created_at: datetime


class MyReferralOut(Schema):
    merchant: dict[str, Any]
    code: str
    link: str = Field(..., description="the page a friend opens: /r/<code>/")
    referrer_points: int = Field(..., description="what I get for each new customer's first paid order")
    referred_points: int
    referrals: list[ReferralOut]


def tier_out(t: Tier) -> dict[str, Any]:
    return {"id": t.pk, "name": t.name, "threshold": str(t.threshold), "points_multiplier": str(t.points_multiplier),
            "member_discount_percent": t.member_discount_percent}


def program_out(p: LoyaltyProgram) -> dict[str, Any]:
    return {"merchant_id": p.merchant_id, "earn_per_unit": str(p.earn_per_unit), "point_value": str(p.point_value),
            "expiry_days": p.expiry_days, "tier_basis": p.tier_basis, "tier_window_days": p.tier_window_days,
            "referrer_points": p.referrer_points, "referred_points": p.referred_points,
            "tiers": [tier_out(t) for t in tiers.tiers_of_merchant(merchant_id=p.merchant_id)]}


def referral_out(r: Referral) -> dict[str, Any]:
    return {"id": r.pk, "merchant": merchant_ref(r.merchant), "status": r.status,
            "referrer_name": r.referrer.display_name, "referred_name": r.referred.display_name,
            "referrer_points": r.referrer_points, "referred_points": r.referred_points, "created_at": r.created_at}


def _active_merchant(merchant_id: str) -> Merchant:
    m = Merchant.objects.filter(pk=as_uuid(merchant_id), status=MerchantStatus.ACTIVE).first()
    if m is None:
        raise NotFound()
    return m


@router.get("/merchants/{merchant_id}/loyalty-program", response={200: ProgramOut, **_ERRORS})
def program_get(request: HttpRequest, merchant_id: str):  # type: ignore[no-untyped-def]
    """The merchant's points, tier and referral rules with its tiers (anyone signed in: customers see
    what a tier brings)."""
    m = _active_merchant(merchant_id)
    return program_out(tiers.program_of(m.pk))


@router.put("/merchants/{merchant_id}/loyalty-program", response={200: ProgramOut, **_ERRORS})
def program_put(request: HttpRequest, merchant_id: str, body: ProgramIn):  # type: ignore[no-untyped-def]
    """Owners and managers change the rules (a clerk -> 403, not staff -> 404); 422 with `fields`."""
    return program_out(tiers.program_update(user=me(request), merchant_id=merchant_id, data=body.dict()))


@router.post("/merchants/{merchant_id}/tiers", response={201: TierOut, **_ERRORS})
def tier_create(request: HttpRequest, merchant_id: str, body: TierIn):  # type: ignore[no-untyped-def]
    """A new tier (owners and managers). 422 with `fields`; a threshold the merchant already has -> 422
    tier_threshold_taken. Cards move into it when their next order is paid or refunded, or by the
    worker's daily pass."""
    return Status(201, tier_out(tiers.tier_create(user=me(request), merchant_id=merchant_id, data=body.dict())))


@router.get("/merchants/{merchant_id}/tiers", response={200: TierListOut, **_ERRORS})
def tier_list(request: HttpRequest, merchant_id: str):  # type: ignore[no-untyped-def]
    """The merchant's tiers, lowest first."""
    m = _active_merchant(merchant_id)
    return {"results": [tier_out(t) for t in tiers.tiers_of_merchant(merchant_id=m.pk)]}


@router.get("/me/member-cards/{merchant_id}/tier", response={200: MyTierOut, **_ERRORS})
def my_tier(request: HttpRequest, merchant_id: str):  # type: ignore[no-untyped-def]
    """My tier at the merchant, what counts towards it and what reaches the next; 404 without a card."""
    card = (Membership.objects.select_related("merchant", "tier")
            .filter(customer=me(request), merchant_id=as_uuid(merchant_id)).first())
    if card is None:
        raise NotFound()
    progress = tiers.tier_progress(card=card)
    nxt = progress.next_tier
    return {"merchant": merchant_ref(card.merchant), "tier": tier_out(card.tier) if card.tier else None,
            "basis": progress.basis, "window_days": progress.window_days, "value": str(progress.value),
            "next_tier": tier_out(nxt) if nxt else None,
            "to_next": str(max(nxt.threshold - progress.value, Decimal(0))) if nxt else None}


@router.get("/me/member-cards/{merchant_id}/referral", response={200: MyReferralOut, **_ERRORS})
def my_referral(request: HttpRequest, merchant_id: str):  # type: ignore[no-untyped-def]
    """My referral code and link at the merchant (made on first ask) and the customers it brought;
    404 without a card."""
    card = (Membership.objects.select_related("merchant")
            .filter(customer=me(request), merchant_id=as_uuid(merchant_id)).first())
    if card is None:
        raise NotFound()
    code = referrals.referral_code_of(card=card)
    program = tiers.program_of(card.merchant_id)
    return {"merchant": merchant_ref(card.merchant), "code": code, "link": referrals.referral_link_path(code),
            "referrer_points": program.referrer_points, "referred_points": program.referred_points,
            "referrals": [referral_out(r) for r in referrals.referrals_of(user=me(request), merchant_id=card.merchant_id)]}


@router.post("/referrals", response={201: ReferralOut, **_ERRORS})
def referral_take(request: HttpRequest, body: ReferralIn):  # type: ignore[no-untyped-def]
    """Take a member's referral code: my first paid order at that merchant then rewards us both (the
    merchant's referrer_points and referred_points), once; a full refund of it takes both back. 404
    referral_code_not_found; 409 self_referral, referral_loop (the code's owner was brought by me),
    already_referred, not_new_customer (I have bought there), staff_not_referred (I work there),
    referrer_not_customer."""
    ref = referrals.referral_accept(customer=me(request), code=body.code)
    ref = Referral.objects.select_related("merchant", "referrer", "referred").get(pk=ref.pk)
    return Status(201, referral_out(ref))


@router.get("/merchants/{merchant_id}/referrals", response={200: dict[str, list[ReferralOut]], **_ERRORS})
def merchant_referrals(request: HttpRequest, merchant_id: str):  # type: ignore[no-untyped-def]
    """The merchant's referrals (its staff), newest first."""
    m, _s = merchant_for_staff(user=me(request), merchant_id=merchant_id)
    rows = Referral.objects.filter(merchant=m).select_related("merchant", "referrer", "referred").order_by(
        "-created_at")[:200]
    return {"results": [referral_out(r) for r in rows]}
