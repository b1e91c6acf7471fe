"""Background jobs of orders (django-tasks). Idempotent: each re-reads the order; no retries needed."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django_tasks import task

from o2o.core.schedule import periodic
from o2o.orders.holds import orders_expire_due

log = logging.getLogger(__name__)


@task()
def order_hold_expire_task(order_id: str) -> int:
    """Give back the units of one order still unpaid when its hold ran out (enqueued to run then)."""
    return orders_expire_due(order_ids=[order_id])


@periodic("orders.expire_holds", every=timedelta(seconds=30))
def expire_holds() -> int:
    """Every 30 s: unpaid orders past their hold give their units (and pickup slots) back, with no
    request involved. Each order expires in its own transaction, once (a second run finds it expired)."""
    return orders_expire_due()


def schedule_hold_expiry(order: Any) -> None:
    """Release the units right when the hold runs out, where the task backend can defer a job.

    Without such a backend (the immediate one of development) holds are released lazily: by the
    next checkout of the same offering, a pay attempt, or `manage.py reconcile_payments`.
    """
    try:
        if not order_hold_expire_task.get_backend().supports_defer:
            return
        order_hold_expire_task.using(run_after=order.expires_at + timedelta(seconds=1)).enqueue(str(order.pk))
    except Exception:  # a queue outage must not fail a checkout that has committed; the sweeps remain
        log.exception("could not schedule the hold expiry of order %s", order.number)
