"""make bench-ordering: a lunch rush at one store. 64 phones (threads in 4 processes, each its own
database connection) order 1-3 dishes with options for pickup and pay by sandbox card, while two clerks
ring up walk-in sales paid in cash; 70% of the phones want the popular dish, which has a few hundred
units and sells out partway. Measured in the same run, each on its own fresh store: (a) the naive
checkout (bench/ordering/naive.py: the stock rows locked for the whole transaction) and (b) o2o's
ordering_order_create. Checkout (the order created) is timed alone; paying (order_pay) is timed
separately. Prints one JSON line; checks after every cell that the popular dish is never oversold and,
at the end, that the books balance (books_problems() == []).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import random
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.pgcluster import ensure_cluster, fresh_database  # noqa: E402

SECONDS = float(os.environ.get("ORDERING_SECONDS", "12"))
BUYERS = int(os.environ.get("ORDERING_BUYERS", "64"))
POPULAR_UNITS = int(os.environ.get("ORDERING_POPULAR_UNITS", "150"))
LARGE_UNITS = 100_000
WANT_POPULAR = 0.7
CLERKS = 2
CLERK_SALES_PER_S = 2.0  # each
PROCS = 4
# Cells alternate naive, o2o, naive, o2o ... so that the load of a shared machine drifting during the run
# falls on both paths alike; the ratio is over all cells of each path.
ROUNDS = int(os.environ.get("ORDERING_ROUNDS", "2"))
PAY = os.environ.get("ORDERING_PAY", "1") != "0"  # 0: phones only check out (diagnosis: the checkout alone)
CARD = "4242424242424242"
HOURS_ALL_DAY = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}

SIZE = {"name": "Size", "required": True, "max_choices": 1,
        "choices": [{"name": "Regular", "price_delta": {"amount": "0.00", "currency": "CNY"}},
                    {"name": "Large", "price_delta": {"amount": "4.00", "currency": "CNY"}}]}
SPICE = {"name": "Spice", "required": False, "max_choices": 1,
         "choices": [{"name": "Mild", "price_delta": {"amount": "0", "currency": "CNY"}},
                     {"name": "Numbing hot", "price_delta": {"amount": "0", "currency": "CNY"}}]}
EXTRAS = {"name": "Extras", "required": False, "max_choices": 2,
          "choices": [{"name": "Egg", "price_delta": {"amount": "2.00", "currency": "CNY"}},
                      {"name": "Beef", "price_delta": {"amount": "8.00", "currency": "CNY"}},
                      {"name": "Greens", "price_delta": {"amount": "1.50", "currency": "CNY"}}]}
# title, price, prep minutes, stock ("popular" | "large" | None for unlimited), option groups
MENU = [
    ("Dan dan noodles", "16.00", 8, "popular", [SIZE, SPICE, EXTRAS]),
    ("Wonton soup", "14.00", 6, None, [SIZE, SPICE]),
    ("Mapo tofu rice", "22.00", 8, None, [SPICE]),
    ("Smashed cucumber", "9.00", 0, None, []),
    ("Pork buns (3)", "12.00", 0, "large", []),
    ("Soy milk", "5.00", 0, "large", []),
]


def _setup_django(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["FAST_PASSWORD_HASHER"] = "true"
    import django

    django.setup()


def _make_world() -> dict:
    from django.contrib.auth.hashers import make_password

    from o2o.accounts.models import User
    from o2o.catalogue.products import product_create
    from o2o.merchants.enums import MerchantStatus
    from o2o.merchants.models import Merchant
    from o2o.merchants.services import merchant_create

    owner = User.objects.create_user(email="owner@lunch.bench", password="x" * 12, display_name="Owner")
    m = merchant_create(owner=owner, name="Chengdu Noodle House", category="restaurant")
    Merchant.objects.filter(pk=m.pk).update(status=MerchantStatus.ACTIVE)
    pw = make_password(None)
    users = User.objects.bulk_create([
        User(email=f"phone{i}@lunch.bench", display_name=f"P{i}", password=pw) for i in range(BUYERS)])
    dishes = []
    for title, price, prep, stock, options in MENU:
        o = product_create(merchant=m, actor=owner, title=title, price={"amount": price, "currency": "CNY"},
                           options=options, prep_minutes=prep, stock=[], status="live")
        dishes.append({"id": str(o.pk), "title": title, "stock": stock, "options": options})
    return {"owner": owner.pk, "merchant": m.pk, "users": [u.pk for u in users], "dishes": dishes}


def _new_store(world: dict, label: str) -> tuple[str, list[str]]:
    """A fresh store for one cell: open all day, its stock rows, slots that are never full, and the
    pickup slots the phones spread over (the next 16 quarter hours from 40 minutes on)."""
    from datetime import timedelta

    from django.utils import timezone

    from o2o.catalogue.models import Offering, StoreStock
    from o2o.merchants.models import Merchant
    from o2o.merchants.services import store_create
    from o2o.ordering.checkout import pickup_slots
    from o2o.ordering.models import StoreOrdering

    m = Merchant.objects.get(pk=world["merchant"])
    s = store_create(merchant=m, name=f"Chengdu Noodle House {label}", address="9 Yulin Rd", lat=30.64, lng=104.05,
                     timezone="Asia/Shanghai", opening_hours=HOURS_ALL_DAY)
    StoreOrdering.objects.create(store=s, slot_minutes=15, slot_capacity=30000, lead_minutes=10)
    qty = {"popular": POPULAR_UNITS, "large": LARGE_UNITS, None: None}
    StoreStock.objects.bulk_create([StoreStock(offering_id=d["id"], store=s, quantity_left=qty[d["stock"]])
                                    for d in world["dishes"]])
    for d in world["dishes"]:
        Offering.objects.get(pk=d["id"]).redeemable_stores.add(s)
    now = timezone.now()
    slots = []
    for days in (0, 1):
        day = (timezone.localtime(now, timezone=__import__("zoneinfo").ZoneInfo(s.timezone)) + timedelta(days=days)).date()
        slots += [x.start for x in pickup_slots(store=s, day=day, now=now) if x.start >= now + timedelta(minutes=40)]
    return str(s.pk), [x.isoformat() for x in sorted(slots)[:16]]


def _options(rng: random.Random, groups: list) -> list:
    out = []
    for g in groups:
        if g["required"] or rng.random() < 0.5:
            picks = rng.sample(g["choices"], rng.randint(1, g["max_choices"]))
            out += [{"name": g["name"], "choice": c["name"]} for c in picks]
    return out


def _cart(rng: random.Random, dishes: list, *, want_popular: float) -> list:
    k = rng.randint(1, 3)
    chosen = [dishes[0]] if rng.random() < want_popular else []
    chosen += rng.sample(dishes[1:], k - len(chosen)) if k > len(chosen) else []
    return [{"offering_id": d["id"], "quantity": rng.choice((1, 1, 1, 2)), "options": _options(rng, d["options"])}
            for d in chosen]


def _pcts(lat: list) -> tuple:
    lat = sorted(lat)
    if not lat:
        return None, None
    return round(statistics.median(lat) * 1000, 2), round(lat[max(0, int(len(lat) * 0.99) - 1)] * 1000, 2)


def _phones_process(db_url: str, path: str, store: str, slots: list, dishes: list, user_ids: list, start_at: float,
                    stop_at: float, out: mp.Queue) -> None:
    _setup_django(db_url)
    from django.db import connection

    from bench.ordering.naive import naive_order_create
    from o2o.accounts.models import User
    from o2o.ordering.checkout import ordering_order_create
    from o2o.orders.errors import SoldOut
    from o2o.payments.services import order_pay

    def phone(uid, res):  # type: ignore[no-untyped-def]
        rng = random.Random(f"{path}-{uid}")
        user = User.objects.get(pk=uid)
        r = {"orders": 0, "paid": 0, "sold_out": 0, "errors": {}, "lat": [], "pay_lat": []}
        while time.time() < start_at:
            time.sleep(0.001)
        while time.time() < stop_at:
            lines = _cart(rng, dishes, want_popular=WANT_POPULAR)
            slot = rng.choice(slots)
            while lines and time.time() < stop_at:
                t0 = time.perf_counter()
                try:
                    if path == "naive":
                        order = naive_order_create(customer=user, store_id=store, lines=lines, slot_start=slot)
                    else:
                        order = ordering_order_create(customer=user, lines=lines, fulfilment={
                            "type": "pickup", "store_id": store, "slot_start": slot})
                except SoldOut as exc:  # the phone drops that dish and sends the rest
                    r["sold_out"] += 1
                    gone = (exc.fields or {}).get("offering_id")
                    lines = [ln for ln in lines if ln["offering_id"] != gone]
                    continue
                except Exception as exc:  # noqa: BLE001 - counted and shown, never hidden
                    r["errors"][type(exc).__name__] = r["errors"].get(type(exc).__name__, 0) + 1
                    break
                r["lat"].append(time.perf_counter() - t0)
                r["orders"] += 1
                if not PAY:
                    break
                t1 = time.perf_counter()
                try:
                    order_pay(customer=user, order_id=order.pk, provider="sandbox", details={"card_number": CARD})
                    r["paid"] += 1
                    r["pay_lat"].append(time.perf_counter() - t1)
                except Exception as exc:  # noqa: BLE001
                    r["errors"]["pay:" + type(exc).__name__] = r["errors"].get("pay:" + type(exc).__name__, 0) + 1
                break
        connection.close()
        res.append(r)

    results: list = []
    threads = [threading.Thread(target=phone, args=(u, results)) for u in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ru = resource.getrusage(resource.RUSAGE_SELF)
    out.put((results, ru.ru_utime + ru.ru_stime))


def _clerks_process(db_url: str, path: str, store: str, dishes: list, owner: int, start_at: float, stop_at: float,
                    out: mp.Queue) -> None:
    _setup_django(db_url)
    from django.db import connection

    from o2o.accounts.models import User
    from o2o.ordering.counter import counter_sale_create
    from o2o.orders.errors import SoldOut

    def clerk(i, res):  # type: ignore[no-untyped-def]
        rng = random.Random(f"{path}-clerk-{i}")
        user = User.objects.get(pk=owner)
        r = {"sales": 0, "sold_out": 0, "errors": {}}
        while time.time() < start_at:
            time.sleep(0.001)
        due = time.time()
        while time.time() < stop_at:
            lines = _cart(rng, dishes, want_popular=0.5)
            while lines:
                try:
                    counter_sale_create(user=user, store_id=store, lines=lines, payment={"method": "cash"})
                    r["sales"] += 1
                except SoldOut as exc:
                    r["sold_out"] += 1
                    gone = (exc.fields or {}).get("offering_id")
                    lines = [ln for ln in lines if ln["offering_id"] != gone]
                    continue
                except Exception as exc:  # noqa: BLE001
                    r["errors"][type(exc).__name__] = r["errors"].get(type(exc).__name__, 0) + 1
                break
            due += rng.expovariate(CLERK_SALES_PER_S)
            time.sleep(max(0.0, due - time.time()))
        connection.close()
        res.append(r)

    results: list = []
    threads = [threading.Thread(target=clerk, args=(i, results)) for i in range(CLERKS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ru = resource.getrusage(resource.RUSAGE_SELF)
    out.put((results, ru.ru_utime + ru.ru_stime))


def _cell(db_url: str, world: dict, path: str, label: str) -> dict:
    from django.db import connections

    store, slots = _new_store(world, label)
    connections.close_all()
    users = world["users"][:BUYERS]
    chunks = [users[i::PROCS] for i in range(PROCS)]
    start_at = time.time() + 2.0
    stop_at = start_at + SECONDS
    ctx = mp.get_context("fork")
    q: mp.Queue = ctx.Queue()
    cq: mp.Queue = ctx.Queue()
    procs = [ctx.Process(target=_phones_process, args=(db_url, path, store, slots, world["dishes"], c, start_at,
                                                       stop_at, q)) for c in chunks]
    procs.append(ctx.Process(target=_clerks_process, args=(db_url, path, store, world["dishes"], world["owner"],
                                                           start_at, stop_at, cq)))
    for p in procs:
        p.start()
    got = [q.get(timeout=SECONDS + 300) for _ in chunks]
    phones = [r for rs, _cpu in got for r in rs]
    clerks, clerk_cpu = cq.get(timeout=SECONDS + 300)
    cpu = sum(c for _rs, c in got) + clerk_cpu  # the Python side of every phone and clerk, all of the cell
    for p in procs:
        p.join()
    lat = [x for r in phones for x in r["lat"]]
    pay_lat = [x for r in phones for x in r["pay_lat"]]
    errors: dict = {}
    for r in phones + clerks:
        for k, v in r["errors"].items():
            errors[k] = errors.get(k, 0) + v
    orders = sum(r["orders"] for r in phones)
    p50, p99 = _pcts(lat)
    pay50, pay99 = _pcts(pay_lat)
    return {"path": path, "buyers": BUYERS, "orders": orders, "orders_per_s": round(orders / SECONDS, 1),
            "p50_ms": p50, "p99_ms": p99, "paid": sum(r["paid"] for r in phones), "pay_p50_ms": pay50,
            "pay_p99_ms": pay99, "sold_out_answers": sum(r["sold_out"] for r in phones),
            "counter_sales": sum(r["sales"] for r in clerks), "counter_sold_out": sum(r["sold_out"] for r in clerks),
            "client_cpu_ms_per_order": round(cpu * 1000 / max(1, orders + sum(r["sales"] for r in clerks)), 1),
            "errors": errors, **_popular_books(store, world)}


def _popular_books(store: str, world: dict) -> dict:
    """Units of the popular dish in live orders (online and counter) against its initial stock."""
    from django.db.models import Sum

    from o2o.catalogue.models import StoreStock
    from o2o.orders.enums import OrderStatus
    from o2o.orders.models import OrderLine

    pid = world["dishes"][0]["id"]
    sold = OrderLine.objects.filter(offering_id=pid, order__store_id=store).exclude(
        order__status__in=[OrderStatus.CANCELLED, OrderStatus.EXPIRED]).aggregate(n=Sum("quantity"))["n"] or 0
    left = StoreStock.objects.get(offering_id=pid, store_id=store).quantity_left
    return {"popular_initial": POPULAR_UNITS, "popular_sold": sold, "popular_left": left,
            "oversold": max(0, sold - POPULAR_UNITS),
            "stock_ok": sold == POPULAR_UNITS - left and sold <= POPULAR_UNITS and left >= 0}


def _settle(db_url: str) -> None:
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        conn.execute("CHECKPOINT")


def main() -> None:
    # ORDERING_PG=postgres://postgres@127.0.0.1:5432 uses that server instead of the bench cluster (port 5433).
    base = os.environ.get("ORDERING_PG") or ensure_cluster()
    db_url = fresh_database(base, os.environ.get("ORDERING_DB", "o2o_ordering"))
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, check=True,
                   env={**os.environ, "DATABASE_URL": db_url}, capture_output=True)
    _setup_django(db_url)
    world = _make_world()
    cells = []
    paths = os.environ.get("ORDERING_PATHS", "naive,o2o").split(",")
    for _round in range(ROUNDS):
        for path in paths:
            _settle(db_url)
            cell = _cell(db_url, world, path, f"{path} {_round + 1}")
            print(json.dumps(cell), file=sys.stderr, flush=True)
            cells.append(cell)
    from o2o.payments.books import books_problems

    problems = books_problems()
    per_s = {p: round(sum(c["orders"] for c in cells if c["path"] == p) / (ROUNDS * SECONDS), 1) for p in paths}
    by = {p: {"orders_per_s": per_s[p], "p99_ms": max(c["p99_ms"] or 0 for c in cells if c["path"] == p)} for p in paths}
    summary = {
        "bench": "ordering", "seconds_per_cell": SECONDS, "rounds": ROUNDS, "phones_pay": PAY, "buyers": BUYERS, "clerks": CLERKS,
        "popular_units": POPULAR_UNITS, "want_popular": WANT_POPULAR, "cells": cells,
        "o2o_vs_naive": round(by["o2o"]["orders_per_s"] / max(by["naive"]["orders_per_s"], 0.1), 2) if len(by) == 2 else None,
        "orders_per_s": per_s, "o2o_p99_ms_worst_cell": by.get("o2o", {}).get("p99_ms"), "oversold": sum(c["oversold"] for c in cells),
        "stock_ok": all(c["stock_ok"] for c in cells), "books_problems": problems[:10], "books_ok": problems == [],
        "targets": {"o2o_vs_naive": ">= 3", "o2o_p99_ms_worst_cell": "< 300", "oversold": 0, "books_ok": True},
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
