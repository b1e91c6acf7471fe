"""make bench-analytics: the merchant dashboard over ten million events, on the rollups and on the raw events.

One run per backend (--backend pg | sqlite), in a database of its own (PostgreSQL: the bench cluster's
o2o_bench_analytics; SQLite: var/bench/analytics.sqlite3), never the test database:

1. load: N events (BENCH_EVENTS, default 10,000,000) for 1,000 merchants over 90 days ending now, their
   sizes Zipf-like (s=0.7: the largest has ~3.8% of the events), generated as numpy arrays and written with
   COPY (PostgreSQL) or executemany (SQLite), the event table's secondary indexes built after the load;
2. rollup: the worker's rollup (analytics.rollups.rollup_run) catches up on all of them (events/s);
3. keep-up: a writer appends 2,000 events/s for BENCH_APPEND_SECONDS while the rollup runs in a loop;
   prints how many it rolled up and how far behind it ended;
4. queries: every dashboard table (totals and funnel, days, placements, stores, offerings) and the whole
   dashboard for the largest merchant over its last 90 days, on the rollups (plus the tail past the
   mark) and the same query over the raw events, alternating, in the same run; p50/p99 per query and the
   ratio; and whether the figures are exactly equal.

Each step prints one JSON line (also appended to var/bench/analytics-results.jsonl).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.pgcluster import ensure_cluster, fresh_database  # noqa: E402

VAR = ROOT / "var" / "bench"
TZ = "Asia/Shanghai"
MERCHANTS = 1000
DAYS = 90
ZIPF = 0.7
KINDS = ["view", "scan", "order", "paid", "redeemed", "picked_up", "reviewed", "refunded", "booked", "checked_in"]
KIND_P = [0.38, 0.15, 0.14, 0.12, 0.10, 0.03, 0.03, 0.01, 0.02, 0.02]
MONEY_KINDS = {"order", "paid", "refunded", "booked"}
COLS = ["at", "kind", "merchant_id", "store_id", "placement_id", "customer_id", "visitor_id", "order_id", "amount",
        "currency", "h3_r8", "offering_id", "data"]


def out(line: dict) -> None:
    text = json.dumps(line, ensure_ascii=False)
    print(text, flush=True)
    VAR.mkdir(parents=True, exist_ok=True)
    with open(VAR / "analytics-results.jsonl", "a") as fh:
        fh.write(text + "\n")


def setup(backend: str, fresh: bool) -> str:
    if backend == "pg":
        base = ensure_cluster()
        url = fresh_database(base, "o2o_bench_analytics") if fresh else f"{base}/o2o_bench_analytics"
    else:
        VAR.mkdir(parents=True, exist_ok=True)
        path = VAR / "analytics.sqlite3"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return url


class World:
    """Each merchant's stores, placements, offerings and visitors (ids only: the stream's ids are plain
    columns). Merchant 0 is the largest."""

    def __init__(self, rng) -> None:  # type: ignore[no-untyped-def]
        import numpy as np

        def uid() -> uuid.UUID:
            return uuid.UUID(int=int(rng.integers(1, 2**62)) << 64 | int(rng.integers(1, 2**62)))

        self.merchants = [uid() for _ in range(MERCHANTS)]
        w = 1.0 / np.arange(1, MERCHANTS + 1) ** ZIPF
        self.p = w / w.sum()
        self.stores = [[uid() for _ in range(1 + i % 5 if i else 5)] for i in range(MERCHANTS)]
        self.placements = [[uid() for _ in range(i % 9 if i else 8)] for i in range(MERCHANTS)]
        self.offerings = [[uid() for _ in range(1 + i % 12 if i else 12)] for i in range(MERCHANTS)]


def generate(world: World, rng, n: int, end: datetime, span: timedelta):  # type: ignore[no-untyped-def]
    """n events as rows (tuples in COLS order, times ascending), made from numpy arrays."""
    import numpy as np

    m = rng.choice(MERCHANTS, size=n, p=world.p)
    secs = np.sort(rng.integers(0, int(span.total_seconds()), size=n))
    kinds = rng.choice(len(KINDS), size=n, p=KIND_P)
    r1, r2, r3 = rng.integers(0, 1 << 30, size=n), rng.integers(0, 1 << 30, size=n), rng.random(size=n)
    cents = rng.integers(500, 50000, size=n)
    visitors = rng.integers(1, 1 << 20, size=n)
    start = end - span
    rows = []
    for i in range(n):
        mi = int(m[i])
        kind = KINDS[kinds[i]]
        stores, placements, offerings = world.stores[mi], world.placements[mi], world.offerings[mi]
        store = stores[int(r1[i]) % len(stores)]
        placement = offering = visitor = None
        if kind == "scan":
            if not placements:
                kind = "view"
            else:
                placement = placements[int(r2[i]) % len(placements)]
                visitor = mi * 100_000 + int(visitors[i]) % max(50, int(n * world.p[mi] / 20))
        if kind != "scan":
            offering = offerings[int(r2[i]) % len(offerings)] if r3[i] < 0.85 else None
            if placements and r3[i] > 0.8 and kind != "view":
                placement = placements[int(r1[i] >> 3) % len(placements)]
        money = kind in MONEY_KINDS
        rows.append((start + timedelta(seconds=int(secs[i])), kind, world.merchants[mi], store, placement, None,
                     visitor, None, f"{int(cents[i]) // 100}.{int(cents[i]) % 100:02d}" if money else None,
                     "CNY" if money else "", None, offering))
    return rows


def load(backend: str, world: World, rng, n: int, end: datetime) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection, transaction

    from o2o.analytics.models import Event

    t0 = time.perf_counter()
    indexes = list(Event._meta.indexes)
    with connection.schema_editor() as editor:  # built after the load, as a bulk load does
        for index in indexes:
            editor.remove_index(Event, index)
    chunk = 500_000
    done = 0
    gen_s = 0.0
    span = timedelta(days=DAYS)
    while done < n:
        k = min(chunk, n - done)
        # each chunk is a slice of the 90 days, in order: ids ascend with time, as appended live
        g0 = time.perf_counter()
        lo = end - span + span * done / n
        rows = generate(world, rng, k, lo + span * k / n, span * k / n)
        gen_s += time.perf_counter() - g0
        if backend == "pg":
            connection.ensure_connection()
            with connection.connection.cursor() as cur, cur.copy(
                    f"COPY analytics_event ({', '.join(COLS)}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row((*r, "{}"))
        else:
            with transaction.atomic(), connection.cursor() as cur:
                cur.executemany(
                    f"INSERT INTO analytics_event ({', '.join(COLS)}) VALUES ({', '.join(['%s'] * len(COLS))})",
                    [(r[0].strftime("%Y-%m-%d %H:%M:%S"), r[1], r[2].hex, r[3].hex if r[3] else None,
                      r[4].hex if r[4] else None, None, r[6], None, r[8], r[9], None, r[11].hex if r[11] else None, "{}")
                     for r in rows])
        done += k
    t_rows = time.perf_counter() - t0
    t1 = time.perf_counter()
    with connection.schema_editor() as editor:
        for index in indexes:
            editor.add_index(Event, index)
    if backend == "pg":
        with connection.cursor() as cur:
            cur.execute("ANALYZE analytics_event")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    out({"bench": "analytics", "step": "load", "backend": backend, "events": n, "merchants": MERCHANTS,
         "largest_merchant_events": Event.objects.filter(merchant_id=world.merchants[0]).count(),
         "seconds": round(time.perf_counter() - t0, 1), "rows_seconds": round(t_rows, 1),
         "generate_seconds": round(gen_s, 1), "index_seconds": round(time.perf_counter() - t1, 1),
         "events_per_s": round(n / t_rows)})


def catch_up(backend: str, n: int) -> None:
    from o2o.analytics.models import DailyFigure
    from o2o.analytics.rollups import rollup_run

    t0 = time.perf_counter()
    rolled = rollup_run(settle=timedelta(0), batch=50_000)
    s = time.perf_counter() - t0
    out({"bench": "analytics", "step": "rollup_catch_up", "backend": backend, "events": rolled, "seconds": round(s, 1),
         "events_per_s": round(rolled / s) if s else None, "rollup_rows": DailyFigure.objects.count()})


def keep_up(backend: str, world: World, rng, seconds: float, rate: int = 2000) -> None:  # type: ignore[no-untyped-def]
    """A writer appends `rate` events/s (batches every 0.1 s, timestamps now) while the rollup loops."""
    from django.db import connection

    from o2o.analytics.models import Event
    from o2o.analytics.rollups import rollup_mark, rollup_run

    stop = threading.Event()
    appended = [0]

    def writer() -> None:
        try:
            nxt = time.monotonic()
            while not stop.is_set():
                rows = generate(world, rng, rate // 10, datetime.now(UTC), timedelta(seconds=1))
                Event.objects.bulk_create([Event(**dict(zip(COLS[:-1], r, strict=True))) for r in rows])
                appended[0] += len(rows)
                nxt += 0.1
                time.sleep(max(0.0, nxt - time.monotonic()))
        finally:
            connection.close()

    t = threading.Thread(target=writer)
    t.start()
    t0 = time.perf_counter()
    rolled = 0
    runs = []
    while time.perf_counter() - t0 < seconds:
        r0 = time.perf_counter()
        rolled += rollup_run(settle=timedelta(0), batch=20_000)
        runs.append(time.perf_counter() - r0)
        time.sleep(0.5)
    stop.set()
    t.join()
    elapsed = time.perf_counter() - t0
    high = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    lag = high - rollup_mark()
    out({"bench": "analytics", "step": "rollup_keep_up", "backend": backend, "seconds": round(elapsed, 1),
         "appended": appended[0], "appended_per_s": round(appended[0] / elapsed), "rolled_up": rolled,
         "rolled_per_s": round(rolled / elapsed), "lag_events_at_end": lag, "runs": len(runs),
         "run_p50_ms": round(statistics.median(runs) * 1000, 1) if runs else None,
         "kept_up": lag <= appended[0] / elapsed * 1.5})


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return round(s[min(len(s) - 1, int(round(q * (len(s) - 1))))] * 1000, 2)


def queries(backend: str, world: World, reps: int, raw_reps: int) -> None:
    from django.utils import timezone

    from o2o.analytics.figures import SECTIONS, merchant_figures

    m = world.merchants[0]
    today = timezone.localtime(timezone.now(), __import__("zoneinfo").ZoneInfo(TZ)).date()
    first = today - timedelta(days=DAYS - 1)
    results = {}
    equal = True
    for name, sections in [*((s, (s,)) for s in SECTIONS), ("dashboard", SECTIONS)]:
        times: dict[str, list[float]] = {"rollups": [], "raw": []}
        figs = {}
        for i in range(max(reps, raw_reps)):
            for source in ("rollups", "raw"):
                if source == "raw" and i >= raw_reps or source == "rollups" and i >= reps:
                    continue
                t0 = time.perf_counter()
                figs[source] = merchant_figures(merchant_id=m, first=first, last=today, tz=TZ, source=source,
                                                sections=sections)
                times[source].append(time.perf_counter() - t0)
        same = figs["rollups"].key() == figs["raw"].key()
        equal = equal and same
        line = {"bench": "analytics", "step": "query", "backend": backend, "query": name, "days": DAYS,
                "rollups_p50_ms": pct(times["rollups"], 0.5), "rollups_p99_ms": pct(times["rollups"], 0.99),
                "raw_p50_ms": pct(times["raw"], 0.5), "raw_p99_ms": pct(times["raw"], 0.99),
                "ratio_p50": round(statistics.median(times["raw"]) / statistics.median(times["rollups"]), 1),
                "runs": [len(times["rollups"]), len(times["raw"])], "equal": same}
        results[name] = line
        out(line)
    d = results["dashboard"]
    out({"bench": "analytics", "step": "summary", "backend": backend, "dashboard_rollups_p99_ms": d["rollups_p99_ms"],
         "dashboard_raw_p50_ms": d["raw_p50_ms"], "ratio_p50": d["ratio_p50"],
         "every_query_under_100ms_p99": all(r["rollups_p99_ms"] < 100 for r in results.values()),
         "every_ratio_at_least_20x": all(r["ratio_p50"] >= 20 for r in results.values()),
         "figures_equal": equal})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["pg", "sqlite"], required=True)
    ap.add_argument("--events", type=int, default=int(os.environ.get("BENCH_EVENTS", "10000000")))
    ap.add_argument("--reps", type=int, default=int(os.environ.get("BENCH_REPS", "50")))
    ap.add_argument("--raw-reps", type=int, default=int(os.environ.get("BENCH_RAW_REPS", "5")))
    ap.add_argument("--append-seconds", type=float, default=float(os.environ.get("BENCH_APPEND_SECONDS", "20")))
    ap.add_argument("--skip-load", action="store_true", default=os.environ.get("BENCH_SKIP_LOAD") == "1")
    args = ap.parse_args()
    import numpy as np

    setup(args.backend, fresh=not args.skip_load)
    rng = np.random.default_rng(42)
    world = World(rng)
    if not args.skip_load:
        load(args.backend, world, rng, args.events, datetime.now(UTC))
        catch_up(args.backend, args.events)
    if args.append_seconds > 0:
        keep_up(args.backend, world, rng, args.append_seconds)
    queries(args.backend, world, args.reps, args.raw_reps)


if __name__ == "__main__":
    main()
