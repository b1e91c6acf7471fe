"""Public reads from a PostgreSQL streaming replica (DATABASE_REPLICA_URL; README "Deploying").

Only what anyone may read, in a request that only reads, goes to the replica: a GET of nearby search,
text search, a store's or an offering's page (API or web) or a store's reviews, and within it only the
public tables (merchants, stores, offerings, the search index, reviews). Everything else reads the
primary: writes and their transactions, sessions, tokens, orders, payments, the cache table, the
worker. A replica is a little behind, so a client that has just written reads the primary for
DATABASE_REPLICA_PIN_SECONDS: a browser by a cookie, an API client by its Authorization header
(remembered in the shared cache, so every node knows). A replica that does not answer is left alone
for a few seconds (each process tries it again after that), and a public page whose replica query
failed is answered again from the primary: the reader never sees the replica fail.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.signals import got_request_exception
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)

REPLICA = "replica"
PUBLIC_APPS = frozenset({"merchants", "catalogue", "discovery", "reviews"})
_UUID = r"[0-9a-fA-F-]{36}"
PUBLIC_PATHS = re.compile(
    rf"^/(?:api/v1/(?:stores/nearby|offerings/nearby|search|stores/{_UUID}|offerings/{_UUID}|stores/{_UUID}/reviews)"
    rf"|stores/{_UUID}/|deals/{_UUID}/)$"
)
PIN_COOKIE = "o2o_primary"
RETRY_AFTER = 5.0  # seconds a process leaves a replica that did not answer before trying it again
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

_request: ContextVar[dict[str, bool] | None] = ContextVar("o2o_replica_request", default=None)
_down_until = 0.0
_lock = threading.Lock()


def enabled() -> bool:
    return REPLICA in settings.DATABASES


def pin_seconds() -> int:
    return int(getattr(settings, "DATABASE_REPLICA_PIN_SECONDS", 5))


def replica_down(seconds: float = RETRY_AFTER) -> None:
    global _down_until
    with _lock:
        _down_until = time.monotonic() + seconds


def replica_up() -> bool:
    """False for RETRY_AFTER seconds after the replica failed; then one connection attempt says."""
    if time.monotonic() < _down_until:
        return False
    try:
        connections[REPLICA].ensure_connection()
    except DatabaseError:
        log.warning("the database replica does not answer: public reads go to the primary for %s s", RETRY_AFTER)
        replica_down()
        return False
    return True


def replica_health() -> dict[str, Any] | None:
    """What /healthz says of the replica: None when there is none; {"state": "ok", "lag_bytes": n} with
    the WAL it has received but not yet replayed (0 when it keeps up), or {"state": "down"} when it does
    not answer (public reads then go to the primary: a down replica is reported, it never fails the node)."""
    if not enabled():
        return None
    if not replica_up():
        return {"state": "down"}
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())")
            row = cursor.fetchone()
    except DatabaseError:
        log.warning("healthz: the database replica did not answer")
        _reconnect_or_mark_down()
        return {"state": "down"}
    lag = row[0] if row else None
    return {"state": "ok", "lag_bytes": max(0, int(lag)) if lag is not None else None}


def _reconnect_or_mark_down() -> None:
    conn = connections[REPLICA]
    try:
        conn.close()
    except DatabaseError:
        conn.connection = None
    try:
        conn.ensure_connection()
    except DatabaseError:
        replica_down()


def _pin_key(request: HttpRequest) -> str | None:
    auth = request.headers.get("Authorization")
    return "dbpin:" + hashlib.sha256(auth.encode()).hexdigest()[:32] if auth else None


def pinned(request: HttpRequest) -> bool:
    if request.COOKIES.get(PIN_COOKIE):
        return True
    key = _pin_key(request)
    return bool(key and cache.get(key))


def pin(request: HttpRequest, response: HttpResponse) -> None:
    """This client just wrote: its next reads, for a few seconds, come from the primary."""
    seconds = pin_seconds()
    response.set_cookie(PIN_COOKIE, "1", max_age=seconds, httponly=True, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE)
    key = _pin_key(request)
    if key:
        cache.set(key, 1, seconds)


def public_read(request: HttpRequest) -> bool:
    return request.method in SAFE and bool(PUBLIC_PATHS.match(request.path_info)) and not pinned(request)


class ReplicaRouter:
    def db_for_read(self, model: type, **hints: Any) -> str:
        state = _request.get()
        if (state is None or not state["replica"] or model._meta.app_label not in PUBLIC_APPS  # type: ignore[attr-defined]
                or connections["default"].in_atomic_block):
            return "default"
        return REPLICA

    def db_for_write(self, model: type, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"  # the replica gets the schema by replication


def _failed(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    import sys

    state = _request.get()
    if state is not None and state["replica"] and isinstance(sys.exc_info()[1], DatabaseError):
        state["failed"] = True


got_request_exception.connect(_failed, dispatch_uid="o2o.core.dbrouter")


class ReplicaReadsMiddleware:
    """Marks public reads for ReplicaRouter, answers them again from the primary if the replica
    failed, and pins a client that wrote to the primary for a while."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            return self.get_response(request)
        state = {"replica": public_read(request) and replica_up(), "failed": False}
        token = _request.set(state)
        try:
            response = self.get_response(request)
            # A database error on a replica read: the pages' handler sees it (got_request_exception), the
            # API answers it as a 500 of its own. A safe, public read: answering it again from the
            # primary is harmless, whatever the cause was.
            if state["replica"] and (state["failed"] or response.status_code >= 500):
                _reconnect_or_mark_down()
                log.warning("a public read failed (%s) with the replica: answered again from the primary",
                            response.status_code)
                state.update(replica=False, failed=False)
                response = self.get_response(request)
        finally:
            _request.reset(token)
        if request.method not in SAFE and response.status_code < 400:
            pin(request, response)
        return response
