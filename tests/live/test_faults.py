"""Kill the server (SIGKILL) in the middle of concurrent checkouts, payments, refunds and redemptions,
restart it, and check the books: sold + reserved + left == total for every deal, every paid order
has its vouchers, no voucher without a paid order, no payment lost."""

import http.client
import json
import random
import threading
import time

import pytest

from tests.helpers import GOOD_CARD
from tests.live.server import seed_scenario

pytestmark = pytest.mark.live


def _shopper(server, token, deal, codes, stop, stats):  # type: ignore[no-untyped-def]
    rnd = random.Random(token)
    while not stop.is_set():
        try:
            status, order = server.request("POST", "/orders", {"lines": [{"offering_id": deal, "quantity":
                                                                         rnd.choice([1, 1, 2])}]}, token, timeout=5)
            if status != 201:
                stats["refused"] += 1
                continue
            status, paid = server.request("POST", f"/orders/{order['id']}/pay",
                                          {"provider": "sandbox", "card_number": GOOD_CARD}, token,
                                          headers={"Idempotency-Key": f"pay-{order['id']}"}, timeout=5)
            if status == 200:
                stats["paid"] += 1
                for v in paid["vouchers"]:
                    codes.append(v["code"])
                if rnd.random() < 0.2:
                    server.request("POST", f"/orders/{order['id']}/refund", {}, token, timeout=5)
                    stats["refunds"] += 1
        except (OSError, http.client.HTTPException):  # the server is gone: that is the point
            stats["errors"] += 1
            time.sleep(0.05)


def _clerk(server, token, store, codes, stop, stats):  # type: ignore[no-untyped-def]
    while not stop.is_set():
        if not codes:
            time.sleep(0.01)
            continue
        code = codes.pop(0)
        try:
            status, _ = server.request("POST", "/redemptions", {"store_id": store, "code": code}, token, timeout=5)
            stats["redeemed" if status == 201 else "redeem_refused"] += 1
        except (OSError, http.client.HTTPException):
            stats["errors"] += 1
            time.sleep(0.05)


def test_sigkill_mid_traffic_leaves_the_books_balanced(live_server_proc):
    server = live_server_proc
    ids = seed_scenario(server, quantity=120, customers=10)
    server.start()
    stop = threading.Event()
    codes: list[str] = []
    stats = {k: 0 for k in ("paid", "refused", "refunds", "redeemed", "redeem_refused", "errors")}
    threads = [threading.Thread(target=_shopper, args=(server, t, ids["deal"], codes, stop, stats))
               for t in ids["customers"]]
    threads += [threading.Thread(target=_clerk, args=(server, ids["clerk"], ids["store"], codes, stop, stats))
                for _ in range(2)]
    for t in threads:
        t.start()
    # let real work happen, then pull the plug while requests are in flight
    deadline = time.monotonic() + 20
    while stats["paid"] < 15 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill()
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert stats["paid"] >= 5, stats  # traffic really flowed before the kill

    server.start()
    # what a restarted deployment runs: finish payments the crash left pending, expire stale holds
    out = server.manage("reconcile_payments", "--older-than", "0")
    assert "payments" in out
    books = json.loads(server.manage_status("check_books", "--json")[1])
    assert books["problems"] == [], books["problems"]
    # and the server still sells after the restart
    status, order = server.request("POST", "/orders", {"lines": [{"offering_id": ids["deal"], "quantity": 1}]},
                                   ids["customers"][0])
    assert status in (201, 409), order
