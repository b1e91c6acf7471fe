"""The demo city's campaigns (campaigns.py): the demo merchant's placements show scans, visitors and the
orders they brought (through the API), every seeded order carries the placement attribution picks, and the
campaigns console shows the funnel to the demo owner."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from o2o.accounts.models import User
from o2o.analytics.models import Event
from o2o.campaigns.enums import AttributionModel
from o2o.campaigns.models import AttributionSetting, Campaign, Placement, Scan, Visitor
from o2o.campaigns.selectors import pick_scan, window_days
from o2o.demo.campaigns import SHORT_WINDOW_DAYS
from o2o.demo.data import DEMO_MERCHANT
from o2o.demo.seed import LOGINS, where_to_look
from o2o.merchants.models import Merchant
from o2o.orders.models import Order

pytestmark = pytest.mark.django_db

PASSWORDS = {login.role: (login.email, login.password) for login in LOGINS}


@pytest.fixture
def city(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    out = io.StringIO()
    call_command("seed_demo", merchants=14, seed=7, stdout=out)
    return out.getvalue()


def test_the_demo_merchants_placements_show_scans_visitors_orders_paid_and_redemptions(city: str, api_client) -> None:  # type: ignore[no-untyped-def]
    cache.clear()
    email, password = PASSWORDS["owner"]
    token = api_client.post("/auth/token", {"email": email, "password": password}).json()["token"]
    demo = Merchant.objects.get(name=DEMO_MERCHANT)
    r = api_client.get(f"/merchants/{demo.pk}/analytics/placements", token)
    assert r.status_code == 200, r.content
    rows = r.json()["results"]
    assert {row["kind"] for row in rows} == {"flyer", "table_tent", "window", "social"}
    assert len({row["campaign_id"] for row in rows}) == 2
    assert len({row["cost"]["amount"] for row in rows}) >= 3, "mixed costs, one of them nothing"
    for row in rows:
        assert row["scans"] > 0 and 0 < row["visitors"] <= row["scans"], row
    total = {k: sum(row[k] for row in rows) for k in ("orders", "paid", "redemptions")}
    assert all(total.values()), total
    assert sum(Decimal(row["revenue"]["amount"]) for row in rows) > 0
    # The demo customer scanned before each of their orders at the demo merchant.
    customer = User.objects.get(email="customer@demo.o2o")
    theirs = Order.objects.filter(merchant=demo, customer=customer)
    assert theirs.exists() and not theirs.filter(source_placement__isnull=True).exists()


def test_scans_spread_over_past_weeks_after_their_campaign_started(city: str) -> None:
    now = timezone.now()
    scans = list(Scan.objects.select_related("placement").all())
    assert len(scans) > 100
    assert all(s.placement.created_at <= s.at <= now for s in scans)
    assert len({(now - s.at).days // 7 for s in scans}) >= 3, "over several weeks"
    assert Event.objects.filter(kind="scan").count() == len(scans)
    # Linked browsers: a customer's, linked when they first scanned; their scans are the account's.
    linked = Visitor.objects.filter(user__isnull=False)
    assert linked.exists()
    for v in linked:
        assert v.linked_at is not None and v.linked_at >= v.created_at
        assert not v.scans.filter(user__isnull=True).exists()
    assert Visitor.objects.filter(user__isnull=True).count() > linked.count()  # most scanners never bought
    assert Campaign.objects.exclude(merchant__name=DEMO_MERCHANT).exists()


def test_every_order_carries_the_placement_last_touch_picks(city: str) -> None:
    assert AttributionSetting.objects.filter(window_days=SHORT_WINDOW_DAYS).count() == 1
    attributed = 0
    for merchant_id in Placement.objects.values_list("merchant_id", flat=True).distinct():
        window = timedelta(days=window_days(merchant_id))
        for order in Order.objects.filter(merchant_id=merchant_id, customer__isnull=False):
            scans = Scan.objects.filter(merchant_id=merchant_id, user=order.customer_id).values_list("at", "placement_id")
            want = pick_scan(list(scans), before=order.created_at, window=window, model=AttributionModel.LAST_TOUCH)
            assert order.source_placement == want, order.number
            attributed += want is not None
    assert attributed > 0
    assert not Order.objects.exclude(merchant_id__in=Placement.objects.values("merchant_id")).filter(
        source_placement__isnull=False).exists()


def test_the_console_shows_the_funnel_and_the_seed_points_to_it(city: str) -> None:
    demo = Merchant.objects.get(name=DEMO_MERCHANT)
    path = f"/merchant/{demo.pk}/campaigns/"
    assert ("owner", "campaigns: scans, orders, revenue per placement", path) in where_to_look()
    assert path in city  # printed with the logins
    client = Client()
    client.force_login(User.objects.get(email="owner@demo.o2o"))
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    for name in Placement.objects.filter(merchant=demo).values_list("name", flat=True):
        assert name in html
