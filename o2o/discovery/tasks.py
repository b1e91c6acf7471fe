"""Periodic jobs of discovery (django-tasks). Idempotent: each recounts from the source rows."""

from datetime import timedelta

from django_tasks import task

from o2o.core.schedule import periodic
from o2o.discovery.services import refresh_density, refresh_popularity


@periodic("discovery.popularity", every=timedelta(hours=1))
def popularity_rollup() -> int:
    """Hourly (manage.py o2o_worker): the popularity and density figures ranking reads."""
    n = refresh_popularity()
    refresh_density()
    return n


@task()
def refresh_popularity_task() -> int:
    return popularity_rollup()
