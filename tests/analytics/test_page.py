"""The console's Analytics page: the funnel, the KPIs, the placements, stores and offerings, the chart's
data and each table's CSV; in Chinese too; a bad range says so; only the merchant's managers see it."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.test import Client

from tests.analytics.conftest import roll
from tests.analytics.test_summary_api import _journey

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _funnel(html: str) -> dict[str, int]:
    return {k: int(n) for k, n in re.findall(
        r'data-step="(\w+)">.*?class="funnel-num">(\d+)</span>', html, flags=re.S)}


def test_the_page_shows_the_funnel_tables_and_chart(shop):
    _journey(shop)
    roll()
    m = shop["merchant"]["id"]
    r = _client(shop["owner"]["user"]).get(f"/merchant/{m}/analytics/")
    assert r.status_code == 200
    html = r.content.decode()
    assert _funnel(html) == {"scans": 3, "visitors": 2, "orders": 2, "paid": 2, "served": 1, "reviewed": 1}
    assert 'aria-current="page"' in html and 'data-tab="analytics"' in html
    assert "vendor/chartjs/chart.umd" in html and "https://cdn" not in html
    for p in (shop["flyer"], shop["poster"], shop["window"]):
        assert f'data-placement="{p["id"]}"' in html
    assert 'data-placement="none"' in html  # the walk-in's order, with no placement
    assert f'data-store="{shop["store"]["id"]}"' in html and f'data-offering="{shop["deal"]["id"]}"' in html
    assert "CN¥198.00" in html and "2.96" in html  # net revenue; the flyer's ROI
    chart = json.loads(re.search(r'<script id="analytics-data" type="application/json">(.*?)</script>', html,
                                 flags=re.S).group(1))
    assert len(chart["labels"]) == 30 and chart["revenue"]["values"][-1] == "198.00"
    assert [s["key"] for s in chart["series"]] == ["scans", "orders", "paid", "served"]
    assert chart["series"][0]["values"][-1] == 3


def test_each_table_as_csv_from_the_page(shop):
    _journey(shop)
    m = shop["merchant"]["id"]
    c = _client(shop["owner"]["user"])
    html = c.get(f"/merchant/{m}/analytics/").content.decode()
    links = re.findall(r'href="(/merchant/[^"]+\.csv\?[^"]+)"', html)
    assert {re.search(r"/(\w+)\.csv", u).group(1) for u in links} == {"days", "placements", "stores", "offerings"}
    placements = next(u for u in links if "/placements.csv" in u).replace("&amp;", "&")
    r = c.get(placements)
    assert r.status_code == 200 and r["Content-Disposition"].startswith('attachment; filename="analytics-placements-')
    rows = list(csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode("utf-8").lstrip("\ufeff"))))
    flyer = next(row for row in rows if row["placement_id"] == shop["flyer"]["id"])
    assert (flyer["scans"], flyer["net_amount"], flyer["roi"]) == ("3", "198.00", "2.96")
    assert c.get(f"/merchant/{m}/analytics/secrets.csv").status_code == 404


def test_the_page_in_chinese_and_a_bad_range(shop):
    m = shop["merchant"]["id"]
    c = _client(shop["owner"]["user"])
    html = c.get(f"/merchant/{m}/analytics/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "漏斗" in html and "扫码" in html and "净收入" in html
    r = c.get(f"/merchant/{m}/analytics/?from=2026-03-10&to=2026-03-01")
    assert r.status_code == 422 and "field-error" in r.content.decode()


def test_only_the_merchants_managers_see_it(shop, rival):
    m = shop["merchant"]["id"]
    assert _client(shop["clerk"]["user"]).get(f"/merchant/{m}/analytics/").status_code == 403
    assert _client(rival["owner"]["user"]).get(f"/merchant/{m}/analytics/").status_code == 404
    assert _client(rival["owner"]["user"]).get(f"/merchant/{m}/analytics/days.csv").status_code == 404
    assert Client().get(f"/merchant/{m}/analytics/").status_code == 302  # to sign in
