"""Soak run (`make soak`): mixed traffic for SOAK_MINUTES (default 10) with SOAK_USERS (default 50)
locust users against gunicorn (2 workers, gthread) on a fresh PostgreSQL database, all on loopback.

Steps: drop/create the database (SOAK_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/o2o_soak),
migrate, seed the demo city (`seed_demo --merchants 60`), add the soak merchants and clerks
(bench/soak/scenario.py), start gunicorn, run locust headless for the time given, stop, check the books.
Prints ONE JSON line: per endpoint requests, failures, p50/p95/p99 ms and RPS; totals; 5xx count; books.
Exit code 1 when any request got a 5xx (or no answer at all) or the books do not balance.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "var" / "soak"
BIN = Path(sys.executable).parent


def log(msg: str) -> None:
    print(f"[soak {datetime.now(UTC):%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def recreate_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"odd database name {name!r}")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict[str, str], *args: str, timeout: float = 1800, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, check=check)


def wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/api/v1/keys/vouchers", timeout=2)  # noqa: S310
            return
        except (urllib.error.URLError, OSError):
            if proc.poll() is not None:
                raise SystemExit("gunicorn exited; see var/soak/server.log") from None
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start within 90 s")


def _num(row: dict[str, str], key: str) -> float:
    try:
        return float(row.get(key) or 0)
    except ValueError:
        return 0.0


def summarise(stats_csv: Path, failures_csv: Path, statuses: dict[str, dict[str, int]]) -> dict[str, Any]:
    endpoints: dict[str, Any] = {}
    total: dict[str, Any] = {}
    with open(stats_csv, newline="") as fh:
        for row in csv.DictReader(fh):
            figures = {"requests": int(_num(row, "Request Count")), "failures": int(_num(row, "Failure Count")),
                       "p50_ms": _num(row, "50%"), "p95_ms": _num(row, "95%"), "p99_ms": _num(row, "99%"),
                       "rps": round(_num(row, "Requests/s"), 2)}
            if row["Name"] == "Aggregated":
                total = figures
            else:
                figures["status"] = statuses.get(row["Name"], {})
                endpoints[row["Name"]] = figures
    errors: dict[str, int] = {}
    if failures_csv.exists():
        with open(failures_csv, newline="") as fh:
            for row in csv.DictReader(fh):
                errors[f"{row['Name']}: {row['Error'][:100]}"] = int(_num(row, "Occurrences"))
    return {"endpoints": dict(sorted(endpoints.items())), "total": total, "errors": errors}


def main() -> int:
    minutes = float(os.environ.get("SOAK_MINUTES", "10"))
    users = int(os.environ.get("SOAK_USERS", "50"))
    spawn = os.environ.get("SOAK_SPAWN_RATE", "10")
    merchants = os.environ.get("SOAK_MERCHANTS", "60")
    db_url = os.environ.get("SOAK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/o2o_soak")
    if not db_url.startswith("postgres"):
        raise SystemExit("SOAK_DATABASE_URL must be a PostgreSQL URL")
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("locust*.csv"):
        old.unlink()
    env = {**os.environ, "DATABASE_URL": db_url, "DEBUG": "false", "MEDIA_ROOT": str(OUT / "media"),
           "O2O_AUTH_RATE": "100000/m", "LOG_LEVEL": "WARNING"}
    env.pop("FAST_PASSWORD_HASHER", None)  # registrations hash passwords as in production

    log(f"fresh database {db_url.rsplit('/', 1)[1]}")
    recreate_database(db_url)
    manage(env, "migrate", "--noinput", "-v0")
    if manage(env, "help", "seed_demo", check=False).returncode == 0:
        started = time.monotonic()
        manage(env, "seed_demo", "--merchants", merchants, "--seed", "42")
        log(f"seed_demo --merchants {merchants} in {time.monotonic() - started:.0f} s")
    else:
        log("seed_demo is not available: only the soak merchants are seeded")
    setup = OUT / "setup.json"
    manage(env, "shell", "-c", f"from bench.soak.scenario import main; main({str(setup)!r})")

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    server_log = open(OUT / "server.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "2",
         "-k", "gthread", "--threads", "4", "--timeout", "60", "--keep-alive", "30",
         "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT, start_new_session=True)
    status_file = OUT / "status_counts.json"
    status_file.unlink(missing_ok=True)
    try:
        wait_ready(host, server)
        log(f"locust: {users} users for {minutes:g} min against {host}")
        locust = [str(BIN / "locust"), "-f", str(ROOT / "bench" / "soak" / "locustfile.py"), "--headless",
                  "-u", str(users), "-r", spawn, "-t", f"{int(minutes * 60)}s", "--host", host,
                  "--csv", str(OUT / "locust"), "--only-summary", "--stop-timeout", "15", "--loglevel", "WARNING"]
        run = subprocess.run(locust, cwd=ROOT, env={**env, "SOAK_SETUP": str(setup), "SOAK_STATUS_FILE": str(status_file)},
                             capture_output=True, text=True, timeout=minutes * 60 + 300, check=False)
        (OUT / "locust.log").write_text(run.stdout + run.stderr)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        server_log.close()

    statuses = json.loads(status_file.read_text()) if status_file.exists() else {}
    figures = summarise(OUT / "locust_stats.csv", OUT / "locust_failures.csv", statuses)
    books_run = manage(env, "check_books", "--json", check=False)
    try:
        problems = json.loads(books_run.stdout.strip().splitlines()[-1])["problems"]
    except (ValueError, IndexError, KeyError):
        problems = [f"check_books did not answer: {books_run.stderr.strip()[-300:]}"]
    http_5xx = sum(v.get("5xx", 0) for v in statuses.values())
    no_answer = sum(v.get("no_response", 0) for v in statuses.values())
    total = figures["total"]
    ok = http_5xx == 0 and no_answer == 0 and not problems and total.get("requests", 0) > 0
    print(json.dumps({
        "bench": "soak", "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "minutes": minutes,
        "users": users, "database": "postgresql", "server": "gunicorn 2 workers x 4 threads (gthread), keep-alive 30 s",
        "seed_merchants": int(merchants), "cpus": os.cpu_count(),
        "endpoints": figures["endpoints"], "total_requests": total.get("requests", 0),
        "total_failures": total.get("failures", 0), "total_rps": total.get("rps", 0),
        "total_p50_ms": total.get("p50_ms"), "total_p95_ms": total.get("p95_ms"), "total_p99_ms": total.get("p99_ms"),
        "http_5xx": http_5xx, "no_response": no_answer, "errors": figures["errors"],
        "books": {"balanced": not problems, "problems": len(problems), "first": problems[:3]},
        "locust_exit": run.returncode, "ok": ok,
    }, ensure_ascii=False), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
