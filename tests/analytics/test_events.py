"""The rest of the event stream: an order placed on every path that creates one (the plain checkout, the
grouped checkout of a rush, the menu's pickup order, the counter's sale), a pickup handed over, a booking
made and checked in, and a page viewed (once per browser and half hour). Each in the transaction of
its change: a refused change appends nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from o2o.analytics.models import Event
from o2o.catalogue.models import Offering
from o2o.orders import batching
from o2o.orders.models import Order
from o2o.orders.services import _order_create_plain
from tests.bookings.conftest import TZ, local_day
from tests.campaigns.conftest import scan
from tests.helpers import GOOD_CARD, ApiClient, quick_user
from tests.ordering.conftest import first_slot, pickup_body

pytestmark = pytest.mark.django_db


def _kinds(merchant_id: str) -> list[str]:
    return list(Event.objects.filter(merchant_id=merchant_id).order_by("id").values_list("kind", flat=True))


def test_a_plain_checkout_appends_the_order_placed_with_its_placement(shop):
    phone = ApiClient()
    buyer = quick_user("buyer")
    scan(phone, shop["poster"]["code"])
    order = phone.buy(buyer, shop["deal"]["id"], quantity=2, pay=False)
    placed = Event.objects.get(merchant_id=shop["merchant"]["id"], kind="order")
    assert str(placed.order_id) == order["id"] and str(placed.customer_id) == buyer["id"]
    assert str(placed.placement_id) == shop["poster"]["id"] and str(placed.offering_id) == shop["deal"]["id"]
    assert str(placed.store_id) == shop["store"]["id"] and placed.h3_r8
    assert str(placed.amount) == "198.00" and placed.currency == "CNY"
    # sold out: refused, nothing appended
    r = phone.post("/orders", {"lines": [{"offering_id": shop["deal"]["id"], "quantity": 49}]}, buyer["token"])
    assert r.status_code == 409
    assert _kinds(shop["merchant"]["id"]) == ["scan", "order"]


@pytest.mark.django_db(transaction=True)
def test_the_grouped_checkout_appends_one_order_event_per_order():
    """Outside a transaction (as a real request) a one-line checkout goes through the grouped checkout
    (orders/batching.py), which writes a whole group with one INSERT per table: each order of a group
    still gets its own "order" event, in that transaction."""
    api = ApiClient()
    owner = quick_user("owner")
    ms = api.merchant_with_store(owner, name="Rush Dumplings")
    deal = api.deal(owner, ms["merchant"]["id"], [ms["store"]["id"]], title="Dumplings", quantity_total=40)
    checkouts = batching.stats.checkouts
    buyer = quick_user("b0")
    r = api.post("/orders", {"lines": [{"offering_id": deal["id"], "quantity": 2}]}, buyer["token"])
    assert r.status_code == 201 and batching.stats.checkouts == checkouts + 1
    offering = Offering.objects.get(pk=deal["id"])
    users = [quick_user(f"b{i}")["user"] for i in range(1, 4)]
    batch = [batching.Checkout(customer=u, offering_id=offering.pk, quantity=1, now=timezone.now()) for u in users]
    batching.run_batch(batch, plain=_order_create_plain)
    assert all(req.order is not None for req in batch)
    orders = set(Order.objects.filter(merchant_id=ms["merchant"]["id"]).values_list("pk", flat=True))
    placed = list(Event.objects.filter(merchant_id=ms["merchant"]["id"], kind="order"))
    assert len(orders) == 4 and sorted(e.order_id for e in placed) == sorted(orders)
    assert all(str(e.offering_id) == deal["id"] and e.h3_r8 and e.placement_id is None for e in placed)
    assert sorted(str(e.amount) for e in placed) == ["198.00", "99.00", "99.00", "99.00"]
    assert {e.customer_id for e in placed} == {buyer["user"].pk, *(u.pk for u in users)}


def test_a_menu_order_for_pickup_placed_paid_and_handed_over(bar):
    api, c, clerk, sid = bar["api"], bar["customer"], bar["clerk"], bar["store"]["id"]
    slot = first_slot(api, sid, c["token"])
    r = api.post("/orders", pickup_body(sid, slot, [{"offering_id": bar["beef"]["id"], "quantity": 1},
                                                    {"offering_id": bar["cola"]["id"], "quantity": 2}]), c["token"])
    assert r.status_code == 201, r.content
    order = r.json()
    placed = Event.objects.get(order_id=order["id"], kind="order")
    assert placed.offering_id is None  # two dishes: the order counts for its store, not for one dish
    assert str(placed.store_id) == sid and str(placed.amount) == "36.00" and placed.data["fulfilment"] == "pickup"
    r = api.post(f"/orders/{order['id']}/pay", {"provider": "sandbox", "card_number": GOOD_CARD}, c["token"])
    assert r.status_code == 200, r.content
    code = r.json()["pickup_code"]
    assert api.post(f"/orders/{order['id']}/accept", token=clerk["token"]).status_code == 200
    assert api.post(f"/orders/{order['id']}/ready", token=clerk["token"]).status_code == 200
    assert api.post("/pickups", {"store_id": sid, "code": code}, clerk["token"]).status_code == 200
    assert api.post("/pickups", {"store_id": sid, "code": code}, clerk["token"]).status_code == 409
    assert list(Event.objects.filter(order_id=order["id"]).order_by("id").values_list("kind", flat=True)) == [
        "order", "paid", "picked_up"]
    handed = Event.objects.get(order_id=order["id"], kind="picked_up")
    assert str(handed.store_id) == sid and str(handed.customer_id) == c["id"]


def test_a_counter_sale_is_placed_paid_and_handed_over_at_once(bar):
    api, clerk, sid = bar["api"], bar["clerk"], bar["store"]["id"]
    r = api.post(f"/stores/{sid}/sales", {"lines": [{"offering_id": bar["cola"]["id"], "quantity": 3}],
                                          "payment": {"method": "cash"}}, clerk["token"],
                 headers={"Idempotency-Key": "till-a1"})
    assert r.status_code == 201, r.content
    sale = r.json()
    events = list(Event.objects.filter(order_id=sale["id"]).order_by("id"))
    assert [e.kind for e in events] == ["order", "paid", "picked_up"]
    assert events[0].data["channel"] == "counter" and str(events[0].offering_id) == bar["cola"]["id"]
    assert str(events[1].amount) == "15.00"


def test_a_booking_made_and_checked_in(school):
    api, c = school["api"], school["customer"]
    day = datetime.now(ZoneInfo(TZ)).date()
    r = api.get(f"/offerings/{school['service']['id']}/slots", c["token"], date=day.isoformat())
    found = r.json()["slots"] or api.get(f"/offerings/{school['service']['id']}/slots", c["token"],
                                         date=local_day(1).isoformat()).json()["slots"]
    r = api.post("/bookings", {"offering_id": school["service"]["id"], "start": found[0]["start"]}, c["token"])
    assert r.status_code == 201, r.content
    booking = r.json()
    booked = Event.objects.get(merchant_id=school["merchant"]["id"], kind="booked")
    assert booked.data == {"booking_id": booking["id"]} and str(booked.offering_id) == school["service"]["id"]
    assert str(booked.store_id) == school["store"]["id"] and str(booked.customer_id) == c["id"]
    assert str(booked.amount) == "120.00"
    # hourly classes all day: the next one starts within the hour, so check-in (two hours before) is open
    assert api.post(f"/bookings/{booking['id']}/check-in", None, school["clerk"]["token"]).status_code == 200
    assert api.post(f"/bookings/{booking['id']}/check-in", None, school["clerk"]["token"]).status_code == 409
    assert _kinds(school["merchant"]["id"]) == ["booked", "checked_in"]


def test_page_views_count_once_per_browser_and_half_hour(shop):
    m = shop["merchant"]["id"]
    browser, other = ApiClient(), ApiClient()
    for _ in range(3):
        assert browser.client.get(f"/deals/{shop['deal']['id']}/").status_code == 200
    assert browser.client.get(f"/stores/{shop['store']['id']}/").status_code == 200
    scan(other, shop["window"]["code"])  # this browser has the QR cookie: its view names its visitor
    assert other.client.get(f"/deals/{shop['deal']['id']}/", REMOTE_ADDR="10.0.0.9").status_code == 200
    views = list(Event.objects.filter(merchant_id=m, kind="view").order_by("id"))
    assert [(str(v.offering_id) if v.offering_id else None, str(v.store_id)) for v in views] == [
        (shop["deal"]["id"], shop["store"]["id"]), (None, shop["store"]["id"]), (shop["deal"]["id"], shop["store"]["id"])]
    visitor = Event.objects.get(merchant_id=m, kind="scan").visitor_id
    assert views[0].visitor_id is None and views[2].visitor_id == visitor
    # an unknown page is a 404 and no view
    assert browser.client.get("/deals/00000000-0000-0000-0000-000000000001/").status_code == 404
    assert Event.objects.filter(kind="view").count() == 3


def test_a_prepaid_booking_and_a_jobs_deposit_are_orders_placed_too(school, api_client):
    """The bookings and jobs apps write their own orders (a booking paid online, a job's deposit): they
    appear in the stream as "order" like every other order."""
    from tests.bookings.test_booking_payment_api import book, paid_service
    from tests.jobs.conftest import job_with_deposit, make_shop

    b = book(school, paid_service(school, prepay="full"))
    placed = Event.objects.get(merchant_id=school["merchant"]["id"], kind="order")
    assert str(placed.order_id) == b["payment"]["order_id"] and placed.data["fulfilment"] == "booking"
    assert str(placed.amount) == "120.00"

    firm = make_shop(api_client)
    job = job_with_deposit(firm)
    placed = Event.objects.get(merchant_id=firm["merchant"]["id"], kind="order")
    assert placed.data["fulfilment"] == "job" and str(placed.customer_id) == firm["customer"]["id"]
    assert Order.objects.get(pk=placed.order_id).total_amount == placed.amount, job
