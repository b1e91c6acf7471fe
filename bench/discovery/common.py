"""Shared pieces of the discovery benchmarks: the seeded city, bulk loading, timing figures."""

from __future__ import annotations

import json
import math
import os
import random
import statistics
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "bench"
CENTRE = (30.6570, 104.0658)  # Chengdu
HALF_SIDE_M = 30_000  # a 60 km x 60 km city
M_PER_DEG_LAT = 111_195.0
AT = datetime(2026, 11, 25, 11, 30, tzinfo=UTC)  # 19:30 in Chengdu, a Wednesday: the bench's "now"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def db_url(backend: str, stores: int) -> str:
    suffix = "" if stores >= 1_000_000 else f"_{stores}"
    if backend == "pg":
        return f"postgres://postgres@127.0.0.1:5432/o2o_bench{suffix}"
    VAR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{VAR / f'discovery{suffix}.sqlite3'}"


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("FAST_PASSWORD_HASHER", "true")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def city_point(rnd: random.Random) -> tuple[float, float]:
    """Dense centre, sparse edge: 70% around the centre (sigma 5 km), 30% anywhere in the square."""
    while True:
        if rnd.random() < 0.7:
            dx, dy = rnd.gauss(0, 5000), rnd.gauss(0, 5000)
        else:
            dx, dy = rnd.uniform(-HALF_SIDE_M, HALF_SIDE_M), rnd.uniform(-HALF_SIDE_M, HALF_SIDE_M)
        if abs(dx) <= HALF_SIDE_M and abs(dy) <= HALF_SIDE_M:
            break
    lat = CENTRE[0] + dy / M_PER_DEG_LAT
    lng = CENTRE[1] + dx / (M_PER_DEG_LAT * math.cos(math.radians(CENTRE[0])))
    return lat, lng


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOURS = [
    {d: [["09:00", "21:00"]] for d in DAYS},
    {d: [["10:00", "22:00"]] for d in DAYS},
    {d: [["11:00", "14:00"], ["17:00", "23:00"]] for d in DAYS},
    {d: [["18:00", "02:00"]] for d in DAYS},  # past midnight
    {d: [["00:00", "24:00"]] for d in DAYS},
    {**{d: [["08:00", "18:00"]] for d in DAYS[:5]}, "sat": [], "sun": []},
    {**{d: [["10:00", "20:00"]] for d in DAYS}, "wed": []},  # closed on Wednesdays
]
CATEGORIES = ["restaurant"] * 4 + ["salon", "training", "printing", "estate", "hardware", "renovation", "other"]


def figures(latencies_s: list[float]) -> dict[str, float]:
    xs = sorted(latencies_s)
    if not xs:
        return {"n": 0}
    p = lambda q: xs[min(len(xs) - 1, int(q * len(xs)))]  # noqa: E731
    return {"n": len(xs), "p50_ms": round(p(0.50) * 1000, 3), "p99_ms": round(p(0.99) * 1000, 3),
            "mean_ms": round(statistics.fmean(xs) * 1000, 3)}


def emit(obj: dict[str, Any]) -> None:
    obj["machine"] = {"cpus": os.cpu_count(), "loadavg_1m_at_end": round(os.getloadavg()[0], 2),
                      "date_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    line = json.dumps(obj, ensure_ascii=False, sort_keys=False)
    print(line, flush=True)
    VAR.mkdir(parents=True, exist_ok=True)
    with open(VAR / "discovery-results.jsonl", "a") as fh:
        fh.write(line + "\n")


def new_uuid(rnd: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rnd.getrandbits(128), version=4)
