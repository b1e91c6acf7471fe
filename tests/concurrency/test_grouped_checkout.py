"""Grouped checkout (o2o.orders.batching): checkouts that arrive together share one transaction, and every
one of them still gets exactly the answer the plain path would give.

The races run with real threads on PostgreSQL and on a file SQLite test database (see test_no_oversell);
the batch rules are also checked on one hand-made batch, so that each branch is shown to run.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from o2o.catalogue.models import Offering
from o2o.core.errors import NotFound
from o2o.orders import batching as grouped
from o2o.orders.errors import LimitExceeded, SoldOut
from o2o.orders.models import Order, OrderEvent
from o2o.orders.services import _order_create_plain, order_create
from tests.concurrency.test_no_oversell import buy, kinds, left, race, setup_deal
from tests.helpers import quick_user

pytestmark = [pytest.mark.django_db(transaction=True)]




def _req(customer, offering, qty=1):  # type: ignore[no-untyped-def]
    return grouped.Checkout(customer=customer["user"], offering_id=offering.pk, quantity=qty, now=timezone.now())


def test_one_batch_answers_each_checkout_by_the_rules():
    scarce = setup_deal(quantity=2, limit=2)["deal"]  # 2 units, 2 per customer
    plenty = setup_deal(quantity=100)["deal"]
    draft = setup_deal(quantity=5)["deal"]
    Offering.objects.filter(pk=draft.pk).update(status="paused")
    x, y, z, w = (quick_user(n) for n in "xyzw")
    batch = [_req(x, scarce), _req(x, scarce), _req(x, scarce),  # the third is over x's limit
             _req(y, scarce),  # 3 accepted for 2 units: the scarce deal's checkouts go one by one
             _req(z, plenty, 2), _req(w, draft),
             grouped.Checkout(customer=w["user"], offering_id=uuid.uuid4(), quantity=1, now=timezone.now())]
    grouped.run_batch(batch, plain=_order_create_plain)

    assert all(r.done.is_set() for r in batch)
    assert isinstance(batch[2].error, LimitExceeded) and batch[2].error.fields["held"] == 2
    assert batch[0].order is not None and batch[1].order is not None  # first come, first served
    assert isinstance(batch[3].error, SoldOut)
    assert batch[4].order is not None and batch[4].order.lines.get().quantity == 2
    assert isinstance(batch[5].error, NotFound) and isinstance(batch[6].error, NotFound)
    assert left(scarce) == 0 and left(plenty) == 98 and left(draft) == 5
    assert grouped.stats.fallbacks == 3  # the scarce deal's three accepted checkouts
    for r in (batch[0], batch[1], batch[4]):
        order = Order.objects.get(pk=r.order.pk)
        assert order.status == "awaiting_payment" and order.customer_id == r.customer.pk
        assert order.total_amount == order.lines.get().unit_price_amount * order.lines.get().quantity
        assert OrderEvent.objects.filter(order=order, to_status="awaiting_payment").count() == 1
        assert order.expires_at > timezone.now() + timedelta(minutes=10)


def test_a_failing_batch_runs_its_checkouts_one_by_one(monkeypatch):
    deal = setup_deal(quantity=10)["deal"]
    buyers = [quick_user("b") for _ in range(3)]

    def broken(batch):  # type: ignore[no-untyped-def]
        from django.db import DatabaseError

        raise DatabaseError("deadlock detected")

    monkeypatch.setattr(grouped, "_write", broken)
    batch = [_req(b, deal) for b in buyers]
    grouped.run_batch(batch, plain=_order_create_plain)
    assert [r.order is not None for r in batch] == [True, True, True]
    assert left(deal) == 7 and grouped.stats.fallbacks == 3


def test_60_buyers_at_once_are_grouped_and_never_oversold():
    w = setup_deal(quantity=40)
    buyers = [quick_user("buyer") for _ in range(60)]
    results = race(lambda c: buy(c, w["deal"], 1, pay=False), [(c,) for c in buyers])
    assert kinds(results) == Counter({"ok": 40, "SoldOut": 20}), kinds(results)
    assert left(w["deal"]) == 0
    orders = Order.objects.filter(lines__offering=w["deal"])
    assert orders.count() == 40 and len({o.customer_id for o in orders}) == 40
    assert grouped.stats.largest > 1, grouped.stats  # they did share transactions
    assert grouped.stats.checkouts == 60


def test_one_customer_racing_itself_in_a_batch_keeps_the_limit():
    w = setup_deal(quantity=50, limit=3)
    customer = quick_user("greedy")
    results = race(lambda: buy(customer, w["deal"], 1, pay=False), [()] * 12)
    assert kinds(results) == Counter({"ok": 3, "LimitExceeded": 9}), kinds(results)
    assert left(w["deal"]) == 47


def test_inside_a_transaction_the_plain_path_is_taken():
    from django.db import transaction

    deal = setup_deal(quantity=5)["deal"]
    c = quick_user("c")
    with transaction.atomic():
        order_create(customer=c["user"], lines=[{"offering_id": str(deal.pk), "quantity": 1}])
    assert grouped.stats.batches == 0 and left(deal) == 4
    order_create(customer=c["user"], lines=[{"offering_id": str(deal.pk), "quantity": 1}])
    assert grouped.stats.batches == 1 and left(deal) == 3
