"""Points through the HTTP API: earned when an order is paid, spent at checkout as an adjustment line,
taken back by a refund, given back when an unpaid order expires, expired after the merchant's days."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from o2o.members.models import LoyaltyProgram, Membership, PointsEntry
from o2o.members.services import points_earn, points_expire_due, points_spend
from o2o.payments.books import books_problems
from tests.helpers import assert_error, expire_hold, quick_user
from tests.members.conftest import make_coupon, order, pay

pytestmark = pytest.mark.django_db


def _card(shop, customer):  # type: ignore[no-untyped-def]
    r = shop["api"].get(f"/me/member-cards/{shop['merchant']['id']}", customer["token"])
    assert r.status_code == 200, r.content
    return r.json()


def _sum(customer) -> int:  # type: ignore[no-untyped-def]
    return PointsEntry.objects.filter(membership__customer_id=customer["id"]).aggregate(s=Sum("points"))["s"] or 0


def test_paid_order_earns_and_refund_takes_back(shop):
    api, c = shop["api"], shop["customer"]
    assert_error(api.get(f"/me/member-cards/{shop['merchant']['id']}", c["token"]), 404)
    o = order(shop, c, shop["deal"]["id"], 2).json()
    assert not Membership.objects.filter(customer_id=c["id"]).exists()  # unpaid: nothing earned yet
    pay(shop, c, o["id"])
    card = _card(shop, c)
    assert card["points"] == 198 == _sum(c)  # 1 point per yuan paid
    assert [(e["kind"], e["points"]) for e in card["entries"]] == [("earn", 198)]
    assert card["entries"][0]["expires_at"]
    vouchers = api.get(f"/orders/{o['id']}", c["token"]).json()["vouchers"]
    r = api.post(f"/orders/{o['id']}/refund", {"voucher_ids": [vouchers[0]["id"]]}, c["token"])
    assert r.status_code == 200, r.content
    assert _card(shop, c)["points"] == 99  # half refunded: half the points go
    api.post(f"/orders/{o['id']}/refund", None, c["token"])
    card = _card(shop, c)
    assert card["points"] == 0 == _sum(c)
    assert sorted(e["kind"] for e in card["entries"]) == ["earn", "reverse", "reverse"]
    assert books_problems() == []


def test_spend_points_at_checkout(shop):
    api, c = shop["api"], shop["customer"]
    points_earn(merchant=shop["merchant"]["id"], customer=c["user"], points=1500)
    r = order(shop, c, shop["deal"]["id"], 1, points=1000)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["total"]["amount"] == "89.00"
    assert [(a["kind"], a["amount"]["amount"]) for a in body["adjustments"]] == [("points", "-10.00")]
    assert _card(shop, c)["points"] == 500
    paid = pay(shop, c, body["id"])
    assert paid["paid"]["amount"] == "89.00"
    assert _card(shop, c)["points"] == 589  # 500 left + 89 earned on what was paid
    # with a coupon that stacks: both lines
    make_coupon(shop, code="STACK")
    r = order(shop, c, shop["tea"]["id"], 1, coupon="STACK", points=500)
    assert r.status_code == 201, r.content
    assert r.json()["total"]["amount"] == "15.00"  # 30 - 10 - 5
    assert sorted(a["kind"] for a in r.json()["adjustments"]) == ["coupon", "points"]
    # a full refund gives back the points spent and takes back those earned
    api.post(f"/orders/{body['id']}/refund", None, c["token"])
    assert _card(shop, c)["points"] == 89 + 1000 - 89  # 89 left after the second order spent 500
    assert books_problems() == []


def test_points_refusals_write_nothing(shop):
    c = shop["customer"]
    points_earn(merchant=shop["merchant"]["id"], customer=c["user"], points=300)
    assert_error(order(shop, c, shop["deal"]["id"], 1, points=400), 409, "not_enough_points")
    assert_error(order(shop, c, shop["deal"]["id"], 1, points=-5), 422, "bad_points")
    assert_error(order(shop, c, shop["tea"]["id"], 1, points=3001), 422, "points_too_many")
    assert_error(order(shop, c, shop["deal"]["id"], 1, points=True), 422)
    assert_error(order(shop, quick_user("nobody"), shop["deal"]["id"], 1, points=10), 409, "not_enough_points")
    assert _card(shop, c)["points"] == 300
    from o2o.orders.models import Order

    assert not Order.objects.filter(customer_id=c["id"]).exists()


def test_unpaid_order_that_expires_gives_its_points_back(shop):
    from o2o.orders.holds import orders_expire_due

    c = shop["customer"]
    points_earn(merchant=shop["merchant"]["id"], customer=c["user"], points=1000)
    o = order(shop, c, shop["deal"]["id"], 1, points=1000).json()
    assert _card(shop, c)["points"] == 0
    expire_hold(o["id"])
    orders_expire_due()
    assert _card(shop, c)["points"] == 1000 == _sum(c)
    assert order(shop, c, shop["deal"]["id"], 1, points=1000).status_code == 201  # spendable again


def test_points_expire_first_to_expire_first(shop):
    c, mid = shop["customer"], shop["merchant"]["id"]
    now = timezone.now()
    points_earn(merchant=mid, customer=c["user"], points=100, expires_at=now + timedelta(days=1))
    points_earn(merchant=mid, customer=c["user"], points=50, expires_at=now + timedelta(days=30))
    points_spend(merchant=mid, customer=c["user"], points=30)  # used from the first 100
    assert points_expire_due(now=now + timedelta(days=2)) == 70
    assert _card(shop, c)["points"] == 50 == _sum(c)
    assert points_expire_due(now=now + timedelta(days=2)) == 0  # once
    # a spend after the expiry date books the expiry first: the expired points cannot be spent
    PointsEntry.objects.filter(membership__customer_id=c["id"], points__gt=0).update(expires_at=now - timedelta(seconds=1))
    assert_error(order(shop, c, shop["tea"]["id"], 1, points=10), 409, "not_enough_points")
    assert _card(shop, c)["points"] == 0 == _sum(c)


def test_merchant_rules(shop):
    c, mid = shop["customer"], shop["merchant"]["id"]
    LoyaltyProgram.objects.create(merchant_id=mid, earn_per_unit=2, point_value="0.10", expiry_days=10)
    o = order(shop, c, shop["tea"]["id"], 1).json()
    pay(shop, c, o["id"])
    card = _card(shop, c)
    assert card["points"] == 60
    r = order(shop, c, shop["tea"]["id"], 1, points=60)
    assert r.status_code == 201 and r.json()["total"]["amount"] == "24.00"
