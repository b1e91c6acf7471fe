"""Coupons: a merchant makes them, customers claim them into their wallet, an order uses one claim as an
adjustment line (orders.checkout.AdjustmentIn, kind "coupon").

Limits hold under concurrency without check-then-act: the total is Coupon.claimed_count, raised by a
conditional UPDATE (claimed_count < total_limit); the per-customer limit is the unique
(coupon, customer, seq) with seq in 1..per_customer_limit; using a claim is a conditional UPDATE
(status available -> used), so one claim never pays for two orders.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from o2o.catalogue.models import Offering
from o2o.core.errors import Invalid
from o2o.core.money import Money, check_currency, parse_amount, quantum
from o2o.core.state import transition
from o2o.members.enums import CLAIM_TRANSITIONS, ClaimStatus, CouponKind, CouponStatus, RefundRule
from o2o.members.errors import (
    CouponAlreadyUsed,
    CouponExpired,
    CouponLimitReached,
    CouponMinSpend,
    CouponNotApplicable,
    CouponNotFound,
    CouponNotYetValid,
    CouponUsedUp,
)
from o2o.members.models import Coupon, CouponClaim, CouponClaimEvent
from o2o.merchants.access import merchant_for_staff
from o2o.merchants.enums import MerchantStatus
from o2o.merchants.models import Store
from o2o.orders.checkout import AdjustmentIn
from o2o.orders.totals import Adjustment, line_nets

MAX_LIMIT = 10**7


def _bad(field: str, message: str) -> Invalid:
    return Invalid(_("Some fields are not valid."), fields={field: message})


def _when(value: Any, field: str) -> datetime:
    dt: datetime | None = value if isinstance(value, datetime) else (
        parse_datetime(value) if isinstance(value, str) else None)
    if dt is None or timezone.is_naive(dt):
        raise _bad(field, _("an ISO 8601 time with its offset"))
    return dt


def _count(value: Any, field: str, *, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LIMIT:
        raise _bad(field, _("a whole number from 1 to %(n)d") % {"n": MAX_LIMIT})
    return value


def _money_in(value: Any, field: str) -> Money:
    if not isinstance(value, Mapping):
        raise _bad(field, _("{amount, currency}"))
    return parse_amount(value.get("amount"), check_currency(value.get("currency"), field=f"{field}.currency"),
                        field=field)


def coupon_create(*, user: Any, merchant_id: Any, data: Mapping[str, Any]) -> Coupon:
    """A merchant's new coupon (owners and managers). 422 with `fields` for anything not valid."""
    merchant, _m = merchant_for_staff(user=user, merchant_id=merchant_id, manage=True)
    title = str(data.get("title") or "").strip()
    if not title or len(title) > 140:
        raise _bad("title", _("1 to 140 characters"))
    kind = data.get("kind")
    if kind not in CouponKind.values:
        raise _bad("kind", "fixed, percent")
    amount = percent = max_discount = None
    currency = "CNY"
    if kind == CouponKind.FIXED:
        m = _money_in(data.get("amount"), "amount")
        if m.amount <= 0:
            raise _bad("amount", _("more than zero"))
        amount, currency = m.amount, m.currency
    else:
        percent = data.get("percent")
        if isinstance(percent, bool) or not isinstance(percent, int) or not 1 <= percent <= 100:
            raise _bad("percent", _("a whole number from 1 to 100"))
        if data.get("max_discount") is not None:
            md = _money_in(data["max_discount"], "max_discount")
            max_discount, currency = md.amount, md.currency
    min_spend = Decimal("0")
    if data.get("min_spend") is not None:
        ms = _money_in(data["min_spend"], "min_spend")
        if ms.currency != currency and (kind == CouponKind.FIXED or max_discount is not None):
            raise _bad("min_spend.currency", _("the coupon's currency"))
        min_spend, currency = ms.amount, ms.currency
    now = timezone.now()
    valid_from = _when(data["valid_from"], "valid_from") if data.get("valid_from") else now
    valid_until = _when(data.get("valid_until"), "valid_until")
    if valid_until <= valid_from:
        raise _bad("valid_until", _("after valid_from"))
    total_limit = _count(data.get("total_limit"), "total_limit", allow_none=True)
    per_customer = _count(data.get("per_customer_limit", 1), "per_customer_limit") or 1
    rule = data.get("refund_rule") or RefundRule.RETURN
    if rule not in RefundRule.values:
        raise _bad("refund_rule", "return, forfeit")
    status = data.get("status") or CouponStatus.ACTIVE
    if status not in CouponStatus.values:
        raise _bad("status", "active, paused")
    code = str(data.get("code") or "").strip().upper() or secrets.token_hex(4).upper()
    if not code.isalnum() or not code.isascii() or len(code) > 32:
        raise _bad("code", _("letters and digits, at most 32"))
    offering_ids = _ids(data.get("offering_ids"), "offering_ids")
    store_ids = _ids(data.get("store_ids"), "store_ids")
    offerings = list(Offering.objects.filter(pk__in=offering_ids, merchant=merchant))
    if len(offerings) != len(set(offering_ids)):
        raise _bad("offering_ids", _("offerings of this merchant"))
    stores = list(Store.objects.filter(pk__in=store_ids, merchant=merchant))
    if len(stores) != len(set(store_ids)):
        raise _bad("store_ids", _("stores of this merchant"))
    flags = {}
    for name in ("stacks_with_points", "stacks_with_member_price"):
        value = data.get(name, True)
        if not isinstance(value, bool):
            raise _bad(name, _("true or false"))
        flags[name] = value
    try:
        with transaction.atomic():
            coupon = Coupon.objects.create(
                merchant=merchant, code=code, title=title, kind=kind, amount=amount, percent=percent,
                max_discount=max_discount, currency=currency, min_spend=min_spend, valid_from=valid_from,
                valid_until=valid_until, total_limit=total_limit, per_customer_limit=per_customer,
                refund_rule=rule, status=status, **flags)
            coupon.offerings.set(offerings)
            coupon.stores.set(stores)
    except IntegrityError:
        raise Invalid(_("This merchant already has a coupon with this code."),
                      fields={"code": _("already used")}, code="coupon_code_taken") from None
    return coupon


def _ids(value: Any, field: str) -> list[UUID]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 500:
        raise _bad(field, _("a list of ids"))
    try:
        return [UUID(str(v)) for v in value]
    except ValueError:
        raise _bad(field, _("a list of ids")) from None


def coupons_of_merchant(*, user: Any, merchant_id: Any) -> list[Coupon]:
    merchant, _m = merchant_for_staff(user=user, merchant_id=merchant_id)
    return list(Coupon.objects.filter(merchant=merchant).prefetch_related("offerings", "stores")
                .order_by("-created_at")[:200])


def coupon_find(*, ref: Any, merchant_id: Any = None) -> Coupon:
    """A coupon by id, or by code at `merchant_id` (the order's merchant); 404 coupon_not_found."""
    qs = Coupon.objects.filter(merchant__status=MerchantStatus.ACTIVE)
    try:
        coupon = qs.filter(pk=UUID(str(ref))).first()
    except ValueError:
        coupon = None
        code = str(ref or "").strip().upper()
        if merchant_id is not None and code and len(code) <= 32:
            coupon = qs.filter(merchant_id=merchant_id, code=code).first()
    if coupon is None:
        raise CouponNotFound()
    return coupon


def _check_window(coupon: Coupon, now: datetime) -> None:
    if coupon.status != CouponStatus.ACTIVE:
        raise CouponNotApplicable(_("This coupon is paused by the merchant."))
    if now < coupon.valid_from:
        raise CouponNotYetValid()
    if now >= coupon.valid_until:
        raise CouponExpired()


def _claim_new(*, coupon: Coupon, customer: Any) -> CouponClaim:
    """Inside a transaction: one more claim of the coupon for the customer, or the limit's refusal."""
    taken = CouponClaim.objects.filter(coupon=coupon, customer=customer).count()
    for seq in range(taken + 1, coupon.per_customer_limit + 1):
        try:
            with transaction.atomic():
                claim = CouponClaim.objects.create(coupon=coupon, customer=customer, seq=seq)
                break
        except IntegrityError:
            continue  # this number was taken at the same moment by another claim of the same customer
    else:
        raise CouponLimitReached()
    # The total last, so that a stock row stays locked only from here to the commit.
    qs = Coupon.objects.filter(pk=coupon.pk)
    if coupon.total_limit is not None:
        qs = qs.filter(claimed_count__lt=F("total_limit"))
    if not qs.update(claimed_count=F("claimed_count") + 1):
        raise CouponUsedUp()
    CouponClaimEvent.objects.create(claim=claim, actor=customer, from_status="", to_status=claim.status,
                                    reason="claimed")
    return claim


def coupon_claim(*, customer: Any, coupon_id: Any) -> CouponClaim:
    """POST /coupons/{id}/claim: put one of the coupon into the customer's wallet."""
    coupon = coupon_find(ref=coupon_id)
    _check_window(coupon, timezone.now())
    with transaction.atomic():
        return _claim_new(coupon=coupon, customer=customer)


def claims_of_customer(*, customer: Any) -> list[CouponClaim]:
    return list(CouponClaim.objects.filter(customer=customer).select_related("coupon", "coupon__merchant")
                .order_by("-created_at")[:200])


@dataclass(frozen=True)
class CouponQuote:
    coupon: Coupon
    discount: Money
    adjustments: list[AdjustmentIn]


def coupon_quote(*, coupon: Coupon, merchant_id: Any, store_id: Any, currency: str,
                 line_totals: Mapping[UUID, Decimal], now: datetime | None = None) -> CouponQuote:
    """What the coupon takes off these lines (offering id -> line total) at this store, or why not.
    A coupon for some offerings gives one adjustment per line it covers; one for everything, one for
    the order."""
    now = now or timezone.now()
    if coupon.merchant_id != merchant_id:
        raise CouponNotApplicable(_("This coupon is for another merchant."))
    _check_window(coupon, now)
    stores = {s.pk for s in coupon.stores.all()}
    if stores and store_id not in stores:
        raise CouponNotApplicable(_("This coupon is not valid at this store."))
    if currency != coupon.currency:
        raise CouponNotApplicable(_("This coupon is in another currency."))
    covered = {o.pk for o in coupon.offerings.all()}
    eligible = {k: v for k, v in line_totals.items() if not covered or k in covered}
    if not eligible:
        raise CouponNotApplicable(_("This coupon does not cover anything in this order."))
    base = sum(eligible.values(), Decimal("0"))
    if base < coupon.min_spend:
        raise CouponMinSpend(_("Spend at least %(min)s on what this coupon covers to use it.")
                             % {"min": Money(coupon.min_spend, currency)},
                             fields={"min_spend": str(coupon.min_spend), "spent": str(base)})
    if coupon.kind == CouponKind.FIXED:
        off = min(coupon.amount or Decimal("0"), base)
    else:
        off = (base * Decimal(coupon.percent or 0) / 100).quantize(quantum(currency), rounding=ROUND_HALF_UP)
        if coupon.max_discount is not None:
            off = min(off, coupon.max_discount)
    off = min(off, base)
    label = _("Coupon %(code)s: %(title)s") % {"code": coupon.code, "title": coupon.title}
    if not covered:
        adjustments = [AdjustmentIn(kind="coupon", amount=Money(-off, currency), label=label, reference=coupon.code)]
    else:
        nets = line_nets(lines=dict(eligible), adjustments=[Adjustment(amount=-off)])
        adjustments = [AdjustmentIn(kind="coupon", amount=Money(nets[k] - eligible[k], currency), label=label,
                                    offering_id=k, reference=coupon.code)
                       for k in eligible if nets[k] != eligible[k]]
    return CouponQuote(coupon=coupon, discount=Money(off, currency), adjustments=adjustments)


def coupon_take(*, customer: Any, coupon: Coupon, order: Any) -> CouponClaim:
    """Inside the checkout's transaction: use one of the customer's available claims of the coupon for
    the order (claiming one now when the wallet has none and the limits allow)."""
    now = timezone.now()
    for claim in CouponClaim.objects.filter(coupon=coupon, customer=customer, status=ClaimStatus.AVAILABLE):
        if CouponClaim.objects.filter(pk=claim.pk, status=ClaimStatus.AVAILABLE).update(
                status=ClaimStatus.USED, order=order, used_at=now, updated_at=now):
            CouponClaimEvent.objects.create(claim=claim, actor=customer, from_status=ClaimStatus.AVAILABLE,
                                            to_status=ClaimStatus.USED, reason="used",
                                            data={"order": str(order.pk)})
            claim.status, claim.order, claim.used_at = ClaimStatus.USED, order, now
            return claim
    try:
        claim = _claim_new(coupon=coupon, customer=customer)
    except CouponLimitReached:
        raise CouponAlreadyUsed() from None
    _move(claim, to=ClaimStatus.USED, actor=customer, reason="used", extra={"order": order, "used_at": now},
          data={"order": str(order.pk)})
    return claim


def _move(claim: CouponClaim, *, to: str, actor: Any, reason: str, extra: dict[str, Any] | None = None,
          data: dict[str, Any] | None = None) -> None:
    transition(obj=claim, to=to, table=CLAIM_TRANSITIONS, event_model=CouponClaimEvent, event_fk="claim",
               actor=actor, reason=reason, extra=extra, data=data)


def coupon_give_back(*, order: Any, reason: str, refund: bool = False) -> int:
    """The claims an order used go back to the wallet: always when it did not go through (expired or
    cancelled unpaid), on a full refund only by the coupon's rule `return`. Answers how many."""
    n = 0
    for claim in CouponClaim.objects.filter(order=order, status=ClaimStatus.USED).select_related("coupon"):
        if refund and claim.coupon.refund_rule != RefundRule.RETURN:
            continue
        _move(claim, to=ClaimStatus.AVAILABLE, actor=None, reason=reason, extra={"order": None, "used_at": None},
              data={"order": str(order.pk)})
        n += 1
    return n


def coupon_claims_left(*, coupon: Coupon) -> int | None:
    return None if coupon.total_limit is None else max(coupon.total_limit - coupon.claimed_count, 0)

