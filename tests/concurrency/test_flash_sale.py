"""A hot deal on PostgreSQL: 10,000 units, 200 buyers at once, each buying and paying again and again until it is
sold out. Not one unit oversold or left behind, every paid order holds exactly its vouchers, and every buyer
who was turned away was told sold_out.

The 200 buyers are served by 24 threads with a database connection each, as a server's thread pool serves
its clients (the test cluster allows 100 connections); each thread takes its buyers in turn.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connections
from django.db.models import Count, Sum

from o2o.orders import batching as grouped
from o2o.orders.errors import SoldOut
from o2o.orders.models import Order, OrderLine
from o2o.orders.services import order_create
from o2o.payments.services import order_pay
from o2o.vouchers.models import Voucher
from tests.concurrency.test_no_oversell import left, setup_deal
from tests.helpers import GOOD_CARD, quick_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
UNITS, BUYERS, THREADS = 10_000, 200, 24


def test_hot_deal_10000_units_200_buyers_sells_exactly_out(postgres_only):
    deal = setup_deal(quantity=UNITS)["deal"]
    buyers = [quick_user("flash")["user"] for _ in range(BUYERS)]
    barrier = threading.Barrier(THREADS)
    outcomes: list[Counter[str]] = [Counter() for _ in range(BUYERS)]

    def serve(t: int) -> None:
        mine = list(range(t, BUYERS, THREADS))
        qty = {i: 1 + i % 20 for i in mine}
        try:
            barrier.wait(timeout=60)
            while mine:
                for i in list(mine):  # one purchase of each of this thread's buyers in turn
                    got = outcomes[i]
                    try:
                        order = order_create(customer=buyers[i],
                                             lines=[{"offering_id": str(deal.pk), "quantity": qty[i]}])
                    except SoldOut:
                        got["sold_out"] += 1
                        if qty[i] == 1:
                            mine.remove(i)  # nothing left for this buyer
                        qty[i] = 1  # maybe a single unit is still there
                        continue
                    order_pay(customer=buyers[i], order_id=order.pk, provider="sandbox",
                              details={"card_number": GOOD_CARD})
                    got["paid_units"] += qty[i]
        except BaseException as exc:  # noqa: BLE001 - any other answer fails the test below
            outcomes[mine[0] if mine else t][f"error:{type(exc).__name__}:{exc}"] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=serve, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not any(t.is_alive() for t in threads), "a buyer hung"
    total = sum(outcomes, Counter())
    assert [k for k in total if k.startswith("error:")] == []
    assert total["paid_units"] == UNITS
    assert all(o["sold_out"] >= 1 for o in outcomes)  # every buyer ended on a clear sold_out
    assert left(deal) == 0
    sold = OrderLine.objects.filter(offering=deal, order__status="paid").aggregate(n=Sum("quantity"))["n"]
    assert sold == UNITS
    assert Voucher.objects.filter(offering=deal).count() == UNITS
    quantities = dict(OrderLine.objects.filter(offering=deal).values_list("order_id", "quantity"))
    vouchers = dict(Voucher.objects.filter(offering=deal).values("order_line__order_id")
                    .annotate(n=Count("id")).values_list("order_line__order_id", "n"))
    assert vouchers == quantities  # every order paid, each with exactly its vouchers
    assert set(Order.objects.filter(pk__in=quantities).values_list("status", flat=True)) == {"paid"}
    assert grouped.stats.largest > 1  # the checkouts were grouped
