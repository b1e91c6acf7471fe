"""Periodic tasks: a registry of functions, and the scheduler that enqueues each once per period.

Each app registers its periodic functions in its tasks.py, imported by its AppConfig.ready::

    @periodic("orders.expire_holds", every=timedelta(seconds=30))
    def expire_holds() -> int: ...

`manage.py o2o_worker` calls `schedule_tick` about once a second. Time is cut into periods of
`every` (period n = floor(unix seconds / every)); a tick claims the current period of each task with
a conditional UPDATE of its PeriodicRun row (`WHERE period < n`), so of any number of workers ticking
at once exactly one enqueues it for that period. With the database backend the claim and the queued
task are one transaction: a worker killed between the two leaves neither. The functions themselves
must be idempotent (safe twice, or on two workers at once): tasks have no retries, and a worker killed
mid-task leaves the task to the next period.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django_tasks import task

from o2o.core.models import PeriodicRun

log = logging.getLogger(__name__)

F_ = TypeVar("F_", bound=Callable[[], Any])


@dataclass(frozen=True)
class Periodic:
    name: str
    every: timedelta
    func: Callable[[], Any]


_registry: dict[str, Periodic] = {}


def periodic(name: str, *, every: timedelta) -> Callable[[F_], F_]:
    """Register `func` (no arguments, returns something JSON can hold) to run once every `every`."""
    if every.total_seconds() < 1:
        raise ImproperlyConfigured(f"periodic task {name}: every must be at least a second")

    def register(func: F_) -> F_:
        known = _registry.get(name)
        if known is not None and (known.func.__module__, known.func.__qualname__) != (
                func.__module__, func.__qualname__):
            raise ImproperlyConfigured(f"two periodic tasks are named {name}")
        _registry[name] = Periodic(name=name, every=every, func=func)
        return func

    return register


def registered() -> dict[str, Periodic]:
    return dict(_registry)


def period_of(*, every: timedelta, now: datetime) -> int:
    return int(now.timestamp() // every.total_seconds())


@task()
def periodic_run_task(name: str) -> Any:
    """Run one registered periodic function (enqueued by schedule_tick) and note when it ran."""
    entry = _registry.get(name)
    if entry is None:  # a worker of an older release, or a task renamed since it was queued
        log.warning("periodic task %s is not registered here; skipped", name)
        return None
    result = entry.func()
    PeriodicRun.objects.filter(name=name).update(ran_at=timezone.now(), runs=F("runs") + 1)
    return result


def _enqueues_in_transaction() -> bool:
    """The database backend queues a task as a row of the same database: the claim and the task
    commit together. Other backends (immediate, RQ) are called after the claim has committed."""
    backend = periodic_run_task.get_backend()
    return type(backend).__module__.startswith("django_tasks_db")


def _enqueue(name: str) -> None:
    try:
        periodic_run_task.enqueue(name)
    except Exception:  # a queue outage loses this period's run; the next period enqueues again
        log.exception("could not enqueue periodic task %s", name)


def schedule_tick(*, now: datetime | None = None, names: list[str] | None = None) -> list[str]:
    """Enqueue each registered periodic task whose current period no scheduler has claimed yet.

    Returns the names this call enqueued. Safe to call from any number of processes at once."""
    now = now or timezone.now()
    entries = [e for n, e in sorted(_registry.items()) if names is None or n in names]
    if not entries:
        return []
    known = set(PeriodicRun.objects.filter(name__in=[e.name for e in entries]).values_list("name", flat=True))
    missing = [PeriodicRun(name=e.name) for e in entries if e.name not in known]
    if missing:  # two workers starting at once both insert: the second's rows are ignored
        PeriodicRun.objects.bulk_create(missing, ignore_conflicts=True)
    in_transaction = _enqueues_in_transaction()
    enqueued = []
    for entry in entries:
        n = period_of(every=entry.every, now=now)
        with transaction.atomic():
            won = PeriodicRun.objects.filter(name=entry.name, period__lt=n).update(period=n, enqueued_at=now)
            if not won:
                continue
            if in_transaction:
                periodic_run_task.enqueue(entry.name)
            else:
                transaction.on_commit(lambda name=entry.name: _enqueue(name))  # type: ignore[misc]
        enqueued.append(entry.name)
        log.info("enqueued periodic task %s for period %s", entry.name, n)
    return enqueued


def worker_last_ran() -> datetime | None:
    """When a worker last finished a periodic task (None: never)."""
    value: datetime | None = PeriodicRun.objects.aggregate(last=Max("ran_at"))["last"]
    return value
