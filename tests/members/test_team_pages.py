"""The pages a shared link opens: a team's page (places left, join, then the order to pay) and a referral
link's page (who invites you where, accept); English and Chinese."""

from __future__ import annotations

import pytest
from django.test import Client

from o2o.members.models import Referral, TeamMember
from tests.helpers import quick_user
from tests.members.conftest import order, pay
from tests.members.test_teams_api import _open, _team_deal

pytestmark = pytest.mark.django_db


def _page(user=None) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_team_page_and_joining_from_it(shop):
    td = _team_deal(shop, size=3)
    team_id = _open(shop, shop["customer"], td)["team"]["id"]
    anonymous = _page().get(f"/teams/{team_id}/")
    html = anonymous.content.decode()
    assert anonymous.status_code == 200 and "Hotpot for a team" in html and "2 places left" in html
    assert "customer" not in html  # members' names only for people signed in
    b = quick_user("bob")
    page = _page(b["user"])
    assert 'id="team-join"' in page.get(f"/teams/{team_id}/").content.decode()
    r = page.post(f"/teams/{team_id}/join/")
    member = TeamMember.objects.get(customer_id=b["id"])
    assert r.status_code == 302 and r["Location"] == f"/orders/{member.order_id}/"
    html = page.get(f"/teams/{team_id}/").content.decode()
    assert "My order for this team" in html and 'id="team-join"' not in html and "1 place left" in html
    r = page.post(f"/teams/{team_id}/join/")  # again: the page says why, nothing written
    assert r.status_code == 302 and r["Location"] == f"/teams/{team_id}/"
    assert TeamMember.objects.filter(customer_id=b["id"]).count() == 1
    zh = page.get(f"/teams/{team_id}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "拼团" in zh and "还剩 1 个名额" in zh
    assert _page().get("/teams/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert _page().post(f"/teams/{team_id}/join/").status_code == 302  # to the login page


def test_referral_link_page_and_accepting(shop):
    alice = shop["customer"]
    r = order(shop, alice, shop["tea"]["id"], 1)
    pay(shop, alice, r.json()["id"])
    code = shop["api"].get(f"/me/member-cards/{shop['merchant']['id']}/referral", alice["token"]).json()["code"]
    html = _page().get(f"/r/{code}/").content.decode()
    assert "customer invites you to Hotpot House" in html and "Sign up to accept" in html
    zh = _page().get(f"/r/{code}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "邀请你光临" in zh
    bob = quick_user("bob")
    page = _page(bob["user"])
    r = page.post(f"/r/{code}/take/")
    assert r.status_code == 302 and r["Location"] == f"/stores/{shop['store']['id']}/"
    assert Referral.objects.get(referred_id=bob["id"]).status == "pending"
    r = _page(alice["user"]).post(f"/r/{code}/take/")  # one's own code: the page says why
    assert r.status_code == 302 and r["Location"] == f"/r/{code}/"
    assert _page().get("/r/NOSUCHCODE/").status_code == 404
