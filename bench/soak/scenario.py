"""Soak actors on top of the seeded city: a few merchants near the demo centre with deals of every
shape (plenty, limited per customer, nearly sold out) and one clerk per store, so that customers' vouchers
have someone to redeem them. Writes the ids and tokens the locust users need as JSON.

Run inside Django: `manage.py shell -c "from bench.soak.scenario import main; main('var/soak/setup.json')"`.
"""

from __future__ import annotations

import json
from pathlib import Path

from o2o.accounts.services import token_issue, user_register
from o2o.catalogue.services import offering_create
from o2o.core import conf
from o2o.merchants.services import merchant_create, staff_add, store_create

HOURS = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
PASSWORD = "soak-pass-12345"  # noqa: S105 (a throwaway load-test database)
MERCHANTS = 4
# (title, price, quantity, per-customer limit, share of purchases)
DEALS = (("Set meal for two", "88.00", 1_000_000, 0, 0.6),
         ("Weekday lunch", "29.90", 20_000, 3, 0.25),
         ("Flash: 1 yuan tea", "1.00", 400, 1, 0.15))


def main(out: str) -> None:
    lat, lng = conf.get().demo_centre
    deals, clerks = [], []
    for i in range(MERCHANTS):
        owner = user_register(email=f"soak-owner{i}@soak.test", password=PASSWORD, display_name=f"Soak owner {i}")
        m = merchant_create(owner=owner, name=f"Soak Kitchen {i}", category="restaurant")
        s = store_create(merchant=m, name=f"Soak Kitchen {i} Centre", address=f"{i + 1} Soak Rd",
                         lat=lat + 0.002 * (i + 1), lng=lng - 0.002 * i, timezone="Asia/Shanghai", opening_hours=HOURS)
        for title, price, qty, limit, share in DEALS:
            d = offering_create(merchant=m, actor=owner, kind="deal", title=f"{title} ({i})",
                                price={"amount": price, "currency": "CNY"},
                                list_price={"amount": "199.00", "currency": "CNY"}, quantity_total=qty,
                                per_customer_limit=limit, valid_days=30, redeemable_store_ids=[s.pk], status="live")
            deals.append({"id": str(d.pk), "merchant": i, "store": str(s.pk), "share": share, "title": d.title})
        clerk = user_register(email=f"soak-clerk{i}@soak.test", password=PASSWORD, display_name=f"Soak clerk {i}")
        staff_add(merchant=m, email=clerk.email, role="clerk", store_ids=[s.pk])
        clerks.append({"merchant": i, "store": str(s.pk), "token": token_issue(user=clerk)})
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"centre": [lat, lng], "deals": deals, "clerks": clerks}, indent=1))
    print(f"soak scenario: {len(deals)} deals, {len(clerks)} clerks -> {path}")
