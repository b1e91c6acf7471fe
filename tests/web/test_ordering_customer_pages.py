"""The customer's restaurant pages through the Django test client: the menu a table's QR opens, ordering
to the table's tab (pay now or at the counter), ordering ahead for pickup, and the order page's live
progress with the pickup code (o2o/web/views/ordering_customer.py)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from o2o.accounts.models import User
from o2o.ordering.checkout import pickup_slots
from o2o.ordering.kitchen import ticket_ready
from o2o.ordering.models import StoreOrdering, Tab, Ticket
from o2o.orders.models import Order, OrderLine
from tests.helpers import GOOD_CARD, quick_user
from tests.ordering.conftest import bar, first_slot, pickup_body  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _table(bar: dict[str, Any], label: str = "5") -> dict[str, Any]:  # noqa: F811
    r = bar["api"].post(f"/stores/{bar['store']['id']}/tables", {"label": label}, bar["owner"]["token"])
    assert r.status_code == 201, r.content
    return r.json()


def _noodle_form(bar: dict[str, Any], *, qty: int = 2, size: str = "Large", extras: tuple[str, ...] = ("Egg", "Beef"),  # noqa: F811
                 pay: str = "now") -> dict[str, Any]:
    n = bar["noodles"]["id"]
    return {f"qty-{n}": str(qty), f"opt-{n}-0": size, f"opt-{n}-2": list(extras), "pay": pay}


def _dish(html: str, offering_id: str) -> str:
    m = re.search(rf'<fieldset[^>]*id="dish-{offering_id}".*?</fieldset>', html, re.S)
    assert m, f"dish {offering_id} not on the page"
    return m.group(0)


def test_table_page_shows_the_menu_in_section_order_with_sold_out_dishes_not_orderable(bar):  # noqa: F811
    table = _table(bar)
    r = bar["api"].call("PATCH", f"/stores/{bar['store']['id']}/stock/{bar['cola']['id']}", {"sold_out": True},
                         bar["clerk"]["token"])
    assert r.status_code == 200, r.content
    assert table["url"].endswith(f"/t/{table['token']}/")
    page = Client().get(f"/t/{table['token']}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index('class="menu-section-title">Noodles') < html.index('class="menu-section-title">Drinks')
    assert html.index("Beef noodle soup") < html.index("Cola")
    cola = _dish(html, bar["cola"]["id"])
    assert "is-sold-out" in cola and "Sold out" in cola and "qty-" not in cola
    noodles = _dish(html, bar["noodles"]["id"])
    # options: the required size is a radio group, extras are checkboxes with their price deltas shown
    assert f'type="radio" name="opt-{bar["noodles"]["id"]}-0"' in noodles
    assert f'type="checkbox" name="opt-{bar["noodles"]["id"]}-2"' in noodles
    assert 'data-max="2"' in noodles and "+CN¥8.00" in noodles
    assert "Pay now" in html and "Pay at the counter" in html
    assert page["Cache-Control"].startswith("max-age=0")


def test_ordering_with_options_puts_a_dine_in_order_on_the_tables_tab_at_the_options_price(bar):  # noqa: F811
    table = _table(bar)
    c = _client(bar["customer"]["user"])
    form = _noodle_form(bar)
    form[f"qty-{bar['cola']['id']}"] = "1"
    r = c.post(f"/t/{table['token']}/", form)
    assert r.status_code == 302, r.content.decode()[:2000]
    order = Order.objects.get(customer=bar["customer"]["user"])
    assert r["Location"] == f"/orders/{order.pk}/pay/"
    assert order.fulfilment == "dine_in" and order.status == "awaiting_payment"
    ticket = Ticket.objects.get(order=order)
    assert str(ticket.table_id) == table["id"] and ticket.tab is not None and not ticket.pay_at_counter
    line = OrderLine.objects.get(order=order, offering_id=bar["noodles"]["id"])
    assert line.quantity == 2 and line.unit_price.amount == Decimal("31.00")  # 18 + Large 3 + Egg 2 + Beef 8
    assert [o["choice"] for o in line.options] == ["Large", "Egg", "Beef"]
    assert order.total.amount == Decimal("67.00")
    pay = c.get(r["Location"]).content.decode()
    assert "Large, Egg, Beef" in pay
    r = c.post(r["Location"], {"card_number": GOOD_CARD, "expiry": "12/40", "cvc": "123"})
    assert r.status_code == 302 and r["Location"] == f"/orders/{order.pk}/"
    page = c.get(r["Location"]).content.decode()
    assert "Waiting for the kitchen" in page and "Table 5" in page and "Large, Egg, Beef" in page
    assert 'class="pickup-code"' not in page  # a table's order needs no pickup code


def test_two_phones_at_one_table_share_one_tab(bar):  # noqa: F811
    table = _table(bar)
    other = quick_user("friend")["user"]
    for user in (bar["customer"]["user"], other):
        r = _client(user).post(f"/t/{table['token']}/", _noodle_form(bar, qty=1, extras=(), pay="counter"))
        assert r.status_code == 302, r.content.decode()[:2000]
    tabs = {t.tab_id for t in Ticket.objects.filter(table_id=table["id"])}
    assert len(tabs) == 1 and Tab.objects.filter(table_id=table["id"], status="open").count() == 1
    assert Order.objects.filter(ticket__tab_id__in=tabs).count() == 2


def test_pay_at_the_counter_goes_to_the_kitchen_and_the_order_page_says_what_is_due(bar):  # noqa: F811
    table = _table(bar)
    c = _client(bar["customer"]["user"])
    r = c.post(f"/t/{table['token']}/", _noodle_form(bar, qty=1, size="Regular", extras=("Greens",), pay="counter"))
    order = Order.objects.get(customer=bar["customer"]["user"])
    assert r.status_code == 302 and r["Location"] == f"/orders/{order.pk}/"  # nothing to pay online
    ticket = Ticket.objects.get(order=order)
    assert ticket.pay_at_counter and ticket.queued_at is not None and order.status == "awaiting_payment"
    page = c.get(r["Location"])
    assert page.status_code == 200  # not sent to the card page
    html = page.content.decode()
    assert "To pay at the counter when you leave." in html and "Waiting for the kitchen" in html
    assert "Regular, Greens" in html and "CN¥19.50" in html
    assert "hx-trigger=\"every 4s\"" in html


def test_a_bad_option_shows_its_message_next_to_the_dish_and_writes_nothing(bar):  # noqa: F811
    table = _table(bar)
    c = _client(bar["customer"]["user"])
    r = c.post(f"/t/{table['token']}/", _noodle_form(bar, size="Huge"))
    assert r.status_code == 422
    dish = _dish(r.content.decode(), bar["noodles"]["id"])
    assert "This choice does not exist." in dish and "has-error" in dish
    assert 'value="2"' in dish  # what they chose is still there
    # too many extras, and a missing required size: each on its dish
    r = c.post(f"/t/{table['token']}/", _noodle_form(bar, extras=("Egg", "Beef", "Greens")))
    assert r.status_code == 422
    assert "Too many choices for Extras." in _dish(r.content.decode(), bar["noodles"]["id"])
    form = _noodle_form(bar)
    del form[f"opt-{bar['noodles']['id']}-0"]
    r = c.post(f"/t/{table['token']}/", form)
    assert r.status_code == 422 and "Please choose Size." in _dish(r.content.decode(), bar["noodles"]["id"])
    assert Order.objects.count() == 0 and Tab.objects.count() == 0


def test_not_logged_in_goes_to_login_and_comes_back_to_the_same_cart(bar):  # noqa: F811
    table = _table(bar)
    c = Client()
    path = f"/t/{table['token']}/"
    r = c.post(path, _noodle_form(bar, qty=3))
    assert r.status_code == 302 and r["Location"].startswith("/login/") and r["Location"].endswith("next=" + path)
    assert Order.objects.count() == 0
    c.force_login(bar["customer"]["user"])
    dish = _dish(c.get(path).content.decode(), bar["noodles"]["id"])
    assert 'value="3"' in dish and re.search(r'value="Large"\s+data-delta="3.00" checked', dish)


def test_pickup_page_offers_only_open_slots_and_a_pickup_order_gets_its_code_and_goes_ready(bar):  # noqa: F811
    from o2o.merchants.models import Store

    store = Store.objects.get(pk=bar["store"]["id"])
    StoreOrdering.objects.update_or_create(store=store, defaults={"slot_capacity": 1})
    # someone else takes the first slot (capacity 1): the page must not offer it
    taken = first_slot(bar["api"], bar["store"]["id"], bar["customer"]["token"])
    other = quick_user("early")
    r = bar["api"].post("/orders", pickup_body(bar["store"]["id"], taken, [
        {"offering_id": bar["cola"]["id"], "quantity": 1}]), other["token"])
    assert r.status_code == 201, r.content
    c = _client(bar["customer"]["user"])
    page = c.get(f"/stores/{bar['store']['id']}/order/")
    assert page.status_code == 200
    html = page.content.decode()
    offered = re.findall(r'name="slot" value="([^"]+)"', html)
    today = timezone.localtime(timezone.now(), timezone=store_zone(store)).date()
    expected = [s.start.isoformat() for d in (0, 1) for s in pickup_slots(store=store, day=today + timezone.timedelta(days=d))]
    assert offered and offered == expected and taken not in offered
    assert 'name="pay" value="counter"' not in html  # pickup is paid online
    # the slots fragment for a cart with the noodles (8 minutes' prep) starts no sooner than that
    frag = c.get(f"/stores/{bar['store']['id']}/order/slots/", {f"qty-{bar['noodles']['id']}": "1"}).content.decode()
    assert re.findall(r'name="slot" value="([^"]+)"', frag) == [
        s.start.isoformat() for d in (0, 1) for s in pickup_slots(store=store, day=today + timezone.timedelta(days=d),
                                                                  prep_minutes=8)]
    # no time chosen -> said next to the picker, nothing written
    form = _noodle_form(bar, qty=1, extras=("Egg",))
    r = c.post(f"/stores/{bar['store']['id']}/order/", form)
    assert r.status_code == 422 and "Choose a pickup time." in r.content.decode()
    form["slot"] = offered[-1]
    r = c.post(f"/stores/{bar['store']['id']}/order/", form)
    assert r.status_code == 302, r.content.decode()[:2000]
    order = Order.objects.get(customer=bar["customer"]["user"])
    assert order.fulfilment == "pickup" and r["Location"] == f"/orders/{order.pk}/pay/"
    assert Ticket.objects.get(order=order).slot_start.isoformat() == offered[-1]
    r = c.post(r["Location"], {"card_number": GOOD_CARD, "expiry": "12/40", "cvc": "123"})
    assert r.status_code == 302
    html = c.get(f"/orders/{order.pk}/").content.decode()
    code = Ticket.objects.get(order=order).pickup_code
    assert re.fullmatch(r"\d{6}", code)
    assert f'<p class="pickup-code" aria-label="Pickup code">{code}</p>' in html and 'class="qr-code"' in html
    assert "Waiting for the kitchen" in html and "Beef noodle soup × 1" in html
    frag = c.get(f"/orders/{order.pk}/progress/", {"phase": "waiting"}, HTTP_HX_REQUEST="true")
    assert frag.status_code == 200 and "Waiting for the kitchen" in frag.content.decode()
    ticket_ready(user=User.objects.get(pk=bar["clerk"]["id"]), order_id=order.pk)
    frag = c.get(f"/orders/{order.pk}/progress/", {"phase": "waiting"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Ready to collect" in frag and "phase-ready" in frag and "every 4s" in frag
    assert "Ready to collect" in c.get(f"/orders/{order.pk}/").content.decode()


def store_zone(store: Any) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(store.timezone)


def test_store_page_has_order_for_pickup_when_the_store_sells_products(bar):  # noqa: F811
    html = Client().get(f"/stores/{bar['store']['id']}/").content.decode()
    assert f'href="/stores/{bar["store"]["id"]}/order/"' in html and "Order for pickup" in html
    owner = quick_user("deals")
    ms = bar["api"].merchant_with_store(owner, name="No Menu Spa")
    html = Client().get(f"/stores/{ms['store']['id']}/").content.decode()
    assert "Order for pickup" not in html
    assert Client().get(f"/stores/{ms['store']['id']}/order/").status_code == 404


def test_the_chinese_table_page_is_in_chinese(bar):  # noqa: F811
    table = _table(bar)
    html = Client().get(f"/t/{table['token']}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for text in ("去支付", "到柜台付款", "桌号 5", "你的订单", "必选", "剩 5 份"):
        assert text in html, text
    assert "Pay at the counter" not in html
