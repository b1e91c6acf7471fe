"""Coupon limits under concurrency (real threads against a real database): 200 customers racing for 50
coupons get exactly 50; one customer claiming from many threads never gets more than the per-customer
limit; one claim never pays for two orders at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from o2o.members.coupons import coupon_claim, coupon_create
from o2o.members.models import Coupon, CouponClaim
from o2o.orders.models import OrderAdjustment
from tests.concurrency.test_no_oversell import kinds, race, setup_deal
from tests.helpers import quick_user

pytestmark = [pytest.mark.django_db(transaction=True)]


def _coupon(owner: Any, merchant: Any, **over: Any) -> Coupon:
    data = {"title": "Grand opening", "kind": "fixed", "amount": {"amount": "5.00", "currency": "CNY"},
            "valid_until": timezone.now() + timedelta(days=1), **over}
    return coupon_create(user=owner, merchant_id=merchant.pk, data=data)


def test_200_customers_race_for_50_coupons():
    world = setup_deal(quantity=10)
    coupon = _coupon(world["owner"]["user"], world["merchant"], total_limit=50)
    customers = [quick_user(f"c{i}")["user"] for i in range(200)]

    def claim_for(group: list[Any]) -> list[Any]:
        out: list[Any] = []
        for u in group:
            try:
                out.append(coupon_claim(customer=u, coupon_id=coupon.pk))
            except Exception as exc:  # noqa: BLE001 - the test counts what each customer got
                out.append(exc)
        return out

    # 200 customers through 20 threads (one database connection each: the server allows 100 for all),
    # released at once: every claim races with 19 others at any moment.
    groups = [customers[i::20] for i in range(20)]
    results = [r for rs in race(claim_for, [(g,) for g in groups]) for r in rs]
    got = kinds(results)
    assert got == {"ok": 50, "CouponUsedUp": 150}, got
    coupon.refresh_from_db()
    assert coupon.claimed_count == 50 == CouponClaim.objects.filter(coupon=coupon).count()
    assert CouponClaim.objects.filter(coupon=coupon).values("customer").distinct().count() == 50


def test_one_customer_from_many_threads_keeps_the_per_customer_limit():
    world = setup_deal(quantity=10)
    coupon = _coupon(world["owner"]["user"], world["merchant"], total_limit=100, per_customer_limit=3)
    customer = quick_user("greedy")["user"]
    results = race(lambda: coupon_claim(customer=customer, coupon_id=coupon.pk), [() for _ in range(16)])
    got = kinds(results)
    assert got["ok"] == 3 and got["CouponLimitReached"] == 13, got
    coupon.refresh_from_db()
    assert coupon.claimed_count == 3
    assert sorted(CouponClaim.objects.filter(customer=customer).values_list("seq", flat=True)) == [1, 2, 3]


def test_one_claim_never_pays_for_two_orders_at_once():
    from o2o.members.checkout import member_order_create

    world = setup_deal(quantity=20)
    coupon = _coupon(world["owner"]["user"], world["merchant"], per_customer_limit=1)
    customer = quick_user("buyer")["user"]
    coupon_claim(customer=customer, coupon_id=coupon.pk)

    def buy() -> Any:
        return member_order_create(customer=customer, lines=[{"offering_id": str(world["deal"].pk), "quantity": 1}],
                                   coupon=str(coupon.pk))

    got = kinds(race(buy, [() for _ in range(8)]))
    assert got == {"ok": 1, "CouponAlreadyUsed": 7}, got
    assert OrderAdjustment.objects.filter(kind="coupon").count() == 1
    assert CouponClaim.objects.get().status == "used"
