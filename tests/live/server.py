"""A real o2o server (gunicorn) on its own fresh database, for tests that talk real HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_database_url(tmp: Path) -> str:
    """A new empty database of the same kind as the test run's (DATABASE_URL)."""
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgres"):
        import psycopg

        name = f"o2o_live_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return base.rsplit("/", 1)[0] + "/" + name
    return f"sqlite:///{tmp / 'live.sqlite3'}"


def drop_database(url: str) -> None:
    if url.startswith("postgres"):
        import psycopg

        base = os.environ["DATABASE_URL"]
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class LiveServer:
    def __init__(self, tmp: Path, *, workers: int = 2, threads: int = 4) -> None:
        self.tmp = tmp
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_url = fresh_database_url(tmp)
        self.env = {**os.environ, "DATABASE_URL": self.db_url, "DEBUG": "false", "FAST_PASSWORD_HASHER": "true",
                    "MEDIA_ROOT": str(tmp / "media"), "LOG_LEVEL": "ERROR"}
        self.workers, self.threads = workers, threads
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = open(tmp / "server.log", "ab")  # noqa: SIM115

    def manage(self, *args: str, input_text: str | None = None) -> str:
        out = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True,
                             capture_output=True, text=True, input=input_text, timeout=300)
        return out.stdout

    def manage_status(self, *args: str) -> tuple[int, str]:
        out = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=False,
                             capture_output=True, text=True, timeout=300)
        return out.returncode, out.stdout

    def migrate(self) -> None:
        self.manage("migrate", "--noinput")

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{self.port}",
             "-w", str(self.workers), "-k", "gthread", "--threads", str(self.threads), "--timeout", "60"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/api/v1/keys/vouchers", timeout=2)  # noqa: S310
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                if self.proc.poll() is not None:
                    raise RuntimeError("server exited; see " + str(self.tmp / "server.log")) from None
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        """SIGKILL the whole server (master and workers), as a power cut would."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def close(self) -> None:
        self.stop()
        self.log.close()
        drop_database(self.db_url)

    def request(self, method: str, path: str, body: Any = None, token: str | None = None,
                headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + "/api/v1" + path, data=data, method=method)  # noqa: S310
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
                raw = resp.read()
                return resp.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as err:
            raw = err.read()
            try:
                return err.code, json.loads(raw)
            except ValueError:
                return err.code, raw.decode(errors="replace")


SCENARIO = """
import json
from o2o.accounts.services import token_issue, user_register
from o2o.merchants.services import merchant_create, store_create, staff_add
from o2o.catalogue.services import offering_create
HOURS = {d: [["00:00", "24:00"]] for d in ("mon","tue","wed","thu","fri","sat","sun")}
owner = user_register(email="owner@live.test", password="live-pass-12345", display_name="Owner")
m = merchant_create(owner=owner, name="Live Hotpot", category="restaurant")
s = store_create(merchant=m, name="Live Hotpot Centre", address="1 Chunxi Rd", lat=30.657, lng=104.0658,
                 timezone="Asia/Shanghai", opening_hours=HOURS)
deal = offering_create(merchant=m, actor=owner, kind="deal", title="Flash hotpot", price={"amount": "9.90", "currency": "CNY"},
                       list_price={"amount": "99.00", "currency": "CNY"}, quantity_total=QTY, per_customer_limit=0,
                       valid_days=30, redeemable_store_ids=[s.pk], status="live")
clerk = user_register(email="clerk@live.test", password="live-pass-12345", display_name="Clerk")
staff_add(merchant=m, email=clerk.email, role="clerk", store_ids=[s.pk])
customers = []
for i in range(CUSTOMERS):
    c = user_register(email=f"c{i}@live.test", password="live-pass-12345", display_name=f"C{i}")
    customers.append(token_issue(user=c))
print(json.dumps({"owner": token_issue(user=owner), "clerk": token_issue(user=clerk), "customers": customers,
                  "merchant": str(m.pk), "store": str(s.pk), "deal": str(deal.pk)}))
"""


def seed_scenario(server: LiveServer, *, quantity: int = 100, customers: int = 5) -> dict[str, Any]:
    code = SCENARIO.replace("QTY", str(quantity)).replace("CUSTOMERS", str(customers))
    out = server.manage("shell", "-c", code)
    return json.loads(out.strip().splitlines()[-1])
