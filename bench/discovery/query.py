"""Nearby queries at city scale: our H3 path (the code the API runs) against a PostGIS GiST baseline.

    python bench/discovery/query.py --backend pg|sqlite [--stores 1000000] [--seconds 20]

Query points follow the stores (people search where shops are: dense centre, sparse edge).
Two queries: 3 km / top 20; and 3 km / top 20 / category=restaurant / open now.
Measured: `store_candidates` (phase 1: cells, SQL, exact distance, filters, order - what the API calls
first) and `stores_nearby_page` (phase 1 + loading the page through the tenancy gate), single
client and 4 client processes. The PostGIS baseline runs on the same PostgreSQL data with a GiST
index on geography (and a partial GiST index for the filtered query), KNN ordered, through the
on its own psycopg connection with prepared statements, as ours. Its results are compared with ours (same stores, same order up to ties).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import subprocess
import time
from typing import Any

from common import AT, db_url, emit, figures, setup_django

RADIUS, LIMIT = 3000, 20


def points(n: int, seed: int = 7) -> list[tuple[float, float]]:
    from common import city_point

    rnd = random.Random(seed)
    return [city_point(rnd) for _ in range(n)]


def ours(kind: str, full: bool):  # type: ignore[no-untyped-def]
    from o2o.discovery.filters import Filters
    from o2o.discovery.selectors import store_candidates, stores_nearby_page

    f = Filters(category="restaurant", open_now=True) if kind == "filtered" else Filters()
    if full:
        return lambda lat, lng: [r.store.pk.hex for r in stores_nearby_page(
            lat=lat, lng=lng, radius_m=RADIUS, limit=LIMIT, filters=f, at=AT).results]
    return lambda lat, lng: [c.key for _d, c in store_candidates(
        lat=lat, lng=lng, radius_m=RADIUS, limit=LIMIT, filters=f, at=AT)]


def minute_of_week() -> int:
    from zoneinfo import ZoneInfo

    loc = AT.astimezone(ZoneInfo("Asia/Shanghai"))
    return loc.weekday() * 1440 + loc.hour * 60 + loc.minute


POSTGIS_PLAIN = ("SELECT store_id, ST_Distance(geog, q.g, false) FROM bench_postgis, "
                 "(SELECT ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography AS g) q "
                 "WHERE ST_DWithin(geog, q.g, %s, false) ORDER BY geog <-> q.g LIMIT %s")
POSTGIS_FILTERED = ("SELECT store_id, ST_Distance(geog, q.g, false) FROM bench_postgis, "
                    "(SELECT ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography AS g) q "
                    "WHERE category = 'restaurant' AND open_week @> %s::int AND ST_DWithin(geog, q.g, %s, false) "
                    "ORDER BY geog <-> q.g LIMIT %s")


def postgis(kind: str, stores: int):  # type: ignore[no-untyped-def]
    """The baseline on its own psycopg connection to the PostgreSQL bench database (prepared statements)."""
    import psycopg

    conn = psycopg.connect(db_url("pg", stores).replace("postgres://", "postgresql://"), autocommit=True)
    mow = minute_of_week()

    def run(lat: float, lng: float) -> list[str]:
        if kind == "filtered":
            rows = conn.execute(POSTGIS_FILTERED, [lng, lat, mow, RADIUS, LIMIT], prepare=True).fetchall()
        else:
            rows = conn.execute(POSTGIS_PLAIN, [lng, lat, RADIUS, LIMIT], prepare=True).fetchall()
        return [r[0].hex for r in rows]
    return run


def ensure_postgis(stores: int) -> dict[str, Any]:
    """Install PostGIS if missing, then build the baseline table and its GiST indexes (timed)."""
    import psycopg

    conn = psycopg.connect(db_url("pg", stores).replace("postgres://", "postgresql://"), autocommit=True)
    out: dict[str, Any] = {}
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'")
        if cur.fetchone()[0] == 0:
            subprocess.run(["apt-get", "install", "-y", "-q", "postgresql-15-postgis-3"], check=True, timeout=600)
        cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        cur.execute("SELECT to_regclass('bench_postgis')")
        if cur.fetchone()[0] is None:
            t0 = time.perf_counter()
            cur.execute("""
                CREATE TABLE bench_postgis AS
                SELECT store_id, category, ST_SetSRID(ST_MakePoint(lng, lat), 4326)::geography AS geog,
                       int4multirange() AS open_week, week
                FROM discovery_place WHERE visible""")
            # opening hours as a multirange of local minutes of the week (Sunday spills wrap to Monday)
            cur.execute("SELECT DISTINCT week FROM bench_postgis")
            for (week,) in cur.fetchall():
                ranges = []
                for part in filter(None, week.split(",")):
                    a, b = (int(x) for x in part.split("-"))
                    ranges.append(f"int4range({a}, {min(b, 10080)})")
                    if b > 10080:
                        ranges.append(f"int4range(0, {b - 10080})")
                mr = f"int4multirange({', '.join(ranges)})" if ranges else "int4multirange()"
                cur.execute(f"UPDATE bench_postgis SET open_week = {mr} WHERE week = %s", [week])
            out["postgis_table_s"] = round(time.perf_counter() - t0, 1)
            t0 = time.perf_counter()
            cur.execute("CREATE INDEX bench_postgis_gist ON bench_postgis USING gist (geog)")
            cur.execute("CREATE INDEX bench_postgis_gist_restaurant ON bench_postgis USING gist (geog) "
                        "WHERE category = 'restaurant'")
            cur.execute("ANALYZE bench_postgis")
            out["postgis_index_s"] = round(time.perf_counter() - t0, 1)
    return out


def measure(fn, pts: list[tuple[float, float]], seconds: float) -> tuple[list[float], int]:  # type: ignore[no-untyped-def]
    lat_s: list[float] = []
    deadline = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < deadline and i < len(pts):
        lat, lng = pts[i]
        t0 = time.perf_counter()
        fn(lat, lng)
        lat_s.append(time.perf_counter() - t0)
        i += 1
    return lat_s, i


def _worker(args: tuple[str, str, str, bool, int, float, str]) -> list[float]:
    which, kind, _url, full, seed, seconds, _backend = args
    from django.db import connections

    connections.close_all()
    fn = postgis(kind, int(_url)) if which == "postgis" else ours(kind, full)
    pts = points(200000, seed)
    for p in pts[:50]:
        fn(*p)
    lat_s, _n = measure(fn, pts[50:], seconds)
    return lat_s


def run_clients(which: str, kind: str, stores: int, full: bool, clients: int, seconds: float, backend: str) -> dict[str, Any]:
    from django.db import connections

    connections.close_all()
    ctx = mp.get_context("fork")
    t0 = time.perf_counter()
    with ctx.Pool(clients) as pool:
        parts = pool.map(_worker, [(which, kind, str(stores), full, 100 + c, seconds, backend) for c in range(clients)])
    wall = time.perf_counter() - t0
    lat_s = [x for p in parts for x in p]
    res = figures(lat_s)
    res["qps"] = round(len(lat_s) / max(1e-9, min(wall, seconds + 1.0)), 1)
    return res


def interleaved(fns: dict[str, Any], pts: list[tuple[float, float]], seconds: float) -> dict[str, list[float]]:
    """Run every function on the same point in turn, so that load from elsewhere hits all alike."""
    out: dict[str, list[float]] = {k: [] for k in fns}
    for p in pts[:30]:
        for fn in fns.values():
            fn(*p)
    deadline = time.perf_counter() + seconds * len(fns)
    for lat, lng in pts[30:]:
        if time.perf_counter() > deadline:
            break
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn(lat, lng)
            out[name].append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["pg", "sqlite"], required=True)
    ap.add_argument("--stores", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=float, default=15)
    args = ap.parse_args()
    url = db_url(args.backend, args.stores)
    setup_django(url)
    from o2o.discovery.filters import Filters
    from o2o.discovery.selectors import Explain, store_candidates

    result: dict[str, Any] = {"bench": "discovery.nearby", "backend": args.backend, "stores": args.stores,
                              "radius_m": RADIUS, "limit": LIMIT, "at": AT.isoformat()}
    result.update(ensure_postgis(args.stores))
    pts = points(20000)
    for kind in ("plain", "filtered"):
        f = Filters(category="restaurant", open_now=True) if kind == "filtered" else Filters()
        qs, rows = [], []
        for lat, lng in pts[:300]:
            e = Explain()
            store_candidates(lat=lat, lng=lng, radius_m=RADIUS, limit=LIMIT, filters=f, at=AT, explain=e)
            qs.append(e.plan.queries)
            rows.append(e.plan.rows)
        result[f"{kind}_sql_per_query_mean"] = round(sum(qs) / len(qs), 2)
        result[f"{kind}_rows_read_mean"] = round(sum(rows) / len(rows), 1)
        base = postgis(kind, args.stores)
        mine = ours(kind, False)
        same = sum(1 for lat, lng in pts[:500] if set(mine(lat, lng)) == set(base(lat, lng)))
        result[f"{kind}_same_stores_as_postgis"] = f"{same}/500"
        lat_s = interleaved({"ours": mine, "page": ours(kind, True), "postgis": base}, pts, args.seconds)
        result[f"ours_{kind}"] = figures(lat_s["ours"])
        result[f"ours_{kind}_with_page_load"] = figures(lat_s["page"])
        result[f"postgis_{kind}"] = figures(lat_s["postgis"])
        for q in ("p50", "p99"):
            result[f"ratio_{q}_ours_over_postgis_{kind}"] = round(
                result[f"ours_{kind}"][f"{q}_ms"] / result[f"postgis_{kind}"][f"{q}_ms"], 2)
    result["clients_4"] = {}
    for kind in ("plain", "filtered"):
        for which in ("ours", "postgis"):
            result["clients_4"][f"{which}_{kind}"] = run_clients(which, kind, args.stores, False, 4, args.seconds,
                                                                 args.backend)
        result["clients_4"][f"ratio_p99_{kind}"] = round(result["clients_4"][f"ours_{kind}"]["p99_ms"]
                                                         / result["clients_4"][f"postgis_{kind}"]["p99_ms"], 2)
    result["targets"] = ("PostgreSQL path p99 within 1.5x of PostGIS; SQLite path p50 within 3x"
                         if args.backend == "pg" else "SQLite path p50 within 3x of PostGIS")
    emit(result)


if __name__ == "__main__":
    main()
