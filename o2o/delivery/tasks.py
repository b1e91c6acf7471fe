"""Background jobs of delivery: the dispatch round every few seconds (o2o.core.schedule)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from o2o.core.schedule import periodic
from o2o.delivery.rounds import dispatch_round


@periodic("delivery.dispatch", every=timedelta(seconds=5))
def dispatch() -> dict[str, Any]:
    """Every 5 s: assign ready and soon-ready deliveries to on-shift couriers (rounds.dispatch_round).
    Safe on two workers at once: every write is conditional on the task's status."""
    return dispatch_round().as_dict()


@periodic("delivery.refund_returned", every=timedelta(seconds=60))
def refund_returned() -> int:
    """Every minute: a failed delivery back at the store whose refund was not booked (the process died
    between the two) is refunded now by its store's rule. Idempotent: a refunded order is not paid."""
    from o2o.delivery.couriers import returned_refunds_due

    return returned_refunds_due()
