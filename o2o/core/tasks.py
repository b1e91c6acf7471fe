"""Periodic jobs of the core (o2o.core.schedule; run by manage.py o2o_worker): pruning."""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.db.models import Q
from django.utils import timezone

from o2o.core.schedule import periodic

TASK_RESULTS_KEPT = timedelta(days=1)


def expired_cache_rows_prune() -> int:
    """Delete the expired rows of every database cache (a Redis cache expires its keys itself).

    Django's database cache only culls when a write finds the table over MAX_ENTRIES, which the
    project sets high (live rate-limit counters must not be culled), so expired rows stay otherwise."""
    deleted = 0
    for alias in caches:
        cache = caches[alias]
        if not isinstance(cache, DatabaseCache):
            continue
        db = router.db_for_write(cache.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table = quote(cache._table)  # type: ignore[attr-defined]
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE {quote('expires')} < %s",  # noqa: S608
                           [connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))])
            deleted += max(cursor.rowcount, 0)
    return deleted


def finished_task_results_prune() -> int:
    """Delete the database backend's rows of tasks finished more than a day ago (none elsewhere)."""
    from django.apps import apps

    if not apps.is_installed("django_tasks_db"):
        return 0
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - TASK_RESULTS_KEPT
    deleted, _ = DBTaskResult.objects.filter(
        Q(status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=cutoff)
        # claimed by a worker that was killed (tasks here take seconds): nothing runs it any more
        | Q(status="RUNNING", started_at__lt=cutoff)).delete()
    return deleted


@periodic("core.prune", every=timedelta(hours=1))
def prune() -> dict[str, int]:
    """Hourly: expired cache rows and old task results. Idempotent: what is deleted is gone."""
    return {"cache_rows": expired_cache_rows_prune(), "task_results": finished_task_results_prune()}
