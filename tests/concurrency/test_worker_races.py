"""Workers racing: many schedulers ticking at once enqueue each periodic task once per period, and two
workers sweeping the same stale holds at once give each unit back once.

Each thread has its own connection and its own transactions, as separate o2o_worker processes would."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from o2o.core.models import PeriodicRun
from o2o.core.schedule import periodic_run_task, registered, schedule_tick
from o2o.orders.models import Order
from tests.concurrency.test_no_oversell import buy, left, race, setup_deal
from tests.helpers import expire_hold, quick_user
from tests.worker.test_worker import DB_BACKEND, T0

pytestmark = [pytest.mark.django_db(transaction=True)]


def _queued() -> Counter[str]:
    from django_tasks_db.models import DBTaskResult

    return Counter(r.args_kwargs["args"][0] for r in DBTaskResult.objects.all())


def test_six_schedulers_ticking_at_once_enqueue_each_task_once_per_period(settings):
    settings.TASKS = DB_BACKEND
    results = race(lambda: schedule_tick(now=T0), [()] * 6)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert Counter(name for r in results for name in r) == Counter(list(registered()))  # each exactly once
    assert _queued() == Counter(list(registered()))  # and each claim queued exactly one task
    # the next 30-s period: again exactly one of them enqueues each task due then (the 30-s ones and the
    # 5-s ones: hold expiry, team deadlines, the dispatch round, the rollup), nothing else
    due = {name for name, p in registered().items() if p.every.total_seconds() <= 30}
    assert {"orders.expire_holds", "delivery.dispatch"} <= due
    results = race(lambda: schedule_tick(now=T0 + timedelta(seconds=30)), [()] * 6)
    assert Counter(name for r in results for name in r) == Counter(due)
    assert _queued()["orders.expire_holds"] == 2
    assert PeriodicRun.objects.count() == len(registered())


def test_schedulers_of_different_clocks_still_enqueue_once():
    """Workers a few seconds apart in the same period, their first rows created at once."""
    results = race(lambda s: schedule_tick(now=T0 + timedelta(seconds=s), names=["payments.reconcile"]),
                   [(s,) for s in (0, 1, 2, 3, 10, 20)])
    assert sum(len(r) for r in results) == 1, results


def test_two_workers_sweeping_the_same_stale_holds_give_each_unit_back_once():
    w = setup_deal(quantity=12)
    orders = [buy(quick_user("buyer"), w["deal"], 2, pay=False) for _ in range(5)]
    assert left(w["deal"]) == 2
    for order in orders:
        expire_hold(str(order.pk))
    results = race(lambda: periodic_run_task.call("orders.expire_holds"), [()] * 3)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sum(results) == 5  # each order expired by exactly one of them
    assert left(w["deal"]) == 12
    assert set(Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("status", flat=True)) == {"expired"}
    assert periodic_run_task.call("orders.expire_holds") == 0
    # books_problems() == [] is checked after every race test (tests/concurrency/conftest.py)
