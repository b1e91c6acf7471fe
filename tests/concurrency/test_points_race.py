"""Points under concurrency (real threads against a real database): spending twice at once never
overdraws the card, online checkouts with points at once neither, and the ledger's rows add up to the
cached balance afterwards."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Sum

from o2o.members.checkout import member_order_create
from o2o.members.models import Membership, PointsEntry
from o2o.members.services import points_earn, points_spend
from o2o.orders.models import Order
from tests.concurrency.test_no_oversell import kinds, race, setup_deal
from tests.helpers import quick_user

pytestmark = [pytest.mark.django_db(transaction=True)]


def _ledger_agrees(card: Membership) -> None:
    card.refresh_from_db()
    assert card.balance >= 0
    assert card.balance == (PointsEntry.objects.filter(membership=card).aggregate(s=Sum("points"))["s"] or 0)


def test_twelve_spends_at_once_never_overdraw():
    world = setup_deal(quantity=10)
    customer = quick_user("member")["user"]
    points_earn(merchant=world["merchant"], customer=customer, points=100)
    got = kinds(race(lambda: points_spend(merchant=world["merchant"], customer=customer, points=30),
                     [() for _ in range(12)]))
    assert got == {"ok": 3, "NotEnoughPoints": 9}, got
    card = Membership.objects.get(customer=customer)
    _ledger_agrees(card)
    assert card.balance == 10


def test_checkouts_paying_with_points_at_once_never_overdraw():
    world = setup_deal(quantity=20)
    customer = quick_user("member")["user"]
    points_earn(merchant=world["merchant"], customer=customer, points=500)  # 5.00 CNY

    def buy() -> Any:
        return member_order_create(customer=customer, lines=[{"offering_id": str(world["deal"].pk), "quantity": 1}],
                                   points=200)

    got = kinds(race(buy, [() for _ in range(6)]))
    assert got == {"ok": 2, "NotEnoughPoints": 4}, got
    assert Order.objects.filter(customer=customer).count() == 2  # a refused checkout wrote no order
    assert all(o.total_amount == 8 for o in Order.objects.filter(customer=customer))
    card = Membership.objects.get(customer=customer)
    _ledger_agrees(card)
    assert card.balance == 100
