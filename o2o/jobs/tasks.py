"""Periodic jobs of jobs (o2o.core.schedule; run by manage.py o2o_worker)."""

from __future__ import annotations

from datetime import timedelta

from o2o.core.schedule import periodic
from o2o.jobs.escrow import escrows_sync_due


@periodic("jobs.escrow_sync", every=timedelta(minutes=1))
def escrow_sync() -> dict[str, int]:
    """Every minute: hold in escrow any captured payment of a job's order that is not held yet (a
    milestone payment whose process died after the gateway's answer, or one payments_reconcile finished).
    Idempotent: each payment is held once (a unique constraint)."""
    return escrows_sync_due()
