"""Time a full rebuild of the discovery index on an already loaded bench database.

    python bench/discovery/reindex.py --backend pg|sqlite [--stores 1000000]
"""

import argparse
import time

from common import db_url, emit, setup_django

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["pg", "sqlite"], required=True)
    ap.add_argument("--stores", type=int, default=1_000_000)
    args = ap.parse_args()
    setup_django(db_url(args.backend, args.stores))
    from o2o.discovery.services import reindex_all

    t0 = time.perf_counter()
    n = reindex_all()
    dt = time.perf_counter() - t0
    emit({"bench": "discovery.reindex", "backend": args.backend, "stores": args.stores, "indexed": n,
          "index_build_s": round(dt, 1), "index_build_target_s": 120, "index_build_ok": dt < 120})
