"""Background jobs of orders (django-tasks). Idempotent: each re-reads the order; no retries needed."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from o2o.core.schedule import periodic
from o2o.orders.holds import orders_expire_due


@task()
def order_hold_expire_task(order_id: str) -> int:
    """Give back the units of one order still unpaid when its hold ran out. Checkouts no longer enqueue it
    (the sweep below does the work, and a task row per order cost every checkout a second commit); it
    stays so that jobs queued by an earlier release still run."""
    return orders_expire_due(order_ids=[order_id])


@periodic("orders.expire_holds", every=timedelta(seconds=30))
def expire_holds() -> int:
    """Every 30 s: unpaid orders past their hold give their units (and pickup slots) back, with no
    request involved. Each order expires in its own transaction, once (a second run finds it expired).
    This is the only timer of holds: a checkout writes no task of its own, so its order commits alone
    (one commit for a whole grouped batch), and a checkout of the same offering sweeps first anyway."""
    return orders_expire_due()
