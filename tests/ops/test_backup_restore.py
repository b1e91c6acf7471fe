"""Backups taken while a real server (gunicorn) serves traffic restore to exactly the state they copied,
on SQLite and on PostgreSQL (whichever DATABASE_URL the suite runs with): `manage.py o2o_backup` /
`o2o_restore`, the commands behind `make backup` / `make restore`.

The state is compared by a fingerprint over every row of every table the database holds (sha256 of
all columns, read by SQL in a fixed order, independent of the models) plus row counts, and by `check_books` on the restored database.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import GOOD_CARD
from tests.live.server import ROOT, LiveServer, drop_database, seed_scenario

pytestmark = pytest.mark.live

BAD_CARD = "4000000000000002"

FINGERPRINT = """
import hashlib, json
from django.db import connection
digest, counts = hashlib.sha256(), {}
with connection.cursor() as cur:
    for table in sorted(connection.introspection.table_names(cur)):
        cols = [c.name for c in connection.introspection.get_table_description(cur, table)]
        quoted = ", ".join(connection.ops.quote_name(c) for c in cols)
        cur.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)} ORDER BY {quoted}")
        rows = cur.fetchall()
        counts[table] = len(rows)
        for row in rows:
            digest.update(repr((table, *(str(v) for v in row))).encode())
print(json.dumps({"counts": counts, "sha256": digest.hexdigest()}))
"""


def manage_on(server: LiveServer, db_url: str, *args: str, media: Path | None = None,
              timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**server.env, "DATABASE_URL": db_url, "MEDIA_ROOT": str(media or Path(server.env["MEDIA_ROOT"]))}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def fingerprint(server: LiveServer, db_url: str) -> dict[str, Any]:
    out = manage_on(server, db_url, "shell", "-c", FINGERPRINT)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def books(server: LiveServer, db_url: str) -> list[str]:
    out = manage_on(server, db_url, "check_books", "--json")
    return json.loads(out.stdout.strip().splitlines()[-1])["problems"]


def scratch_database_url(server: LiveServer, tmp: Path) -> str:
    """A new, empty database of the server's kind to restore into."""
    if server.db_url.startswith("postgres"):
        import psycopg

        name = f"o2o_restore_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return server.db_url.rsplit("/", 1)[0] + "/" + name
    return f"sqlite:///{tmp / f'restored-{uuid.uuid4().hex[:6]}.sqlite3'}"


def backup(server: LiveServer, directory: Path) -> Path:
    out = manage_on(server, server.db_url, "o2o_backup", "--dir", str(directory))
    assert out.returncode == 0, out.stderr
    path = Path(out.stdout.splitlines()[0].strip())
    assert path.is_file() and path.parent == directory.resolve(), out.stdout
    assert "check: ok" in out.stdout, out.stdout
    return path


def traffic(server: LiveServer, ids: dict[str, Any], *, tag: str) -> dict[str, Any]:
    """Orders and payments by every customer, a declined card, a refund, an unpaid order,
    two redemptions at the counter and a review of a redeemed order, all through HTTP."""
    deal, store, clerk = ids["deal"], ids["store"], ids["clerk"]
    paid: list[tuple[str, str, list[str]]] = []
    for i, token in enumerate(ids["customers"]):
        status, order = server.request("POST", "/orders", {"lines": [{"offering_id": deal, "quantity": 1 + i % 2}]},
                                       token, headers={"Idempotency-Key": f"{tag}-order-{i}"})
        assert status == 201, order
        if i == 0:
            status, body = server.request("POST", f"/orders/{order['id']}/pay",
                                          {"provider": "sandbox", "card_number": BAD_CARD}, token)
            assert status == 402, body
        if i == len(ids["customers"]) - 1:
            continue  # left unpaid: its units stay reserved
        status, body = server.request("POST", f"/orders/{order['id']}/pay",
                                      {"provider": "sandbox", "card_number": GOOD_CARD}, token,
                                      headers={"Idempotency-Key": f"{tag}-pay-{i}"})
        assert status == 200 and body["status"] == "paid", body
        paid.append((token, order["id"], [v["code"] for v in body["vouchers"]]))
    token, order_id, _ = paid[1]
    status, body = server.request("POST", f"/orders/{order_id}/refund", {}, token)
    assert status == 200, body
    for _token, _order_id, codes in (paid[0], paid[2]):
        status, body = server.request("POST", "/redemptions", {"store_id": store, "code": codes[0]}, clerk)
        assert status == 201, body
    token, order_id, _ = paid[0]
    status, body = server.request("POST", "/reviews", {"order_id": order_id, "rating": 5, "text": f"{tag}: tasty"},
                                  token)
    assert status == 201, body
    return {"order": paid[2][1], "customer": paid[2][0]}


class Readers:
    """Threads reading through the API (anonymous and signed in) until stopped; records when reads landed."""

    def __init__(self, server: LiveServer, ids: dict[str, Any], order_id: str, token: str, n: int = 3) -> None:
        self.server, self.ids, self.order_id, self.token = server, ids, order_id, token
        self.stop = threading.Event()
        self.done: list[float] = []
        self.statuses: list[int] = []
        self.threads = [threading.Thread(target=self.run, args=(k,)) for k in range(n)]

    def run(self, k: int) -> None:
        paths = [("/stores/nearby?lat=30.657&lng=104.0658&radius_m=3000", None),
                 (f"/stores/{self.ids['store']}", None), (f"/offerings/{self.ids['deal']}", None),
                 (f"/stores/{self.ids['store']}/reviews", None), (f"/orders/{self.order_id}", self.token)]
        i = k
        while not self.stop.is_set():
            path, token = paths[i % len(paths)]
            i += 1
            try:
                status, _ = self.server.request("GET", path, token=token, timeout=10)
            except (OSError, http.client.HTTPException):
                status = 0
            self.statuses.append(status)
            self.done.append(time.monotonic())

    def __enter__(self) -> Readers:
        for t in self.threads:
            t.start()
        while len(self.done) < 5:
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)


def test_backup_while_serving_restores_the_state_it_copied(live_server_proc, tmp_path):
    server = live_server_proc
    ids = seed_scenario(server, quantity=100, customers=5)
    media = Path(server.env["MEDIA_ROOT"])
    (media / "offerings").mkdir(parents=True, exist_ok=True)
    (media / "offerings" / "before.jpg").write_bytes(b"\xff\xd8 before backup")
    server.start()
    first = traffic(server, ids, tag="a")
    at_backup = fingerprint(server, server.db_url)
    assert at_backup["counts"]["orders_order"] == 5 and at_backup["counts"]["reviews_review"] == 1

    backups = tmp_path / "backups"
    with Readers(server, ids, first["order"], first["customer"]) as readers:
        started = time.monotonic()
        path = backup(server, backups)
        ended = time.monotonic()
        time.sleep(0.2)
    during = [t for t in readers.done if started <= t <= ended]
    assert during, "the server answered no request while the backup ran"
    assert set(readers.statuses) == {200}, sorted(set(readers.statuses))
    assert path.suffix == (".dump" if server.db_url.startswith("postgres") else ".sqlite3")
    assert (backups / (path.name.rsplit(".", 1)[0] + ".media.tar.gz")).is_file()
    # reads write nothing, so the state the copy had to capture is the one measured before it
    assert fingerprint(server, server.db_url) == at_backup

    # life goes on after the backup
    traffic(server, ids, tag="b")
    (media / "offerings" / "after.jpg").write_bytes(b"\xff\xd8 after backup")
    later = fingerprint(server, server.db_url)
    assert later["counts"]["orders_order"] == 10 and later["sha256"] != at_backup["sha256"]

    target = scratch_database_url(server, tmp_path)
    restored_media = tmp_path / "restored-media"
    try:
        out = manage_on(server, target, "o2o_restore", "--dir", str(backups), media=restored_media)
        assert out.returncode == 0, out.stderr
        assert f"restored {path}" in out.stdout  # no FILE: the newest backup
        restored = fingerprint(server, target)
        assert restored["counts"] == at_backup["counts"]
        assert restored["sha256"] == at_backup["sha256"]
        assert books(server, target) == []
        assert (restored_media / "offerings" / "before.jpg").read_bytes() == b"\xff\xd8 before backup"
        assert not (restored_media / "offerings" / "after.jpg").exists()
    finally:
        drop_database(target)


def test_backup_during_checkouts_is_a_consistent_snapshot(live_server_proc, tmp_path):
    """Writes (orders, payments, refunds, redemptions) go on while two backups are taken: each restored
    copy balances its books and holds a state between the one before and the one after."""
    server = live_server_proc
    ids = seed_scenario(server, quantity=400, customers=6)
    server.start()
    before = fingerprint(server, server.db_url)["counts"]["orders_order"]
    stop = threading.Event()
    codes: list[str] = []
    paid = [0]
    faults: list[Any] = []

    def shopper(token: str) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            status, order = server.request("POST", "/orders", {"lines": [{"offering_id": ids["deal"], "quantity": 1}]},
                                           token, timeout=30)
            if status >= 500:
                faults.append((status, order))
            if status != 201:
                continue
            status, body = server.request("POST", f"/orders/{order['id']}/pay",
                                          {"provider": "sandbox", "card_number": GOOD_CARD}, token, timeout=30)
            if status >= 500:
                faults.append((status, body))
            if status == 200:
                paid[0] += 1
                if n % 4 == 0:
                    server.request("POST", f"/orders/{order['id']}/refund", {}, token, timeout=30)
                else:
                    codes.extend(v["code"] for v in body["vouchers"])

    def clerk() -> None:
        while not stop.is_set():
            if not codes:
                time.sleep(0.01)
                continue
            status, body = server.request("POST", "/redemptions", {"store_id": ids["store"], "code": codes.pop(0)},
                                          ids["clerk"], timeout=30)
            if status >= 500:
                faults.append((status, body))

    threads = [threading.Thread(target=shopper, args=(t,)) for t in ids["customers"]]
    threads.append(threading.Thread(target=clerk))
    for t in threads:
        t.start()
    backups = tmp_path / "backups"
    paths, paid_during = [], []
    try:
        while paid[0] < 5:
            time.sleep(0.05)
        for _ in range(2):
            at_start = paid[0]
            paths.append(backup(server, backups))
            paid_during.append(paid[0] - at_start)
            time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert not faults, faults[:3]
    assert sum(paid_during) > 0, "no payment went through while the backups ran"
    after = fingerprint(server, server.db_url)["counts"]["orders_order"]
    assert after > before

    for path in paths:
        target = scratch_database_url(server, tmp_path)
        try:
            out = manage_on(server, target, "o2o_restore", str(path), "--no-media")
            assert out.returncode == 0, out.stderr
            # a snapshot may catch a payment between the gateway's charge and our commit, or a refund booked
            # before its gateway call, as a crash would; the restore says to run what a restarted deployment
            # runs, and then the books balance. Any other problem is a real inconsistency.
            assert "reconcile_payments" in out.stdout
            problems = books(server, target)
            in_flight = ("pending although the gateway charged it", "booked but not sent to the gateway")
            assert all(any(kind in p for kind in in_flight) for p in problems), problems
            settled = manage_on(server, target, "reconcile_payments", "--older-than", "0")
            assert settled.returncode == 0, settled.stderr
            assert books(server, target) == []
            n = fingerprint(server, target)["counts"]["orders_order"]
            assert before <= n <= after, (before, n, after)
        finally:
            drop_database(target)


def test_restore_refuses_damaged_backups_and_a_busy_database(live_server_proc, tmp_path):
    server = live_server_proc
    ids = seed_scenario(server, quantity=100, customers=4)
    server.start()
    first = traffic(server, ids, tag="a")
    backups = tmp_path / "backups"
    good = backup(server, backups)
    at_backup = fingerprint(server, server.db_url)
    later = traffic(server, ids, tag="b")
    current = fingerprint(server, server.db_url)
    assert current != at_backup

    # damaged files: truncated to half, to a few kilobytes, and a file that is no backup at all
    data = good.read_bytes()
    damaged = {"half": data[: len(data) // 2], "head": data[:4096], "junk": b"not a backup\n" * 500}
    for label, content in damaged.items():
        bad = backups / f"o2o-damaged-{label}{good.suffix}"
        bad.write_bytes(content)
        # taken right before: the GET below may touch its token's last_used_at (once a minute)
        current = fingerprint(server, server.db_url)
        out = manage_on(server, server.db_url, "o2o_restore", str(bad), "--force", "--no-media")
        assert out.returncode != 0, (label, out.stdout)
        message = out.stderr.strip().splitlines()[-1]
        assert message.startswith("CommandError:") and str(bad) in message, (label, out.stderr)
        assert "damaged" in message or "is not" in message, message
        assert "Traceback" not in out.stderr, out.stderr
        assert fingerprint(server, server.db_url) == current, label
        status, body = server.request("GET", f"/orders/{first['order']}", token=first["customer"])
        assert status == 200, body
    # a backup of the other kind of database is refused by its name before anything is read
    other = backups / ("o2o-other.sqlite3" if good.suffix == ".dump" else "o2o-other.dump")
    other.write_bytes(b"x")
    out = manage_on(server, server.db_url, "o2o_restore", str(other), "--force")
    assert out.returncode != 0 and "is not a" in out.stderr, out.stderr

    # somebody holds the database open (a worker mid-request, a shell): refused without --force
    holder = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c",
         "from django.db import connection; connection.ensure_connection(); print('ready', flush=True); "
         "import time; time.sleep(120)"],
        cwd=ROOT, env=server.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert holder.stdout is not None
        lines: list[str] = []
        while not lines or ("ready" not in lines[-1] and lines[-1]):
            lines.append(holder.stdout.readline())
        assert "ready" in lines[-1], lines
        current = fingerprint(server, server.db_url)
        out = manage_on(server, server.db_url, "o2o_restore", str(good), "--no-media")
        assert out.returncode != 0 and "in use" in out.stderr, out.stderr
        assert fingerprint(server, server.db_url) == current

        # --force restores over it; the running server carries on with the restored state
        out = manage_on(server, server.db_url, "o2o_restore", str(good), "--force", "--no-media")
        assert out.returncode == 0, out.stderr
        assert "--force" in out.stderr
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert fingerprint(server, server.db_url) == at_backup
    assert books(server, server.db_url) == []
    # (PostgreSQL: --force ended the workers' sessions; CONN_HEALTH_CHECKS reconnects on the next request)
    status, body = server.request("GET", f"/orders/{first['order']}", token=first["customer"])
    assert status == 200, body
    # every worker thread, each keeping its connection (CONN_MAX_AGE), reads the restored data: the
    # order made after the backup is gone for all of them
    for _ in range(12):
        status, body = server.request("GET", f"/orders/{later['order']}", token=later["customer"])
        assert status == 404, body
    status, order = server.request("POST", "/orders", {"lines": [{"offering_id": ids["deal"], "quantity": 1}]},
                                   ids["customers"][0])
    assert status == 201, order
