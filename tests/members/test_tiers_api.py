"""Member tiers through the HTTP API: the merchant's rules and tiers, a card climbing by what it spends
over the rolling window, the tier's points multiplier and member price, a refund dropping a tier, the
window rolling on, tiers by points, and the card page showing the tier (English and Chinese)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from o2o.members.models import PointsEntry, TierChange
from o2o.members.tiers import tiers_recompute_all
from o2o.payments.books import books_problems
from tests.helpers import assert_error
from tests.members.conftest import make_coupon, order, pay

pytestmark = pytest.mark.django_db


def _tiers(shop):  # type: ignore[no-untyped-def]
    api, owner, mid = shop["api"], shop["owner"], shop["merchant"]["id"]
    r = api.call("PUT", f"/merchants/{mid}/loyalty-program", {"tier_basis": "spend", "tier_window_days": 90},
                 owner["token"])
    assert r.status_code == 200, r.content
    silver = api.post(f"/merchants/{mid}/tiers", {"name": "Silver", "threshold": "100", "points_multiplier": "2"},
                      owner["token"])
    gold = api.post(f"/merchants/{mid}/tiers", {"name": "Gold", "threshold": "250.00", "points_multiplier": "3",
                                                 "member_discount_percent": 10}, owner["token"])
    assert silver.status_code == 201 and gold.status_code == 201, (silver.content, gold.content)
    return silver.json(), gold.json()


def _tier(shop, c):  # type: ignore[no-untyped-def]
    r = shop["api"].get(f"/me/member-cards/{shop['merchant']['id']}/tier", c["token"])
    assert r.status_code == 200, r.content
    return r.json()


def _buy(shop, c, offering, **extra):  # type: ignore[no-untyped-def]
    r = order(shop, c, shop[offering]["id"], 1, **extra)
    assert r.status_code == 201, r.content
    return pay(shop, c, r.json()["id"])


def _points(shop, c) -> int:  # type: ignore[no-untyped-def]
    return shop["api"].get(f"/me/member-cards/{shop['merchant']['id']}", c["token"]).json()["points"]


def test_rules_and_tiers_are_checked_and_kept_to_the_managers(shop):
    api, owner, mid = shop["api"], shop["owner"], shop["merchant"]["id"]
    assert_error(api.post(f"/merchants/{mid}/tiers", {"name": "X", "threshold": "-1"}, owner["token"]), 422, "invalid")
    assert_error(api.post(f"/merchants/{mid}/tiers", {"name": "X", "threshold": "10", "points_multiplier": "50"},
                          owner["token"]), 422)
    assert_error(api.post(f"/merchants/{mid}/tiers", {"name": "X", "threshold": "10", "member_discount_percent": 95},
                          owner["token"]), 422)
    assert_error(api.post(f"/merchants/{mid}/tiers", {"name": "", "threshold": "10"}, owner["token"]), 422)
    assert_error(api.post(f"/merchants/{mid}/tiers", {"name": "X", "threshold": "NaN"}, owner["token"]), 422)
    assert_error(api.post(f"/merchants/{mid}/tiers", {"name": "X", "threshold": "10"}, shop["clerk"]["token"]),
                 403, "forbidden")
    assert_error(api.post(f"/merchants/{mid}/tiers", {"name": "X", "threshold": "10"}, shop["other_owner"]["token"]),
                 404)
    assert_error(api.call("PUT", f"/merchants/{mid}/loyalty-program", {"tier_basis": "age"}, owner["token"]), 422)
    assert_error(api.call("PUT", f"/merchants/{mid}/loyalty-program", {"tier_window_days": 0}, owner["token"]), 422)
    _tiers(shop)
    err = assert_error(api.post(f"/merchants/{mid}/tiers", {"name": "Again", "threshold": "100.00"}, owner["token"]),
                       422, "tier_threshold_taken")
    assert "threshold" in err["fields"]
    program = api.get(f"/merchants/{mid}/loyalty-program", shop["customer"]["token"]).json()
    assert program["tier_basis"] == "spend" and program["tier_window_days"] == 90
    assert [(t["name"], t["threshold"]) for t in program["tiers"]] == [("Silver", "100.00"), ("Gold", "250.00")]
    assert [t["name"] for t in api.get(f"/merchants/{mid}/tiers", shop["customer"]["token"]).json()["results"]] == [
        "Silver", "Gold"]


def test_spend_climbs_benefits_apply_and_a_refund_drops_a_tier(shop):
    api, c = shop["api"], shop["customer"]
    _tiers(shop)
    first = _buy(shop, c, "deal")  # 99.00, no tier yet: 99 points
    t = _tier(shop, c)
    assert t["tier"] is None and t["value"] == "99.00" and t["next_tier"]["name"] == "Silver" and t["to_next"] == "1.00"
    _buy(shop, c, "tea")  # 30.00 -> 129 spent: Silver (earned at no tier: 30 points)
    assert _tier(shop, c)["tier"]["name"] == "Silver"
    assert _points(shop, c) == 129
    big = _buy(shop, c, "deal")  # paid as Silver: 2x points
    assert _points(shop, c) == 129 + 198
    assert _tier(shop, c)["tier"]["name"] == "Silver"  # 228 spent
    _buy(shop, c, "tea")  # 258 spent: Gold
    assert _tier(shop, c)["tier"]["name"] == "Gold"
    assert _points(shop, c) == 327 + 60
    # Gold's member price: 10% off a deal order, an adjustment line; its points are 3x what was paid
    r = order(shop, c, shop["tea"]["id"], 2)
    assert r.status_code == 201, r.content
    body = r.json()
    assert [(a["kind"], a["amount"]["amount"]) for a in body["adjustments"]] == [("member_price", "-6.00")]
    assert body["total"]["amount"] == "54.00"
    pay(shop, c, body["id"])
    assert _points(shop, c) == 387 + 162
    # a coupon that does not stack with member prices leaves the member price out
    make_coupon(shop, code="ALONE", stacks_with_member_price=False)
    r = order(shop, c, shop["tea"]["id"], 1, coupon="ALONE")
    assert [a["kind"] for a in r.json()["adjustments"]] == ["coupon"] and r.json()["total"]["amount"] == "20.00"
    make_coupon(shop, code="BOTH")
    r = order(shop, c, shop["tea"]["id"], 1, coupon="BOTH")
    assert sorted(a["kind"] for a in r.json()["adjustments"]) == ["coupon", "member_price"]
    assert r.json()["total"]["amount"] == "17.00"  # 30 - 3 - 10
    # refunds: the big deal order (99) and the 54 one go: 129 + 30 = 159 spent -> back to Silver
    assert api.post(f"/orders/{big['id']}/refund", None, c["token"]).status_code == 200
    assert api.post(f"/orders/{body['id']}/refund", None, c["token"]).status_code == 200
    t = _tier(shop, c)
    assert t["tier"]["name"] == "Silver" and t["value"] == "159.00" and t["to_next"] == "91.00"
    assert _points(shop, c) == 387 + 162 - 198 - 162
    # now Silver: no member price on the next order
    r = order(shop, c, shop["tea"]["id"], 1)
    assert r.json()["adjustments"] == [] and r.json()["total"]["amount"] == "30.00"
    moves = list(TierChange.objects.filter(membership__customer_id=c["id"]).values_list("from_status", "to_status"))
    assert moves == [("", "Silver"), ("Silver", "Gold"), ("Gold", "Silver")]
    # the first order refunded too: 60 spent, no tier
    api.post(f"/orders/{first['id']}/refund", None, c["token"])
    assert _tier(shop, c)["tier"] is None
    assert books_problems() == []


def test_the_window_rolls_on_and_the_daily_pass_drops_the_tier(shop):
    c = shop["customer"]
    _tiers(shop)
    _buy(shop, c, "deal")
    _buy(shop, c, "tea")
    assert _tier(shop, c)["tier"]["name"] == "Silver"
    assert tiers_recompute_all() == 0  # nothing changed
    # time passes: what was earned is now 91 days old, outside the 90-day window
    PointsEntry.objects.filter(membership__customer_id=c["id"]).update(at=timezone.now() - timedelta(days=91))
    assert tiers_recompute_all() == 1
    t = _tier(shop, c)
    assert t["tier"] is None and t["value"] == "0"


def test_tiers_by_points_count_points_earned_less_those_taken_back(shop):
    api, owner, mid, c = shop["api"], shop["owner"], shop["merchant"]["id"], shop["customer"]
    api.call("PUT", f"/merchants/{mid}/loyalty-program", {"tier_basis": "points", "earn_per_unit": "2"}, owner["token"])
    api.post(f"/merchants/{mid}/tiers", {"name": "Fan", "threshold": "100"}, owner["token"])
    o = _buy(shop, c, "tea")  # 60 points
    assert _tier(shop, c)["tier"] is None and _tier(shop, c)["value"] == "60"
    _buy(shop, c, "tea")  # 120
    assert _tier(shop, c)["tier"]["name"] == "Fan"
    api.post(f"/orders/{o['id']}/refund", None, c["token"])  # 60 taken back
    t = _tier(shop, c)
    assert t["tier"] is None and Decimal(t["value"]) == 60 and t["basis"] == "points"


def test_card_page_shows_the_tier_in_english_and_chinese(shop):
    c = shop["customer"]
    _tiers(shop)
    _buy(shop, c, "deal")
    _buy(shop, c, "tea")
    page = Client()
    page.force_login(c["user"])
    html = page.get(f"/me/cards/{shop['merchant']['id']}/").content.decode()
    assert 'id="card-tier"' in html and "Silver" in html and "2× points on every order" in html
    assert "more to reach Gold" in html and 'id="card-referral"' in html
    zh = page.get(f"/me/cards/{shop['merchant']['id']}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "会员等级" in zh and "Silver" in zh and "每笔订单积分" in zh
