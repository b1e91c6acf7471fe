"""Tables, tabs closed at the counter, and walk-in sales on the same per-store stock, through the API."""

from __future__ import annotations

import pytest

from tests.helpers import DECLINED_CARD, GOOD_CARD, assert_error, quick_user
from tests.ordering.conftest import first_slot, pickup_body

pytestmark = pytest.mark.django_db

REGULAR = [{"name": "Size", "choice": "Regular"}]


def _table(bar, label="A1"):
    r = bar["api"].post(f"/stores/{bar['store']['id']}/tables", {"label": label, "seats": 4}, bar["owner"]["token"])
    assert r.status_code == 201, r.content
    return r.json()


def _dine_in(table_id, lines, pay_at_counter=True):
    return {"lines": lines, "fulfilment": {"type": "dine_in", "table_id": table_id, "pay_at_counter": pay_at_counter}}


def test_table_qr_opens_the_menu_and_phones_share_one_tab(bar):
    api, clerk = bar["api"], bar["clerk"]
    table = _table(bar)
    assert table["url"].endswith(f"/t/{table['token']}/")
    assert len(table["token"]) >= 16  # unguessable
    r = api.get(f"/tables/{table['token']}")
    assert r.status_code == 200, r.content
    assert r.json()["table_id"] == table["id"] and r.json()["store"]["id"] == bar["store"]["id"]
    assert [s["title"] for s in r.json()["menu"]["sections"]] == ["Noodles", "Drinks"]
    assert_error(api.get("/tables/not-a-real-token"), 404)
    phone1, phone2 = bar["customer"], quick_user("friend")
    r1 = api.post("/orders", _dine_in(table["id"], [
        {"offering_id": bar["noodles"]["id"], "quantity": 1, "options": [{"name": "Size", "choice": "Large"},
                                                                         {"name": "Spice", "choice": "Hot"}]},
        {"offering_id": bar["beef"]["id"], "quantity": 1}]), phone1["token"])
    assert r1.status_code == 201, r1.content
    r2 = api.post("/orders", _dine_in(table["id"], [{"offering_id": bar["cola"]["id"], "quantity": 2}],
                                      pay_at_counter=False), phone2["token"])
    assert r2.status_code == 201, r2.content
    o1, o2 = r1.json(), r2.json()
    assert o1["ticket"]["tab_id"] == o2["ticket"]["tab_id"] and o1["ticket"]["table"] == "A1"
    assert o1["channel"] == "qr"
    # the pay-at-counter order is cooking already; the pay-now order enters the kitchen once paid
    queue = api.get(f"/stores/{bar['store']['id']}/kitchen", clerk["token"]).json()["orders"]
    assert [q["number"] for q in queue] == [o1["number"]] and queue[0]["table"] == "A1"
    r = api.post(f"/orders/{o2['id']}/pay", {"provider": "sandbox", "card_number": GOOD_CARD}, phone2["token"])
    assert r.status_code == 200, r.content
    queue = api.get(f"/stores/{bar['store']['id']}/kitchen", clerk["token"]).json()["orders"]
    assert {q["number"] for q in queue} == {o1["number"], o2["number"]}
    for o in (o1, o2):
        assert api.post(f"/orders/{o['id']}/ready", token=clerk["token"]).status_code == 200
        r = api.post(f"/orders/{o['id']}/hand-over", token=clerk["token"])
        assert r.status_code == 200 and r.json()["fulfilment_status"] == "served", r.content
        assert_error(api.post(f"/orders/{o['id']}/hand-over", token=clerk["token"]), 409, "already_collected")
    tab_id = o1["ticket"]["tab_id"]
    tab = api.get(f"/tabs/{tab_id}", clerk["token"]).json()
    assert tab["due"]["amount"] == "47.00"  # 18 + 3 (large) + 26 beef; the colas were paid online
    assert_error(api.get(f"/tabs/{tab_id}", phone1["token"]), 404)
    r = api.post(f"/tabs/{tab_id}/close", {"method": "cash"}, clerk["token"])
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "closed" and r.json()["due"]["amount"] == "0.00"
    paid = api.get(f"/orders/{o1['id']}", phone1["token"]).json()
    assert paid["status"] == "paid" and paid["fulfilment_status"] == "closed"
    assert paid["payments"][0]["amount"]["amount"] == "47.00"
    assert_error(api.post(f"/tabs/{tab_id}/close", {"method": "cash"}, clerk["token"]), 409, "tab_closed")
    # the next sitting at the table opens a new tab
    r3 = api.post("/orders", _dine_in(table["id"], [{"offering_id": bar["cola"]["id"], "quantity": 1}]), phone1["token"])
    assert r3.json()["ticket"]["tab_id"] != tab_id
    # a customer cannot pay with cash online
    assert_error(api.post(f"/orders/{r3.json()['id']}/pay", {"provider": "cash"}, phone1["token"]), 422)
    from o2o.payments.books import books_problems

    assert books_problems() == []


def test_a_table_of_another_store_or_merchant(bar, api_client):
    api = bar["api"]
    # a table of the second store: its menu has no cola
    r = api.post(f"/stores/{bar['store2']['id']}/tables", {"label": "B1"}, bar["owner"]["token"])
    t2 = r.json()
    assert_error(api.post("/orders", _dine_in(t2["id"], [{"offering_id": bar["cola"]["id"], "quantity": 1}]),
                          bar["customer"]["token"]), 404)
    # another merchant's table with this merchant's dish
    other = quick_user("other")
    ms = api_client.merchant_with_store(other, name="Other Bar")
    t3 = api.post(f"/stores/{ms['store']['id']}/tables", {"label": "1"}, other["token"]).json()
    assert_error(api.post("/orders", _dine_in(t3["id"], [{"offering_id": bar["beef"]["id"], "quantity": 1}]),
                          bar["customer"]["token"]), 409, "wrong_store")
    # tables are made by the owner or a manager only, labels once per store
    assert_error(api.post(f"/stores/{bar['store']['id']}/tables", {"label": "C1"}, bar["clerk"]["token"]), 403)
    _table(bar, "C1")
    assert_error(api.post(f"/stores/{bar['store']['id']}/tables", {"label": "C1"}, bar["owner"]["token"]), 422)


def test_counter_sale_draws_on_the_same_stock_as_online_orders(bar):
    from o2o.catalogue.models import StoreStock

    api, clerk, c, sid, beef = bar["api"], bar["clerk"], bar["customer"], bar["store"]["id"], bar["beef"]["id"]
    slot = first_slot(api, sid, c["token"])
    r = api.post("/orders", pickup_body(sid, slot, [{"offering_id": beef, "quantity": 2}]), c["token"])
    assert r.status_code == 201
    r = api.post(f"/stores/{sid}/sales", {"lines": [{"offering_id": beef, "quantity": 3}], "payment": {"method": "cash"}},
                 clerk["token"], headers={"Idempotency-Key": "till-1"})
    assert r.status_code == 201, r.content
    sale = r.json()
    assert sale["status"] == "paid" and sale["total"]["amount"] == "78.00" and sale["channel"] == "counter"
    assert sale["pickup_code"]  # beef is made in the kitchen: the walk-in customer waits for their number
    again = api.post(f"/stores/{sid}/sales", {"lines": [{"offering_id": beef, "quantity": 3}],
                                               "payment": {"method": "cash"}}, clerk["token"],
                     headers={"Idempotency-Key": "till-1"})
    assert again.status_code == 200 and again.json()["id"] == sale["id"]  # a double tap rings up one sale
    assert StoreStock.objects.get(offering_id=beef, store_id=sid).quantity_left == 0
    # now the counter has sold the last ones: online and the counter both get sold_out
    buyer = quick_user("buyer")
    assert_error(api.post("/orders", pickup_body(sid, slot, [{"offering_id": beef, "quantity": 1}]), buyer["token"]),
                 409, "sold_out")
    assert_error(api.post(f"/stores/{sid}/sales", {"lines": [{"offering_id": beef, "quantity": 1}],
                                                   "payment": {"method": "cash"}}, clerk["token"]), 409, "sold_out")


def test_counter_sale_by_card_declined_puts_the_units_back(bar):
    from o2o.catalogue.models import StoreStock
    from o2o.orders.models import Order

    api, clerk, sid, cola = bar["api"], bar["clerk"], bar["store"]["id"], bar["cola"]["id"]
    err = assert_error(api.post(f"/stores/{sid}/sales", {"lines": [{"offering_id": cola, "quantity": 4}],
                                                         "payment": {"method": "card", "card_number": DECLINED_CARD}},
                                clerk["token"]), 402)
    assert err["code"] == "payment_declined"
    assert StoreStock.objects.get(offering_id=cola, store_id=sid).quantity_left == 20
    assert Order.objects.get(source_channel="counter").status == "cancelled"
    r = api.post(f"/stores/{sid}/sales", {"lines": [{"offering_id": cola, "quantity": 4}],
                                          "payment": {"method": "card", "card_number": GOOD_CARD}}, clerk["token"])
    assert r.status_code == 201, r.content
    body = r.json()
    # a drink needs no kitchen: handed over on the spot, nothing waits in the queue
    assert body["fulfilment_status"] == "picked_up"
    assert api.get(f"/stores/{sid}/kitchen", clerk["token"]).json()["orders"] == []
    assert_error(api.post(f"/stores/{sid}/sales", {"lines": [{"offering_id": cola, "quantity": 1}],
                                                   "payment": {"method": "cheque"}}, clerk["token"]), 422)
    assert_error(api.post(f"/stores/{sid}/sales", {"lines": [{"offering_id": cola, "quantity": 1}],
                                                   "payment": {"method": "cash"}}, bar["customer"]["token"]), 404)
    other_clerk = api.clerk(bar["owner"], bar["merchant"]["id"], [bar["store2"]["id"]])
    assert_error(api.post(f"/stores/{sid}/sales", {"lines": [{"offering_id": cola, "quantity": 1}],
                                                   "payment": {"method": "cash"}}, other_clerk["token"]), 403)
    from o2o.payments.books import books_problems

    assert books_problems() == []


def test_counter_sales_count_in_the_merchants_revenue(bar):
    from o2o.analytics import selectors as analytics

    api, clerk, sid = bar["api"], bar["clerk"], bar["store"]["id"]
    r = api.post(f"/stores/{sid}/sales", {"lines": [{"offering_id": bar["cola"]["id"], "quantity": 2}],
                                          "payment": {"method": "cash"}}, clerk["token"])
    assert r.status_code == 201
    from o2o.merchants.models import Merchant

    today = analytics.merchant_revenue(merchant=Merchant.objects.get(pk=bar["merchant"]["id"]))[0]
    assert today.key == "today" and [(r.paid.amount, r.orders) for r in today.rows] == [(10, 1)]


def test_the_kitchen_just_handed_over_line_keeps_to_the_last_hours(bar):
    from datetime import timedelta

    from django.utils import timezone

    from o2o.merchants.models import Store
    from o2o.ordering.models import Ticket
    from o2o.ordering.selectors import recent_done

    api, clerk, sid = bar["api"], bar["clerk"], bar["store"]["id"]
    for _ in range(2):
        r = api.post(f"/stores/{sid}/sales", {"lines": [{"offering_id": bar["beef"]["id"], "quantity": 1}],
                                              "payment": {"method": "cash"}}, clerk["token"])
        assert r.status_code == 201
        assert api.post(f"/orders/{r.json()['id']}/hand-over", token=clerk["token"]).status_code == 200
    old = Ticket.objects.filter(store_id=sid).order_by("created_at").first()
    Ticket.objects.filter(pk=old.pk).update(done_at=timezone.now() - timedelta(hours=20))  # yesterday's shift
    shown = recent_done(store=Store.objects.get(pk=sid))
    assert [t.pk for t in shown] == [Ticket.objects.filter(store_id=sid).exclude(pk=old.pk).get().pk]
