"""Membership tiers: a merchant's ladder of tiers (Tier rows, each from a threshold), a card's qualifying
value over the programme's rolling window (money spent on paid orders less what was refunded, or points
earned by orders less what refunds took back), and the benefits of the card's tier: a points multiplier
on what an order earns, and a member price (percent off a deal order, an adjustment line `member_price`).

A card's tier is recomputed when one of its orders is paid or refunded (members.hooks) and daily by the
worker (the window rolls: old spending falls out of it). Each move appends a TierChange row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.core.errors import Invalid
from o2o.core.money import Money, quantum
from o2o.members.enums import TierBasis
from o2o.members.models import LoyaltyProgram, Membership, PointsEntry, PointsKind, Tier, TierChange
from o2o.merchants.access import merchant_for_staff
from o2o.orders.checkout import AdjustmentIn
from o2o.orders.models import Order

MAX_TIERS = 20
MAX_THRESHOLD = Decimal("100000000")


def _bad(field: str, message: str) -> Invalid:
    return Invalid(_("Some fields are not valid."), fields={field: message})


def _decimal(value: Any, field: str, *, low: Decimal, high: Decimal) -> Decimal:
    try:
        d = Decimal(str(value)) if isinstance(value, str | int) and not isinstance(value, bool) else None
    except InvalidOperation:
        d = None
    if d is None or not d.is_finite() or not low <= d <= high:
        raise _bad(field, _("a number from %(low)s to %(high)s") % {"low": low, "high": high})
    return d


def tier_create(*, user: Any, merchant_id: Any, data: Mapping[str, Any]) -> Tier:
    """A new tier (owners and managers): `name`, `threshold` (money in the programme's basis currency or
    points), `points_multiplier` (1 to 10), `member_discount_percent` (0 to 90)."""
    merchant, _m = merchant_for_staff(user=user, merchant_id=merchant_id, manage=True)
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 60:
        raise _bad("name", _("1 to 60 characters"))
    threshold = _decimal(data.get("threshold"), "threshold", low=Decimal("0"), high=MAX_THRESHOLD)
    threshold = threshold.quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    mult = _decimal(data.get("points_multiplier", "1"), "points_multiplier", low=Decimal("1"), high=Decimal("10"))
    pct = data.get("member_discount_percent", 0)
    if isinstance(pct, bool) or not isinstance(pct, int) or not 0 <= pct <= 90:
        raise _bad("member_discount_percent", _("a whole number from 0 to 90"))
    if Tier.objects.filter(merchant=merchant).count() >= MAX_TIERS:
        raise _bad("threshold", _("at most %(n)d tiers") % {"n": MAX_TIERS})
    try:
        with transaction.atomic():
            return Tier.objects.create(merchant=merchant, name=name, threshold=threshold,
                                       points_multiplier=mult.quantize(Decimal("0.01")), member_discount_percent=pct)
    except IntegrityError:
        raise Invalid(_("This merchant already has a tier from this threshold."),
                      fields={"threshold": _("already used")}, code="tier_threshold_taken") from None


def tiers_of_merchant(*, merchant_id: Any) -> list[Tier]:
    return list(Tier.objects.filter(merchant_id=merchant_id).order_by("threshold"))


def program_update(*, user: Any, merchant_id: Any, data: Mapping[str, Any]) -> LoyaltyProgram:
    """PUT /merchants/{id}/loyalty-program (owners and managers): the points, tier and referral rules;
    fields left out keep their value."""
    merchant, _m = merchant_for_staff(user=user, merchant_id=merchant_id, manage=True)
    program, _c = LoyaltyProgram.objects.get_or_create(merchant=merchant)
    if data.get("earn_per_unit") is not None:
        program.earn_per_unit = _decimal(data["earn_per_unit"], "earn_per_unit", low=Decimal("0"), high=Decimal("1000"))
    if data.get("point_value") is not None:
        program.point_value = _decimal(data["point_value"], "point_value", low=Decimal("0.0001"), high=Decimal("100"))
    for field, low, high in (("expiry_days", 1, 3650), ("tier_window_days", 1, 3650),
                             ("referrer_points", 0, 10**6), ("referred_points", 0, 10**6)):
        value = data.get(field)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _bad(field, _("a whole number from %(low)d to %(high)d") % {"low": low, "high": high})
        setattr(program, field, value)
    if data.get("tier_basis") is not None:
        if data["tier_basis"] not in TierBasis.values:
            raise _bad("tier_basis", "spend, points")
        program.tier_basis = data["tier_basis"]
    program.save()
    return program


def program_of(merchant_id: Any) -> LoyaltyProgram:
    return LoyaltyProgram.objects.filter(merchant_id=merchant_id).first() or LoyaltyProgram(merchant_id=merchant_id)


def _order_ids(refs: list[str]) -> list[UUID]:
    out = []
    for ref in refs:
        try:
            out.append(UUID(ref))
        except ValueError:
            continue  # a referral reward or a manual earn: not an order
    return out


def qualifying_value(*, card: Membership, program: LoyaltyProgram | None = None,
                     now: datetime | None = None) -> Decimal:
    """What counts towards the card's tier over the window: the orders that earned points on this card
    since then (online and at the counter alike: each books one `earn` row under its order's id) give
    their total less what was refunded (basis spend) or the points they earned less those taken back
    (basis points)."""
    program = program or program_of(card.merchant_id)
    since = (now or timezone.now()) - timedelta(days=program.tier_window_days)
    earned = dict(PointsEntry.objects.filter(membership=card, kind=PointsKind.EARN, at__gte=since)
                  .values_list("reference", "points"))
    ids = _order_ids(list(earned))
    if program.tier_basis == TierBasis.SPEND:
        total = Decimal("0")
        for amount, refunded in Order.objects.filter(pk__in=ids).values_list("total_amount", "refunded_amount"):
            total += amount - refunded
        return total
    refs = {str(i) for i in ids}
    value = sum(p for r, p in earned.items() if r in refs)
    for ref, points in (PointsEntry.objects.filter(membership=card, kind=PointsKind.REVERSE, points__lt=0,
                                                   reference__contains=":e").values_list("reference", "points")):
        if ref.split(":", 1)[0] in refs:
            value += points
    return Decimal(max(value, 0))


def tier_for(*, merchant_id: Any, value: Decimal) -> Tier | None:
    return Tier.objects.filter(merchant_id=merchant_id, threshold__lte=value).order_by("-threshold").first()


def tier_recompute(*, card: Membership, now: datetime | None = None) -> Tier | None:
    """Put the card in the tier its qualifying value reaches now (in the caller's transaction, or its
    own); a move appends a TierChange. Answers the tier."""
    if card.tier_id is None and not Tier.objects.filter(merchant_id=card.merchant_id).exists():
        return None  # a merchant without tiers: nothing to compute (the checkout's hot path)
    program = program_of(card.merchant_id)
    value = qualifying_value(card=card, program=program, now=now)
    tier = tier_for(merchant_id=card.merchant_id, value=value)
    with transaction.atomic():
        current = Membership.objects.select_for_update().filter(pk=card.pk).values_list("tier_id", flat=True).get()
        new_id = tier.pk if tier else None
        if current != new_id:
            old = Tier.objects.filter(pk=current).first() if current else None
            Membership.objects.filter(pk=card.pk).update(tier_id=new_id, updated_at=timezone.now())
            TierChange.objects.create(membership=card, from_status=old.name[:32] if old else "",
                                      to_status=tier.name[:32] if tier else "",
                                      reason="up" if (tier and (old is None or tier.threshold > old.threshold))
                                      else "down", data={"value": str(value), "basis": program.tier_basis})
    card.tier_id = new_id
    card.tier = tier
    return tier


def tiers_recompute_all(*, now: datetime | None = None, limit: int = 5000) -> int:
    """The worker's daily pass: every card in a tier (its window rolled on) and every card of a merchant
    with tiers that earned lately. Answers how many cards moved."""
    moved = 0
    since = (now or timezone.now()) - timedelta(days=2)
    ids = set(Membership.objects.filter(tier__isnull=False).values_list("pk", flat=True)[:limit])
    ids |= set(PointsEntry.objects.filter(at__gte=since, membership__merchant__member_tiers__isnull=False)
               .values_list("membership_id", flat=True).distinct()[:limit])
    for card in Membership.objects.filter(pk__in=list(ids)):
        before = card.tier_id
        tier = tier_recompute(card=card, now=now)
        moved += (tier.pk if tier else None) != before
    return moved


def multiplied(*, points: int, tier: Tier | None) -> int:
    if tier is None or tier.points_multiplier == 1:
        return points
    return int((Decimal(points) * tier.points_multiplier).to_integral_value(rounding=ROUND_DOWN))


@dataclass(frozen=True)
class TierProgress:
    basis: str
    window_days: int
    value: Decimal
    next_tier: Tier | None


def tier_progress(*, card: Membership) -> TierProgress:
    program = program_of(card.merchant_id)
    value = qualifying_value(card=card, program=program)
    nxt = Tier.objects.filter(merchant_id=card.merchant_id, threshold__gt=value).order_by("threshold").first()
    return TierProgress(basis=program.tier_basis, window_days=program.tier_window_days, value=value, next_tier=nxt)


def member_price_adjustments(*, tier: Tier | None, currency: str,
                             line_totals: Mapping[UUID, Decimal]) -> list[AdjustmentIn]:
    """The tier's member price on each line of a deal order: percent off, rounded half up to the
    currency's unit, one `member_price` adjustment per line."""
    if tier is None or not tier.member_discount_percent:
        return []
    out = []
    label = _("Member price (%(tier)s, %(p)d%% off)") % {"tier": tier.name, "p": tier.member_discount_percent}
    for oid, total in line_totals.items():
        off = (total * tier.member_discount_percent / Decimal(100)).quantize(quantum(currency), rounding=ROUND_HALF_UP)
        if off > 0:
            out.append(AdjustmentIn(kind="member_price", amount=Money(-off, currency), label=label,
                                    offering_id=oid, reference=str(tier.pk)[:64]))
    return out


def member_tier_of(*, customer: Any, merchant_id: Any) -> Tier | None:
    card = (Membership.objects.select_related("tier").filter(merchant_id=merchant_id, customer=customer)
            .only("tier").first())
    return card.tier if card is not None else None
