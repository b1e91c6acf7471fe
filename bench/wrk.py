"""wrk, the C load generator the HTTP benchmarks drive the server with (Debian's package, installed on
first use as the tests install chromium), and the figures read from its --latency report."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, timeout=600, stdout=subprocess.DEVNULL)
        path = shutil.which("wrk")
    assert path, "wrk is not available"
    return path


def run_wrk(wrk: str, *, url: str, script: Path, clients: int, seconds: float, timeout_s: int) -> dict[str, Any]:
    """One wrk run of `seconds` with `clients` connections on at most two threads: requests answered,
    those not 2xx/3xx, requests per second, p50 and p99 latency in ms (None where wrk printed none)."""
    out = subprocess.run([wrk, f"-t{min(clients, 2)}", f"-c{clients}", f"-d{int(seconds)}s", "--latency",
                          "--timeout", f"{timeout_s}s", "-s", str(script), url],
                         capture_output=True, text=True, timeout=seconds + 120).stdout

    def ms(label: str) -> float | None:
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return None
        v, unit = float(m.group(1)), m.group(2)
        return round(v / 1000 if unit == "us" else v * 1000 if unit == "s" else v, 2)

    total = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {"requests": int(total.group(1)) if total else 0, "non_2xx": int(bad.group(1)) if bad else 0,
            "rps": float(rps.group(1)) if rps else None, "p50_ms": ms("50"), "p99_ms": ms("99"),
            "socket_errors": errors.group(0) if errors else None}
