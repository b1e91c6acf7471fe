"""Periodic jobs of analytics (django-tasks): the rollups of the event stream (rollups.py). Idempotent:
each batch moves the rollups' mark in its own transaction, so a second run, or a second worker, adds
nothing twice."""

from datetime import timedelta

from o2o.analytics.rollups import rollup_run
from o2o.core.schedule import periodic


@periodic("analytics.rollup", every=timedelta(seconds=5))
def rollup() -> int:
    """Every 5 s: the settled events past the mark go into the daily figures."""
    return rollup_run()
