"""The customer's member cards on the phone: each merchant's card with its points and the signed QR the
clerk scans at the counter (members.cards), the points ledger, the tier and the referral code, the coupons in
the wallet; a team's shared page and a referral link's page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from o2o.accounts.models import User
from o2o.core import conf
from o2o.core.errors import DomainError, NotFound
from o2o.core.money import Money
from o2o.members.cards import member_card_join, member_card_qr
from o2o.members.coupons import claims_of_customer
from o2o.members.enums import TierBasis
from o2o.members.models import Membership, PointsEntry, TeamMember, Tier
from o2o.members.referrals import card_by_code, referral_accept, referral_code_of
from o2o.members.services import points_expire_card
from o2o.members.teams import TeamNotFound, team_get, team_join, team_view
from o2o.members.tiers import program_of, tier_progress
from o2o.merchants.access import as_uuid
from o2o.web.views.common import domain_pages, error_text
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


@no_store
@domain_pages
def team_page(request: HttpRequest, team_id: Any) -> HttpResponse:
    """A team's shared page (/teams/<id>/): the deal, its places and members, until when; join button."""
    try:
        team = team_get(team_id=team_id)
    except TeamNotFound:
        raise Http404() from None
    view = team_view(team)
    mine = None
    if request.user.is_authenticated:
        mine = TeamMember.objects.filter(team=team, customer=cast(User, request.user)).exclude(
            status__in=["released", "refunded"]).first()
    return render(request, "web/customer/team.html", {
        "team": team, "members": view["members"], "left": view["left"], "mine": mine,
        "price": team.deal.offering.price, "can_join": team.status == "open" and view["left"] > 0 and mine is None})


@login_required
@require_POST
@domain_pages
def team_join_page(request: HttpRequest, team_id: Any) -> HttpResponse:
    try:
        member = team_join(customer=cast(User, request.user), team_id=team_id)
    except TeamNotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return redirect("web:team", team_id=team_id)
    return redirect("web:order", order_id=member.order_id)


@domain_pages
def referral_page(request: HttpRequest, code: str) -> HttpResponse:
    """What a referral link opens (/r/<code>/): who invites you where; signed in, a button takes the code."""
    try:
        card = card_by_code(code)
    except NotFound:
        raise Http404() from None
    program = program_of(card.merchant_id)
    store = card.merchant.stores.order_by("created_at").first()
    return render(request, "web/customer/referral.html", {"card": card, "program": program, "store": store,
                                                          "code": card.referral_code})


@login_required
@require_POST
@domain_pages
def referral_take_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        ref = referral_accept(customer=cast(User, request.user), code=code)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return redirect("web:referral", code=code)
    messages.success(request, _("Invitation accepted: your first order here rewards you both."))
    store = ref.merchant.stores.order_by("created_at").first()
    return redirect("web:store", store_id=store.pk) if store else redirect("web:home")
