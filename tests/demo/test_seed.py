"""The demo city seed: run it small on the test database and check the invariants the services keep."""

from __future__ import annotations

import io
import math
from collections import Counter
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from o2o.catalogue.models import Offering, OfferingEvent
from o2o.core import conf
from o2o.demo.data import DEMO_MERCHANT, DEMO_STORE
from o2o.demo.models import SeedRecord
from o2o.demo.seed import LOGINS, SEED_VERSION
from o2o.merchants.enums import Category, MerchantStatus
from o2o.merchants.hours import validate_hours
from o2o.merchants.models import Merchant, MerchantEvent, Store
from o2o.merchants.services import h3_cells
from o2o.orders.enums import PAID_STATUSES, OrderStatus
from o2o.orders.models import Order, OrderEvent, OrderLine
from o2o.reviews.models import Review
from o2o.vouchers.enums import VoucherStatus
from o2o.vouchers.models import Voucher, VoucherEvent

pytestmark = pytest.mark.django_db

MERCHANTS = 14


def _seed(**opts: object) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **opts)
    return out.getvalue()


@pytest.fixture
def city(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    return _seed(merchants=MERCHANTS, seed=7)


def _distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def test_stock_adds_up_for_every_offering(city: str) -> None:
    offerings = list(Offering.objects.all())
    assert len(offerings) >= MERCHANTS
    for o in offerings:
        used = Voucher.objects.filter(offering=o, status__in=[VoucherStatus.ISSUED, VoucherStatus.REDEEMED]).count()
        reserved = OrderLine.objects.filter(offering=o, order__status=OrderStatus.AWAITING_PAYMENT).aggregate(
            n=Sum("quantity"))["n"] or 0
        assert o.quantity_left + used + reserved == o.quantity_total, o.title
        assert OfferingEvent.objects.filter(offering=o).exists()
        assert o.photos.count() == 1 and o.photos.first().width > 0
        assert o.list_price_amount >= o.price_amount and o.currency == "CNY"


def test_every_paid_order_has_one_voucher_per_unit(city: str) -> None:
    paid = Order.objects.filter(status__in=PAID_STATUSES)
    assert paid.count() > 5
    for order in paid:
        for line in order.lines.all():
            assert Voucher.objects.filter(order_line=line).count() == line.quantity
        assert OrderEvent.objects.filter(order=order, to_status=OrderStatus.PAID).exists()
        assert order.payments.filter(status__in=["succeeded", "partially_refunded", "refunded"]).count() == 1
    for order in Order.objects.exclude(status__in=PAID_STATUSES):
        assert not order.vouchers.exists()
    for v in Voucher.objects.all():
        assert VoucherEvent.objects.filter(voucher=v, to_status=v.status).exists()
    statuses = Counter(Voucher.objects.values_list("status", flat=True))
    assert statuses[VoucherStatus.REDEEMED] > 0 and statuses[VoucherStatus.ISSUED] > 0
    assert Order.objects.filter(status__in=[OrderStatus.REFUNDED, OrderStatus.PARTIALLY_REFUNDED]).exists()


def test_reviews_only_on_fulfilled_orders_and_ratings_add_up(city: str) -> None:
    reviews = list(Review.objects.select_related("order"))
    assert reviews
    for r in reviews:
        redeemed = r.order.vouchers.filter(status=VoucherStatus.REDEEMED)
        assert redeemed.exists()
        assert r.store_id in set(redeemed.values_list("redeemed_store_id", flat=True))
        assert r.customer_id == r.order.customer_id and 1 <= r.rating <= 5
    for store in Store.objects.all():
        agg = Review.objects.filter(store=store).aggregate(s=Sum("rating"))
        assert store.review_count == Review.objects.filter(store=store).count()
        assert store.rating_sum == (agg["s"] or 0)


def test_timelines_run_forward_and_spread_over_weeks(city: str) -> None:
    now = timezone.now()
    paid = list(Order.objects.filter(status__in=PAID_STATUSES).select_related("merchant"))
    assert len({o.paid_at.date() for o in paid}) >= 3  # not all bought in the seeding minute
    for order in paid:
        assert order.created_at <= order.paid_at <= now
        offerings = Offering.objects.filter(order_lines__order=order)
        assert all(o.created_at < order.created_at for o in offerings)
        assert order.merchant.created_at < order.created_at
        by_time = list(OrderEvent.objects.filter(order=order).order_by("at", "id").values_list("pk", flat=True))
        assert by_time == sorted(by_time)  # moved back in time, still in the order they happened
        for v in order.vouchers.all():
            assert order.paid_at <= v.created_at + timedelta(seconds=1)
            if v.redeemed_at:
                assert order.paid_at < v.redeemed_at <= now
            events = list(VoucherEvent.objects.filter(voucher=v).order_by("at", "id").values_list("pk", flat=True))
            assert events == sorted(events)
        review = Review.objects.filter(order=order).first()
        if review:
            last_use = max(v.redeemed_at for v in order.vouchers.all() if v.redeemed_at)
            assert last_use < review.created_at <= now
            assert review.replied_at is None or review.created_at <= review.replied_at <= now


def test_city_shape(city: str) -> None:
    merchants = Merchant.objects.all()
    assert merchants.count() == MERCHANTS
    assert set(merchants.values_list("category", flat=True)) == set(Category.values)
    assert any(not m.name.isascii() for m in merchants) and any(m.name.isascii() for m in merchants)
    centre = conf.get().demo_centre
    for m in merchants:
        assert MerchantEvent.objects.filter(merchant=m).exists()
        assert 1 <= m.stores.count() <= 3
        if m.status == MerchantStatus.ACTIVE:
            assert 1 <= m.offerings.filter(status="live").count() <= 3
    for s in Store.objects.all():
        assert _distance_m(centre[0], centre[1], s.lat, s.lng) < 12_500
        assert {"h3_r6": s.h3_r6, "h3_r8": s.h3_r8} == h3_cells(s.lat, s.lng)
        assert validate_hours(s.opening_hours) == s.opening_hours
        assert "号" in s.address and "区" in s.address


def test_demo_accounts_and_the_ready_vouchers(city: str, api_client) -> None:  # type: ignore[no-untyped-def]
    cache.clear()
    tokens = {}
    for login in LOGINS:
        r = api_client.post("/auth/token", {"email": login.email, "password": login.password})
        assert r.status_code == 200, (login.email, r.content)
        tokens[login.role] = r.json()["token"]
        assert login.email in city and login.password in city
    store = Store.objects.get(name=DEMO_STORE)
    assert store.merchant.name == DEMO_MERCHANT and store.merchant.owner.email == "owner@demo.o2o"
    centre = conf.get().demo_centre
    assert _distance_m(centre[0], centre[1], store.lat, store.lng) < 500
    me = api_client.get("/me", token=tokens["clerk"]).json()
    assert [(m["merchant_id"], m["role"]) for m in me["memberships"]] == [(str(store.merchant_id), "clerk")], me

    # The customer has two unused vouchers the clerk can redeem right away, and one reviewed visit.
    ready = Voucher.objects.filter(customer__email="customer@demo.o2o", status=VoucherStatus.ISSUED)
    assert ready.count() == 2
    assert all(v.offering.redeemable_stores.filter(pk=store.pk).exists() for v in ready)
    assert Review.objects.filter(customer__email="customer@demo.o2o", store=store).count() == 1
    code = ready.first().code
    r = api_client.post("/redemptions", {"store_id": str(store.pk), "code": code}, tokens["clerk"])
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "redeemed"

    # The demo shop shows up near the centre with its rating.
    r = api_client.get("/stores/nearby", lat=centre[0], lng=centre[1], limit=100)
    assert r.status_code == 200
    names = {row["name"]: row for row in r.json()["results"]}
    assert DEMO_STORE in names and names[DEMO_STORE]["review_count"] >= 1
    assert r.json()["results"][0]["name"] == DEMO_STORE  # nothing else stands closer to the centre


def test_second_run_is_a_no_op_that_prints_the_logins(city: str) -> None:
    before = (Merchant.objects.count(), Order.objects.count(), Voucher.objects.count(), Review.objects.count())
    out = _seed(merchants=MERCHANTS, seed=7)
    assert "already seeded" in out
    assert all(login.email in out and login.password in out for login in LOGINS)
    assert (Merchant.objects.count(), Order.objects.count(), Voucher.objects.count(), Review.objects.count()) == before
    record = SeedRecord.objects.get()
    assert record.version == SEED_VERSION and record.merchants == MERCHANTS
    assert record.summary["merchants"] == MERCHANTS
