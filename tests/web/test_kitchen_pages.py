"""The staff's side of restaurant ordering through its pages (Django client, real database): the
kitchen screen and its moves, the pickup-code box, the counter's point of sale (the same stock as
online orders), open tabs, the 80 mm receipt and the tables' printed QR sheet. What a page does is
checked where the customer or the API sees it (GET /orders/{id}, POST /orders)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from o2o.accounts.models import User
from tests.helpers import GOOD_CARD, assert_error, quick_user
from tests.ordering.conftest import bar, first_slot, pickup_body  # noqa: F401 - the shared noodle bar fixture
from tests.qr import decode_pdf_qrs, pdf_text

pytestmark = pytest.mark.django_db


def login(person: dict[str, Any], lang: str = "en") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(User.objects.get(pk=person["id"]))
    return c


def noodle_line(bar: dict[str, Any], qty: int = 1) -> dict[str, Any]:  # noqa: F811
    return {"offering_id": bar["noodles"]["id"], "quantity": qty,
            "options": [{"name": "Size", "choice": "Large"}, {"name": "Extras", "choice": "Egg"}]}


def pickup_order(bar: dict[str, Any], *, pay: bool = True, lines: list[dict[str, Any]] | None = None) -> dict[str, Any]:  # noqa: F811
    api, cust = bar["api"], bar["customer"]
    slot = first_slot(api, bar["store"]["id"], cust["token"])
    r = api.post("/orders", pickup_body(bar["store"]["id"], slot, lines or [noodle_line(bar)]), cust["token"])
    assert r.status_code == 201, r.content
    order = r.json()
    if pay:
        r = api.post(f"/orders/{order['id']}/pay", {"provider": "sandbox", "card_number": GOOD_CARD}, cust["token"])
        assert r.status_code == 200, r.content
        order = r.json()
    return order


def table_order(bar: dict[str, Any], label: str = "A1") -> tuple[dict[str, Any], dict[str, Any]]:  # noqa: F811
    api = bar["api"]
    r = api.post(f"/stores/{bar['store']['id']}/tables", {"label": label, "seats": 4}, bar["owner"]["token"])
    assert r.status_code == 201, r.content
    table = r.json()
    r = api.post("/orders", {"lines": [{"offering_id": bar["cola"]["id"], "quantity": 2}],
                             "fulfilment": {"type": "dine_in", "table_id": table["id"], "pay_at_counter": True}},
                 bar["customer"]["token"])
    assert r.status_code == 201, r.content
    return table, r.json()


def as_customer(bar: dict[str, Any], order_id: str) -> dict[str, Any]:  # noqa: F811
    r = bar["api"].get(f"/orders/{order_id}", bar["customer"]["token"])
    assert r.status_code == 200, r.content
    return r.json()


def card_of(html: str, number: str) -> str:
    start = html.index(f'data-number="{number}"')
    end = html.find("<article", start)
    return html[start:end if end != -1 else None]


def test_kitchen_lists_paid_pickups_and_pay_at_counter_tables_not_unpaid_pickups(bar):  # noqa: F811
    paid = pickup_order(bar)
    unpaid = pickup_order(bar, pay=False)
    _table, dine = table_order(bar)
    r = login(bar["clerk"]).get(f"/counter/{bar['store']['id']}/kitchen/")
    assert r.status_code == 200
    html = r.content.decode()
    assert paid["number"] in html and dine["number"] in html
    assert unpaid["number"] not in html
    card = card_of(html, paid["number"])
    assert paid["pickup_code"] in card and "Large" in card and "Egg" in card and "Beef noodle soup" in card
    table_card = card_of(html, dine["number"])
    assert "A1" in table_card and "Pay at counter" in table_card and "2×" in table_card
    assert "Pay at counter" not in card
    # the live fragment says the same and is polled
    assert 'hx-trigger="every 4s' in html
    frag = login(bar["clerk"]).get(f"/counter/{bar['store']['id']}/kitchen/queue/").content.decode()
    assert paid["number"] in frag and unpaid["number"] not in frag and "<html" not in frag


def test_accept_ready_handed_over_move_the_order_the_customer_sees(bar):  # noqa: F811
    order = pickup_order(bar)
    c = login(bar["clerk"])
    base = f"/counter/{bar['store']['id']}/kitchen/{order['id']}"
    r = c.post(f"{base}/accept/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "accepted" in r.content.decode()
    assert as_customer(bar, order["id"])["fulfilment_status"] == "preparing"
    assert 'kq-preparing' in r.content.decode() and order["number"] in card_of(r.content.decode(), order["number"])
    r = c.post(f"{base}/ready/")  # without htmx: back to the page with a message
    assert r.status_code == 302
    assert as_customer(bar, order["id"])["fulfilment_status"] == "ready"
    r = c.post(f"{base}/hand-over/", HTTP_HX_REQUEST="true")
    assert as_customer(bar, order["id"])["fulfilment_status"] == "picked_up"
    assert f'data-number="{order["number"]}"' not in r.content.decode()
    # again: the refusal is shown, not a 500
    r = c.post(f"{base}/hand-over/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "already handed over" in r.content.decode()


def test_reject_with_a_reason_refunds_the_paid_order(bar):  # noqa: F811
    order = pickup_order(bar)
    c = login(bar["clerk"])
    url = f"/counter/{bar['store']['id']}/kitchen/{order['id']}/reject/"
    r = c.post(url, {"reason": "", "reason_text": ""}, HTTP_HX_REQUEST="true")  # no reason: asked again
    assert r.status_code == 200 and "Say why" in r.content.decode()
    assert as_customer(bar, order["id"])["status"] == "paid"
    r = c.post(url, {"reason": "sold_out", "reason_text": "no beef left"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "refunded" in r.content.decode()
    seen = as_customer(bar, order["id"])
    assert seen["status"] == "refunded" and seen["fulfilment_status"] == "cancelled"
    from o2o.ordering.models import Ticket

    assert Ticket.objects.get(order_id=order["id"]).reject_reason == "Sold out: no beef left"


def test_pickup_code_box_hands_over_once_then_says_already(bar):  # noqa: F811
    order = pickup_order(bar)
    c = login(bar["clerk"])
    url = f"/counter/{bar['store']['id']}/kitchen/pickup/"
    r = c.post(url, {"code": order["pickup_code"]}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'data-ok="1"' in r.content.decode() and order["number"] in r.content.decode()
    assert r["HX-Trigger"] == "kitchen-refresh"
    assert as_customer(bar, order["id"])["fulfilment_status"] == "picked_up"
    r = c.post(url, {"code": order["pickup_code"]}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'data-ok="0"' in r.content.decode()
    assert "already handed over" in r.content.decode()
    r = c.post(url, {"code": "12ab"}, HTTP_HX_REQUEST="true")  # nonsense: a message, not a 500
    assert r.status_code == 200 and "6 digits" in r.content.decode()


def test_another_merchants_owner_gets_404_and_a_clerk_of_another_store_403(bar):  # noqa: F811
    order = pickup_order(bar)
    stranger = quick_user("stranger")
    bar["api"].merchant_with_store(stranger, name="Other Noodles")
    s = login(stranger)
    store = bar["store"]["id"]
    for url in (f"/counter/{store}/kitchen/", f"/counter/{store}/kitchen/queue/", f"/counter/{store}/pos/",
                f"/counter/orders/{order['id']}/receipt/",
                f"/merchant/{bar['merchant']['id']}/stores/{store}/tables/"):
        assert s.get(url).status_code == 404, url
    assert s.post(f"/counter/{store}/kitchen/{order['id']}/accept/").status_code == 404
    assert s.post(f"/counter/{store}/kitchen/pickup/", {"code": order["pickup_code"]}).status_code == 404
    other_clerk = bar["api"].clerk(bar["owner"], bar["merchant"]["id"], [bar["store2"]["id"]])
    oc = login(other_clerk)
    assert oc.get(f"/counter/{store}/kitchen/").status_code == 403
    assert oc.get(f"/counter/{store}/pos/").status_code == 403
    assert oc.post(f"/counter/{store}/kitchen/{order['id']}/accept/").status_code == 403
    assert oc.get(f"/counter/orders/{order['id']}/receipt/").status_code == 403
    assert as_customer(bar, order["id"])["fulfilment_status"] == "pending"
    # a clerk may work the kitchen but not manage the tables
    assert login(bar["clerk"]).get(f"/merchant/{bar['merchant']['id']}/stores/{store}/tables/").status_code == 403


def test_the_kitchen_in_chinese(bar):  # noqa: F811
    order = pickup_order(bar)
    zh = login(bar["clerk"], "zh-hans")
    html = zh.get(f"/counter/{bar['store']['id']}/kitchen/").content.decode()
    for text in ("后厨", "新订单", "制作中", "待取餐", "接单", "拒单", "取餐码", "点击开启提示音"):
        assert text in html, text
    assert "Tap to enable sound" not in html and ">Accept<" not in html
    url = f"/counter/{bar['store']['id']}/kitchen/pickup/"
    assert "已交付" in zh.post(url, {"code": order["pickup_code"]}, HTTP_HX_REQUEST="true").content.decode()
    again = zh.post(url, {"code": order["pickup_code"]}, HTTP_HX_REQUEST="true").content.decode()
    assert "取走" in again and "already" not in again


def test_pos_sale_with_options_takes_the_same_stock_as_online_orders(bar):  # noqa: F811
    c = login(bar["clerk"])
    url = f"/counter/{bar['store']['id']}/pos/"
    noodles, beef = bar["noodles"], bar["beef"]
    size = next(g for g in _groups(noodles["id"]) if g.name == "Size")
    # a required option left out is refused, nothing added
    c.post(url, {"action": "add", "offering_id": noodles["id"], "quantity": "1"})
    page = c.get(url).content.decode()
    assert "Please choose Size" in page and "Tap a dish to add it." in page
    c.post(url, {"action": "add", "offering_id": noodles["id"], "quantity": "2", f"g{size.pk}": "Large"})
    c.post(url, {"action": "add", "offering_id": beef["id"], "quantity": "5"})  # all five braised beef
    page = c.get(url).content.decode()
    assert "172.00" in page  # 2 x (18 + 3 Large) + 5 x 26
    cart_id = c.session[f"pos:{bar['store']['id']}"]["id"]
    r = c.post(url, {"action": "pay", "cart_id": cart_id, "method": "cash", "given": "200"})
    assert r.status_code == 302 and "sale=" in r["Location"]
    page = c.get(r["Location"]).content.decode()
    assert "172.00" in page and "28.00" in page  # the total and the change from 200
    from o2o.orders.models import Order

    sale = Order.objects.get(pk=r["Location"].split("sale=")[1])
    assert sale.status == "paid" and sale.total_amount == 172
    assert {ln.title: ln.options for ln in sale.lines.all()}["Beef noodle soup"][0]["choice"] == "Large"
    # a double tap rings up nothing more
    r = c.post(url, {"action": "pay", "cart_id": cart_id, "method": "cash"})
    assert Order.objects.filter(store_id=bar["store"]["id"], source_channel="counter").count() == 1
    # sold out at the counter: the dish is disabled there and an online order of it gets 409 sold_out
    page = c.get(url).content.decode()
    dish = page[page.index(f'data-offering="{beef["id"]}"'):]
    dish = dish[:dish.index("</form>")]
    assert "is-sold-out" in page and "disabled" in dish and "Sold out" in dish
    api, cust = bar["api"], bar["customer"]
    slot = first_slot(api, bar["store"]["id"], cust["token"])
    r = api.post("/orders", pickup_body(bar["store"]["id"], slot, [{"offering_id": beef["id"], "quantity": 1}]),
                 cust["token"])
    assert_error(r, 409, "sold_out")
    # and the receipt link of the sale works
    r = c.get(f"/counter/orders/{sale.pk}/receipt/")
    assert r.status_code == 200 and sale.number in r.content.decode() and "Cash" in r.content.decode()


def _groups(offering_id: str) -> list[Any]:
    from o2o.catalogue.models import OptionGroup

    return list(OptionGroup.objects.filter(offering_id=offering_id))


def test_pos_card_declined_shows_the_message_and_keeps_the_cart(bar):  # noqa: F811
    c = login(bar["clerk"])
    url = f"/counter/{bar['store']['id']}/pos/"
    c.post(url, {"action": "add", "offering_id": bar["cola"]["id"], "quantity": "3"})
    cart_id = c.session[f"pos:{bar['store']['id']}"]["id"]
    r = c.post(url, {"action": "pay", "cart_id": cart_id, "method": "card", "card_number": "4000000000000002"},
               follow=True)
    assert r.status_code == 200 and "declined" in r.content.decode().lower()
    assert "15.00" in r.content.decode()  # the cart is still there to pay another way
    r = c.post(url, {"action": "pay", "cart_id": cart_id, "method": "card", "card_number": GOOD_CARD}, follow=True)
    assert "Card ···4242" in r.content.decode() and "paid: CN¥15.00" in r.content.decode()


def test_open_tabs_show_what_is_due_and_close_by_cash(bar):  # noqa: F811
    _table, dine = table_order(bar, "B2")
    c = login(bar["clerk"])
    page = c.get(f"/counter/{bar['store']['id']}/pos/").content.decode()
    assert "B2" in page and "10.00" in page
    from o2o.ordering.models import Tab

    tab = Tab.objects.get(status="open", table__label="B2")
    r = c.post(f"/counter/{bar['store']['id']}/tabs/{tab.pk}/close/", {"method": "cash"}, follow=True)
    assert r.status_code == 200 and "closed" in r.content.decode()
    assert as_customer(bar, dine["id"])["status"] == "paid"
    tab.refresh_from_db()
    assert tab.status == "closed"
    assert "No table has an open tab." in r.content.decode()


def test_receipt_pdf_has_the_order_number_total_and_pickup_code(bar):  # noqa: F811
    order = pickup_order(bar, lines=[noodle_line(bar, 2)])
    r = login(bar["owner"]).get(f"/counter/orders/{order['id']}/receipt/?format=pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = "".join(pdf_text(r.content))
    assert order["number"] in text and "46.00" in text and order["pickup_code"] in text
    assert "Large" in text and "8 Kehua Rd" not in text  # the order's own store, not the second one
    page = login(bar["owner"]).get(f"/counter/orders/{order['id']}/receipt/").content.decode()
    assert "@page { size: 80mm auto" in page and "Card ···4242" in page


def test_tables_page_adds_tables_and_the_sheet_qrs_decode_to_their_urls(bar):  # noqa: F811
    c = login(bar["owner"])
    url = f"/merchant/{bar['merchant']['id']}/stores/{bar['store']['id']}/tables/"
    for label in ("T1", "T2", "T3"):
        assert c.post(url, {"label": label, "seats": "4"}).status_code == 302
    r = c.post(url, {"label": "T1", "seats": "4"})  # a name used twice: shown, nothing added
    assert r.status_code == 200 and "already has a table" in r.content.decode()
    r = c.post(url, {"label": "T9", "seats": "abc"})
    assert r.status_code == 200
    page = c.get(url).content.decode()
    from o2o.ordering.models import Table

    tables = list(Table.objects.filter(store_id=bar["store"]["id"]))
    assert sorted(t.label for t in tables) == ["T1", "T2", "T3"]
    expected = sorted(f"http://testserver/t/{t.token}/" for t in tables)
    for u in expected:
        assert u in page
    r = c.get(url + "sheet.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert sorted(p for page_qrs in decode_pdf_qrs(r.content) for p in page_qrs) == expected
    assert "T2" in "".join(pdf_text(r.content))
    # another merchant's id in the path: 404 even for the owner of this store
    other = quick_user("other")
    ms = bar["api"].merchant_with_store(other)
    wrong = f"/merchant/{ms['merchant']['id']}/stores/{bar['store']['id']}/tables/"
    assert c.get(wrong).status_code == 404


def test_links_from_the_counter_and_the_dashboard(bar):  # noqa: F811
    store = bar["store"]["id"]
    counter_page = login(bar["clerk"]).get(f"/counter/{store}/").content.decode()
    assert f"/counter/{store}/kitchen/" in counter_page and f"/counter/{store}/pos/" in counter_page
    board = login(bar["owner"]).get(f"/merchant/{bar['merchant']['id']}/").content.decode()
    assert f"/merchant/{bar['merchant']['id']}/stores/{store}/tables/" in board
