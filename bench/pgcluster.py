"""A PostgreSQL cluster of the benchmarks' own (port 5433), so benchmarks never touch the test
database and may use more connections than the machine's default cluster allows."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

PORT = int(os.environ.get("BENCH_PG_PORT", "5433"))
NAME = "o2obench"


def _version() -> str:
    return sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]


def ensure_cluster() -> str:
    """Create (once) and start the bench cluster; return its base URL (no database)."""
    version = _version()
    listed = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True).stdout
    if not any(line.split()[:2] == [version, NAME] for line in listed.splitlines()):
        subprocess.run(["pg_createcluster", version, NAME, "-p", str(PORT),
                        "-o", "max_connections=400", "-o", "shared_buffers=512MB",
                        "-o", "synchronous_commit=on", "-o", "fsync=on",
                        "--", "--auth=trust"], check=True, capture_output=True)
    status = subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, NAME, "status"],
                            capture_output=True, text=True)
    if status.returncode != 0:
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, NAME, "start"], check=True)
        time.sleep(1)
    return f"postgres://postgres@127.0.0.1:{PORT}"


def fresh_database(base: str, name: str) -> str:
    import psycopg

    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"
