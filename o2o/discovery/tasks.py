"""Periodic jobs of discovery (django-tasks). Idempotent: each recounts from the source rows."""

from django_tasks import task

from o2o.discovery.services import refresh_density, refresh_popularity


@task()
def refresh_popularity_task() -> int:
    n = refresh_popularity()
    refresh_density()
    return n
