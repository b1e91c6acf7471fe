"""Open-now in SQL: the closed-hours pre-filter against deciding every row in Python (the baseline,
measured in the same run), at the bench's evening hour and at 03:00, when most stores are closed.

    python bench/discovery/open_now.py --backend pg|sqlite [--stores 1000000] [--queries 3000]

Query: 3 km, top 20, category=restaurant, open now. Both variants return the same stores (checked).
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from typing import Any

from common import db_url, emit, figures, setup_django

HOURS = {"wed_19_30": datetime(2026, 11, 25, 11, 30, tzinfo=UTC), "thu_03_00": datetime(2026, 11, 25, 19, 0, tzinfo=UTC)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["pg", "sqlite"], required=True)
    ap.add_argument("--stores", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=3000)
    args = ap.parse_args()
    setup_django(db_url(args.backend, args.stores))
    from query import points

    from o2o.discovery import selectors
    from o2o.discovery.filters import Filters
    from o2o.discovery.selectors import Explain, store_candidates

    with_sql = selectors._open_now_sql
    python_only = lambda clock: ("1 = 1", [])  # noqa: E731 - the baseline: no pre-filter in SQL
    f = Filters(category="restaurant", open_now=True)
    pts = points(args.queries + 200, seed=23)
    result: dict[str, Any] = {"bench": "discovery.open_now", "backend": args.backend, "stores": args.stores,
                              "query": "3 km, top 20, restaurant, open now"}
    for label, at in HOURS.items():
        out: dict[str, Any] = {}
        keys: dict[str, list[list[str]]] = {}
        for variant, fn in (("python_only", python_only), ("sql_prefilter", with_sql)) * 2:
            selectors._open_now_sql = fn  # type: ignore[assignment]
            for lat, lng in pts[:200]:
                store_candidates(lat=lat, lng=lng, radius_m=3000, limit=20, filters=f, at=at)
            lat_s, rows, answers = [], 0, []
            for lat, lng in pts[200:]:
                e = Explain()
                t0 = time.perf_counter()
                got = store_candidates(lat=lat, lng=lng, radius_m=3000, limit=20, filters=f, at=at, explain=e)
                lat_s.append(time.perf_counter() - t0)
                rows += e.plan.rows
                answers.append([c.key for _d, c in got])
            keys[variant] = answers
            out[variant] = {**figures(lat_s), "rows_read_mean": round(rows / len(lat_s), 1)}  # the second pass
        selectors._open_now_sql = with_sql
        out["same_stores"] = keys["python_only"] == keys["sql_prefilter"]
        out["ratio_p99_sql_over_python"] = round(out["sql_prefilter"]["p99_ms"] / out["python_only"]["p99_ms"], 2)
        result[label] = out
    emit(result)


if __name__ == "__main__":
    main()
