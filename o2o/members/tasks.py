"""Background jobs of members (django-tasks). Idempotent: each card's expiry is booked once under its lock."""

from __future__ import annotations

from datetime import timedelta

from o2o.core.schedule import periodic
from o2o.members.services import points_expire_due


@periodic("members.expire_points", every=timedelta(hours=1))
def expire_points() -> int:
    """Every hour: what is left of points past their expiry goes, one `expire` row per card."""
    return points_expire_due()
