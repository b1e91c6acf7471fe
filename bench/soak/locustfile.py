"""Mixed traffic for the soak run (bench/soak/run.py starts it headless; loopback only).

- Browser (anonymous): nearby stores around the demo centre, a store, its reviews, an offering,
  offerings nearby, a search.
- Customer: registers once, then orders a soak deal, pays (now and then first with a declined card),
  sometimes refunds, sometimes walks away unpaid; reviews the orders a clerk has redeemed.
- Clerk (one per soak merchant): redeems the codes customers of that merchant got.

Codes travel from customers to clerks through in-process queues (locust runs one process here).
409 sold_out / limit_exceeded / already_redeemed / already_reviewed are outcomes, not failures.
Every response's status class is also counted per endpoint and written to SOAK_STATUS_FILE at the end,
so the runner can tell 5xx apart from other failures.
"""

from __future__ import annotations

import collections
import json
import os
import random
import uuid
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

SETUP = json.loads(Path(os.environ.get("SOAK_SETUP", "var/soak/setup.json")).read_text())
LAT, LNG = SETUP["centre"]
DEALS = SETUP["deals"]
CLERKS = SETUP["clerks"]
GOOD_CARD, BAD_CARD = "4242424242424242", "4000000000000002"
WORDS = ["hotpot", "火锅", "coffee", "noodles", "tea", "面", "bbq", "dumplings", "salon", "print"]

to_redeem: dict[int, collections.deque[dict[str, Any]]] = {c["merchant"]: collections.deque() for c in CLERKS}
redeemed_orders: dict[str, list[str]] = collections.defaultdict(list)  # customer token -> order ids
known_stores: list[str] = []
known_offerings: list[str] = []
status_counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
_clerk_seq = iter(range(10**9))


@events.request.add_listener
def _count(request_type: str, name: str, response: Any = None, exception: Any = None, **_: Any) -> None:
    code = getattr(response, "status_code", 0) if response is not None else 0
    status_counts[name][f"{code // 100}xx" if code else "no_response"] += 1


@events.quitting.add_listener
def _write_counts(environment: Any, **_: Any) -> None:
    path = os.environ.get("SOAK_STATUS_FILE")
    if path:
        Path(path).write_text(json.dumps({k: dict(v) for k, v in status_counts.items()}, sort_keys=True))


def _error_code(resp: Any) -> str:
    try:
        return str(resp.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return ""


def _remember(results: list[dict[str, Any]]) -> None:
    for r in results[:5]:
        store = r.get("store") or r
        if store.get("id") and len(known_stores) < 2000:
            known_stores.append(store["id"])
        offering = r.get("offering") if "offering" in r else (r if "kind" in r else None)
        if offering and offering.get("id") and len(known_offerings) < 2000:
            known_offerings.append(offering["id"])


class Api(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)

    def call(self, method: str, path: str, name: str, *, token: str | None = None, body: Any = None,
             expect: tuple[int, ...] = (200,), ok_codes: tuple[str, ...] = (),
             headers: dict[str, str] | None = None, params: dict[str, Any] | None = None) -> Any:
        """One request; answers the parsed body when it succeeded, else None. A 409 (or 402) whose error
        code is in ok_codes counts as a success: it is the right answer, not a fault."""
        hdrs = {"Authorization": f"Bearer {token}"} if token else {}
        hdrs.update(headers or {})
        with self.client.request(method, "/api/v1" + path, name=name, json=body, params=params, headers=hdrs,
                                 catch_response=True, timeout=60) as resp:
            if resp.status_code in expect:
                resp.success()
                try:
                    return resp.json()
                except ValueError:
                    return {}
            code = _error_code(resp)
            if code and code in ok_codes:
                resp.success()
                return None
            detail = code or (resp.text or "")[:80] or repr(getattr(resp, "error", None))[:120]
            resp.failure(f"HTTP {resp.status_code} {detail}")
            return None

    # --- anonymous reads, shared by every kind of user ---
    def nearby(self) -> None:
        params = {"lat": LAT + random.uniform(-0.02, 0.02), "lng": LNG + random.uniform(-0.02, 0.02),
                  "radius_m": random.choice([1000, 3000, 3000, 8000])}
        r = random.random()
        if r < 0.3:
            params["q"] = random.choice(WORDS)
        elif r < 0.45:
            params["open_now"] = "true"
        elif r < 0.55:
            params["sort"] = "rating"
        page = self.call("GET", "/stores/nearby", "GET /stores/nearby", params=params)
        if page:
            _remember(page["results"])

    def store(self) -> None:
        if not known_stores:
            return self.nearby()
        sid = random.choice(known_stores)
        detail = self.call("GET", f"/stores/{sid}", "GET /stores/{id}")
        if detail:
            for o in detail.get("offerings", [])[:3]:
                if len(known_offerings) < 2000:
                    known_offerings.append(o["id"])
        return None

    def reviews(self) -> None:
        if known_stores:
            self.call("GET", f"/stores/{random.choice(known_stores)}/reviews", "GET /stores/{id}/reviews")

    def offering(self) -> None:
        oid = random.choice(known_offerings) if known_offerings else random.choice(DEALS)["id"]
        self.call("GET", f"/offerings/{oid}", "GET /offerings/{id}")

    def offerings_nearby(self) -> None:
        page = self.call("GET", "/offerings/nearby", "GET /offerings/nearby",
                         params={"lat": LAT, "lng": LNG, "radius_m": 5000, "kind": "deal"})
        if page:
            _remember(page["results"])

    def search(self) -> None:
        page = self.call("GET", "/search", "GET /search",
                         params={"lat": LAT, "lng": LNG, "radius_m": 10000, "q": random.choice(WORDS)})
        if page:
            _remember(page["results"])


class Browser(Api):
    weight = 5

    @task(6)
    def t_nearby(self) -> None:
        self.nearby()

    @task(4)
    def t_store(self) -> None:
        self.store()

    @task(2)
    def t_reviews(self) -> None:
        self.reviews()

    @task(3)
    def t_offering(self) -> None:
        self.offering()

    @task(2)
    def t_offerings_nearby(self) -> None:
        self.offerings_nearby()

    @task(2)
    def t_search(self) -> None:
        self.search()


class Customer(Api):
    weight = 4

    def on_start(self) -> None:
        self.token = ""
        self.orders: list[str] = []
        email = f"soak-{uuid.uuid4().hex[:12]}@soak.test"
        out = self.call("POST", "/auth/register", "POST /auth/register", expect=(201,),
                        body={"email": email, "password": "soak-pass-12345", "display_name": "Soak customer"})
        if out:
            self.token = out["token"]

    @task(5)
    def buy(self) -> None:
        if not self.token:
            return
        deal = random.choices(DEALS, weights=[d["share"] for d in DEALS])[0]
        key = uuid.uuid4().hex
        order = self.call("POST", "/orders", "POST /orders", token=self.token, expect=(201,),
                          ok_codes=("sold_out", "limit_exceeded"), headers={"Idempotency-Key": key},
                          body={"lines": [{"offering_id": deal["id"], "quantity": random.choice([1, 1, 1, 2])}]})
        if not order:
            return
        oid = order["id"]
        self.orders.append(oid)
        if random.random() < 0.05:
            return  # walks away: the hold expires later
        pay = f"/orders/{oid}/pay"
        if random.random() < 0.05:
            self.call("POST", pay, "POST /orders/{id}/pay", token=self.token, expect=(402,),
                      body={"provider": "sandbox", "card_number": BAD_CARD},
                      headers={"Idempotency-Key": f"bad-{oid}"})
        paid = self.call("POST", pay, "POST /orders/{id}/pay", token=self.token,
                         body={"provider": "sandbox", "card_number": GOOD_CARD},
                         headers={"Idempotency-Key": f"pay-{oid}"})
        if not paid:
            return
        if random.random() < 0.1:
            self.call("POST", f"/orders/{oid}/refund", "POST /orders/{id}/refund", token=self.token, body={},
                      headers={"Idempotency-Key": f"refund-{oid}"})
            return
        to_redeem[deal["merchant"]].append({"order": oid, "customer": self.token, "store": deal["store"],
                                            "codes": [v["code"] for v in paid["vouchers"]]})

    @task(2)
    def review(self) -> None:
        pending = redeemed_orders.get(self.token)
        if not pending:
            return
        oid = pending.pop(0)
        self.call("POST", "/reviews", "POST /reviews", token=self.token, expect=(201,),
                  ok_codes=("already_reviewed",),
                  body={"order_id": oid, "rating": random.randint(3, 5), "text": "Soak test: good food, quick counter."})

    @task(2)
    def my_orders(self) -> None:
        if not self.token:
            return
        if self.orders and random.random() < 0.6:
            self.call("GET", f"/orders/{random.choice(self.orders[-20:])}", "GET /orders/{id}", token=self.token)
        else:
            self.call("GET", "/orders", "GET /orders", token=self.token)

    @task(3)
    def browse(self) -> None:
        random.choice([self.nearby, self.store, self.offering])()


class Clerk(Api):
    fixed_count = len(CLERKS)
    wait_time = between(0.2, 0.6)

    def on_start(self) -> None:
        me = CLERKS[next(_clerk_seq) % len(CLERKS)]
        self.token, self.store, self.merchant = me["token"], me["store"], me["merchant"]

    @task
    def redeem(self) -> None:
        queue = to_redeem[self.merchant]
        if not queue:
            return
        job = queue.popleft()
        done = 0
        for code in job["codes"]:
            out = self.call("POST", "/redemptions", "POST /redemptions", token=self.token, expect=(201,),
                            ok_codes=("already_redeemed",), body={"store_id": job["store"], "code": code})
            done += out is not None
        if done:
            redeemed_orders[job["customer"]].append(job["order"])
