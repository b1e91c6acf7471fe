"""GET /merchants/{id}/analytics/summary and export.csv: the funnel, days, placements, stores and offerings
from the rollups (plus the events not rolled up yet), equal to the same figures from the raw events;
the rollup is incremental and idempotent and counts late events; the CSV says the same, money exact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o2o.analytics.models import DailyFigure, RollupMark
from o2o.analytics.rollups import rollup_run
from o2o.core.events import event_append
from tests.analytics.conftest import export, roll, summary
from tests.campaigns.conftest import scan
from tests.helpers import ApiClient, add_staff, assert_error, quick_user

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _journey(shop) -> dict:
    """Two phones scan the flyer (one twice), one buys two deals and redeems one at the counter and
    reviews; a walk-in buys one with no scan and gets it refunded."""
    api = shop["api"]
    phone, phone2 = ApiClient(), ApiClient()
    buyer, walkin = quick_user("buyer"), quick_user("walkin")
    scan(phone, shop["flyer"]["code"])
    scan(phone, shop["flyer"]["code"])
    scan(phone2, shop["flyer"]["code"])
    order = phone.buy(buyer, shop["deal"]["id"], quantity=2)
    r = api.post("/redemptions", {"store_id": shop["store"]["id"], "code": order["vouchers"][0]["code"]},
                 shop["clerk"]["token"])
    assert r.status_code == 201
    assert phone.post("/reviews", {"order_id": order["id"], "rating": 5, "text": "好吃"}, buyer["token"]).status_code == 201
    other = ApiClient().buy(walkin, shop["deal"]["id"])
    assert ApiClient().post(f"/orders/{other['id']}/refund", {}, walkin["token"]).status_code == 200
    return {"order": order, "other": other}


def _steps(s: dict) -> dict[str, int]:
    return {step["step"]: step["n"] for step in s["funnel"]}


def test_the_funnel_and_tables_from_rollups_equal_the_raw_events(shop):
    api, owner, m = shop["api"], shop["owner"], shop["merchant"]["id"]
    _journey(shop)
    before = summary(api, owner, m)  # nothing rolled up yet: all from the tail
    assert roll() > 0 and DailyFigure.objects.filter(merchant_id=m).exists()
    after = summary(api, owner, m)
    raw = summary(api, owner, m, source="raw")
    assert after["source"] == "rollups" and raw["source"] == "raw"
    for s in (before, raw):
        assert {k: v for k, v in s.items() if k != "source"} == {k: v for k, v in after.items() if k != "source"}
    assert _steps(after) == {"scans": 3, "visitors": 2, "orders": 2, "paid": 2, "served": 1, "reviewed": 1}
    totals = after["totals"]
    assert totals["refunded"] == 1 and totals["redeemed"] == 1
    assert totals["revenue"] == [{"currency": "CNY", "paid": {"amount": "297.00", "currency": "CNY", "display": "CN¥297.00"},
                                  "refunded": {"amount": "99.00", "currency": "CNY", "display": "CN¥99.00"},
                                  "net": {"amount": "198.00", "currency": "CNY", "display": "CN¥198.00"}}]
    flyer = next(p for p in after["placements"] if p["placement_id"] == shop["flyer"]["id"])
    assert (flyer["scans"], flyer["visitors"], flyer["orders"], flyer["paid"], flyer["redeemed"], flyer["reviewed"]) == (
        3, 2, 1, 1, 1, 1)
    assert flyer["revenue"][0]["net"]["amount"] == "198.00" and flyer["cost"]["amount"] == "50.00"
    assert flyer["roi"] == "2.96"  # (198 - 50) / 50
    direct = next(p for p in after["placements"] if p["placement_id"] is None)
    assert (direct["orders"], direct["refunded"], direct["revenue"][0]["net"]["amount"]) == (1, 1, "0.00")
    poster = next(p for p in after["placements"] if p["placement_id"] == shop["poster"]["id"])
    assert poster["scans"] == 0 and poster["roi"] == "-1.00" and poster["revenue"] == []
    [store] = [s for s in after["stores"] if s["store_id"] == shop["store"]["id"]]
    assert store["paid"] == 2 and store["redeemed"] == 1
    [deal] = [o for o in after["offerings"] if o["offering_id"] == shop["deal"]["id"]]
    assert deal["orders"] == 2 and deal["revenue"][0]["paid"]["amount"] == "297.00"
    today = timezone.localtime(timezone.now(), TZ).date().isoformat()
    assert len(after["days"]) == 30 and after["days"][-1]["day"] == today and after["days"][-1]["paid"] == 2
    assert sum(d["scans"] for d in after["days"]) == 3


def test_the_rollup_is_idempotent_and_counts_late_events(shop):
    api, owner, m = shop["api"], shop["owner"], shop["merchant"]["id"]
    _journey(shop)
    roll()
    first = summary(api, owner, m)
    rows = sorted(DailyFigure.objects.filter(merchant_id=m).values_list("day", "kind", "n", "cents"))
    assert roll() == 0  # nothing new: a second run adds nothing
    assert summary(api, owner, m) == first
    assert sorted(DailyFigure.objects.filter(merchant_id=m).values_list("day", "kind", "n", "cents")) == rows
    # a late event: paid five days ago (a payment recorded by reconciliation), appended now
    five_days_ago = timezone.now() - timedelta(days=5)
    event_append(kind="paid", merchant_id=m, at=five_days_ago, store_id=shop["store"]["id"],
                 amount=Decimal("12.34"), currency="CNY")
    roll()
    late = summary(api, owner, m)
    day = timezone.localtime(five_days_ago, TZ).date().isoformat()
    assert next(d for d in late["days"] if d["day"] == day)["revenue"][0]["paid"]["amount"] == "12.34"
    assert late["totals"]["revenue"][0]["paid"]["amount"] == "309.34"
    assert late == {**summary(api, owner, m, source="raw"), "source": "rollups"}


def test_the_worker_reads_only_settled_events():
    """The periodic task reads up to the highest id it saw SETTLE earlier (an id handed out but not yet
    committed must not be stepped over); what it has not read, the dashboards read raw."""
    m = quick_user("x")["id"]  # any UUID: the stream's ids are plain columns
    event_append(kind="scan", merchant_id=m, visitor_id=1)
    t0 = timezone.now()
    assert rollup_run(now=t0) == 0  # notes the highest id, reads nothing yet
    event_append(kind="scan", merchant_id=m, visitor_id=2)
    assert rollup_run(now=t0 + timedelta(seconds=3)) == 0
    assert rollup_run(now=t0 + timedelta(seconds=11)) == 1  # the first one, settled; the second is newer
    assert rollup_run(now=t0 + timedelta(seconds=22)) == 1


def test_a_range_and_the_days_are_the_merchants(shop):
    api, owner, m = shop["api"], shop["owner"], shop["merchant"]["id"]
    # 23:30 in Chengdu on 1 March is 15:30 UTC: the event is on the merchant's 1 March
    at = datetime(2026, 3, 1, 15, 30, tzinfo=UTC)
    event_append(kind="paid", merchant_id=m, at=at, amount=Decimal("10.00"), currency="CNY")
    event_append(kind="paid", merchant_id=m, at=at + timedelta(hours=1), amount=Decimal("5.50"), currency="CNY")
    roll()
    s = summary(api, owner, m, **{"from": "2026-03-01", "to": "2026-03-02"})
    assert [(d["day"], d["paid"]) for d in s["days"]] == [("2026-03-01", 1), ("2026-03-02", 1)]
    assert s == {**summary(api, owner, m, source="raw", **{"from": "2026-03-01", "to": "2026-03-02"}),
                 "source": "rollups"}
    one = summary(api, owner, m, **{"from": "2026-03-02", "to": "2026-03-02"})
    assert one["totals"]["revenue"][0]["paid"]["amount"] == "5.50" and len(one["days"]) == 1


def test_bad_input_and_tenancy(shop, rival):
    api, owner, m = shop["api"], shop["owner"], shop["merchant"]["id"]
    path = f"/merchants/{m}/analytics/summary"
    assert_error(api.get(path, owner["token"], **{"from": "2026-03-10", "to": "2026-03-01"}), 422, "invalid_range")
    assert_error(api.get(path, owner["token"], **{"from": "2016-01-01", "to": "2026-01-01"}), 422, "invalid_range")
    assert_error(api.get(path, owner["token"], **{"from": "yesterday"}), 422)
    assert_error(api.get(path, owner["token"], source="guess"), 422)
    assert_error(api.get(f"/merchants/{m}/analytics/export.csv", owner["token"], table="secrets"), 422)
    assert_error(api.get(path), 401)
    assert_error(api.get(path, shop["clerk"]["token"]), 403)  # money: owners and managers only
    manager = add_staff(api, owner, m, "manager", [shop["store"]["id"]])
    assert api.get(path, manager["token"]).status_code == 200
    # another merchant's figures are never shown: the rival's owner gets 404 for both endpoints
    _journey(shop)
    assert_error(api.get(path, rival["owner"]["token"]), 404)
    assert_error(api.get(f"/merchants/{m}/analytics/export.csv", rival["owner"]["token"]), 404)
    theirs = summary(rival["api"], rival["owner"], rival["merchant"]["id"])
    assert theirs["totals"]["scans"] == 0 and theirs["totals"]["revenue"] == []
    assert all(p["placement_id"] != shop["flyer"]["id"] for p in theirs["placements"])


def test_the_csv_export_says_what_the_summary_says(shop):
    api, owner, m = shop["api"], shop["owner"], shop["merchant"]["id"]
    _journey(shop)
    roll()
    s = summary(api, owner, m)
    days = export(api, owner, m)
    assert len(days) == 30 and set(days[0]) >= {"day", "scans", "visitors", "orders", "paid", "currency", "net_amount"}
    today = days[-1]
    assert (today["day"], today["scans"], today["paid"], today["currency"]) == (s["days"][-1]["day"], "3", "2", "CNY")
    assert (today["paid_amount"], today["refunded"], today["refunded_amount"], today["net_amount"]) == (
        "297.00", "1", "99.00", "198.00")
    assert days[0]["currency"] == "" and days[0]["paid_amount"] == "" and days[0]["orders"] == "0"
    placements = export(api, owner, m, table="placements")
    flyer = next(r for r in placements if r["placement_id"] == shop["flyer"]["id"])
    assert flyer["name"] == "Flyers at the metro" and flyer["cost"] == "50.00" and flyer["roi"] == "2.96"
    assert flyer["net_amount"] == "198.00" and flyer["campaign"] == "Spring flyers"
    stores = export(api, owner, m, table="stores")
    assert stores[0]["name"] == shop["store"]["name"]  # Chinese names, as written
    offerings = export(api, owner, m, table="offerings")
    assert offerings[0]["title"] == "双人火锅套餐 Hotpot for two" and offerings[0]["paid_amount"] == "297.00"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(st.tuples(
    st.sampled_from(["scan", "view", "order", "paid", "refunded", "redeemed", "reviewed"]),
    st.integers(min_value=0, max_value=60 * 24 * 20),  # minutes back
    st.integers(min_value=0, max_value=99999),  # hundredths
    st.integers(min_value=1, max_value=6),  # visitor
    st.booleans()), min_size=1, max_size=40),
    batches=st.lists(st.integers(min_value=1, max_value=15), min_size=1, max_size=5))
def test_rollups_in_any_batches_equal_the_raw_events(shop, events, batches):
    """Whatever the events (back to 20 days, any amount) and however the worker cuts them into batches,
    rollups + tail give exactly the raw figures, at every step."""
    from o2o.analytics.models import DailyVisitor, Event

    api, owner, m = shop["api"], shop["owner"], shop["merchant"]["id"]
    Event.objects.filter(merchant_id=m).delete()
    DailyFigure.objects.filter(merchant_id=m).delete()
    DailyVisitor.objects.filter(merchant_id=m).delete()
    RollupMark.objects.all().delete()
    now = timezone.now()
    for kind, minutes, cents, visitor, on_flyer in events:
        event_append(kind=kind, merchant_id=m, at=now - timedelta(minutes=minutes), visitor_id=visitor,
                     placement_id=shop["flyer"]["id"] if on_flyer else None, store_id=shop["store"]["id"],
                     amount=Decimal(cents).scaleb(-2) if kind in ("paid", "refunded") else None,
                     currency="CNY" if kind in ("paid", "refunded") else "")
    raw = summary(api, owner, m, source="raw")
    for size in batches:
        rollup_run(settle=timedelta(0), batch=size, max_batches=1)
        assert {**summary(api, owner, m), "source": "raw"} == raw
