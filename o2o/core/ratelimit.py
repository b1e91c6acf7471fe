"""Per-client rate limits counted in the shared cache, and the client address they count by.

One module for the API and the pages alike. Counters live in Django's default cache, which every
server process shares (Redis, or the database cache when REDIS_URL is empty: config/settings.py);
a per-process counter would let N workers allow N times the limit. ``cache.add`` + ``cache.incr``
is atomic on Redis; ``AtomicDatabaseCache`` below makes ``incr`` atomic on the database cache too
(Django's own is a get followed by a set, so two workers could both read 4 and both write 5).

The address is the one the deployment says is real (``O2O_TRUSTED_PROXIES``): with 0 trusted
proxies, the TCP peer (REMOTE_ADDR) and never a client-sent X-Forwarded-For; with n, the n-th
address from the right of X-Forwarded-For (each trusted proxy appends the address it saw).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import ipaddress
import math
import pickle  # noqa: S403  # the database cache's own value format
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext

from o2o.core import conf
from o2o.core.errors import DomainError

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimited(DomainError):
    code, status, default_message = "rate_limited", 429, gettext_lazy("Too many requests; try again shortly.")

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(
            ngettext("Too many attempts from your address. Try again in %(n)d second.",
                     "Too many attempts from your address. Try again in %(n)d seconds.",
                     self.retry_after) % {"n": self.retry_after},
            fields={"retry_after_seconds": self.retry_after})


def parse_rate(rate: str) -> tuple[int, int]:
    """"20/m" -> (20, 60): so many requests per period (s, m, h or d; "5/10m" is 5 per 10 minutes)."""
    count, _, per = rate.strip().partition("/")
    per = per.strip() or "m"
    unit = per[-1]
    if unit not in _PERIODS:
        raise ValueError(f"bad rate {rate!r}: the period is s, m, h or d")
    return int(count), int(per[:-1] or 1) * _PERIODS[unit]


def client_address(request: Any) -> str | None:
    """The client's address as the deployment's trusted proxies report it (see the module's doc)."""
    meta = getattr(request, "META", None) or {}
    remote = meta.get("REMOTE_ADDR") or None
    trusted = conf.get().trusted_proxies
    if trusted <= 0:
        return remote
    hops = [h.strip() for h in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",") if h.strip()]
    if len(hops) < trusted:  # not through every trusted proxy: only the peer is known
        return remote
    candidate = hops[-trusted]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def address_key(address: str | None) -> str:
    """What one client is counted as: an IPv4 address, or the /64 network of an IPv6 one (one home or
    phone gets a whole /64 and can pick a fresh address in it for every request)."""
    if not address:
        return ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def hit(scope: str, ident: str, rate: str, *, now: float | None = None) -> int:
    """Count one request of `ident` (an address, an email...) in `scope`; RateLimited when over `rate`.

    A window opens at the first request and lasts the rate's period (no burst of twice the rate
    across a clock boundary); the count of the window after this request is returned.
    """
    limit, period = parse_rate(rate)
    now = time.time() if now is None else now
    key = f"rl:{scope}:{hashlib.sha256(ident.encode()).hexdigest()[:32]}"
    for _attempt in range(2):
        if cache.add(key, 0, timeout=period):
            cache.set(key + ":t", now, timeout=period)
        try:
            count = int(cache.incr(key))
            break
        except ValueError:  # expired between add and incr
            continue
    else:  # pragma: no cover - the key expired twice in a row
        return 0
    if count > limit:
        started = cache.get(key + ":t")
        started = started if isinstance(started, float | int) else now
        raise RateLimited(math.ceil(started + period - now))
    return count


def check_auth(request: Any) -> None:
    """One sign-in, sign-up or password-reset request from this client: RateLimited past O2O_AUTH_RATE."""
    hit("auth", address_key(client_address(request)) or "unknown", conf.get().auth_rate)


def auth_limited(on_limit: Callable[[Any, RateLimited], Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A page view whose POSTs count against the auth rate; over it, `on_limit(request, exc)` answers."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            if request.method == "POST":
                try:
                    check_auth(request)
                except RateLimited as exc:
                    return on_limit(request, exc)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


class AtomicDatabaseCache(DatabaseCache):
    """Django's database cache with an atomic ``incr`` (row lock on PostgreSQL; on SQLite the
    transaction starts IMMEDIATE, config/settings.py, so writers take turns). Keeps the key's expiry."""

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)  # type: ignore[attr-defined]
        now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(f"SELECT value FROM {table} WHERE cache_key = %s AND expires > %s{lock}",  # noqa: S608
                           [key, now])
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(connection.ops.process_clob(row[0]).encode()))  # noqa: S301
            new = value + delta
            encoded = base64.b64encode(pickle.dumps(new, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {table} SET value = %s WHERE cache_key = %s", [encoded, key])  # noqa: S608
        return new
