"""The periodic-task registry and scheduler (o2o.core.schedule), each periodic task run twice, /healthz.

The scheduler's races (many workers ticking at once) are in tests/concurrency/test_worker_races.py; a
real `manage.py o2o_worker` process is in tests/live/test_worker.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from o2o.core.models import PeriodicRun
from o2o.core.schedule import periodic, periodic_run_task, registered, schedule_tick
from o2o.payments.books import books_problems
from o2o.payments.models import Payment
from tests.helpers import GOOD_CARD, expire_hold, quantity_left, world

pytestmark = pytest.mark.django_db

DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# 12:00:05 UTC: a whole minute and hour began 5 s ago; +30 s is the next 30-s period in the same minute
T0 = datetime(2026, 12, 3, 12, 0, 5, tzinfo=UTC)
EXPECTED = {"orders.expire_holds": 30, "payments.reconcile": 60, "accounts.prune_login_failures": 3600,
            "core.prune": 3600, "discovery.popularity": 3600, "members.expire_points": 3600,
            "delivery.dispatch": 5, "delivery.refund_returned": 60, "jobs.escrow_sync": 60,
            "bookings.reminders": 300, "bookings.waitlist_offers": 60, "analytics.rollup": 5,
            "members.teams": 30, "members.tiers": 86400, "community.emails": 300}


def _due(before: datetime, at: datetime) -> list[str]:
    """The tasks whose period (a whole multiple of its length since the epoch) began after `before`, up to `at`."""
    return sorted(n for n, every in EXPECTED.items() if int(at.timestamp()) // every > int(before.timestamp()) // every)


def _queued() -> list[str]:
    from django_tasks_db.models import DBTaskResult

    return sorted(r.args_kwargs["args"][0] for r in DBTaskResult.objects.all())


def test_every_app_registers_its_periodic_tasks_with_their_periods():
    got = {name: int(p.every.total_seconds()) for name, p in registered().items()}
    assert got == EXPECTED


def test_a_second_task_under_a_taken_name_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        periodic("orders.expire_holds", every=timedelta(seconds=30))(lambda: 0)


def test_each_task_is_enqueued_once_per_period(settings):
    settings.TASKS = DB_BACKEND
    assert sorted(schedule_tick(now=T0)) == sorted(EXPECTED)
    assert schedule_tick(now=T0) == []  # the same period: nothing more
    # 12:00:25 and 12:00:35 (a new 30-s period), then 12:01:05 (a new minute); each tick from the one before
    queued = list(EXPECTED)
    for before, after in ((0, 20), (20, 30), (30, 60)):
        due = _due(T0 + timedelta(seconds=before), T0 + timedelta(seconds=after))
        assert sorted(schedule_tick(now=T0 + timedelta(seconds=after))) == due
        queued += due
    assert _due(T0, T0 + timedelta(seconds=20)) == ["analytics.rollup", "delivery.dispatch"]  # once by hand
    assert _due(T0 + timedelta(seconds=30), T0 + timedelta(seconds=60)) == [
        "analytics.rollup", "bookings.waitlist_offers", "delivery.dispatch", "delivery.refund_returned", "jobs.escrow_sync",
        "members.teams", "orders.expire_holds", "payments.reconcile"]
    assert _queued() == sorted(queued)
    assert PeriodicRun.objects.get(name="orders.expire_holds").period == int((T0.timestamp() + 60) // 30)


def test_a_clock_that_goes_back_enqueues_nothing_again(settings):
    settings.TASKS = DB_BACKEND
    schedule_tick(now=T0 + timedelta(minutes=5))
    assert schedule_tick(now=T0) == []


def test_the_immediate_backend_runs_the_task_after_the_claim_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert "core.prune" in schedule_tick(now=T0)
    row = PeriodicRun.objects.get(name="core.prune")
    assert row.runs == 1 and row.ran_at is not None


def test_a_worker_run_notes_when_it_ran():
    before = timezone.now()
    schedule_tick(now=T0, names=["core.prune"])
    assert periodic_run_task.call("core.prune") == {"cache_rows": 0, "task_results": 0}
    row = PeriodicRun.objects.get(name="core.prune")
    assert row.runs == 1 and row.ran_at >= before
    assert periodic_run_task.call("no.such.task") is None  # queued by another release: skipped


# --- each periodic task run twice: the second run changes nothing ---
def test_hold_expiry_twice_gives_the_units_back_once(api_client):
    w = world(api_client)
    orders = [api_client.buy(w["customer"], w["deal"]["id"], 2, pay=False) for _ in range(2)]
    assert quantity_left(w["deal"]["id"]) == 6
    for order in orders:
        expire_hold(order["id"])
    assert periodic_run_task.call("orders.expire_holds") == 2
    assert quantity_left(w["deal"]["id"]) == 10
    assert periodic_run_task.call("orders.expire_holds") == 0
    assert quantity_left(w["deal"]["id"]) == 10
    r = api_client.get(f"/orders/{orders[0]['id']}", w["customer"]["token"])
    assert r.json()["status"] == "expired"
    assert books_problems() == []


def test_reconcile_twice_finishes_a_lost_payment_once(api_client):
    from o2o.core.money import Money
    from o2o.orders.models import Order
    from o2o.payments.providers import get_provider

    w = world(api_client)
    order = Order.objects.get(pk=api_client.buy(w["customer"], w["deal"]["id"], 1, pay=False)["id"])
    payment = Payment.objects.create(order=order, provider="sandbox", currency=order.currency,
                                     amount=order.total_amount, status="pending")
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    get_provider("sandbox").charge(amount=Money(order.total_amount, order.currency),
                                   details={"card_number": GOOD_CARD}, merchant_reference=str(payment.pk))
    first = periodic_run_task.call("payments.reconcile")
    assert first["completed"] == 1
    assert periodic_run_task.call("payments.reconcile") == dict.fromkeys(first, 0)
    order.refresh_from_db()
    assert order.status == "paid" and Payment.objects.get(pk=payment.pk).status == "succeeded"
    assert books_problems() == []


def test_login_failure_pruning_twice_keeps_what_a_lockout_still_counts():
    from o2o.accounts.models import LoginFailure
    from o2o.core import conf

    window = conf.get().login_lockout
    old = LoginFailure.objects.create(email="a@example.com", ip="10.0.0.1")
    LoginFailure.objects.filter(pk=old.pk).update(at=timezone.now() - 2 * window - timedelta(minutes=1))
    recent = LoginFailure.objects.create(email="a@example.com", ip="10.0.0.1")
    assert periodic_run_task.call("accounts.prune_login_failures") == 1
    assert periodic_run_task.call("accounts.prune_login_failures") == 0
    assert list(LoginFailure.objects.values_list("pk", flat=True)) == [recent.pk]


def test_pruning_twice_drops_expired_cache_rows_and_old_task_results_once(settings):
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DB_BACKEND
    cache.set("worker-test:stale", 1, 60)
    cache.set("worker-test:live", 2, 600)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE o2o_cache SET expires = %s WHERE cache_key LIKE %s",
                       [timezone.now() - timedelta(minutes=1), "%worker-test:stale"])
    schedule_tick(now=T0, names=["core.prune"])
    DBTaskResult.objects.update(status="SUCCESSFUL", finished_at=timezone.now() - timedelta(days=2))
    schedule_tick(now=T0 + timedelta(hours=1), names=["core.prune"])  # a fresh one, still queued
    assert periodic_run_task.call("core.prune") == {"cache_rows": 1, "task_results": 1}
    assert periodic_run_task.call("core.prune") == {"cache_rows": 0, "task_results": 0}
    assert cache.get("worker-test:live") == 2
    assert DBTaskResult.objects.count() == 1


# --- /healthz ---
def test_healthz_answers_200_with_the_database_the_cache_and_the_worker(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"database": "ok", "cache": "ok", "worker": None}  # no worker has run yet
    assert "no-store" in r["Cache-Control"]
    PeriodicRun.objects.create(name="core.prune", ran_at=timezone.now() - timedelta(seconds=42))
    body = client.get("/healthz").json()
    assert 42 <= body["worker"] <= 50
    assert client.post("/healthz").status_code == 405


def test_healthz_answers_503_when_the_cache_does_not(client, settings):
    from tests.live.server import free_port

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}}  # nothing listens there
    r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json() == {"database": "ok", "cache": "error", "worker": None}
