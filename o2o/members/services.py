"""Points ledger services. Every change is one signed PointsEntry row written in the same transaction as
the conditional UPDATE of the card's cached balance (never below zero), so the balance is always the sum
of the rows. Points are used first-to-expire first; what is left of a row at its expiry goes with an
`expire` row (points_expire_due, called before every spend and by the worker)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from o2o.core.money import Money, quantum
from o2o.members.errors import BadPoints, NotEnoughPoints, PointsAlreadyBooked
from o2o.members.models import LoyaltyProgram, Membership, PointsEntry, PointsKind

MAX_POINTS = 10**9


@dataclass(frozen=True)
class Rules:
    earn_per_unit: Decimal = Decimal("1")
    point_value: Decimal = Decimal("0.01")
    expiry_days: int = 365


def program_rules(*, merchant_id: Any) -> Rules:
    p = LoyaltyProgram.objects.filter(merchant_id=merchant_id).first()
    if p is None:
        return Rules()
    return Rules(earn_per_unit=p.earn_per_unit, point_value=p.point_value, expiry_days=p.expiry_days)


def points_for_amount(*, rules: Rules, amount: Decimal) -> int:
    """Points earned by paying `amount` (whole points, rounded down)."""
    if amount <= 0:
        return 0
    return int((amount * rules.earn_per_unit).to_integral_value(rounding=ROUND_DOWN))


def points_value(*, rules: Rules, points: int, currency: str) -> Money:
    """What `points` take off a price, rounded down to the currency's smallest unit."""
    return Money((rules.point_value * points).quantize(quantum(currency), rounding=ROUND_DOWN), currency)


def membership_get_or_create(*, merchant: Any, customer: Any) -> Membership:
    merchant_id = getattr(merchant, "pk", merchant)
    card = Membership.objects.filter(merchant_id=merchant_id, customer=customer).first()
    if card is not None:
        return card
    try:
        with transaction.atomic():
            return Membership.objects.create(merchant_id=merchant_id, customer=customer)
    except IntegrityError:  # made by a concurrent first earn
        return Membership.objects.get(merchant_id=merchant_id, customer=customer)


def _check(points: int) -> None:
    if not isinstance(points, int) or isinstance(points, bool) or not 0 < points <= MAX_POINTS:
        raise BadPoints()


def _book(*, card: Membership, kind: str, points: int, reference: str,
          expires_at: datetime | None = None) -> PointsEntry:
    try:
        with transaction.atomic():
            return PointsEntry.objects.create(membership=card, kind=kind, points=points, reference=reference,
                                              expires_at=expires_at)
    except IntegrityError as exc:
        raise PointsAlreadyBooked() from exc


def _add(card: Membership, *, kind: str, points: int, reference: str, expires_at: datetime | None) -> PointsEntry:
    entry = _book(card=card, kind=kind, points=points, reference=reference, expires_at=expires_at)
    Membership.objects.filter(pk=card.pk).update(balance=F("balance") + points)
    return entry


def _take(card: Membership, *, kind: str, points: int, reference: str) -> PointsEntry:
    if not Membership.objects.filter(pk=card.pk, balance__gte=points).update(balance=F("balance") - points):
        raise NotEnoughPoints()
    return _book(card=card, kind=kind, points=-points, reference=reference)


@transaction.atomic
def points_earn(*, merchant: Any, customer: Any, points: int, reference: str = "",
                expires_at: datetime | None = None) -> PointsEntry:
    """Earn points; they expire after the merchant's expiry_days unless `expires_at` says otherwise."""
    _check(points)
    card = membership_get_or_create(merchant=merchant, customer=customer)
    if expires_at is None:
        expires_at = timezone.now() + timedelta(days=program_rules(merchant_id=card.merchant_id).expiry_days)
    return _add(card, kind=PointsKind.EARN, points=points, reference=reference, expires_at=expires_at)


@transaction.atomic
def points_spend(*, merchant: Any, customer: Any, points: int, reference: str = "") -> PointsEntry:
    """Spend points: expired ones go first, then a conditional UPDATE (balance >= points), so two
    spends at once never overdraw."""
    _check(points)
    card = membership_get_or_create(merchant=merchant, customer=customer)
    _expire(card, now=timezone.now())
    return _take(card, kind=PointsKind.SPEND, points=points, reference=reference)


def _expire(card: Membership, *, now: datetime) -> PointsEntry | None:
    """Inside a transaction: book what is left of the card's points whose expiry has passed. Every
    negative row used the first-to-expire points, so that is sum(expired positive rows) - sum(|negative
    rows|) when positive (never more than the balance)."""
    if not PointsEntry.objects.filter(membership=card, points__gt=0, expires_at__lte=now).exists():
        return None
    Membership.objects.select_for_update().filter(pk=card.pk).values_list("pk", flat=True).first()
    sums = PointsEntry.objects.filter(membership=card).aggregate(
        expired=Sum("points", filter=Q(points__gt=0, expires_at__lte=now)),
        used=Sum("points", filter=Q(points__lt=0)))
    left = (sums["expired"] or 0) + (sums["used"] or 0)
    if left <= 0:
        return None
    return _take(card, kind=PointsKind.EXPIRE, points=left, reference="")


def points_expire_card(*, card: Membership, now: datetime | None = None) -> Membership:
    """Book the card's expired points now (in a transaction of its own, so that a refusal after it, say a
    spend of more than is left, does not undo it); answers the card with its balance."""
    with transaction.atomic():
        _expire(card, now=now or timezone.now())
    card.refresh_from_db(fields=["balance"])
    return card


def points_expire_due(*, now: datetime | None = None) -> int:
    """Expire what is due on every card (the worker's periodic task); answers the points taken."""
    now = now or timezone.now()
    taken = 0
    ids = (PointsEntry.objects.filter(points__gt=0, expires_at__lte=now, membership__balance__gt=0)
           .values_list("membership_id", flat=True).distinct())
    for card in Membership.objects.filter(pk__in=list(ids)):
        with transaction.atomic():
            row = _expire(card, now=now)
        taken += -row.points if row else 0
    return taken


@transaction.atomic
def points_reverse(*, merchant: Any, customer: Any, reference: str) -> PointsEntry | None:
    """On refund: undo what was earned and spent under `reference` (once). Returns the reversing row."""
    card = membership_get_or_create(merchant=merchant, customer=customer)
    net = (PointsEntry.objects.filter(membership=card, reference=reference)
           .exclude(kind=PointsKind.REVERSE).aggregate(s=Sum("points"))["s"] or 0)
    if net == 0:
        return None
    if net > 0:
        return _take(card, kind=PointsKind.REVERSE, points=net, reference=reference)
    return _add(card, kind=PointsKind.REVERSE, points=-net, reference=reference, expires_at=None)


@transaction.atomic
def points_give_back(*, card: Membership, points: int, reference: str) -> PointsEntry:
    """Points spent on an order that did not go through (or was refunded) come back (once per reference);
    they expire like newly earned ones."""
    _check(points)
    days = program_rules(merchant_id=card.merchant_id).expiry_days
    return _add(card, kind=PointsKind.REVERSE, points=points, reference=reference,
                expires_at=timezone.now() + timedelta(days=days))


@transaction.atomic
def points_take_back(*, card: Membership, points: int, reference: str) -> PointsEntry | None:
    """Points earned by a refunded purchase go away (once per reference): as many as the card still
    holds, never below zero. Answers None when the card holds none."""
    _check(points)
    _expire(card, now=timezone.now())
    Membership.objects.select_for_update().filter(pk=card.pk).values_list("pk", flat=True).first()
    held = Membership.objects.filter(pk=card.pk).values_list("balance", flat=True).get()
    n = min(points, held)
    if n <= 0:
        return None
    return _take(card, kind=PointsKind.REVERSE, points=n, reference=reference)


def points_balance(*, merchant: Any, customer: Any) -> int:
    return (PointsEntry.objects.filter(membership__merchant=merchant, membership__customer=customer)
            .aggregate(s=Sum("points"))["s"] or 0)
