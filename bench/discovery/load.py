"""Generate the seeded city into a bench database and build the discovery index (timed).

    python bench/discovery/load.py --backend pg|sqlite --stores 1000000
"""

from __future__ import annotations

import argparse
import json
import random
import time

from common import AT, CATEGORIES, HOURS, PG_ADMIN_URL, city_point, db_url, emit, new_uuid, setup_django


def recreate_database(backend: str, url: str) -> None:
    if backend == "pg":
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            c.execute(f"CREATE DATABASE {name}")
    else:
        from pathlib import Path

        path = Path(url.replace("sqlite:///", ""))
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(path) + suffix)
            if p.exists():
                p.unlink()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["pg", "sqlite"], required=True)
    ap.add_argument("--stores", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    url = db_url(args.backend, args.stores)
    recreate_database(args.backend, url)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection, transaction

    from o2o.accounts.models import User
    from o2o.discovery.services import reindex_all
    from o2o.merchants.models import Merchant, Store
    from o2o.merchants.services import h3_cells

    call_command("migrate", verbosity=0)
    rnd = random.Random(args.seed)
    owner = User.objects.create_user(email="bench@example.com", password=None, display_name="bench")
    n_merchants = max(1, args.stores // 4)
    now = AT
    merchants = []
    for i in range(n_merchants):
        status = "suspended" if rnd.random() < 0.01 else "active"
        merchants.append((new_uuid(rnd), f"Merchant {i}", CATEGORIES[rnd.randrange(len(CATEGORIES))], status))
    pg = connection.vendor == "postgresql"
    hours_json = [json.dumps(h) for h in HOURS]
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        mt, st = Merchant._meta.db_table, Store._meta.db_table
        mcols = "id, created_at, updated_at, name, category, status, description, owner_id"
        scols = ("id, created_at, updated_at, merchant_id, name, address, phone, lat, lng, h3_r6, h3_r8, timezone, "
                 "opening_hours, closed_dates, is_active, rating_sum, review_count")
        if pg:
            with cur.cursor.copy(f"COPY {mt} ({mcols}) FROM STDIN") as cp:
                for mid, name, cat, status in merchants:
                    cp.write_row([mid, now, now, name, cat, status, "", owner.pk])
        else:
            cur.executemany(f"INSERT INTO {mt} ({mcols}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                            [(m[0].hex, now.isoformat(), now.isoformat(), m[1], m[2], m[3], "", owner.pk.hex)
                             for m in merchants])

        def rows():  # type: ignore[no-untyped-def]
            for i in range(args.stores):
                lat, lng = city_point(rnd)
                m = merchants[rnd.randrange(n_merchants)]
                cells = h3_cells(lat, lng)
                n_rev = rnd.choice((0, 0, 1, 3, 10, 40, 200))
                rating_sum = sum(rnd.randint(3, 5) for _ in range(n_rev))
                closed = json.dumps(["2026-12-25"] if rnd.random() < 0.02 else [])
                yield (new_uuid(rnd), m[0], f"{m[1]} store {i}", f"{i} Renmin Road", "", lat, lng, cells["h3_r6"],
                       cells["h3_r8"], "Asia/Shanghai", hours_json[rnd.randrange(len(HOURS))], closed,
                       rnd.random() > 0.005, rating_sum, n_rev)

        if pg:
            with cur.cursor.copy(f"COPY {st} ({scols}) FROM STDIN") as cp:
                for r in rows():
                    cp.write_row([r[0], now, now, *r[1:]])
        else:
            batch = []
            for r in rows():
                batch.append((r[0].hex, now.isoformat(), now.isoformat(), r[1].hex, *r[2:]))
                if len(batch) == 20000:
                    cur.executemany(f"INSERT INTO {st} ({scols}) VALUES ({', '.join(['%s'] * 17)})", batch)
                    batch = []
            if batch:
                cur.executemany(f"INSERT INTO {st} ({scols}) VALUES ({', '.join(['%s'] * 17)})", batch)
    t_load = time.perf_counter() - t0
    if pg:
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {Store._meta.db_table}")
            cur.execute(f"ANALYZE {Merchant._meta.db_table}")
    t1 = time.perf_counter()
    n = reindex_all()
    t_index = time.perf_counter() - t1
    emit({"bench": "discovery.load", "backend": args.backend, "stores": args.stores, "indexed": n,
          "load_s": round(t_load, 1), "index_build_s": round(t_index, 1), "index_build_target_s": 120,
          "index_build_ok": t_index < 120})


if __name__ == "__main__":
    main()
