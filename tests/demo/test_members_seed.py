"""The demo city's members (demo/members.py): the demo merchant's tiers and rules through the API, coupons
in the demo customer's wallet, a rewarded referral, a completed team with its vouchers and an open team the
demo customer is in; the books balance."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from o2o.accounts.models import User
from o2o.demo.data import DEMO_MERCHANT
from o2o.members.models import Membership, Referral, Team, TeamMember
from o2o.merchants.models import Merchant
from o2o.payments.books import books_problems
from o2o.vouchers.models import Voucher
from tests.helpers import quick_user

pytestmark = pytest.mark.django_db


def test_the_demo_city_has_members_coupons_a_referral_and_teams(settings, tmp_path, api_client) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", merchants=14, seed=7, stdout=io.StringIO())
    demo = Merchant.objects.get(name=DEMO_MERCHANT)
    viewer = quick_user("viewer")
    program = api_client.get(f"/merchants/{demo.pk}/loyalty-program", viewer["token"]).json()
    assert [t["name"] for t in program["tiers"]] == ["Silver 银卡", "Gold 金卡"] and program["referrer_points"] == 200
    assert Membership.objects.filter(merchant=demo, tier__isnull=False).exists()
    customer = User.objects.get(email="customer@demo.o2o")
    assert {c.coupon.code for c in customer.coupon_claims.all()} == {"WELCOME15"}
    ref = Referral.objects.get(merchant=demo, referrer=customer)
    assert ref.status == "rewarded"
    done = Team.objects.get(deal__merchant=demo, status="complete")
    assert Voucher.objects.filter(order__team_member__team=done).count() == 3
    open_team = Team.objects.get(deal__merchant=demo, status="open")
    assert open_team.paid == 1 and open_team.size - open_team.seats == 2
    r = api_client.post(f"/teams/{open_team.pk}/join", None, viewer["token"])  # anyone may join it
    assert r.status_code == 201, r.content
    assert TeamMember.objects.filter(team=open_team).count() == 2
    assert books_problems() == []
