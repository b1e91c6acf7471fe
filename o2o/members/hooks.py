"""What the return path does at an order's money moments (orders.hooks, registered in apps.ready):
paid -> points earned (times the tier's multiplier), the tier recomputed, a pending referral rewarded;
refunded -> the points it earned taken back (in proportion, all on a full
refund), on a full refund the points it spent and (by the merchant's rule) its coupon given back and a referral it rewarded reversed; the tier recomputed;
released unpaid -> its points and coupon given back. Each runs in the transaction of the move."""

from __future__ import annotations

import logging
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from o2o.members import referrals
from o2o.members.coupons import coupon_give_back
from o2o.members.enums import ClaimStatus
from o2o.members.errors import PointsAlreadyBooked
from o2o.members.models import CouponClaim, CouponClaimEvent, PointsEntry, PointsKind, Tier
from o2o.members.services import (
    membership_get_or_create,
    points_earn,
    points_for_amount,
    points_give_back,
    points_take_back,
    program_rules,
)
from o2o.members.tiers import multiplied, tier_recompute

log = logging.getLogger(__name__)
COUNTER = "counter"  # orders.enums.Channel.COUNTER: the counter's sale earns for the scanned card, not here


def earn_for_order(*, order: Any, customer: Any) -> int:
    """The points the paid order earns its customer (once per order), times the multiplier of the tier
    the card was in when it paid; then the card's tier is recomputed. Answers how many points."""
    n = points_for_amount(rules=program_rules(merchant_id=order.merchant_id), amount=order.total_amount)
    card = membership_get_or_create(merchant=order.merchant_id, customer=customer)
    n = multiplied(points=n, tier=Tier.objects.filter(pk=card.tier_id).first() if card.tier_id else None)
    if n > 0:
        try:
            points_earn(merchant=order.merchant_id, customer=customer, points=n, reference=str(order.pk))
        except PointsAlreadyBooked:
            return 0
    tier_recompute(card=card)
    return max(n, 0)


def on_paid(*, order: Any) -> None:
    if order.source_channel == COUNTER:
        return
    _coupon_again(order)
    earn_for_order(order=order, customer=order.customer)
    referrals.on_order_paid(order=order)


def _coupon_again(order: Any) -> None:
    """An order paid after its hold ran out (payments re-reserves its units) had given its coupon back:
    it takes an available claim of that coupon again, so that one claim never pays for two orders. With
    none left (used meanwhile elsewhere) the merchant bears that one discount; it is logged."""
    codes = set(order.adjustments.filter(kind="coupon").values_list("reference", flat=True))
    if not codes or CouponClaim.objects.filter(order=order, status=ClaimStatus.USED).exists():
        return
    for claim in CouponClaim.objects.filter(coupon__merchant_id=order.merchant_id, coupon__code__in=codes,
                                            customer_id=order.customer_id, status=ClaimStatus.AVAILABLE):
        if CouponClaim.objects.filter(pk=claim.pk, status=ClaimStatus.AVAILABLE).update(
                status=ClaimStatus.USED, order=order, used_at=timezone.now(), updated_at=timezone.now()):
            CouponClaimEvent.objects.create(claim=claim, from_status=ClaimStatus.AVAILABLE, to_status=ClaimStatus.USED,
                                            reason="used again: order paid after its hold ran out",
                                            data={"order": str(order.pk)})
            return
    log.warning("order %s paid after its hold ran out: its coupon %s was used meanwhile", order.number, codes)


def _rows(order: Any) -> Any:
    return PointsEntry.objects.filter(membership__merchant_id=order.merchant_id, reference__startswith=str(order.pk))


def _give_back_spent(order: Any) -> None:
    ref = str(order.pk)
    spent = _rows(order).filter(kind=PointsKind.SPEND, reference=ref).select_related("membership").first()
    if spent is None or _rows(order).filter(kind=PointsKind.REVERSE, reference=f"{ref}:s").exists():
        return
    points_give_back(card=spent.membership, points=-spent.points, reference=f"{ref}:s")


def on_refunded(*, order: Any) -> None:
    ref = str(order.pk)
    earned = _rows(order).filter(kind=PointsKind.EARN, reference=ref).select_related("membership").first()
    full = order.status == "refunded"
    if earned is not None:
        takebacks = _rows(order).filter(kind=PointsKind.REVERSE, reference__startswith=f"{ref}:e")
        taken = -(takebacks.aggregate(s=Sum("points"))["s"] or 0)
        total = order.total_amount
        keep = 0
        if not full and total > 0:
            keep = int((Decimal(earned.points) * (total - order.refunded_amount) / total)
                       .to_integral_value(rounding=ROUND_DOWN))
        due = earned.points - taken - keep
        if due > 0:
            row = points_take_back(card=earned.membership, points=due,
                                   reference=f"{ref}:e{takebacks.count() + 1}")
            if row is None or -row.points < due:
                log.info("order %s: %s points to take back, the card held fewer", order.number, due)
        tier_recompute(card=earned.membership)
    if full:
        _give_back_spent(order)
        coupon_give_back(order=order, reason="order refunded", refund=True)
        referrals.on_order_refunded(order=order)


def on_released(*, order: Any) -> None:
    if order.status not in ("expired", "cancelled"):
        return  # a refunded order's slot being freed (ordering.kitchen): on_refunded did the rest
    _give_back_spent(order)
    coupon_give_back(order=order, reason=f"order {order.status}")
