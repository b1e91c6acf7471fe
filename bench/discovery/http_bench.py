"""The nearby endpoint through the real server: gunicorn (2 workers, gthread) and wrk on loopback.

    python bench/discovery/http_bench.py --backend pg|sqlite [--seconds 15]

At 1M stores: latency at 1 client and throughput at 8 clients. Memory: RSS of the two workers after
the same load at 10k and at 1M stores (the server must not grow with the number of stores).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from common import ROOT, VAR, city_point, db_url, emit

sys.path.insert(0, str(ROOT))
from bench.wrk import ensure_wrk, run_wrk  # noqa: E402

PORT = 8791


def lua_script(n: int = 5000, seed: int = 11) -> Path:
    rnd = random.Random(seed)
    paths = []
    for _ in range(n):
        lat, lng = city_point(rnd)
        paths.append(f'"/api/v1/stores/nearby?lat={lat:.6f}&lng={lng:.6f}&radius_m=3000&limit=20"')
    script = VAR / "nearby.lua"
    script.write_text(
        "paths = {" + ",\n".join(paths) + "}\n"
        "counter = math.random(#paths)\n"
        "request = function()\n  counter = counter + 1\n"
        "  return wrk.format('GET', paths[(counter % #paths) + 1])\nend\n")
    return script


def constant_script() -> Path:
    """The server's ceiling: a constant JSON answer through the same gunicorn, middleware and ninja."""
    script = VAR / "constant.lua"
    script.write_text("request = function()\n  return wrk.format('GET', '/bench/constant')\nend\n")
    return script


def start_server(url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "LOG_LEVEL": "ERROR", "CONN_MAX_AGE": "600",
           "DJANGO_SETTINGS_MODULE": "bench.server_settings"}  # the project's URLs + GET /bench/constant
    subprocess.run([str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True,
                   timeout=600)
    log = open(VAR / "gunicorn.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "-w", "2", "-k", "gthread", "--threads", "4",
         "-b", f"127.0.0.1:{PORT}", "--access-logfile", "/dev/null", "--error-logfile", "-"],
        cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    probe = f"http://127.0.0.1:{PORT}/api/v1/stores/nearby?lat=30.657&lng=104.0658"
    for _ in range(150):
        try:
            with urllib.request.urlopen(probe, timeout=5) as r:  # noqa: S310 (loopback)
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start; see var/bench/gunicorn.log")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def worker_rss_mb(proc: subprocess.Popen[bytes]) -> list[float]:
    out = subprocess.run(["ps", "-o", "pid=,rss=", "--ppid", str(proc.pid)], capture_output=True, text=True)
    return sorted(round(int(line.split()[1]) / 1024, 1) for line in out.stdout.strip().splitlines())


def wrk(path: str, script: Path, clients: int, seconds: float) -> dict[str, Any]:
    got = run_wrk(path, url=f"http://127.0.0.1:{PORT}", script=script, clients=clients, seconds=seconds, timeout_s=5)
    return {"clients": clients, "p50_ms": got["p50_ms"], "p99_ms": got["p99_ms"], "rps": got["rps"],
            "non_2xx": got["non_2xx"], "socket_errors": got["socket_errors"]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["pg", "sqlite"], required=True)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--small", type=int, default=10_000)
    ap.add_argument("--large", type=int, default=1_000_000)
    args = ap.parse_args()
    wrk_path = ensure_wrk()
    script = lua_script()
    result: dict[str, Any] = {"bench": "discovery.http", "backend": args.backend, "server": "gunicorn -w 2 gthread x4",
                              "load_generator": "wrk (loopback)", "endpoint": "/api/v1/stores/nearby 3 km top 20"}
    for stores in (args.small, args.large):
        proc = start_server(db_url(args.backend, stores))
        try:
            wrk(wrk_path, script, 8, 5)  # warm up both workers
            one = wrk(wrk_path, script, 1, args.seconds)
            eight = wrk(wrk_path, script, 8, args.seconds)
            rss = worker_rss_mb(proc)
            ceiling = wrk(wrk_path, constant_script(), 8, args.seconds)
        finally:
            stop_server(proc)
        result[f"stores_{stores}"] = {"clients_1": one, "clients_8": eight, "worker_rss_mb": rss,
                                      "ceiling_clients_8": ceiling,
                                      "vs_ceiling_8": round((eight["rps"] or 0) / max(ceiling["rps"] or 0, 0.1), 2)}
    big, small = result[f"stores_{args.large}"], result[f"stores_{args.small}"]
    result["targets"] = {"p99_ms_1_client_under": 25, "rps_8_clients_at_least": 400, "vs_ceiling_8_at_least": 0.7}
    result["p99_1_client_ok"] = bool(big["clients_1"]["p99_ms"] and big["clients_1"]["p99_ms"] < 25)
    result["rps_8_clients_ok"] = bool(big["clients_8"]["rps"] and big["clients_8"]["rps"] >= 400)
    result["worker_rss_growth_mb_10k_to_1m"] = round(max(big["worker_rss_mb"]) - max(small["worker_rss_mb"]), 1)
    emit(result)


if __name__ == "__main__":
    main()
