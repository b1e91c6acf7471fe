"""Periodic jobs of accounts (o2o.core.schedule; run by manage.py o2o_worker)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from o2o.accounts.services import login_failures_prune
from o2o.core import conf
from o2o.core.schedule import periodic


@periodic("accounts.prune_login_failures", every=timedelta(hours=1))
def prune_login_failures() -> int:
    """Hourly: drop failed sign-ins that no lockout counts any more (older than twice the lockout
    window, the floor of `manage.py prune_login_failures`). Deleting what is gone already is a no-op."""
    return login_failures_prune(older_than=timezone.now() - 2 * conf.get().login_lockout)
