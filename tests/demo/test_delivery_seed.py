"""The demo city's delivery (o2o/demo/delivery.py) on a small seeded city: zones on every restaurant with a
menu (the demo store also a polygon), fee bands and minimums, the merchants' own couriers and the shared
fleet's demo courier, delivery orders at three stages placed while their store was open, the where-to-look
rows; then the demo courier delivers the demo customer's order with the code from the customer's order."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from o2o.delivery.models import Courier, Delivery, DeliveryZone, StoreDelivery
from o2o.demo.data import DEMO_STORE
from o2o.demo.seed import LOGINS
from o2o.merchants.enums import Category, Role
from o2o.merchants.hours import is_open
from o2o.merchants.models import Merchant, StaffMembership, Store
from o2o.orders.models import Order
from o2o.payments.books import books_problems

pytestmark = pytest.mark.django_db
PASSWORDS = {login.role: (login.email, login.password) for login in LOGINS}


@pytest.fixture
def city(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    out = io.StringIO()
    call_command("seed_demo", merchants=14, seed=7, stdout=out)
    return out.getvalue()


def _token(api_client, role: str) -> str:  # type: ignore[no-untyped-def]
    email, password = PASSWORDS[role]
    r = api_client.post("/auth/token", {"email": email, "password": password})
    assert r.status_code == 200, r.content
    return str(r.json()["token"])


def test_zones_couriers_and_orders_at_three_stages(city: str, api_client) -> None:  # type: ignore[no-untyped-def]
    cache.clear()
    demo_store = Store.objects.get(name=DEMO_STORE)
    restaurants = [m for m in Merchant.objects.filter(category=Category.RESTAURANT, status="active")
                   if m.offerings.filter(kind="product").exists()]
    assert len(restaurants) >= 2
    for m in restaurants:
        for store in m.stores.all():
            zone = DeliveryZone.objects.get(store=store, kind="radius")
            assert zone.radius_m == 3000 and [b["up_to_m"] for b in zone.fee_bands] == [1000, 2000, 3000]
            assert str(zone.minimum_order_amount) == "20.00" and StoreDelivery.objects.filter(store=store).exists()
    polygon = DeliveryZone.objects.get(store=demo_store, kind="polygon")
    assert len(polygon.polygon) == 5 and str(polygon.minimum_order_amount) == "40.00"
    # the quote of a point only the polygon serves (4 km east) is its far band
    customer, courier = _token(api_client, "customer"), _token(api_client, "courier")
    r = api_client.get(f"/stores/{demo_store.pk}/delivery-quote", lat=demo_store.lat, lng=demo_store.lng + 0.036,
                       token=customer)
    assert r.status_code == 200 and r.json()["zone"] == polygon.name and r.json()["fee"]["amount"] == "10.00"

    # couriers: the fleet's demo login carries for four restaurants, each of two has its own rider
    fleet = StaffMembership.objects.filter(user__email="courier@demo.o2o", role=Role.COURIER, is_active=True)
    assert fleet.count() == min(4, len(restaurants)) and demo_store.merchant_id in {s.merchant_id for s in fleet}
    riders = StaffMembership.objects.filter(user__email__startswith="rider", role=Role.COURIER)
    assert riders.count() == 2 and riders.filter(merchant=demo_store.merchant).exists()
    assert "courier@demo.o2o" in city and "demo-courier-pass" in city and "/courier/" in city

    # orders: delivered, on its way (the demo customer's), assigned to the fleet (a pickup elsewhere)
    deliveries = list(Delivery.objects.select_related("order", "store", "courier__user"))
    assert sorted(d.status for d in deliveries) == ["assigned", "delivered", "picked_up"]
    now = timezone.now()
    for d in deliveries:
        o = d.order
        assert o.status == "paid" and o.total_amount == sum(ln.line_total_amount for ln in o.lines.all()) + d.fee_amount
        assert sum(ln.line_total_amount for ln in o.lines.all()) >= d.zone.minimum_order_amount
        assert is_open(d.store.opening_hours, d.store.timezone, o.created_at), (d.store.name, o.created_at)
        assert o.created_at <= o.paid_at <= now and o.number[1:7] == timezone.localtime(o.created_at).strftime("%y%m%d")
        assert d.promised_at > o.created_at and len(d.delivery_code) == 6
        if d.status == "delivered":
            assert o.paid_at < d.picked_up_at <= d.delivered_at <= now and o.fulfilment_status == "delivered"
            assert d.store == demo_store and d.courier.user.email.startswith("rider")
    mine = next(d for d in deliveries if d.status == "picked_up")
    assert mine.order.customer.email == "customer@demo.o2o" and mine.courier.user.email == "courier@demo.o2o"
    fleet_courier = Courier.objects.get(user__email="courier@demo.o2o")
    assert fleet_courier.status == "on" and fleet_courier.lat is not None and mine.eta_dropoff > now
    assigned = next(d for d in deliveries if d.status == "assigned")
    assert assigned.courier == fleet_courier and assigned.store != demo_store and assigned.eta_pickup is not None
    assert books_problems() == []
    # the where-to-look table names the order page and the courier's page
    assert f"/orders/{mine.order_id}/" in city and f"/stores/{demo_store.pk}/delivery/" in city

    # the customer reads the code off their order, the fleet courier delivers with it
    code = api_client.get(f"/orders/{mine.order_id}", token=customer).json()["delivery"]["delivery_code"]
    tasks = api_client.get("/courier/tasks", token=courier).json()["tasks"]
    assert {t["status"] for t in tasks} == {"picked_up", "assigned"}
    r = api_client.post(f"/courier/tasks/{mine.pk}/deliver", {"code": code}, courier)
    assert r.status_code == 200 and r.json()["status"] == "delivered"
    assert Order.objects.get(pk=mine.order_id).fulfilment_status == "delivered"


def test_seeded_while_the_demo_store_is_open(settings, tmp_path, time_machine) -> None:  # type: ignore[no-untyped-def]
    """At 12:30 in Chengdu Hotpot House is open: the delivered order was placed 50 minutes ago and handed
    over 34 minutes after, the demo customer's 22 minutes ago, all in opening hours, nothing in the future."""
    from datetime import UTC, datetime, timedelta

    time_machine.move_to(datetime(2031, 12, 3, 4, 30, tzinfo=UTC), tick=True)
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", merchants=14, seed=7, stdout=io.StringIO())
    now = timezone.now()
    demo_store = Store.objects.get(name=DEMO_STORE)
    assert is_open(demo_store.opening_hours, demo_store.timezone, now)
    done = Delivery.objects.select_related("order").get(status="delivered")
    mine = Delivery.objects.select_related("order").get(status="picked_up")
    assert timedelta(minutes=49) < now - done.order.created_at < timedelta(minutes=52)
    assert done.delivered_at - done.order.created_at == timedelta(minutes=34) and done.delivered_at < now
    assert timedelta(minutes=21) < now - mine.order.created_at < timedelta(minutes=24)
    for d in (done, mine):
        assert is_open(demo_store.opening_hours, demo_store.timezone, d.order.created_at)
        assert d.order.created_at < d.order.paid_at < now and d.order.expires_at > d.order.created_at
    assert books_problems() == []


def test_an_order_placed_seconds_ago_is_never_paid_in_the_future(api_client) -> None:  # type: ignore[no-untyped-def]
    """The seed places an order at the moment a store just opened (seconds before now): moving it back to
    then must not push its payment a minute past now (it did: 'a minute to pay' added to nothing)."""
    from datetime import timedelta

    from o2o.demo.delivery import backdate_placed
    from tests.delivery.conftest import make_shop, north, paid_delivery
    from tests.helpers import quick_user

    shop = {"api": api_client, **make_shop(api_client), "customer": quick_user("customer")}
    order = Order.objects.get(pk=paid_delivery(shop, at=north(800))["id"])
    backdate_placed(order, at=order.created_at - timedelta(seconds=5))
    order.refresh_from_db()
    now = timezone.now()
    assert order.created_at <= order.paid_at <= now
    assert all(p.created_at <= now for p in order.payments.all())
