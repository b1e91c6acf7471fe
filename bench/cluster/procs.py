"""The pieces of a several-node o2o on one machine: gunicorn app nodes, task workers and an HAProxy in
front of the nodes, each a process group of its own so that one can be stopped (or SIGKILLed) alone.
Used by `make cluster` (bench/cluster/run.py) and tests/live/test_cluster.py."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]


def haproxy_binary() -> str | None:
    """Debian's haproxy (make system-deps installs it); /usr/sbin is not on every user's PATH."""
    return shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy",) if os.access(p, os.X_OK)), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def haproxy_config(*, port: int, nodes: dict[str, int], stats_port: int | None = None,
                   host: str = "127.0.0.1") -> str:
    """Round robin over the nodes; a node is taken out after 2 failed /healthz checks a second apart
    and back after 2 good ones. A request that cannot connect (node gone) is sent to another node
    (retries + redispatch); one that reached a node is never replayed (a POST is not idempotent
    without its Idempotency-Key: the client retries with its key). Each answer says which node
    served it (X-O2O-Node). The client address goes on in X-Forwarded-For (O2O_TRUSTED_PROXIES=1)."""
    servers = "\n".join(f"    server {name} 127.0.0.1:{p} check" for name, p in nodes.items())
    stats = (f"\nlisten stats\n    bind 127.0.0.1:{stats_port}\n    stats enable\n    stats uri /\n"
             "    stats refresh 2s\n") if stats_port else ""
    return f"""global
    maxconn 4096

defaults
    mode http
    log stdout format raw local0 err
    option httplog
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    retries 3
    option redispatch
    option forwardfor

frontend o2o
    bind {host}:{port}
    default_backend nodes
    http-response set-header X-O2O-Node %[srv_name]

backend nodes
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions
{servers}
{stats}"""


@dataclass
class Procs:
    """Child process groups by name; stop_all() ends every one (SIGTERM, then SIGKILL)."""

    logdir: Path
    env: dict[str, str]
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: list[IO[bytes]] = field(default_factory=list)

    def start(self, name: str, cmd: list[str], *, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = open(self.logdir / f"{name}.log", "ab")  # noqa: SIM115 - closed by stop_all
        self.logs.append(log)
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**self.env, **(env or {})}, stdout=log, stderr=log,
                                start_new_session=True)
        self.running[name] = proc
        return proc

    def gunicorn(self, name: str, port: int, *, workers: int = 2, threads: int = 4,
                 env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        return self.start(name, [sys.executable, "-m", "gunicorn", "config.wsgi:application",
                                 "-b", f"127.0.0.1:{port}", "-w", str(workers), "-k", "gthread",
                                 "--threads", str(threads), "--timeout", "60", "--graceful-timeout", "20"],
                          env=env)

    def worker(self, name: str) -> subprocess.Popen[bytes]:
        return self.start(name, [sys.executable, "manage.py", "o2o_worker", "--worker-id", name])

    def haproxy(self, name: str, config: str) -> subprocess.Popen[bytes]:
        binary = haproxy_binary()
        if binary is None:
            raise RuntimeError("haproxy is not installed (make system-deps installs it)")
        path = self.logdir / f"{name}.cfg"
        path.write_text(config)
        subprocess.run([binary, "-c", "-q", "-f", str(path)], check=True)
        return self.start(name, [binary, "-db", "-f", str(path)])

    def pids(self) -> dict[str, int]:
        return {name: p.pid for name, p in self.running.items() if p.poll() is None}

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.running[name]
        if proc.poll() is None:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=30)

    def stop_all(self, timeout: float = 25) -> None:
        for proc in self.running.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + timeout
        for proc in self.running.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for proc in self.running.values():  # the group too: a gunicorn worker outliving its master
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if proc.poll() is None:
                proc.wait(timeout=10)
        for log in self.logs:
            log.close()
        self.logs.clear()


def wait_healthy(url: str, *, proc: subprocess.Popen[bytes] | None = None, timeout: float = 90) -> None:
    """Until GET url answers 200 (the process exiting first is an error)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=3) as resp:  # noqa: S310 - our own loopback server
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{url}: the process exited ({proc.returncode})")
        time.sleep(0.25)
    raise RuntimeError(f"{url} did not answer 200 within {timeout:.0f} s")
