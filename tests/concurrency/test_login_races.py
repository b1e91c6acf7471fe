"""Sign-in counters under real threads (SQLite file database here, as in production; PostgreSQL too).

* 20 parallel wrong passwords for one (email, address) get at most 5 password checks: the slot is
  reserved by a conditional UPDATE before the check (it was 12 of 20 with count-then-insert).
* The shared cache's incr is atomic across connections (Django's database cache reads then writes).
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.core.cache import cache
from django.db import connections
from django.test import Client

from o2o.accounts.models import LoginFailure
from tests.helpers import PASSWORD, quick_user

pytestmark = pytest.mark.django_db(transaction=True)


def _run(n: int, fn) -> list:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(n)
    out: list = []
    errors: list[BaseException] = []

    def body() -> None:
        try:
            barrier.wait(timeout=30)
            out.append(fn())
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=body) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return out


def _token(email: str, password: str, addr: str) -> int:
    r = Client().post("/api/v1/auth/token", {"email": email, "password": password},
                      content_type="application/json", REMOTE_ADDR=addr)
    return r.status_code


def test_20_parallel_wrong_passwords_get_at_most_5_checks_and_the_owner_elsewhere_signs_in(settings):
    settings.O2O = {**settings.O2O, "AUTH_RATE": "1000/m"}  # the per-address rate limit is not counted here
    user = quick_user("racer")
    statuses = Counter(_run(20, lambda: _token(user["email"], "wrong-password-1", "203.0.113.9")))
    checks = LoginFailure.objects.filter(email=user["email"]).count()
    assert checks <= 5 and statuses[401] == checks, (statuses, checks)
    assert statuses[429] == 20 - checks and set(statuses) <= {401, 429}
    assert checks == 5  # nothing was refused that had a slot
    assert _token(user["email"], PASSWORD, "203.0.113.9") == 429
    assert _token(user["email"], PASSWORD, "198.51.100.20") == 200


def test_the_shared_cache_counts_every_increment_across_threads():
    cache.add("race", 0, 60)
    _run(8, lambda: [cache.incr("race") for _ in range(25)])
    assert cache.get("race") == 200
