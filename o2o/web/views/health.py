"""GET /healthz: what a load balancer or an uptime check asks. No auth, never cached."""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from o2o.core.dbrouter import replica_health
from o2o.core.schedule import worker_last_ran

log = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 {"database": "ok", "cache": "ok", "worker": seconds since a worker last finished a periodic
    task (null: never, or the database did not answer)} when the database and the cache answer; 503
    with "error" in place of "ok" otherwise. A stale worker does not fail it (the web still serves):
    monitoring alerts on "worker" above a minute or two. Where a read replica is set (DATABASE_REPLICA_URL),
    "replica" says {"state": "ok", "lag_bytes"} or {"state": "down"}; it never fails the check either,
    since public reads fall back to the primary."""
    body: dict[str, Any] = {"database": "ok", "cache": "ok", "worker": None}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        last = worker_last_ran()
        if last is not None:
            body["worker"] = max(0, round((timezone.now() - last).total_seconds()))
    except Exception:  # noqa: BLE001 - any failure is "not healthy", never a 500
        log.exception("healthz: the database did not answer")
        body["database"] = "error"
    try:
        key, value = "healthz:" + get_random_string(12), get_random_string(8)
        cache.set(key, value, 10)
        if cache.get(key) != value:
            raise RuntimeError("the cache did not keep a value")
        cache.delete(key)
    except Exception:  # noqa: BLE001
        log.exception("healthz: the cache did not answer")
        body["cache"] = "error"
    replica = replica_health()
    if replica is not None:
        body["replica"] = replica
    ok = body["database"] == "ok" and body["cache"] == "ok"
    return JsonResponse(body, status=200 if ok else 503)
