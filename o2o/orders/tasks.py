"""Background jobs of orders (django-tasks). Idempotent: each re-reads the order; no retries needed."""

from django_tasks import task


@task()
def order_hold_expire_task(order_id: str) -> int:
    """Give back the units of one order still unpaid when its hold ran out (enqueued to run then)."""
    from o2o.orders.services import orders_expire_due

    return orders_expire_due(order_ids=[order_id])
