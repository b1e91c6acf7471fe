"""`make cluster`'s own PostgreSQL: a primary (cluster o2ocluster, port 5440) and a streaming replica
of it (o2oreplica, port 5441, made with pg_basebackup), with Debian's pg_createcluster / pg_ctlcluster,
so the machine's main cluster (5432, the tests') is never touched. Trust authentication on loopback."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

PRIMARY, REPLICA = "o2ocluster", "o2oreplica"


def _version() -> str:
    return sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]


def _exists(name: str) -> bool:
    listed = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True).stdout
    return any(line.split()[:2] == [_version(), name] for line in listed.splitlines())


def _ctl(name: str, action: str, *, check: bool = True) -> int:
    return subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", _version(), name, action],
                          capture_output=True, text=True, check=check).returncode


def running(name: str) -> bool:
    return _exists(name) and _ctl(name, "status", check=False) == 0


def _wait(port: int) -> None:
    for _ in range(60):
        if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port)]).returncode == 0:
            return
        time.sleep(0.5)
    raise RuntimeError(f"PostgreSQL on port {port} did not start")


def ensure_primary(port: int = 5440, *, name: str = PRIMARY) -> str:
    """Create (once) and start the primary; its base URL (no database)."""
    if not _exists(name):
        subprocess.run(["pg_createcluster", _version(), name, "-p", str(port), "-o", "max_connections=300",
                        "-o", "wal_level=replica", "-o", "max_wal_senders=5", "-o", "hot_standby=on",
                        "--", "--auth=trust"], check=True, capture_output=True)
    if not running(name):
        _ctl(name, "start")
    _wait(port)
    return f"postgres://postgres@127.0.0.1:{port}"


def ensure_replica(*, primary_port: int = 5440, port: int = 5441, name: str = REPLICA) -> str:
    """Create (once: pg_basebackup of the primary, -R: it streams from it) and start the replica."""
    version = _version()
    data = Path(f"/var/lib/postgresql/{version}/{name}")
    if not _exists(name):
        subprocess.run(["pg_createcluster", version, name, "-p", str(port), "-o", "max_connections=300",
                        "-o", "hot_standby=on", "--", "--auth=trust"], check=True, capture_output=True)
        shutil.rmtree(data)  # its own empty cluster goes; the primary's copy comes in its place
        subprocess.run(["install", "-d", "-o", "postgres", "-g", "postgres", "-m", "700", str(data)], check=True)
        subprocess.run(["runuser", "-u", "postgres", "--", "pg_basebackup", "-h", "127.0.0.1",
                        "-p", str(primary_port), "-U", "postgres", "-D", str(data), "-R", "-X", "stream",
                        "-c", "fast"], check=True, capture_output=True)
    if not running(name):
        _ctl(name, "start")
    _wait(port)
    return f"postgres://postgres@127.0.0.1:{port}"


def stop(name: str) -> None:
    if running(name):
        _ctl(name, "stop", check=False)


def start(name: str) -> None:
    if not running(name):
        _ctl(name, "start")


def drop(name: str) -> None:
    """Stop and delete a cluster (the tests' own)."""
    if _exists(name):
        subprocess.run(["pg_dropcluster", "--stop", _version(), name], check=False, capture_output=True)


def create_database(base: str, name: str) -> str:
    """The database on the primary, made once (the replica follows)."""
    import psycopg

    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"
