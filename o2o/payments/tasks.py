"""Periodic jobs of payments (o2o.core.schedule; run by manage.py o2o_worker)."""

from __future__ import annotations

from datetime import timedelta

from o2o.core.schedule import periodic
from o2o.payments.services import payments_reconcile


@periodic("payments.reconcile", every=timedelta(minutes=1))
def reconcile() -> dict[str, int]:
    """Every minute: finish payments whose gateway answer was lost (pending for 2 minutes) and send
    refunds booked but unconfirmed. Idempotent: a finished payment is no longer pending."""
    return payments_reconcile()
