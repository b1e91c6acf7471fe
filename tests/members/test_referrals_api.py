"""Referrals through the HTTP API: a member's code and link, a new customer taking it, their first paid
order rewarding both once by the merchant's rule, a full refund taking both back, and every refusal
(self-referral, loops, not new, twice, a referrer who never bought, an unknown code) writing nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from o2o.members.models import PointsEntry, Referral, ReferralEvent
from o2o.payments.books import books_problems
from tests.helpers import assert_error, quick_user
from tests.members.conftest import order, pay

pytestmark = pytest.mark.django_db


def _rule(shop, referrer: int = 100, referred: int = 50) -> None:  # type: ignore[no-untyped-def]
    r = shop["api"].call("PUT", f"/merchants/{shop['merchant']['id']}/loyalty-program",
                         {"referrer_points": referrer, "referred_points": referred}, shop["owner"]["token"])
    assert r.status_code == 200, r.content


def _buy(shop, c, offering="tea"):  # type: ignore[no-untyped-def]
    r = order(shop, c, shop[offering]["id"], 1)
    assert r.status_code == 201, r.content
    return pay(shop, c, r.json()["id"])


def _code(shop, c) -> dict:  # type: ignore[no-untyped-def]
    r = shop["api"].get(f"/me/member-cards/{shop['merchant']['id']}/referral", c["token"])
    assert r.status_code == 200, r.content
    return r.json()


def _points(shop, c) -> int:  # type: ignore[no-untyped-def]
    r = shop["api"].get(f"/me/member-cards/{shop['merchant']['id']}", c["token"])
    return r.json()["points"] if r.status_code == 200 else 0


def test_first_paid_order_rewards_both_once_and_a_refund_takes_it_back(shop):
    api, alice = shop["api"], shop["customer"]
    _rule(shop)
    _buy(shop, alice)  # 30 points: Alice is a customer
    me = _code(shop, alice)
    assert len(me["code"]) == 8 and me["link"] == f"/r/{me['code']}/" and me["referrer_points"] == 100
    assert _code(shop, alice)["code"] == me["code"]  # the same code every time
    bob = quick_user("bob")
    r = api.post("/referrals", {"code": me["code"].lower()}, bob["token"])
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "pending" and r.json()["referrer_name"] == "customer"
    o1 = _buy(shop, bob)
    assert _points(shop, alice) == 30 + 100
    assert _points(shop, bob) == 30 + 50
    ref = Referral.objects.get(referred_id=bob["id"])
    assert ref.status == "rewarded" and str(ref.order_id) == o1["id"]
    assert (ref.referrer_points, ref.referred_points) == (100, 50)
    _buy(shop, bob)  # a second order rewards nothing more
    assert _points(shop, alice) == 130 and _points(shop, bob) == 110
    mine = _code(shop, alice)["referrals"]
    assert [(x["referred_name"], x["status"]) for x in mine] == [("bob", "rewarded")]
    staff = api.get(f"/merchants/{shop['merchant']['id']}/referrals", shop["owner"]["token"]).json()["results"]
    assert len(staff) == 1 and staff[0]["status"] == "rewarded"
    assert_error(api.get(f"/merchants/{shop['merchant']['id']}/referrals", bob["token"]), 404)
    # a full refund of the rewarding order takes both rewards back; it is never rewarded again
    assert api.post(f"/orders/{o1['id']}/refund", None, bob["token"]).status_code == 200
    assert _points(shop, alice) == 30
    assert _points(shop, bob) == 30  # the second order's 30 stay
    ref.refresh_from_db()
    assert ref.status == "reversed"
    assert list(ReferralEvent.objects.filter(referral=ref).values_list("to_status", flat=True)) == [
        "pending", "rewarded", "reversed"]
    _buy(shop, bob)
    assert _points(shop, alice) == 30
    assert books_problems() == []


def test_refusals_write_nothing(shop):
    api, alice, mid = shop["api"], shop["customer"], shop["merchant"]["id"]
    _rule(shop)
    _buy(shop, alice)
    code = _code(shop, alice)["code"]
    assert_error(api.post("/referrals", {"code": code}, alice["token"]), 409, "self_referral")
    assert_error(api.post("/referrals", {"code": "NOSUCH99"}, alice["token"]), 404, "referral_code_not_found")
    assert_error(api.post("/referrals", {"code": "x" * 40}, alice["token"]), 422)
    assert_error(api.post("/referrals", {"code": code}), 401)
    # an old customer is not new
    carol = quick_user("carol")
    _buy(shop, carol)
    assert_error(api.post("/referrals", {"code": code}, carol["token"]), 409, "not_new_customer")
    # a loop: Bob came through Alice; Alice cannot come through Bob (nor through Bob's own friend)
    bob = quick_user("bob")
    assert api.post("/referrals", {"code": code}, bob["token"]).status_code == 201
    _buy(shop, bob)
    dan = quick_user("dan")
    assert api.post("/referrals", {"code": _code(shop, bob)["code"]}, dan["token"]).status_code == 201
    _buy(shop, dan)
    assert_error(api.post("/referrals", {"code": _code(shop, bob)["code"]}, alice["token"]), 409, "referral_loop")
    assert_error(api.post("/referrals", {"code": _code(shop, dan)["code"]}, alice["token"]), 409, "referral_loop")
    # a second code at the same merchant
    erin = quick_user("erin")
    assert api.post("/referrals", {"code": code}, erin["token"]).status_code == 201
    assert_error(api.post("/referrals", {"code": _code(shop, carol)["code"]}, erin["token"]), 409, "already_referred")
    # a ring of fresh accounts: a code whose owner never paid for an order here earns nothing
    fresh = quick_user("fresh")
    assert api.post("/me/member-cards", {"merchant_id": mid}, fresh["token"]).status_code == 201
    fresh_code = _code(shop, fresh)["code"]
    gil = quick_user("gil")
    assert_error(api.post("/referrals", {"code": fresh_code}, gil["token"]), 409, "referrer_not_customer")
    assert Referral.objects.filter(referred_id__in=[gil["id"], alice["id"], carol["id"]]).count() == 0
    assert Referral.objects.count() == 3  # bob, dan, erin
    assert_error(api.get("/me/member-cards/00000000-0000-0000-0000-000000000000/referral", gil["token"]), 404)


def test_no_rule_means_no_points_and_a_code_is_per_merchant(shop):
    api, alice = shop["api"], shop["customer"]
    _buy(shop, alice)
    code = _code(shop, alice)["code"]
    bob = quick_user("bob")
    assert api.post("/referrals", {"code": code}, bob["token"]).status_code == 201
    # Bob's order at another merchant does not touch the referral at this one
    r = api.post("/orders", {"lines": [{"offering_id": shop["other_deal"]["id"], "quantity": 1}]}, bob["token"])
    pay(shop, bob, r.json()["id"])
    assert Referral.objects.get(referred_id=bob["id"]).status == "pending"
    _buy(shop, bob)
    ref = Referral.objects.get(referred_id=bob["id"])
    assert ref.status == "rewarded" and ref.referrer_points == 0  # the rule gives nothing: none booked
    assert not PointsEntry.objects.filter(reference__startswith="ref:").exists()


def test_the_card_page_shows_the_code(shop):
    alice = shop["customer"]
    _buy(shop, alice)
    code = _code(shop, alice)["code"]
    page = Client()
    page.force_login(alice["user"])
    html = page.get(f"/me/cards/{shop['merchant']['id']}/").content.decode()
    assert code in html and "Invite a friend" in html
    assert "邀请好友" in page.get(f"/me/cards/{shop['merchant']['id']}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
