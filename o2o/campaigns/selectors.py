"""Campaign reads. Merchant-side reads pass merchants.access; the public side knows only codes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet

from o2o.campaigns.enums import AttributionModel
from o2o.campaigns.models import (
    DEFAULT_WINDOW_DAYS,
    MAX_WINDOW_DAYS,
    AttributionSetting,
    Campaign,
    Placement,
    Scan,
)
from o2o.catalogue.models import Offering
from o2o.core.errors import NotFound
from o2o.merchants.access import as_uuid, merchant_for_staff
from o2o.merchants.enums import MerchantStatus

VISITOR_COOKIE = "o2o_visitor"
VISITOR_COOKIE_MAX_AGE = 400 * 86400  # the longest a browser keeps a cookie (RFC 6265bis caps it at 400 days)


def placement_by_code(code: str | None) -> Placement | None:
    """The live placement a scanned code stands for: None for an unknown or disabled code, or one of a
    merchant that is not active (nothing of a pending or suspended merchant is public)."""
    if not code:
        return None
    return (Placement.objects.select_related("merchant", "target_offering", "target_store")
            .filter(code=code, is_active=True, merchant__status=MerchantStatus.ACTIVE).first())


def placement_by_code_any(code: str | None) -> Placement | None:
    """The placement of a code whatever its state (its QR image is drawn for the merchant's sheets)."""
    return Placement.objects.filter(code=code).first() if code else None


def campaigns_of_merchant(*, user: Any, merchant_id: Any) -> tuple[Any, QuerySet[Campaign]]:
    merchant, _m = merchant_for_staff(user=user, merchant_id=merchant_id)
    return merchant, (Campaign.objects.filter(merchant=merchant)
                      .prefetch_related("placements__target_offering", "placements__target_store")
                      .order_by("-created_at"))


def campaign_for_staff(*, user: Any, merchant_id: Any, campaign_id: Any) -> Campaign:
    merchant, _m = merchant_for_staff(user=user, merchant_id=merchant_id)
    campaign = (Campaign.objects.prefetch_related("placements").select_related("merchant")
                .filter(pk=as_uuid(campaign_id), merchant=merchant).first())
    if campaign is None:
        raise NotFound()
    return campaign


def placement_for_staff(*, user: Any, merchant_id: Any, placement_id: Any, manage: bool = False) -> Placement:
    merchant, _m = merchant_for_staff(user=user, merchant_id=merchant_id, manage=manage)
    placement = (Placement.objects.select_related("merchant", "campaign", "target_offering", "target_store")
                 .filter(pk=as_uuid(placement_id), merchant=merchant).first())
    if placement is None:
        raise NotFound()
    return placement


def window_days(merchant_id: Any) -> int:
    found = AttributionSetting.objects.filter(merchant_id=merchant_id).values_list("window_days", flat=True).first()
    return int(found) if found else DEFAULT_WINDOW_DAYS


def pick_scan(scans: Iterable[tuple[datetime, UUID]], *, before: datetime, window: timedelta,
              model: str) -> UUID | None:
    """The placement the model picks among (at, placement_id) scans: of those at or before `before` and
    no older than `window`, the latest (last touch) or the earliest (first touch)."""
    eligible = [(at, pid) for at, pid in scans if before - window <= at <= before]
    if not eligible:
        return None
    eligible.sort(key=lambda s: s[0])
    return eligible[-1][1] if model == AttributionModel.LAST_TOUCH else eligible[0][1]


def placement_for_checkout(*, user: Any, visitor_key: str | None, offering_ids: Iterable[Any], at: datetime,
                           model: str = AttributionModel.LAST_TOUCH) -> UUID | None:
    """The placement an order about to be written counts for (its Order.source_placement): the model's
    pick among the buyer's scans (their account's, or this browser's) of the offerings' merchant's
    placements, within that merchant's window. None when there is none (or the lines are not one merchant's)."""
    ids = []
    for raw in offering_ids:
        try:
            ids.append(as_uuid(raw))
        except NotFound:
            continue
    who = Q()
    if getattr(user, "is_authenticated", False):
        who |= Q(user=user)
    if visitor_key:
        who |= Q(visitor__key=visitor_key)
    if not who:
        return None
    # One query in the usual case, a buyer who scanned none of these merchants' codes: every checkout
    # asks this, so the window and the one-merchant rule are looked up only when there are scans.
    rows = list(Scan.objects.filter(who, merchant_id__in=Offering.objects.filter(pk__in=ids).values("merchant_id"),
                                    at__gte=at - timedelta(days=MAX_WINDOW_DAYS), at__lte=at)
                .values_list("at", "placement_id", "merchant_id"))
    if not rows:
        return None
    merchants = set(Offering.objects.filter(pk__in=ids).values_list("merchant_id", flat=True))
    if len(merchants) != 1:
        return None
    window = timedelta(days=window_days(next(iter(merchants))))
    return pick_scan([(a, pid) for a, pid, _m in rows], before=at, window=window, model=model)
