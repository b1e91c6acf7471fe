"""Background jobs of members (django-tasks). Idempotent: each card's expiry is booked once under its lock; teams and tiers re-read their rows."""

from __future__ import annotations

from datetime import timedelta

from o2o.core.schedule import periodic
from o2o.members.services import points_expire_due
from o2o.members.teams import teams_sweep
from o2o.members.tiers import tiers_recompute_all


@periodic("members.expire_points", every=timedelta(hours=1))
def expire_points() -> int:
    """Every hour: what is left of points past their expiry goes, one `expire` row per card."""
    return points_expire_due()


@periodic("members.teams", every=timedelta(seconds=30))
def sweep_teams() -> dict[str, int]:
    """Every 30 s: teams past their time fail and their paid members are refunded; members who paid too
    late are refunded; complete teams' vouchers missed by their task are issued."""
    return teams_sweep()


@periodic("members.tiers", every=timedelta(hours=24))
def recompute_tiers() -> int:
    """Daily: the tiers' window rolls on, so a card whose old spending left it drops a tier."""
    return tiers_recompute_all()
