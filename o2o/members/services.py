"""Points ledger services. Checkout calls points_earn / points_spend / points_reverse inside its own
transaction; each returns the ledger row, whose signed `points` is what an adjustment line carries."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from o2o.members.errors import BadPoints, NotEnoughPoints, PointsAlreadyBooked
from o2o.members.models import Membership, PointsEntry, PointsKind


def membership_get_or_create(*, merchant: Any, customer: Any) -> Membership:
    card, _ = Membership.objects.get_or_create(merchant=merchant, customer=customer)
    return card


def _check(points: int) -> None:
    if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
        raise BadPoints()


def _book(*, card: Membership, kind: str, points: int, reference: str) -> PointsEntry:
    try:
        with transaction.atomic():
            return PointsEntry.objects.create(membership=card, kind=kind, points=points, reference=reference)
    except IntegrityError as exc:
        raise PointsAlreadyBooked() from exc


@transaction.atomic
def points_earn(*, merchant: Any, customer: Any, points: int, reference: str = "") -> PointsEntry:
    _check(points)
    card = membership_get_or_create(merchant=merchant, customer=customer)
    entry = _book(card=card, kind=PointsKind.EARN, points=points, reference=reference)
    Membership.objects.filter(pk=card.pk).update(balance=F("balance") + points)
    return entry


@transaction.atomic
def points_spend(*, merchant: Any, customer: Any, points: int, reference: str = "") -> PointsEntry:
    """Spend points: a conditional UPDATE (balance >= points) so two spends at once never overdraw."""
    _check(points)
    card = membership_get_or_create(merchant=merchant, customer=customer)
    if not Membership.objects.filter(pk=card.pk, balance__gte=points).update(balance=F("balance") - points):
        raise NotEnoughPoints()
    return _book(card=card, kind=PointsKind.SPEND, points=-points, reference=reference)


@transaction.atomic
def points_reverse(*, merchant: Any, customer: Any, reference: str) -> PointsEntry | None:
    """On refund: undo what was earned and spent under `reference` (once). Returns the reversing row."""
    card = membership_get_or_create(merchant=merchant, customer=customer)
    net = (PointsEntry.objects.filter(membership=card, reference=reference)
           .exclude(kind=PointsKind.REVERSE).aggregate(s=Sum("points"))["s"] or 0)
    if net == 0:
        return None
    if net > 0 and not Membership.objects.filter(pk=card.pk, balance__gte=net).update(balance=F("balance") - net):
        raise NotEnoughPoints()
    entry = _book(card=card, kind=PointsKind.REVERSE, points=-net, reference=reference)
    if net < 0:
        Membership.objects.filter(pk=card.pk).update(balance=F("balance") - net)
    return entry


def points_balance(*, merchant: Any, customer: Any) -> int:
    return (PointsEntry.objects.filter(membership__merchant=merchant, membership__customer=customer)
            .aggregate(s=Sum("points"))["s"] or 0)
