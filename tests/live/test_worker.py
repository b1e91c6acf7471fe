"""A real `manage.py o2o_worker` process on its own database (PostgreSQL or a file SQLite, as the run's):
an unpaid order's hold runs out and its units come back within a minute with no request at all; a
worker SIGKILLed in the middle of a sweep leaves the books balanced, and the next worker finishes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.live.server import ROOT, LiveServer, seed_scenario

pytestmark = pytest.mark.live

DB_TASKS = "django_tasks_db.DatabaseBackend"

# Orders of one customer, their holds running out HOLD_SECONDS after they are made (the setting counts
# whole minutes: the hold is shortened in the database, as time passing would).
ORDERS = """
import json
from datetime import timedelta
from django.utils import timezone
from o2o.accounts.models import User
from o2o.orders.models import Order
from o2o.orders.services import order_create
customer = User.objects.get(email="c0@live.test")
ids = [str(order_create(customer=customer, lines=[{"offering_id": "DEAL", "quantity": 2}]).pk) for _ in range(COUNT)]
expires = timezone.now() + timedelta(seconds=HOLD_SECONDS)
Order.objects.filter(pk__in=ids).update(expires_at=expires)
print(json.dumps({"ids": ids, "expires_at": expires.timestamp()}))
"""

STATE = """
import json
from o2o.catalogue.models import Offering
from o2o.payments.books import books_problems
print(json.dumps({"left": Offering.objects.get(pk="DEAL").quantity_left, "problems": books_problems()}))
"""


@contextmanager
def _db(url: str) -> Iterator[Any]:
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            yield conn
    else:
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=20, isolation_level=None)
        try:
            yield conn
        finally:
            conn.close()


def _count(server: LiveServer, sql: str) -> int:
    with _db(server.db_url) as conn:
        return int(conn.execute(sql).fetchone()[0])


def _statuses(server: LiveServer) -> dict[str, int]:
    with _db(server.db_url) as conn:
        return dict(conn.execute("SELECT status, COUNT(*) FROM orders_order GROUP BY status").fetchall())


def _shell(server: LiveServer, code: str, **subs: Any) -> dict[str, Any]:
    for key, value in subs.items():
        code = code.replace(key, str(value))
    return json.loads(server.manage("shell", "-c", code).strip().splitlines()[-1])


class Worker:
    def __init__(self, server: LiveServer, name: str) -> None:
        self.log_path = server.tmp / f"{name}.log"
        log = open(self.log_path, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen([sys.executable, "manage.py", "o2o_worker", "-v2", "--interval", "0.2"],
                                     cwd=ROOT, env=server.env, stdout=log, stderr=log, start_new_session=True)
        log.close()

    def wait_ready(self, server: LiveServer, timeout: float = 120) -> None:
        """Until this worker has run a periodic task (what /healthz reports as "worker")."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log_path.read_text()
            if _count(server, "SELECT COUNT(*) FROM core_periodicrun WHERE ran_at IS NOT NULL") >= 1:
                return
            time.sleep(0.2)
        raise AssertionError("the worker ran no periodic task: " + self.log_path.read_text())

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def worker_server(live_server_proc):
    server = live_server_proc
    server.env["TASKS_BACKEND"] = DB_TASKS  # the production shape: tasks are rows, run by o2o_worker
    workers: list[Worker] = []
    yield server, workers
    for w in workers:
        w.kill()


def test_a_running_worker_expires_a_hold_on_time_and_a_killed_one_leaves_nothing_half_done(worker_server):
    server, workers = worker_server
    ids = seed_scenario(server, quantity=1000, customers=1)
    workers.append(first := Worker(server, "worker1"))
    first.wait_ready(server)

    # 1. an unpaid order whose hold runs out 3 s after it is made: no request comes after that
    made = _shell(server, ORDERS, DEAL=ids["deal"], COUNT=1, HOLD_SECONDS=3)
    deadline = made["expires_at"] + 60
    while time.time() < deadline and _statuses(server).get("expired", 0) < 1:
        time.sleep(0.5)
    late = time.time() - made["expires_at"]
    assert _statuses(server) == {"expired": 1}, (late, first.log_path.read_text()[-3000:])
    state = _shell(server, STATE, DEAL=ids["deal"])
    assert state == {"left": 1000, "problems": []}, state

    # 2. many holds run out together; the worker is SIGKILLed while its sweep is under way
    many = 300
    made = _shell(server, ORDERS, DEAL=ids["deal"], COUNT=many, HOLD_SECONDS=2)
    deadline = made["expires_at"] + 60
    expired = 0
    while time.time() < deadline:
        expired = _statuses(server).get("expired", 0) - 1
        if expired > 0:
            break
        time.sleep(0.02)
    first.kill()
    assert 0 < expired, "the sweep did not start within a minute of the holds running out"
    after_kill = _statuses(server)
    state = _shell(server, STATE, DEAL=ids["deal"])
    assert state["problems"] == [], state  # every order is expired with its units back, or untouched
    assert state["left"] == 1000 - 2 * after_kill.get("awaiting_payment", 0), (state, after_kill)

    # 3. the next worker finishes what the killed one left, within a minute
    workers.append(second := Worker(server, "worker2"))
    deadline = time.time() + 120  # its start-up (a loaded machine: ~15 s) and at most one 30-s period
    while time.time() < deadline and _statuses(server).get("awaiting_payment", 0):
        time.sleep(0.5)
    assert _statuses(server) == {"expired": many + 1}, second.log_path.read_text()[-3000:]
    assert _shell(server, STATE, DEAL=ids["deal"]) == {"left": 1000, "problems": []}
    second.stop()
    assert second.proc.returncode is not None
    print(f"hold expired {late:.1f} s after it ran out; {after_kill} when the first worker was killed")
