"""Stock in buckets: an offering's units are split over a few rows so that many buyers at once do
not queue on one hot row (the flash-sale case). Every change is a conditional UPDATE on one bucket
(`left >= n`), so a unit can never be sold twice and a bucket never goes below zero.

A buyer reads which buckets still hold enough (no lock), picks one at random and takes from it;
only when no single bucket holds enough although the sum does (the last few units), the buckets
are locked in order and the units are gathered across them.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from uuid import UUID

from django.db import transaction
from django.db.models import F, Sum

from o2o.catalogue.models import StockBucket

# Offerings up to this many units keep one bucket; bigger ones get one bucket per this many units.
UNITS_PER_BUCKET = 100
MAX_BUCKETS = 32
_rnd = random.SystemRandom()


def buckets_for(total: int) -> int:
    return max(1, min(MAX_BUCKETS, total // UNITS_PER_BUCKET))


def stock_init(*, offering_id: UUID, total: int) -> None:
    n = buckets_for(total)
    base, rest = divmod(total, n)
    StockBucket.objects.bulk_create(
        [StockBucket(offering_id=offering_id, slot=i, left=base + (1 if i < rest else 0)) for i in range(n)]
    )


def stock_take(*, offering_id: UUID, n: int, buckets_hint: int = 0) -> bool:
    """Take n units (inside the caller's transaction). False when fewer than n are left.

    With buckets_hint (how many buckets the offering was given) the first try is one blind
    UPDATE on a random bucket: one round trip while stock lasts.
    """
    if buckets_hint and StockBucket.objects.filter(
            offering_id=offering_id, slot=_rnd.randrange(buckets_hint), left__gte=n).update(left=F("left") - n) == 1:
        return True
    for _attempt in range(3):
        slots = list(StockBucket.objects.filter(offering_id=offering_id, left__gte=n).values_list("slot", flat=True))
        if not slots:
            break
        _rnd.shuffle(slots)
        for slot in slots[:4]:
            if StockBucket.objects.filter(offering_id=offering_id, slot=slot, left__gte=n).update(
                    left=F("left") - n) == 1:
                return True
    return _take_across(offering_id=offering_id, n=n)


def _take_across(*, offering_id: UUID, n: int) -> bool:
    with transaction.atomic():
        buckets = list(StockBucket.objects.select_for_update().filter(offering_id=offering_id, left__gt=0)
                       .order_by("slot"))
        if sum(b.left for b in buckets) < n:
            return False
        need = n
        for b in buckets:
            take = min(b.left, need)
            StockBucket.objects.filter(pk=b.pk, left__gte=take).update(left=F("left") - take)
            need -= take
            if need == 0:
                break
    return True


def stock_give(*, offering_id: UUID, n: int) -> None:
    """Return n units (refund, expired hold) to one bucket."""
    slots = list(StockBucket.objects.filter(offering_id=offering_id).values_list("slot", flat=True))
    StockBucket.objects.filter(offering_id=offering_id, slot=_rnd.choice(slots)).update(left=F("left") + n)


def stock_left(offering_ids: Iterable[UUID]) -> dict[UUID, int]:
    rows = (StockBucket.objects.filter(offering_id__in=list(offering_ids)).values("offering_id")
            .annotate(n=Sum("left")))
    return {r["offering_id"]: int(r["n"] or 0) for r in rows}


# --- per-store stock of products (StoreStock): NULL quantity_left is unlimited (made to order) ---

def store_stock_take(*, offering_id: UUID, store_id: UUID, n: int, counted: bool = False) -> bool:
    """Take n units of the product at the store (inside the caller's transaction): one conditional
    UPDATE (not sold out, at least n left). False when the store does not sell it, it is switched to
    sold out or fewer than n are left. An unlimited dish is only checked, never written: no row lock,
    so a lunch rush on made-to-order dishes does not queue on one row.

    counted=True (the caller read the row as counted just before, store_stock_left) goes straight to the
    conditional UPDATE: one round trip while the row is locked, not two. When it takes nothing the row is
    read and decided as without the hint (it may have become unlimited meanwhile)."""
    from o2o.catalogue.models import StoreStock

    def take() -> bool:
        return StoreStock.objects.filter(offering_id=offering_id, store_id=store_id, sold_out=False,
                                         quantity_left__gte=n).update(quantity_left=F("quantity_left") - n) == 1

    if counted and take():
        return True
    row = StoreStock.objects.filter(offering_id=offering_id, store_id=store_id).values_list(
        "quantity_left", "sold_out").first()
    if row is None or row[1]:
        return False
    if row[0] is None:
        return True
    return take()


def store_stock_give(*, offering_id: UUID, store_id: UUID, n: int) -> None:
    """Return n units (a cancelled or refunded order); unlimited stock stays unlimited."""
    from o2o.catalogue.models import StoreStock

    StoreStock.objects.filter(offering_id=offering_id, store_id=store_id, quantity_left__isnull=False).update(
        quantity_left=F("quantity_left") + n)


def store_stock_left(*, offering_ids: Iterable[UUID], store_id: UUID) -> dict[UUID, int | None]:
    """What the store can still sell of each product: None for unlimited, 0 when sold out or not sold there."""
    from o2o.catalogue.models import StoreStock

    out: dict[UUID, int | None] = dict.fromkeys(offering_ids, 0)
    for oid, left, sold_out in StoreStock.objects.filter(offering_id__in=list(out), store_id=store_id).values_list(
            "offering_id", "quantity_left", "sold_out"):
        out[oid] = 0 if sold_out else left
    return out
