"""make cluster: o2o as several processes on this one machine, the shape of a deployment.

    HAProxy :8100 (stats :8199) -> app nodes a :8101, b :8102 (gunicorn, each its own process group)
    workers worker1, worker2 (manage.py o2o_worker)
    PostgreSQL primary :5440 (cluster o2ocluster) and its streaming replica :5441 (o2oreplica), Redis

Every process reads the same environment (README "Deploying"). Logs and the HAProxy config go to
var/cluster/. Ctrl-C (or `make cluster-stop` from another shell) stops everything it started, the
PostgreSQL clusters included. The environment variables CLUSTER_* below change the layout.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.cluster import pg  # noqa: E402
from bench.cluster.procs import Procs, haproxy_config, wait_healthy  # noqa: E402

STATE = ROOT / "var" / "cluster"
STATE_FILE = STATE / "state.json"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("CLUSTER_")}


def _secret_key() -> str:
    """One SECRET_KEY for every node (sessions, CSRF and reset links are signed with it)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = STATE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        sys.exit(f"Redis at {url} does not answer ({exc}); start it (redis-server) or set CLUSTER_REDIS_URL=")


def up() -> int:
    STATE.mkdir(parents=True, exist_ok=True)
    if STATE_FILE.exists() and _alive(json.loads(STATE_FILE.read_text())["pid"]):
        sys.exit("a cluster is running already (make cluster-stop)")
    port = int(os.environ.get("CLUSTER_PORT", "8100"))
    node_ports = [int(p) for p in os.environ.get("CLUSTER_NODE_PORTS", "8101,8102").split(",")]
    workers = int(os.environ.get("CLUSTER_WORKERS", "2"))
    node_workers = int(os.environ.get("CLUSTER_NODE_WORKERS", "2"))
    threads = int(os.environ.get("CLUSTER_THREADS", "4"))
    redis_url = os.environ.get("CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/3")
    replica = os.environ.get("CLUSTER_REPLICA", "1") not in ("0", "false", "")

    pg_started: list[str] = []
    database = os.environ.get("CLUSTER_DATABASE_URL", "")
    replica_url = os.environ.get("CLUSTER_REPLICA_URL", "")
    if not database:  # our own primary (+ replica): the machine's main cluster stays the tests'
        was = pg.running(pg.PRIMARY)
        database = pg.create_database(pg.ensure_primary(), "o2o")
        if not was:
            pg_started.append(pg.PRIMARY)
        if replica:
            was = pg.running(pg.REPLICA)
            replica_url = pg.ensure_replica() + "/o2o"
            if not was:
                pg_started.append(pg.REPLICA)
    if redis_url:
        _redis(redis_url)

    env = {**_env(), "DATABASE_URL": database, "DATABASE_REPLICA_URL": replica_url, "REDIS_URL": redis_url,
           "SECRET_KEY": _secret_key(), "DEBUG": "false", "O2O_TRUSTED_PROXIES": "1",
           "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
           "ALLOWED_HOSTS": os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost")}
    procs = Procs(logdir=STATE, env=env)
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([*manage, "seed_demo", "--merchants", os.environ.get("CLUSTER_MERCHANTS", "240"),
                        "--seed", os.environ.get("CLUSTER_SEED", "42"), "--base-url", f"http://127.0.0.1:{port}"],
                       cwd=ROOT, env=env, check=True)
        nodes = {chr(ord("a") + i): p for i, p in enumerate(node_ports)}
        for name, p in nodes.items():
            procs.gunicorn(name, p, workers=node_workers, threads=threads)
        for i in range(workers):
            procs.worker(f"worker{i + 1}")
        for name, p in nodes.items():
            wait_healthy(f"http://127.0.0.1:{p}/healthz", proc=procs.running[name])
        stats = port + 99
        procs.haproxy("haproxy", haproxy_config(port=port, nodes=nodes, stats_port=stats))
        wait_healthy(f"http://127.0.0.1:{port}/healthz", proc=procs.running["haproxy"], timeout=30)
        STATE_FILE.write_text(json.dumps({"pid": os.getpid(), "children": procs.pids(), "pg_started": pg_started}))
        print(f"o2o cluster: http://127.0.0.1:{port}/ (HAProxy; stats http://127.0.0.1:{stats}/) -> "
              + ", ".join(f"node {n} :{p}" for n, p in nodes.items())
              + f"; {workers} workers; PostgreSQL {database.rsplit('@', 1)[-1]}"
              + (f" + replica {replica_url.rsplit('@', 1)[-1]}" if replica_url else "")
              + f"; cache {'Redis ' + redis_url if redis_url else 'the database'}. Logs in {STATE}. "
              "Ctrl-C or make cluster-stop stops everything.", flush=True)
        reported: set[str] = set()
        while not stopping:
            for name, proc in procs.running.items():
                if proc.poll() is not None and name not in reported:
                    reported.add(name)  # the load balancer routes around a dead node; say so here
                    print(f"{name} exited ({proc.returncode}); see {STATE / (name + '.log')}", flush=True)
            time.sleep(0.5)
    finally:
        print("stopping the cluster ...", flush=True)
        procs.stop_all()
        for name in reversed(pg_started):
            pg.stop(name)
        STATE_FILE.unlink(missing_ok=True)
    return 0


def down() -> int:
    """make cluster-stop: ask the running `make cluster` to stop; clean up after one that died."""
    if not STATE_FILE.exists():
        print("no cluster is running")
        return 0
    state = json.loads(STATE_FILE.read_text())
    if _alive(state["pid"]):
        os.kill(state["pid"], signal.SIGTERM)
        for _ in range(120):
            if not _alive(state["pid"]):
                print("cluster stopped")
                return 0
            time.sleep(0.5)
    for pid in state["children"].values():  # its runner is gone: end what it left
        try:
            os.killpg(pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
    time.sleep(3)
    for pid in state["children"].values():
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for name in reversed(state["pg_started"]):
        pg.stop(name)
    STATE_FILE.unlink(missing_ok=True)
    print("cluster stopped")
    return 0


if __name__ == "__main__":
    sys.exit(down() if sys.argv[1:] == ["stop"] else up())
