"""The checkout's pricing steps of the return path: a coupon and points, as adjustment lines of the order
(orders.checkout.AdjustmentIn through orders.services.order_create), so that the order's total is the sum
of its lines and adjustments. The claim is used and the points spent in the transaction that writes the
order: any refusal (sold out, the coupon taken meanwhile, points spent meanwhile) writes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.core.money import Money
from o2o.members.coupons import coupon_find, coupon_quote, coupon_take
from o2o.members.errors import BadPoints, CouponNotStackable, PointsTooMany
from o2o.members.models import Membership
from o2o.members.services import (
    MAX_POINTS,
    membership_get_or_create,
    points_expire_card,
    points_spend,
    points_value,
    program_rules,
)
from o2o.members.teams import refuse_plain_checkout
from o2o.members.tiers import member_price_adjustments, member_tier_of
from o2o.orders import services as orders
from o2o.orders.checkout import (
    AdjustmentIn,
    default_store_ids,
    offerings_of_one_merchant,
    parse_lines,
)
from o2o.orders.models import Order


def checked_points(points: Any) -> int:
    if points is None:
        return 0
    if isinstance(points, bool) or not isinstance(points, int) or not 0 <= points <= MAX_POINTS:
        raise BadPoints(fields={"points": _("a whole number above zero")})
    return points


def points_adjustment(*, merchant_id: Any, points: int, currency: str, left: Decimal) -> AdjustmentIn:
    """The adjustment line of `points` spent on an order whose total is `left` before them."""
    value = points_value(rules=program_rules(merchant_id=merchant_id), points=points, currency=currency)
    if value.amount > left:
        raise PointsTooMany(fields={"points": _("worth %(v)s, more than the %(left)s to pay")
                                    % {"v": value, "left": Money(left, currency)}})
    if value.amount <= 0:
        raise BadPoints(_("These points are worth nothing yet."), fields={"points": _("too few")})
    return AdjustmentIn(kind="points", amount=Money(-value.amount, currency),
                        label=_("%(n)d points") % {"n": points}, reference=f"{points}")


def _offering_ids(lines: Any) -> list[UUID]:
    out = []
    for line in lines if isinstance(lines, list) else []:
        try:
            out.append(UUID(str(line.get("offering_id") if isinstance(line, dict) else "")))
        except ValueError:
            continue  # parse_lines names the bad line
    return out


def member_order_create(*, customer: User, lines: Any, source: orders.Source | None = None,
                        coupon: Any = None, points: Any = None) -> Order:
    """POST /orders with `coupon` (its id or code) and/or `points` to spend: a deal order (see
    orders.services.order_create) with their adjustment lines, and the member price of the customer's
    tier at the merchant (members.tiers) on every deal order. Refusals: coupon_not_found (404),
    coupon_expired, coupon_not_yet_valid, coupon_min_spend, coupon_used_up, coupon_limit_reached,
    coupon_already_used, coupon_not_applicable, coupon_not_stackable, not_enough_points (409);
    bad_points, points_too_many (422)."""
    n_points = checked_points(points)
    refuse_plain_checkout(_offering_ids(lines))
    if coupon is None and not n_points and not Membership.objects.filter(
            customer=customer, tier__member_discount_percent__gt=0).exists():
        return orders.order_create(customer=customer, lines=lines, source=source)  # nothing of ours: the fast path
    wanted = parse_lines(lines)
    offerings = offerings_of_one_merchant(wanted)
    first = next(iter(offerings.values()))
    merchant_id, currency = first.merchant_id, first.currency
    line_totals: dict[UUID, Decimal] = {oid: (offerings[oid].price * qty).amount for oid, qty in wanted.items()}
    left = sum(line_totals.values(), Decimal("0"))
    adjustments: list[AdjustmentIn] = []
    found = None
    if coupon is not None:
        found = coupon_find(ref=coupon, merchant_id=merchant_id)
        if n_points and not found.stacks_with_points:
            raise CouponNotStackable()
    if found is None or found.stacks_with_member_price:
        # The tier's member price first (a coupon that does not stack with it leaves it out: the
        # customer chose the coupon); the coupon's minimum spend then counts the member prices.
        member = member_price_adjustments(tier=member_tier_of(customer=customer, merchant_id=merchant_id),
                                          currency=currency, line_totals=line_totals)
        for a in member:
            if a.offering_id is not None:
                line_totals[a.offering_id] += a.amount.amount
            left += a.amount.amount
        adjustments += member
    if coupon is None and not n_points and not adjustments:
        return orders.order_create(customer=customer, lines=lines, source=source)
    if found is not None:
        store_id = default_store_ids([next(iter(wanted))]).get(next(iter(wanted)))
        quote = coupon_quote(coupon=found, merchant_id=merchant_id, store_id=store_id, currency=currency,
                             line_totals=line_totals)
        adjustments += quote.adjustments
        left -= quote.discount.amount
    if n_points:
        adjustments.append(points_adjustment(merchant_id=merchant_id, points=n_points, currency=currency, left=left))
    if n_points:
        points_expire_card(card=membership_get_or_create(merchant=merchant_id, customer=customer))
    with transaction.atomic():
        order = orders.order_create(customer=customer, lines=lines, source=source, adjustments=adjustments)
        if found is not None:
            coupon_take(customer=customer, coupon=found, order=order)
        if n_points:
            points_spend(merchant=merchant_id, customer=customer, points=n_points, reference=str(order.pk))
    return order
