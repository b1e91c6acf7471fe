"""Task backends measured side by side: the database backend (django-tasks-db, run by o2o_worker) and
RQ on Redis (django-tasks-rq, run by rqworker). One worker process each, the same no-op task
(o2o.core.schedule.periodic_run_task of an unknown name: a lookup and a log line).

Prints one JSON line per backend: enqueue rate from one process, median and p95 latency from enqueue
to finished with an idle worker, and end-to-end throughput draining N queued tasks.
    python bench/worker/run.py [--database-url postgres://...] [--redis-url redis://127.0.0.1:6379/0] [-n 300]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BACKENDS = {"database": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}

CHILD = r"""
import json, statistics, sys, time
import django
django.setup()
from django_tasks import TaskResultStatus
from o2o.core.schedule import periodic_run_task

def wait(results, timeout=300):
    deadline = time.monotonic() + timeout
    for r in results:
        while True:
            r.refresh()
            if r.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED):
                break
            if time.monotonic() > deadline:
                raise SystemExit("timed out")
            time.sleep(0.002)

n = int(sys.argv[1])
wait([periodic_run_task.enqueue("bench.noop")], timeout=180)  # the worker is up
lat = []
for _ in range(30):
    t = time.perf_counter()
    wait([periodic_run_task.enqueue("bench.noop")])
    lat.append((time.perf_counter() - t) * 1000)
t = time.perf_counter()
results = [periodic_run_task.enqueue("bench.noop") for _ in range(n)]
enq = time.perf_counter() - t
wait(results)
total = time.perf_counter() - t
lat.sort()
print(json.dumps({"enqueue_per_s": round(n / enq), "latency_ms_p50": round(statistics.median(lat), 1),
                  "latency_ms_p95": round(lat[int(len(lat) * 0.95) - 1], 1), "drain_per_s": round(n / total),
                  "n": n}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL", f"sqlite:///{ROOT}/var/bench-worker.sqlite3"))
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    ap.add_argument("-n", type=int, default=300)
    args = ap.parse_args()
    for name, backend in BACKENDS.items():
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": args.database_url,
               "TASKS_BACKEND": backend, "LOG_LEVEL": "ERROR", "REDIS_URL": args.redis_url if name == "rq" else ""}
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        if name == "database":
            cmd = [sys.executable, "manage.py", "o2o_worker", "--no-scheduler", "--interval", "0.1", "-v0"]
        else:
            # SimpleWorker runs jobs in the worker process; the default Worker forks one per job (~10/s here)
            cmd = [sys.executable, "manage.py", "rqworker", "default", "--job-class", "django_tasks_rq.Job",
                   "--worker-class", "rq.worker.SimpleWorker"]
        worker = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            out = subprocess.run([sys.executable, "-c", CHILD, str(args.n)], cwd=ROOT, env=env, check=True,
                                 capture_output=True, text=True, timeout=900).stdout
            figures = json.loads(out.strip().splitlines()[-1])
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        db = args.database_url.split(":", 1)[0]
        print(json.dumps({"bench": "worker", "backend": name, "database": db, **figures}), flush=True)


if __name__ == "__main__":
    main()
