"""The demo city's ordering (dining.py): menus with options and stock, tables, yesterday's pickups handed
over, the demo store's kitchen right now, and the books balanced, on a small seeded city."""

from __future__ import annotations

import io
import random
import re
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from o2o.accounts.models import User
from o2o.capacity.models import CapacitySlot
from o2o.catalogue.models import MenuSection, StoreStock
from o2o.demo import data, menus
from o2o.demo.data import DEMO_STORE
from o2o.demo.dining import Dining, Menu, table_labels
from o2o.demo.kinds import DAYS
from o2o.demo.seed import LOGINS
from o2o.merchants.enums import Category, MerchantStatus
from o2o.merchants.hours import is_open
from o2o.merchants.models import Merchant, Store
from o2o.ordering.fulfilment import pickup_resource
from o2o.ordering.models import Tab, Table, Ticket
from o2o.ordering.selectors import kitchen_queue
from o2o.orders.enums import OrderStatus
from o2o.orders.models import FulfilmentEvent, Order, OrderLine
from o2o.payments.books import books_problems

pytestmark = pytest.mark.django_db

MERCHANTS = 14
PASSWORDS = {login.role: (login.email, login.password) for login in LOGINS}


@pytest.fixture
def city(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    out = io.StringIO()
    call_command("seed_demo", merchants=MERCHANTS, seed=7, stdout=out)
    return out.getvalue()


def _token(api_client, role: str) -> str:  # type: ignore[no-untyped-def]
    email, password = PASSWORDS[role]
    r = api_client.post("/auth/token", {"email": email, "password": password})
    assert r.status_code == 200, r.content
    return str(r.json()["token"])


def _sold_at(offering_id: object, store: Store) -> int:
    return int(OrderLine.objects.filter(offering_id=offering_id, order__store=store).exclude(
        order__status__in=[OrderStatus.CANCELLED, OrderStatus.EXPIRED]).aggregate(n=Sum("quantity"))["n"] or 0)


def test_menus_options_stock_photos_and_tables(city: str) -> None:
    with_menu = [m for m in Merchant.objects.filter(status=MerchantStatus.ACTIVE)
                 if menus.menu_for(data.kind_of_name(m.name).key)]  # type: ignore[union-attr]
    assert data.DEMO_MERCHANT in {m.name for m in with_menu} and len(with_menu) >= 3
    for m in with_menu:
        sections = menus.menu_for(data.kind_of_name(m.name).key)  # type: ignore[union-attr]
        assert [s.title for s in MenuSection.objects.filter(merchant=m)] == [f"{zh} {en}" for zh, en in
                                                                           (s.title for s in sections)]
        dishes = {menus.dish_title(d): d for s in sections for d in s.dishes}
        products = list(m.offerings.filter(kind="product").select_related("section"))
        assert sorted(o.title for o in products) == sorted(dishes)
        stores = list(m.stores.all())
        for o in products:
            dish = dishes[o.title]
            assert re.fullmatch(r"\S.* [A-Z0-9].*", o.title) and not o.title.isascii()  # "红烧牛肉面 Braised beef noodles"
            assert o.status == "live" and o.price_amount == Decimal(dish.price) and o.prep_minutes == dish.prep_minutes
            assert o.section is not None and o.photos.count() == 1
            groups = [(g.name, g.required, g.max_choices, [(c.name, c.price_delta_amount) for c in g.choices.all()])
                      for g in o.option_groups.order_by("position")]
            assert groups == [(g.name, g.required, g.max_choices, [(n, Decimal(d)) for n, d in g.choices])
                              for g in dish.options]
            for store in stores:
                row = StoreStock.objects.get(offering=o, store=store)
                if dish.stock is None:
                    assert row.quantity_left is None
                else:  # what is left plus what was sold there is what the shop stocked
                    assert row.quantity_left + _sold_at(o.pk, store) == dish.stock, (o.title, store.name)
        if m.category == Category.RESTAURANT:
            for store in stores:
                labels = set(Table.objects.filter(store=store).values_list("label", flat=True))
                assert 6 <= len(labels) <= 12 and labels == set(table_labels(len(labels))), labels
                assert {"A1", "A6"} <= labels
    assert any(o.option_groups.filter(required=False).exists() for m in with_menu for o in m.offerings.all())
    assert StoreStock.objects.filter(quantity_left__isnull=False).exists()
    assert Table.objects.values("token").distinct().count() == Table.objects.count()


def test_yesterdays_pickups_were_handed_over_in_opening_hours(city: str) -> None:
    now = timezone.now()
    yesterday = timezone.localdate(now) - timedelta(days=1)
    demo_store = Store.objects.get(name=DEMO_STORE)
    past = list(Order.objects.filter(fulfilment="pickup", ticket__kind="pickup", fulfilment_status="picked_up")
                .select_related("ticket", "store"))
    assert sum(o.store_id == demo_store.pk for o in past) >= 7
    assert len({o.store_id for o in past}) >= 2  # the demo store and another featured restaurant
    for o in past:
        t = o.ticket
        s = o.store
        assert o.status == OrderStatus.PAID and o.paid_amount == o.total_amount
        assert yesterday <= timezone.localdate(t.slot_start) <= yesterday + timedelta(days=1)  # a late window
        assert o.number[1:7] == timezone.localtime(o.created_at).strftime("%y%m%d")
        assert is_open(s.opening_hours, s.timezone, t.slot_start, s.closed_dates), (s.name, t.slot_start)
        assert is_open(s.opening_hours, s.timezone, o.created_at, s.closed_dates), (s.name, o.created_at)
        assert o.created_at <= o.paid_at < t.ready_at <= t.done_at < t.slot_end < now
        assert t.done_at >= t.slot_start - timedelta(minutes=5) and t.handed_over_by_id is not None
        moves = list(FulfilmentEvent.objects.filter(order=o).order_by("at", "id").values_list("to_status", flat=True))
        assert moves[-4:] == ["accepted", "preparing", "ready", "picked_up"], moves
        # the slot it took is yesterday's in the capacity calendar too
        assert CapacitySlot.objects.filter(resource=pickup_resource(s.pk), start=t.slot_start, taken__gte=1).exists()
    hours = {timezone.localtime(o.created_at).hour for o in past if o.store_id == demo_store.pk}
    assert len(hours) >= 4  # spread over the day
    # pickups reach no further than the days seeded (appointments, on the same calendar, do: a week ahead)
    assert not CapacitySlot.objects.filter(resource__startswith="pickup:", start__gt=now + timedelta(days=3)).exists()


def test_the_kitchen_now_the_ready_pickup_and_the_books(city: str, api_client) -> None:  # type: ignore[no-untyped-def]
    cache.clear()
    store = Store.objects.get(name=DEMO_STORE)
    clerk = User.objects.get(email="clerk@demo.o2o")
    _s, tickets = kitchen_queue(user=clerk, store_id=store.pk)
    seen = Counter((t.kind, t.order.fulfilment_status) for t in tickets)
    assert seen == {("pickup", "pending"): 2, ("pickup", "preparing"): 1, ("pickup", "ready"): 1,
                    ("dine_in", "pending"): 1}, seen
    tab_ticket = next(t for t in tickets if t.kind == "dine_in")
    assert tab_ticket.pay_at_counter and tab_ticket.order.status == OrderStatus.AWAITING_PAYMENT
    assert Tab.objects.get(pk=tab_ticket.tab_id).status == "open"
    ready = next(t for t in tickets if t.order.fulfilment_status == "ready")
    assert ready.order.customer.email == "customer@demo.o2o" and re.fullmatch(r"\d{6}", ready.pickup_code)

    # Walk-in sales today, paid in cash and handed over.
    sales = Order.objects.filter(store=store, ticket__kind="counter")
    assert sales.count() >= 2
    for sale in sales:
        assert sale.status == OrderStatus.PAID and sale.fulfilment_status == "picked_up"
        assert timezone.localdate(sale.created_at) == timezone.localdate()

    assert books_problems() == []

    # Through the API: the clerk's kitchen screen, the customer's ready order, the clerk hands it over.
    clerk_token, customer_token = _token(api_client, "clerk"), _token(api_client, "customer")
    r = api_client.get(f"/stores/{store.pk}/kitchen", token=clerk_token)
    assert r.status_code == 200 and len(r.json()["orders"]) == 5
    r = api_client.get(f"/orders/{ready.order_id}", token=customer_token)
    assert r.status_code == 200 and r.json()["pickup_code"] == ready.pickup_code
    r = api_client.post("/pickups", {"store_id": str(store.pk), "code": ready.pickup_code}, clerk_token)
    assert r.status_code == 200, r.content
    table = Table.objects.get(pk=tab_ticket.table_id)
    r = api_client.get(f"/tables/{table.token}")
    assert r.status_code == 200 and r.json()["menu"]["sections"]

    # The seed printed where to look, with the real ids.
    for path in (f"/counter/{store.pk}/kitchen/", f"/counter/{store.pk}/pos/", f"/t/{table.token}/",
                 f"/merchant/{store.merchant_id}/stores/{store.pk}/tables/sheet.pdf"):
        assert path in city, path
    assert Ticket.objects.filter(store=store, done_at__isnull=True).count() == 4


def test_a_tab_opened_while_the_store_is_closed_is_dated_when_it_was_last_open(city: str) -> None:
    """Checkout takes no table order while the store is closed; a seed run then writes it as checkout
    does and dates it to the last half hour the store was open (the kitchen still shows it)."""
    store = Store.objects.select_related("merchant__owner").get(name=DEMO_STORE)
    now = timezone.localtime()
    closes = f"{(now.hour - 1) % 24:02d}:00".replace("00:00", "24:00")
    closed_now = {d: [[f"{(now.hour - 3) % 24:02d}:00", closes]] for d in DAYS}  # open until an hour ago
    Store.objects.filter(pk=store.pk).update(opening_hours=closed_now)
    store.refresh_from_db()
    assert not is_open(store.opening_hours, store.timezone, timezone.now())
    sections = menus.menu_for(data.DEMO_KIND)
    dishes = {menus.dish_title(d): d for s in sections for d in s.dishes}
    menu = Menu(merchant=store.merchant, owner=store.merchant.owner, stores=[store],
                items=[(o, dishes[o.title]) for o in store.merchant.offerings.filter(kind="product")])
    customer = User.objects.get(email="customer001@demo.o2o")
    order = Dining(rng=random.Random(3), currency="CNY").open_tab(menu=menu, store=store, customer=customer)
    assert order is not None
    order.refresh_from_db()
    ticket = Ticket.objects.get(order=order)
    assert ticket.pay_at_counter and ticket.kind == "dine_in" and ticket.tab.status == "open"
    assert order.status == OrderStatus.AWAITING_PAYMENT and order.expires_at > timezone.now()
    assert is_open(store.opening_hours, store.timezone, order.created_at)
    assert timezone.now() - timedelta(hours=4) < order.created_at < timezone.now() - timedelta(minutes=20)
    assert ticket.queued_at == order.created_at or abs(ticket.queued_at - order.created_at) < timedelta(seconds=1)
    assert order.number[1:7] == timezone.localtime(order.created_at).strftime("%y%m%d")
    clerk = User.objects.get(email="clerk@demo.o2o")
    assert order.pk in {t.order_id for t in kitchen_queue(user=clerk, store_id=store.pk)[1]}
    assert books_problems() == []
