"""The demo city seed: run it small on the test database and check the invariants the services keep."""

from __future__ import annotations

import io
import itertools
import math
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone
from PIL import Image

from o2o.catalogue.models import Offering, OfferingEvent
from o2o.core import conf
from o2o.demo import data, menus
from o2o.demo.data import DEMO_MERCHANT, DEMO_STORE
from o2o.demo.kinds import Kind
from o2o.demo.models import SeedRecord
from o2o.demo.photos import SIZE, deal_photo
from o2o.demo.seed import LOGINS, SEED_VERSION
from o2o.discovery.models import Place
from o2o.discovery.services import place_row
from o2o.merchants.enums import Category, MerchantStatus
from o2o.merchants.hours import is_open, validate_hours
from o2o.merchants.models import Merchant, MerchantEvent, Store
from o2o.merchants.services import h3_cells
from o2o.orders.enums import PAID_STATUSES, OrderStatus
from o2o.orders.models import Order, OrderEvent, OrderLine
from o2o.reviews.models import Review
from o2o.vouchers.enums import VoucherStatus
from o2o.vouchers.models import Voucher, VoucherEvent
from tests.demo.test_photos import mean_difference

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
    offerings = list(Offering.objects.filter(kind="deal"))  # products: test_ordering_seed
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
    paid = Order.objects.filter(status__in=PAID_STATUSES, fulfilment="voucher")
    assert paid.count() > 5
    for order in paid:
        for line in order.lines.all():
            assert Voucher.objects.filter(order_line=line).count() == line.quantity
        assert OrderEvent.objects.filter(order=order, to_status=OrderStatus.PAID).exists()
        assert order.payments.filter(status__in=["succeeded", "partially_refunded", "refunded"]).count() == 1
    for order in Order.objects.exclude(status__in=PAID_STATUSES):
        assert not order.vouchers.exists()
    assert not Voucher.objects.exclude(order__fulfilment="voucher").exists()  # pickups have no vouchers
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
            assert 1 <= m.offerings.filter(status="live", kind="deal").count() <= 3
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


# --- content that hangs together (issue 8) -------------------------------------------------------------

def _kind(merchant: Merchant) -> Kind:
    kind = data.kind_of_name(merchant.name)
    assert kind is not None, f"{merchant.name!r} is no name pair of the data"
    assert kind.category == merchant.category, merchant.name
    return kind


def test_names_deals_hours_reviews_and_replies_belong_to_the_shop(city: str) -> None:
    merchants = list(Merchant.objects.all())
    kinds = {m.pk: _kind(m) for m in merchants}
    assert len({k.key for k in kinds.values()}) >= 8
    for m in merchants:
        kind = kinds[m.pk]
        # One name pair: the English and the Chinese translate each other (both written, or one of them).
        pairs = [*kind.names(), data.DEMO_NAME] if m.name == DEMO_MERCHANT else kind.names()
        assert any(m.name in data.name_forms(zh, en) for zh, en in pairs), m.name
        assert m.description == kind.about
        for store in m.stores.all():
            assert store.opening_hours in [validate_hours(h) for h in kind.hours], (m.name, store.opening_hours)
        for o in m.offerings.filter(kind="deal"):
            assert o.title in {t.title for t in kind.deals}, (m.name, o.title)
        dishes = {menus.dish_title(d) for section in menus.menu_for(kind.key) for d in section.dishes}
        for o in m.offerings.filter(kind="product"):
            assert o.title in dishes, (m.name, o.title)
    reviews = list(Review.objects.select_related("merchant", "store", "customer"))
    assert len(reviews) >= 5 and any(r.reply for r in reviews)
    shown: dict[tuple[object, int], list[str]] = {}
    for r in reviews:
        kind = kinds[r.merchant_id]
        if r.text == data.DEMO_REVIEW:  # the demo customer's own visit to the demo store, and no one else's
            assert r.rating == 5 and r.store.name == DEMO_STORE and r.customer.email == "customer@demo.o2o"
            continue
        assert r.text in kind.reviews[data.band(r.rating)], (kind.key, r.rating, r.text)
        shown.setdefault((r.store_id, data.band(r.rating)), []).append(r.text)
        if r.reply:
            assert r.reply in data.REPLIES[data.band(r.rating)], (r.rating, r.reply)
            assert r.replied_at is not None
    for (_store, rating_band), texts in shown.items():  # a store repeats a text only once its band's are used up
        kind = kinds[Store.objects.get(pk=_store).merchant_id]
        assert len(set(texts)) == min(len(texts), len(kind.reviews[rating_band])), texts
    assert Review.objects.filter(text=data.DEMO_REVIEW).count() == 1


def test_no_kind_borrows_another_kinds_words() -> None:
    """A review or deal title of one kind is never also another kind's (so a check by kind is a real check)."""
    seen: dict[str, str] = {}
    for kind in data.KINDS:
        texts = {t.title for t in kind.deals} | {t for texts in kind.reviews.values() for t in texts}
        for t in texts:
            assert seen.setdefault(t, kind.key) == kind.key, (t, seen[t], kind.key)
        assert set(kind.reviews) == {2, 3, 4, 5} and all(kind.reviews.values())
    names = [pair for kind in data.KINDS for pair in kind.names()]
    assert len(names) == len(set(names)) and data.DEMO_NAME not in names
    assert {data.band(r) for r in range(1, 6)} == set(data.REPLIES)
    assert data.DEMO_REVIEW not in seen


def test_visits_and_reviews_fall_in_opening_hours_and_numbers_carry_the_order_date(city: str) -> None:
    used = list(Voucher.objects.filter(redeemed_at__isnull=False).select_related("redeemed_store"))
    assert len(used) >= 5
    for v in used:
        s = v.redeemed_store
        assert is_open(s.opening_hours, s.timezone, v.redeemed_at, s.closed_dates), (
            s.name, s.opening_hours, v.redeemed_at.astimezone(ZoneInfo(s.timezone)))
    for r in Review.objects.select_related("store"):
        s = r.store
        assert is_open(s.opening_hours, s.timezone, r.created_at, s.closed_dates), (
            s.name, s.opening_hours, r.created_at.astimezone(ZoneInfo(s.timezone)))
    orders = list(Order.objects.all())
    for order in orders:
        assert order.number[1:7] == timezone.localtime(order.created_at).strftime("%y%m%d"), (
            order.number, order.created_at)
        for event in VoucherEvent.objects.filter(voucher__order=order, to_status=VoucherStatus.ISSUED):
            assert event.data.get("order") == order.number
    assert len({o.number[1:7] for o in orders}) >= 5  # not every order dated today
    assert {s.timezone for s in Store.objects.all()} == {str(timezone.get_default_timezone())}


def test_every_index_row_matches_its_store(city: str) -> None:
    """The discovery index row of every store says what the store says (the demo store's once held 24/7)."""
    compared = ["merchant_id", "category", "visible", "lat", "lng", "text", "tz", "week", "closed",
                "closed_h0", "closed_h1", "closed_h2"]
    stores = list(Store.objects.select_related("merchant"))
    assert Place.objects.count() == len(stores)
    for s in stores:
        m = s.merchant
        want = place_row(store_id=s.pk, merchant_id=m.pk, merchant_status=m.status, merchant_name=m.name,
                         category=m.category, name=s.name, address=s.address, lat=s.lat, lng=s.lng, tz=s.timezone,
                         hours=s.opening_hours, closed_dates=s.closed_dates, is_active=s.is_active)
        row = Place.objects.filter(pk=s.pk).values(*compared).get()
        assert row == {k: want[k] for k in compared}, s.name
    demo = Store.objects.get(name=DEMO_STORE)
    assert demo.opening_hours == validate_hours(data.DEMO_HOURS)
    monday_noon = datetime(2026, 11, 30, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert not is_open(demo.opening_hours, demo.timezone, monday_noon.replace(hour=9))
    assert is_open(demo.opening_hours, demo.timezone, monday_noon)


def test_seeded_photos_are_the_text_free_drawings(city: str) -> None:
    by_category: dict[str, Image.Image] = {}
    for o in Offering.objects.select_related("merchant"):
        kind = _kind(o.merchant)
        photo = o.photos.get()
        with photo.image.open("rb") as f:
            stored = Image.open(io.BytesIO(f.read())).convert("RGB")
        assert stored.size == SIZE == (photo.width, photo.height)
        drawn = Image.open(io.BytesIO(deal_photo(kind=kind.key, category=o.merchant.category, variant=o.title)))
        assert mean_difference(stored, drawn.convert("RGB")) < 2, o.title
        by_category.setdefault(o.merchant.category, stored)
    assert len(by_category) == len(Category.values)
    for (ca, a), (cb, b) in itertools.combinations(by_category.items(), 2):
        assert mean_difference(a, b) > 15, (ca, cb)
