"""Referrals: a member shares their referral code (a link /r/<code>/); a customer new to the merchant takes
it (POST /referrals); their first paid order there rewards both with the merchant's points (the programme's
referrer_points and referred_points), once; a full refund of that order takes both back.

Refused, with nothing written: one's own code (self_referral), a code whose owner was brought by the
taker (directly or up the chain: referral_loop), a taker who already bought at the merchant
(not_new_customer), the merchant's own staff (staff_not_referred), a second code at the same merchant (already_referred), a code whose owner never paid
for an order there themselves (referrer_not_customer: rings of fresh accounts referring each other earn
nothing). The unique (merchant, referred) row and the conditional moves of its status keep it once under
concurrency.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy

from o2o.core.errors import Conflict, NotFound
from o2o.core.state import transition
from o2o.members.enums import REFERRAL_TRANSITIONS, ReferralStatus
from o2o.members.errors import PointsAlreadyBooked
from o2o.members.models import Membership, PointsEntry, PointsKind, Referral, ReferralEvent
from o2o.members.services import membership_get_or_create, points_earn, points_take_back
from o2o.members.tiers import program_of
from o2o.merchants.access import membership_of
from o2o.merchants.enums import MerchantStatus
from o2o.orders.enums import PAID_STATUSES, OrderStatus
from o2o.orders.models import Order

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
MAX_CHAIN = 100


class SelfReferral(Conflict):
    code, default_message = "self_referral", gettext_lazy("You cannot use your own referral code.")


class ReferralLoop(Conflict):
    code, default_message = "referral_loop", gettext_lazy("This member was brought by you; codes cannot go round.")


class NotNewCustomer(Conflict):
    code, default_message = "not_new_customer", gettext_lazy("Referral codes are for customers new to this shop.")


class AlreadyReferred(Conflict):
    code, default_message = "already_referred", gettext_lazy("You already used a referral code at this shop.")


class ReferrerNotCustomer(Conflict):
    code, default_message = "referrer_not_customer", gettext_lazy(
        "Only customers who have bought at this shop can invite others.")


class StaffNotReferred(Conflict):
    code, default_message = "staff_not_referred", gettext_lazy("Staff of this shop cannot take its referral codes.")


class ReferralCodeNotFound(NotFound):
    code, default_message = "referral_code_not_found", gettext_lazy("No such referral code.")


def _has_paid_order(*, customer_id: Any, merchant_id: Any, exclude_order: Any = None) -> bool:
    qs = Order.objects.filter(customer_id=customer_id, merchant_id=merchant_id,
                              status__in=[OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED])
    if exclude_order is not None:
        qs = qs.exclude(pk=exclude_order)
    return qs.exists()


def referral_code_of(*, card: Membership) -> str:
    """The card's referral code, made on first ask (unique; drawn again on a collision)."""
    if card.referral_code:
        return card.referral_code
    for _attempt in range(5):
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(8))
        try:
            with transaction.atomic():
                if Membership.objects.filter(pk=card.pk, referral_code__isnull=True).update(referral_code=code):
                    card.referral_code = code
                    return code
        except IntegrityError:
            continue
        card.refresh_from_db(fields=["referral_code"])
        return str(card.referral_code)
    raise AssertionError("no free referral code after 5 draws")


def card_by_code(code: Any) -> Membership:
    text = str(code or "").strip().upper()
    card = None
    if text and len(text) <= 16:
        card = (Membership.objects.select_related("merchant", "customer")
                .filter(referral_code=text, merchant__status=MerchantStatus.ACTIVE).first())
    if card is None:
        raise ReferralCodeNotFound()
    return card


def _brought_by(*, merchant_id: Any, user_id: Any) -> Any:
    return (Referral.objects.filter(merchant_id=merchant_id, referred_id=user_id)
            .values_list("referrer_id", flat=True).first())


def referral_accept(*, customer: Any, code: Any) -> Referral:
    """POST /referrals {code}: the customer takes a member's code at that member's merchant (pending
    until the customer's first paid order there)."""
    card = card_by_code(code)
    merchant_id, referrer_id = card.merchant_id, card.customer_id
    if referrer_id == customer.pk:
        raise SelfReferral()
    up, seen = referrer_id, 0
    while up is not None and seen < MAX_CHAIN:  # the referrer's own chain: was it started by the customer?
        up = _brought_by(merchant_id=merchant_id, user_id=up)
        if up == customer.pk:
            raise ReferralLoop()
        seen += 1
    if Referral.objects.filter(merchant_id=merchant_id, referred=customer).exists():
        raise AlreadyReferred()
    if membership_of(customer, merchant_id) is not None:
        raise StaffNotReferred()
    if Order.objects.filter(customer=customer, merchant_id=merchant_id, status__in=PAID_STATUSES).exists():
        raise NotNewCustomer()
    if not _has_paid_order(customer_id=referrer_id, merchant_id=merchant_id):
        raise ReferrerNotCustomer()
    try:
        with transaction.atomic():
            ref = Referral.objects.create(merchant_id=merchant_id, referrer_id=referrer_id, referred=customer)
            ReferralEvent.objects.create(referral=ref, actor=customer, to_status=ref.status, reason="code taken",
                                         data={"code": card.referral_code})
    except IntegrityError:
        raise AlreadyReferred() from None
    return ref


def referrals_of(*, user: Any, merchant_id: Any = None) -> list[Referral]:
    qs = Referral.objects.filter(referrer=user).select_related("referred", "merchant").order_by("-created_at")
    if merchant_id is not None:
        qs = qs.filter(merchant_id=merchant_id)
    return list(qs[:200])


def _move(ref: Referral, *, to: str, reason: str, data: dict[str, Any] | None = None,
          extra: dict[str, Any] | None = None) -> None:
    transition(obj=ref, to=to, table=REFERRAL_TRANSITIONS, event_model=ReferralEvent, event_fk="referral",
               reason=reason, data=data, extra=extra)


def on_order_paid(*, order: Any) -> Referral | None:
    """In the paid transaction: the customer's pending referral at the merchant is rewarded by this first
    paid order (none before it), once; both sides earn the programme's points, booked under the referral."""
    ref = Referral.objects.filter(merchant_id=order.merchant_id, referred_id=order.customer_id,
                                  status=ReferralStatus.PENDING).first()
    if ref is None or _has_paid_order(customer_id=order.customer_id, merchant_id=order.merchant_id,
                                      exclude_order=order.pk):
        return None
    program = program_of(order.merchant_id)
    _move(ref, to=ReferralStatus.REWARDED, reason="first paid order", data={"order": str(order.pk)},
          extra={"order": order, "referrer_points": program.referrer_points,
                 "referred_points": program.referred_points})
    for user, points, side in ((ref.referrer, program.referrer_points, "r"),
                               (ref.referred, program.referred_points, "n")):
        if points:
            try:
                points_earn(merchant=order.merchant_id, customer=user, points=points,
                            reference=f"ref:{ref.pk}:{side}")
            except PointsAlreadyBooked:
                pass
    return ref


def on_order_refunded(*, order: Any) -> Referral | None:
    """A full refund of the order that rewarded a referral takes back both rewards (as many points as each
    card still holds) and reverses it; it is never rewarded again."""
    if order.status != OrderStatus.REFUNDED:
        return None
    ref = Referral.objects.filter(order=order, status=ReferralStatus.REWARDED).first()
    if ref is None:
        return None
    _move(ref, to=ReferralStatus.REVERSED, reason="first order refunded", data={"order": str(order.pk)})
    for user, side in ((ref.referrer, "r"), (ref.referred, "n")):
        earned = PointsEntry.objects.filter(membership__merchant_id=order.merchant_id, membership__customer=user,
                                            kind=PointsKind.EARN, reference=f"ref:{ref.pk}:{side}").first()
        if earned is None:
            continue
        card = membership_get_or_create(merchant=order.merchant_id, customer=user)
        try:
            points_take_back(card=card, points=earned.points, reference=f"ref:{ref.pk}:{side}")
        except PointsAlreadyBooked:
            pass
    return ref


def referral_link_path(code: str) -> str:
    return f"/r/{code}/"
