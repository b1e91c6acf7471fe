"""make bench-flashsale: durable successful purchases per second on a hot deal, at 1, 32 and 128
concurrent buyers, for (a) the naive single-row conditional UPDATE and (b) o2o's checkout
(order_create with bucketed stock), in the same run; then through HTTP (gunicorn, wrk on loopback):
o2o's POST /api/v1/orders, the naive checkout behind the same server and auth (the HTTP baseline) and the
server's ceiling (the same request authenticated, a constant answer; bench/server_urls.py).
Prints one JSON line of figures and ratios; checks the books after every cell (no unit sold twice,
sold + left == total).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.pgcluster import ensure_cluster, fresh_database  # noqa: E402

SECONDS = float(os.environ.get("FLASH_SECONDS", "6"))
UNITS = 200_000
LEVELS = [int(x) for x in os.environ.get("FLASH_LEVELS", "1,32,128").split(",")]


def _setup_django(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["FAST_PASSWORD_HASHER"] = "true"
    import django

    django.setup()


def _make_world(buyers: int) -> dict:
    from django.contrib.auth.hashers import make_password

    from o2o.accounts.models import User
    from o2o.merchants.services import merchant_create, store_create

    owner = User.objects.create_user(email="owner@flash.bench", password="x" * 12, display_name="Owner")
    m = merchant_create(owner=owner, name="Flash Hotpot", category="restaurant")
    s = store_create(merchant=m, name="Flash Hotpot Centre", address="1 Chunxi Rd", lat=30.657, lng=104.0658,
                     timezone="Asia/Shanghai", opening_hours={})
    pw = make_password(None)
    users = User.objects.bulk_create([
        User(email=f"buyer{i}@flash.bench", display_name=f"B{i}", password=pw) for i in range(buyers)])
    return {"owner": owner.pk, "merchant": m.pk, "store": s.pk, "users": [u.pk for u in users]}


def _new_deal(world: dict, *, buckets: bool) -> str:
    from o2o.accounts.models import User
    from o2o.catalogue.models import StockBucket
    from o2o.catalogue.services import offering_create
    from o2o.merchants.models import Merchant

    owner = User.objects.get(pk=world["owner"])
    deal = offering_create(merchant=Merchant.objects.get(pk=world["merchant"]), actor=owner, kind="deal",
                           title="Flash: hotpot for two", price={"amount": "9.90", "currency": "CNY"},
                           list_price={"amount": "158.00", "currency": "CNY"}, quantity_total=UNITS,
                           per_customer_limit=0, valid_days=30, redeemable_store_ids=[world["store"]], status="live")
    if not buckets:  # the naive path keeps all units in one row
        StockBucket.objects.filter(offering=deal).delete()
        StockBucket.objects.create(offering=deal, slot=0, left=UNITS)
    return str(deal.pk)


def _buyer_process(db_url: str, path: str, deal: str, user_ids: list, start_at: float, stop_at: float,
                   out: mp.Queue) -> None:
    _setup_django(db_url)
    from django.db import connection

    from bench.flashsale.naive import naive_order_create
    from o2o.accounts.models import User
    from o2o.orders.errors import SoldOut
    from o2o.orders.services import order_create

    def buyer(uid, res):  # type: ignore[no-untyped-def]
        user = User.objects.get(pk=uid)
        ok, sold_out, lat = 0, 0, []
        while time.time() < start_at:
            time.sleep(0.001)
        while time.time() < stop_at:
            t0 = time.perf_counter()
            try:
                if path == "naive":
                    naive_order_create(customer=user, offering_id=deal)
                else:
                    order_create(customer=user, lines=[{"offering_id": deal, "quantity": 1}])
                ok += 1
                lat.append(time.perf_counter() - t0)
            except SoldOut:
                sold_out += 1
        connection.close()
        res.append((ok, sold_out, lat))

    results: list = []
    threads = [threading.Thread(target=buyer, args=(u, results)) for u in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put(results)


def _cell(db_url: str, world: dict, path: str, buyers: int) -> dict:
    from django.db import connections

    deal = _new_deal(world, buckets=(path == "o2o"))
    connections.close_all()
    procs_n = min(buyers, 4)
    users = world["users"][:buyers]
    chunks = [users[i::procs_n] for i in range(procs_n)]
    start_at = time.time() + 2.0
    stop_at = start_at + SECONDS
    ctx = mp.get_context("fork")
    q: mp.Queue = ctx.Queue()
    procs = [ctx.Process(target=_buyer_process, args=(db_url, path, deal, c, start_at, stop_at, q)) for c in chunks]
    for p in procs:
        p.start()
    results = [r for _ in procs for r in q.get(timeout=SECONDS + 120)]
    for p in procs:
        p.join()
    ok = sum(r[0] for r in results)
    lat = sorted(x for r in results for x in r[2])
    books = _check_books(deal, ok)
    return {"path": path, "buyers": buyers, "purchases": ok, "per_s": round(ok / SECONDS, 1),
            "p50_ms": round(statistics.median(lat) * 1000, 2) if lat else None,
            "p99_ms": round(lat[int(len(lat) * 0.99) - 1] * 1000, 2) if lat else None, "books_ok": books}


def _settle(db_url: str) -> None:
    """Level the ground between cells: no cell pays for the previous one's dead rows or checkpoint."""
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        conn.execute("CHECKPOINT")


def _check_books(deal: str, purchases: int, in_flight: int = 0) -> bool:
    """Units sold are the purchases answered, sold + left is the stock, nothing below zero. `in_flight`:
    wrk closes its connections when the cell ends, so up to one request per connection may have been
    written by the server without its answer being counted."""
    from django.db.models import Sum

    from o2o.catalogue.models import Offering, StockBucket
    from o2o.orders.models import OrderLine

    sold = OrderLine.objects.filter(offering_id=deal).aggregate(n=Sum("quantity"))["n"] or 0
    left = StockBucket.objects.filter(offering_id=deal).aggregate(n=Sum("left"))["n"] or 0
    total = Offering.objects.get(pk=deal).quantity_total
    return purchases <= sold <= purchases + in_flight and sold + left == total and left >= 0


HTTP_PATHS = ("o2o-http", "naive-http", "ceiling-http")
HTTP_URL = {"o2o-http": "/api/v1/orders", "naive-http": "/bench/naive", "ceiling-http": "/bench/ceiling"}


def _wrk_script(path: str, tokens: list[str], body: str) -> Path:
    script = ROOT / "var" / "bench" / f"flash-{path}.lua"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(
        "tokens = {" + ",".join(json.dumps(t) for t in tokens) + "}\n"
        f"body = {json.dumps(body)}\n"
        "counter = math.random(#tokens)\n"
        "request = function()\n  counter = counter + 1\n"
        "  return wrk.format('POST', " + json.dumps(HTTP_URL[path]) + ", {['Authorization'] = 'Bearer ' .. "
        "tokens[(counter % #tokens) + 1], ['Content-Type'] = 'application/json'}, body)\nend\n")
    return script


def _wrk_cell(wrk: str, port: int, path: str, script: Path, clients: int) -> dict:
    """One cell through wrk: requests answered 2xx per second, p50 and p99 latency."""
    from bench.wrk import run_wrk

    got = run_wrk(wrk, url=f"http://127.0.0.1:{port}", script=script, clients=clients, seconds=SECONDS, timeout_s=10)
    ok = got["requests"] - got["non_2xx"]
    return {"path": path, "buyers": clients, "purchases": ok, "per_s": round(ok / SECONDS, 1),
            "p50_ms": got["p50_ms"], "p99_ms": got["p99_ms"], "non_2xx": got["non_2xx"]}


def _http_cells(db_url: str, world: dict) -> list[dict]:
    """Through the real server (gunicorn 2 workers x 16 threads, keep-alive) with wrk on loopback: o2o's
    POST /api/v1/orders, the naive checkout behind the same server, auth and JSON (the HTTP baseline), and
    the server's ceiling: the same request authenticated and parsed, answered with a constant."""
    import http.client
    import socket

    from bench.wrk import ensure_wrk
    from o2o.accounts.models import User
    from o2o.accounts.services import token_issue

    wrk = ensure_wrk()
    tokens = [token_issue(user=User.objects.get(pk=u)) for u in world["users"][:max(LEVELS)]]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": db_url, "LOG_LEVEL": "ERROR", "O2O_AUTH_RATE": "100000/m",
           "DJANGO_SETTINGS_MODULE": "bench.server_settings", "CONN_MAX_AGE": "600"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{port}",
                               "-w", "2", "-k", "gthread", "--threads", "16", "--keep-alive", "30",
                               "--access-logfile", "/dev/null"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/api/v1/keys/vouchers")
                c.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        cells = []
        for level in LEVELS:
            for path in HTTP_PATHS:
                deal = _new_deal(world, buckets=(path != "naive-http"))
                body = json.dumps({"lines": [{"offering_id": deal, "quantity": 1}]})
                _settle(db_url)
                cell = _wrk_cell(wrk, port, path, _wrk_script(path, tokens[:level], body), level)
                if path != "ceiling-http":
                    cell["books_ok"] = _check_books(deal, cell["purchases"], in_flight=level)
                print(json.dumps(cell), file=sys.stderr, flush=True)
                cells.append(cell)
        return cells
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)


def main() -> None:
    base = ensure_cluster()
    db_url = fresh_database(base, "o2o_flash")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, check=True,
                   env={**os.environ, "DATABASE_URL": db_url}, capture_output=True)
    _setup_django(db_url)
    world = _make_world(max(LEVELS))
    cells = []
    for level in LEVELS:  # both paths side by side at each level, from the same settled state
        for path in ("naive", "o2o"):
            _settle(db_url)
            cell = _cell(db_url, world, path, level)
            print(json.dumps(cell), file=sys.stderr, flush=True)
            cells.append(cell)
    http_cells = [] if os.environ.get("FLASH_NO_HTTP") else _http_cells(db_url, world)
    by = {(c["path"], c["buyers"]): c["per_s"] for c in cells}
    top = max(LEVELS)
    summary = {
        "bench": "flashsale", "seconds_per_cell": SECONDS, "units": UNITS, "cells": cells + http_cells,
        f"o2o_vs_naive_at_{top}": round(by[("o2o", top)] / max(by[("naive", top)], 0.1), 2),
        f"o2o_{top}_vs_o2o_1": round(by[("o2o", top)] / max(by[("o2o", 1)], 0.1), 2) if 1 in LEVELS else None,
        "books_ok": all(c.get("books_ok", True) for c in cells + http_cells),
        "targets": {"o2o_vs_naive_at_128": ">= 3", "o2o_128_vs_o2o_1": ">= 0.8"},
    }
    if http_cells:
        hb = {(c["path"], c["buyers"]): c for c in http_cells}
        o2o_http = hb[("o2o-http", top)]
        summary |= {
            f"http_vs_in_process_at_{top}": round(o2o_http["per_s"] / max(by[("o2o", top)], 0.1), 2),
            f"http_vs_naive_http_at_{top}": round(o2o_http["per_s"] / max(hb[("naive-http", top)]["per_s"], 0.1), 2),
            f"http_vs_ceiling_at_{top}": round(o2o_http["per_s"] / max(hb[("ceiling-http", top)]["per_s"], 0.1), 2),
            f"http_p99_ms_at_{top}": o2o_http["p99_ms"],
        }
        summary["targets"] |= {"http_vs_in_process_at_128": ">= 0.5", "http_vs_naive_http_at_128": ">= 5",
                               "http_p99_ms_at_128": "< 300"}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
