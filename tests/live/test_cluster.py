"""Two app nodes (separate gunicorns) behind Debian's HAProxy, on one PostgreSQL database and Redis, as
`make cluster` runs them: a session made on one node is the session on the other, the sign-in limit
counts once across both, and a flash sale through the load balancer survives one node SIGKILLed in
the middle of it: nothing oversold, every buyer that retried with its Idempotency-Key has exactly
one order per key, the books balance, and the other node kept selling."""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

from bench.cluster import pg
from bench.cluster.procs import Procs, free_port, haproxy_binary, haproxy_config, wait_healthy
from tests.live.server import ROOT, LiveServer, seed_scenario

pytestmark = pytest.mark.live

REDIS_URL = os.environ.get("CLUSTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
UNITS = 150  # the deal's stock
BUYERS = 24  # client threads, one customer each
KILL_AFTER = 40  # orders made before node "a" is SIGKILLed
# a key whose first attempt died with its node answers 409 idempotency_in_progress until the API takes
# it over (o2o/api/idempotency.py ABANDONED_AFTER, 60 s): the buyer keeps retrying past that
ATTEMPT_DEADLINE = 180


def _redis_or_none() -> str | None:
    """REDIS_URL for the nodes when Redis answers (CI's PostgreSQL pass starts it), emptied first: the
    sign-in counters of an earlier run must not count here. Without Redis the nodes share the database
    cache, which is shared too."""
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.flushdb()
        client.close()
    except Exception:  # noqa: BLE001 - any failure: no Redis here
        return None
    return REDIS_URL


def _need_haproxy() -> str:
    binary = haproxy_binary()
    if binary is None and os.geteuid() == 0:  # as `make test` does: make system-deps installs it
        subprocess.run(["make", "-s", "system-deps", "APT_PACKAGES=haproxy"], cwd=ROOT, check=False, timeout=600)
        binary = haproxy_binary()
    if binary is None:
        message = "needs Debian's haproxy: make system-deps installs it (as root)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return binary


@dataclass
class Cluster:
    server: LiveServer
    procs: Procs
    nodes: dict[str, int]
    lb: int
    stats: int
    redis: str | None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.lb}"

    def node_states(self) -> dict[str, str]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.stats}/;csv", timeout=5) as resp:  # noqa: S310
            rows = csv.DictReader(io.StringIO(resp.read().decode().lstrip("# ")))
            return {r["svname"]: r["status"] for r in rows if r["pxname"] == "nodes" and r["svname"] in self.nodes}


@pytest.fixture
def cluster(tmp_path):
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://... (two nodes on one SQLite file is not a cluster)")
    _need_haproxy()
    server = LiveServer(tmp_path)
    redis_url = _redis_or_none()
    server.env.update({"REDIS_URL": redis_url or "", "O2O_TRUSTED_PROXIES": "1", "O2O_AUTH_RATE": "8/h",
                       "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"})
    procs = Procs(logdir=tmp_path, env=server.env)
    try:
        server.migrate()
        yield Cluster(server=server, procs=procs, nodes={"a": free_port(), "b": free_port()}, lb=free_port(),
                      stats=free_port(), redis=redis_url)
    finally:
        procs.stop_all()
        server.close()
    leftovers = [name for name, p in procs.running.items() if p.poll() is None]
    assert leftovers == [], leftovers


def _start(c: Cluster) -> None:
    for name, port in c.nodes.items():
        c.procs.gunicorn(name, port, workers=2, threads=4)
    c.procs.worker("worker1")
    c.procs.worker("worker2")
    c.procs.haproxy("haproxy", haproxy_config(port=c.lb, nodes=c.nodes, stats_port=c.stats))
    for name, port in c.nodes.items():
        wait_healthy(f"http://127.0.0.1:{port}/healthz", proc=c.procs.running[name])
    deadline = time.monotonic() + 30
    while set(c.node_states().values()) != {"UP"}:
        assert time.monotonic() < deadline, c.node_states()
        time.sleep(0.2)


def _call(url: str, method: str = "GET", body: Any = None, *, token: str | None = None,
          headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, Any, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - loopback
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
            raw, status, hdrs = resp.read(), resp.status, resp.headers
    except urllib.error.HTTPError as err:
        raw, status, hdrs = err.read(), err.code, err.headers
    try:
        return status, json.loads(raw) if raw else None, hdrs
    except ValueError:
        return status, raw.decode(errors="replace"), hdrs


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _page(url: str, *, cookies: dict[str, str], data: dict[str, str] | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
    """One page request without following redirects; cookies in and out."""
    body = "&".join(f"{k}={urllib.request.quote(v)}" for k, v in (data or {}).items()).encode() if data else None
    req = urllib.request.Request(url, data=body, method="POST" if data else "GET")  # noqa: S310
    req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    if data:
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        resp = opener.open(req, timeout=30)
    except urllib.error.HTTPError as err:
        resp = err
    for raw in resp.headers.get_all("Set-Cookie") or []:
        name, _, rest = raw.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]
    return resp.status, resp.read().decode(errors="replace"), dict(resp.headers)


def _sessions_and_limits_are_shared(c: Cluster) -> None:
    a, b = (f"http://127.0.0.1:{p}" for p in c.nodes.values())
    # sign in on node a (another client address than the limit check below: X-Forwarded-For, one proxy)
    cookies: dict[str, str] = {}
    client = {"X-Forwarded-For": "10.9.9.9"}
    status, html, _ = _page(a + "/login/", cookies=cookies, headers=client)
    assert status == 200, html[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token, html[:2000]
    status, html, hdrs = _page(a + "/login/", cookies=cookies, headers={**client, "Referer": a + "/login/"},
                               data={"csrfmiddlewaretoken": token.group(1), "email": "c0@live.test",
                                     "password": "live-pass-12345"})
    assert status == 302 and "sessionid" in cookies, (status, html[:1000])
    # ... and node b knows that session: the orders page is served, not a redirect to the login
    status, html, _ = _page(b + "/orders/", cookies=cookies, headers=client)
    assert status == 200, (status, html[:500])
    status, _, _ = _page(b + "/orders/", cookies={}, headers=client)
    assert status == 302  # without the cookie: the login

    # 8 sign-ins an hour per address, counted once for both nodes (round robin: each answers some)
    answers = []
    for i in range(12):
        status, body, hdrs = _call(c.url + "/api/v1/auth/token", "POST",
                                   {"email": f"nobody{i}@live.test", "password": "wrong-password-1"},
                                   headers={"Connection": "close"})
        answers.append((status, body["error"]["code"], hdrs.get("X-O2O-Node")))
    assert [s for s, _, _ in answers] == [401] * 8 + [429] * 4, answers
    assert {n for _, _, n in answers} == set(c.nodes), answers


@dataclass
class Buyer:
    token: str
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> outcome


def _buy(c: Cluster, deal: str, buyer: Buyer, stop: threading.Event) -> None:
    """Buy one unit at a time until sold out; each purchase retries with its own Idempotency-Key until
    it has a definite answer (a connection error or a 5xx is no answer)."""
    while not stop.is_set():
        key = str(uuid.uuid4())
        outcome: dict[str, Any] = {"tries": 0, "retried_for": Counter(), "status": None}
        buyer.keys[key] = outcome
        started = time.monotonic()
        while time.monotonic() - started < ATTEMPT_DEADLINE:
            outcome["tries"] += 1
            try:
                status, body, hdrs = _call(c.url + "/api/v1/orders", "POST",
                                           {"lines": [{"offering_id": deal, "quantity": 1}]},
                                           token=buyer.token, headers={"Idempotency-Key": key}, timeout=20)
            except (OSError, http.client.HTTPException) as exc:
                outcome["retried_for"][type(exc).__name__] += 1
                time.sleep(0.2)
                continue
            if status >= 500:
                outcome["retried_for"][status] += 1
                time.sleep(0.2)
                continue
            if status == 409 and body["error"]["code"] == "idempotency_in_progress":
                outcome["retried_for"]["in_progress"] += 1
                time.sleep(1)
                continue
            outcome.update(status=status, code=None if status < 300 else body["error"]["code"],
                           order=body.get("id") if status < 300 else None, node=hdrs.get("X-O2O-Node"),
                           at=time.monotonic())
            break
        if outcome["status"] != 201 and outcome["status"] != 200:
            return  # sold out (or no answer at all: the assertions say so)


def _db_count(c: Cluster, sql: str) -> int:
    import psycopg

    with psycopg.connect(c.server.db_url, autocommit=True) as conn:
        return int(conn.execute(sql).fetchone()[0])


BOOKS = """
import json
from o2o.catalogue.models import Offering
from o2o.orders.models import Order
from o2o.payments.books import books_problems
orders = {}
for o in Order.objects.select_related("customer"):
    orders[str(o.pk)] = [o.customer.email, o.status]
print(json.dumps({"left": Offering.objects.get(pk="DEAL").quantity_left, "problems": books_problems(),
                  "orders": orders}))
"""


def test_a_flash_sale_through_the_load_balancer_survives_a_node_killed_mid_sale(cluster):
    c = cluster
    ids = seed_scenario(c.server, quantity=UNITS, customers=BUYERS)
    _start(c)
    _sessions_and_limits_are_shared(c)

    buyers = [Buyer(token=t) for t in ids["customers"]]
    stop = threading.Event()
    threads = [threading.Thread(target=_buy, args=(c, ids["deal"], b, stop), daemon=True) for b in buyers]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 120
    while _db_count(c, "SELECT COUNT(*) FROM orders_order") < KILL_AFTER:
        assert time.monotonic() < deadline, "the sale did not reach KILL_AFTER orders in 2 minutes"
        time.sleep(0.05)
    c.procs.kill("a")  # SIGKILL node a's whole process group (master and workers) with requests in flight
    killed_at = time.monotonic()
    sold_at_kill = _db_count(c, "SELECT COUNT(*) FROM orders_order")
    for t in threads:
        t.join(timeout=ATTEMPT_DEADLINE + 60)
    stop.set()
    assert not any(t.is_alive() for t in threads), "a buyer never got an answer"

    # the load balancer took node a out and still answers through b
    deadline = time.monotonic() + 10
    while c.node_states().get("a") == "UP" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert c.node_states() == {"a": "DOWN", "b": "UP"}, c.node_states()
    status, health, hdrs = _call(c.url + "/healthz")
    assert status == 200 and health["database"] == "ok" and health["cache"] == "ok", health
    assert hdrs.get("X-O2O-Node") == "b"

    outcomes = [o for b in buyers for o in b.keys.values()]
    undecided = [o for o in outcomes if o["status"] is None]
    assert undecided == [], undecided
    refused = Counter((o["status"], o["code"]) for o in outcomes if o["status"] not in (200, 201))
    assert set(refused) == {(409, "sold_out")}, refused  # every buyer stopped at sold out, nothing else
    answered = [o["order"] for o in outcomes if o["status"] in (200, 201)]
    retried = [o for o in outcomes if o["retried_for"]]
    assert retried, "no purchase was in flight on the killed node (nothing was retried)"

    state = json.loads(c.server.manage("shell", "-c", BOOKS.replace("DEAL", ids["deal"])).strip().splitlines()[-1])
    assert state["problems"] == [], state["problems"]  # the books balance
    # 0 oversold, and all sold: one unit per order, UNITS orders, none left
    assert len(state["orders"]) == UNITS and state["left"] == 0, (len(state["orders"]), state["left"])
    # every key has exactly one order: the answers name every order once, and no order is unnamed
    # (a retry that made a second order would leave one nobody was told about)
    unnamed = set(state["orders"]) - set(answered)
    assert len(answered) == len(set(answered)) == UNITS and not unnamed, (
        len(answered), len(set(answered)), [(oid, state["orders"][oid]) for oid in unnamed],
        [{k: v for k, v in o.items() if k != "at"} for o in retried])
    for b, customer_orders in zip(buyers, _orders_per_buyer(state, ids), strict=True):
        mine = {o["order"] for o in b.keys.values() if o["order"]}
        assert mine == customer_orders

    # both nodes sold before the kill; after it, node b alone kept selling
    before = Counter(o["node"] for o in outcomes if o["order"] and o["at"] < killed_at)
    after = Counter(o["node"] for o in outcomes if o["order"] and o["at"] >= killed_at)
    assert set(before) == {"a", "b"}, before
    assert set(after) == {"b"} and sum(after.values()) > 0, after
    reasons = sum((o["retried_for"] for o in retried), Counter())
    print(f"cache={'redis' if c.redis else 'database'}; {sold_at_kill} sold when node a was killed; "
          f"{len(retried)} purchases retried ({dict(reasons)}); before the kill {dict(before)}, after {dict(after)}; "
          f"{sum(refused.values())} sold-out answers")



def _orders_per_buyer(state: dict[str, Any], ids: dict[str, Any]) -> list[set[str]]:
    """Order ids of each buyer: customer i is c{i}@live.test (tests/live/server.py SCENARIO)."""
    return [{oid for oid, (email, _) in state["orders"].items() if email == f"c{i}@live.test"}
            for i in range(len(ids["customers"]))]


# --- public reads from a streaming replica (o2o/core/dbrouter.py) -------------------------------------


class _Manage:
    """manage.py against the replicated pair (what seed_scenario needs of a LiveServer)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def manage(self, *args: str) -> str:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True,
                              capture_output=True, text=True, timeout=300).stdout


@pytest.fixture
def replicated(tmp_path):
    """A PostgreSQL primary of the test's own and a pg_basebackup streaming replica of it (Debian's
    pg_createcluster, as `make cluster` makes them), one gunicorn node reading public pages from it."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://... (a replica streams from a PostgreSQL primary)")
    if os.geteuid() != 0 or shutil.which("pg_createcluster") is None:
        message = "needs root and Debian's pg_createcluster to make a primary and its replica"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    suffix = uuid.uuid4().hex[:6]
    names = {"primary": f"o2otest{suffix}", "replica": f"o2otest{suffix}r"}
    ports = {"primary": free_port(), "replica": free_port(), "node": free_port()}
    procs = Procs(logdir=tmp_path, env={})
    try:
        primary = pg.create_database(pg.ensure_primary(ports["primary"], name=names["primary"]), "o2o")
        replica = pg.ensure_replica(primary_port=ports["primary"], port=ports["replica"], name=names["replica"]) + "/o2o"
        env = {**os.environ, "DATABASE_URL": primary, "DATABASE_REPLICA_URL": replica, "REDIS_URL": "",
               "DEBUG": "false", "FAST_PASSWORD_HASHER": "true", "MEDIA_ROOT": str(tmp_path / "media"),
               "LOG_LEVEL": "ERROR", "DATABASE_REPLICA_PIN_SECONDS": "30"}
        procs.env = env
        yield _Manage(env), procs, names, ports, primary, replica
    finally:
        procs.stop_all()
        for name in names.values():
            pg.drop(name)


def _sql(url: str, sql: str, *params: Any) -> Any:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(sql, params).fetchone()
        return row[0] if row else None


def test_public_reads_come_from_the_replica_a_buyers_own_reads_from_the_primary_and_a_dead_replica_is_survived(
        replicated):
    site, procs, names, ports, primary, replica = replicated
    site.manage("migrate", "--noinput")
    ids = seed_scenario(site, quantity=100, customers=2)  # type: ignore[arg-type]
    deadline = time.monotonic() + 30
    while _sql(replica, "SELECT title FROM catalogue_offering WHERE id = %s", ids["deal"]) is None:
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.2)
    assert _sql(replica, "SELECT pg_is_in_recovery()") is True
    node = procs.gunicorn("node", ports["node"], workers=1, threads=4)
    wait_healthy(f"http://127.0.0.1:{ports['node']}/healthz", proc=node)
    api = f"http://127.0.0.1:{ports['node']}/api/v1"

    # the replica stops replaying (as a lagging one would) and the primary gets a new title
    _sql(replica, "SELECT pg_wal_replay_pause()")
    _sql(primary, "UPDATE catalogue_offering SET title = 'Fresh title' WHERE id = %s RETURNING 1", ids["deal"])
    status, offering, _ = _call(f"{api}/offerings/{ids['deal']}")
    assert (status, offering["title"]) == (200, "Flash hotpot")  # an anonymous reader: from the replica
    status, nearby, _ = _call(f"{api}/stores/nearby?lat=30.657&lng=104.0658")
    assert status == 200 and nearby
    deadline = time.monotonic() + 10  # replay is paused: the update's WAL arrives and waits, and healthz says so
    while True:
        status, health, _ = _call(f"http://127.0.0.1:{ports['node']}/healthz")
        assert status == 200 and health["replica"]["state"] == "ok", health
        if health["replica"]["lag_bytes"] > 0 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert health["replica"]["lag_bytes"] > 0, health

    # a buyer buys and at once sees the order, and (pinned to the primary after a write) the fresh page
    buyer = ids["customers"][0]
    status, order, _ = _call(f"{api}/orders", "POST", {"lines": [{"offering_id": ids["deal"], "quantity": 1}]},
                             token=buyer, headers={"Idempotency-Key": "replica-1"})
    assert status == 201, order
    status, seen, _ = _call(f"{api}/orders/{order['id']}", token=buyer)
    assert (status, seen["id"]) == (200, order["id"])
    status, offering, _ = _call(f"{api}/offerings/{ids['deal']}", token=buyer)
    assert (status, offering["title"]) == (200, "Fresh title")
    status, offering, _ = _call(f"{api}/offerings/{ids['deal']}", token=ids["customers"][1])
    assert offering["title"] == "Flash hotpot"  # another customer, who wrote nothing: still the replica

    # the replica goes away: public reads fall back to the primary, no error on the way
    _sql(replica, "SELECT pg_wal_replay_resume()")
    pg.stop(names["replica"])
    for path in (f"/offerings/{ids['deal']}", f"/stores/{ids['store']}", f"/stores/{ids['store']}/reviews",
                 "/stores/nearby?lat=30.657&lng=104.0658", f"/offerings/{ids['deal']}"):
        status, body, _ = _call(api + path)
        assert status == 200, (path, body)
    status, offering, _ = _call(f"{api}/offerings/{ids['deal']}")
    assert offering["title"] == "Fresh title"
    status, html, _ = _page(f"http://127.0.0.1:{ports['node']}/deals/{ids['deal']}/", cookies={})
    assert status == 200 and "Fresh title" in html
    status, health, _ = _call(f"http://127.0.0.1:{ports['node']}/healthz")
    assert (status, health["database"], health["replica"]) == (200, "ok", {"state": "down"}), health
    # and back: the replica restarted catches up and serves again after its retry pause
    pg.start(names["replica"])
    deadline = time.monotonic() + 30
    while _sql(replica, "SELECT title FROM catalogue_offering WHERE id = %s", ids["deal"]) != "Fresh title":
        assert time.monotonic() < deadline, "the restarted replica did not catch up"
        time.sleep(0.2)
