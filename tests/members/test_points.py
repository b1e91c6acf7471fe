"""Points ledger: the balance is always the sum of the rows; spending never goes below zero."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from o2o.members.errors import BadPoints, NotEnoughPoints, PointsAlreadyBooked
from o2o.members.models import Membership, PointsEntry
from o2o.members.services import (
    membership_get_or_create,
    points_balance,
    points_earn,
    points_reverse,
    points_spend,
)
from o2o.merchants.models import Merchant
from tests.helpers import quick_user


def _merchant_and_customer() -> tuple[Merchant, object]:
    owner = quick_user("owner")["user"]
    merchant = Merchant.objects.create(name="Tea", category="other", status="active", owner=owner)
    return merchant, quick_user("cust")["user"]


class LedgerProperty(TestCase):
    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(["earn", "spend"]), st.integers(min_value=-3, max_value=50)),
                    max_size=25))
    def test_balance_equals_sum_of_rows(self, ops: list[tuple[str, int]]) -> None:
        merchant, customer = _merchant_and_customer()
        membership_get_or_create(merchant=merchant, customer=customer)
        for kind, n in ops:
            fn = points_earn if kind == "earn" else points_spend
            try:
                fn(merchant=merchant, customer=customer, points=n)
            except (NotEnoughPoints, BadPoints):
                pass
            card = Membership.objects.get(merchant=merchant, customer=customer)
            assert card.balance >= 0
            assert card.balance == points_balance(merchant=merchant, customer=customer)


class LedgerWithExpiryAndRefunds(TestCase):
    """Every kind of row (earn with an expiry, spend, expire, take back, give back): the cached balance is
    the sum of the rows after each step, never below zero, and expiry never takes more than is left."""

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(["earn", "spend", "take_back", "give_back", "expire"]),
                              st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=10)),
                    max_size=25))
    def test_balance_equals_sum_of_rows(self, ops: list[tuple[str, int, int]]) -> None:
        from datetime import timedelta

        from django.utils import timezone

        from o2o.members.services import points_expire_card, points_give_back, points_take_back

        merchant, customer = _merchant_and_customer()
        card = membership_get_or_create(merchant=merchant, customer=customer)
        start = timezone.now()
        for i, (kind, n, day) in enumerate(ops):
            try:
                if kind == "earn":
                    points_earn(merchant=merchant, customer=customer, points=n, expires_at=start + timedelta(days=day))
                elif kind == "spend":
                    points_spend(merchant=merchant, customer=customer, points=n)
                elif kind == "take_back":
                    points_take_back(card=card, points=n, reference=f"t{i}")
                elif kind == "give_back":
                    points_give_back(card=card, points=n, reference=f"g{i}")
                else:
                    before = Membership.objects.get(pk=card.pk).balance
                    points_expire_card(card=card, now=start + timedelta(days=day))
                    assert 0 <= Membership.objects.get(pk=card.pk).balance <= before
            except NotEnoughPoints:
                pass
            card.refresh_from_db()
            assert card.balance >= 0
            assert card.balance == points_balance(merchant=merchant, customer=customer)
        # at the end of time everything that expires has expired: what is left never expires
        points_expire_card(card=card, now=start + timedelta(days=3650))
        left = PointsEntry.objects.filter(membership=card, points__gt=0, expires_at__isnull=True)
        assert card.balance <= sum(e.points for e in left)


@pytest.mark.django_db
def test_bad_input_refused() -> None:
    merchant, customer = _merchant_and_customer()
    points_earn(merchant=merchant, customer=customer, points=10, reference="order-1")
    with pytest.raises(PointsAlreadyBooked):
        points_earn(merchant=merchant, customer=customer, points=10, reference="order-1")
    with pytest.raises(BadPoints):
        points_spend(merchant=merchant, customer=customer, points=-5)
    with pytest.raises(NotEnoughPoints):
        points_spend(merchant=merchant, customer=customer, points=11)
    spent = points_spend(merchant=merchant, customer=customer, points=4, reference="order-2")
    assert spent.points == -4
    assert points_balance(merchant=merchant, customer=customer) == 6


@pytest.mark.django_db
def test_reverse_on_refund_once() -> None:
    merchant, customer = _merchant_and_customer()
    points_earn(merchant=merchant, customer=customer, points=30, reference="o1")
    points_spend(merchant=merchant, customer=customer, points=10, reference="o2")
    rev = points_reverse(merchant=merchant, customer=customer, reference="o2")
    assert rev is not None and rev.points == 10
    assert points_balance(merchant=merchant, customer=customer) == 30
    with pytest.raises(PointsAlreadyBooked):
        points_reverse(merchant=merchant, customer=customer, reference="o2")
    assert Membership.objects.get().balance == 30


@pytest.mark.django_db(transaction=True)
def test_spending_twice_at_once_never_overdraws() -> None:
    from django.db import connection

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("needs PostgreSQL or a file SQLite database: in-memory SQLite locks whole tables")
    merchant, customer = _merchant_and_customer()
    points_earn(merchant=merchant, customer=customer, points=100)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def spend() -> None:
        try:
            barrier.wait(timeout=30)
            points_spend(merchant=merchant, customer=customer, points=30)
            outcomes.append("ok")
        except NotEnoughPoints:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=spend) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 3 and outcomes.count("refused") == 5
    card = Membership.objects.get()
    assert card.balance == 10 == sum(e.points for e in PointsEntry.objects.all())
