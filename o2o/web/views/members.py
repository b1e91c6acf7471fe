"""The customer's member cards on the phone: each merchant's card with its points and the signed QR the
clerk scans at the counter (members.cards), the points ledger, and the coupons in the wallet."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from o2o.accounts.models import User
from o2o.core import conf
from o2o.core.money import Money
from o2o.members.cards import member_card_join, member_card_qr
from o2o.members.coupons import claims_of_customer
from o2o.members.enums import TierBasis
from o2o.members.models import Membership, PointsEntry, Tier
from o2o.members.referrals import referral_code_of
from o2o.members.services import points_expire_card
from o2o.members.tiers import tier_progress
from o2o.merchants.access import as_uuid
from o2o.web.views.common import domain_pages
from o2o.web.views.nostore import no_store


@login_required
@no_store
@domain_pages
def member_cards(request: HttpRequest) -> HttpResponse:
    cards = [points_expire_card(card=c) for c in
             Membership.objects.filter(customer=cast(User, request.user)).select_related("merchant").order_by("-updated_at")[:50]]
    claims = [{"claim": cl, "off": Money(cl.coupon.amount, cl.coupon.currency) if cl.coupon.amount is not None else None,
               "min_spend": Money(cl.coupon.min_spend, cl.coupon.currency)}
              for cl in claims_of_customer(customer=cast(User, request.user))]
    return render(request, "web/customer/cards.html", {"cards": cards, "claims": claims})


@login_required
@no_store
@domain_pages
def member_card(request: HttpRequest, merchant_id: Any) -> HttpResponse:
    card = (Membership.objects.select_related("merchant")
            .filter(customer=cast(User, request.user), merchant_id=as_uuid(merchant_id)).first())
    if card is None:
        return redirect("web:member_cards")
    card = points_expire_card(card=card)
    qr, exp = member_card_qr(card)
    entries = PointsEntry.objects.filter(membership=card).order_by("-at", "-id")[:50]
    tier = Tier.objects.filter(pk=card.tier_id).first() if card.tier_id else None
    progress = tier_progress(card=card)
    nxt = progress.next_tier
    spend = progress.basis == TierBasis.SPEND
    currency = conf.get().currency

    def shown(v: Decimal) -> Any:
        return Money(v, currency) if spend else int(v)

    return render(request, "web/customer/card.html", {
        "card": card, "qr": qr, "entries": entries, "tier": tier, "progress": progress, "spend": spend,
        "value": shown(progress.value), "next_tier": nxt,
        "to_next": shown(max(nxt.threshold - progress.value, Decimal(0))) if nxt else None,
        "has_tiers": tier is not None or nxt is not None,
        "referral_code": referral_code_of(card=card) if card.balance or card.entries.exists() else None})


@login_required
@require_POST
@domain_pages
def member_card_open(request: HttpRequest, merchant_id: Any) -> HttpResponse:
    card, _created = member_card_join(customer=cast(User, request.user), merchant_id=merchant_id)
    return redirect("web:member_card", merchant_id=card.merchant_id)
