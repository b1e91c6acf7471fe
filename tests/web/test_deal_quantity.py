"""The deal page offers exactly what this customer may still buy, and says so before Buy is tapped.

The room comes from o2o.orders.selectors.purchase_room (the rule order_create applies): the
per-customer limit less the customer's paid and reserved units, and what is left of the deal.
"""

import re

import pytest
from django.test import Client

from o2o.core.errors import Conflict
from o2o.orders.services import order_create
from tests.web import builders
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


def _menu(html: str) -> list[int]:
    select = re.search(r'<select id="qty" name="quantity"[^>]*>(.*?)</select>', html, re.S)
    return [int(v) for v in re.findall(r'<option value="(\d+)"', select.group(1))] if select else []


def _buy_button(html: str) -> str:
    form = re.search(r'<form class="buy-form".*?</form>', html, re.S)
    assert form
    button = re.search(r"<button[^>]*>.*?</button>", form.group(0), re.S)
    assert button
    return button.group(0)


def _room_text(html: str) -> str:
    m = re.search(r'<p id="buy-room"[^>]*>(.*?)</p>', html, re.S)
    assert m
    return " ".join(m.group(1).split())


def test_the_menu_offers_only_the_rest_of_the_limit_and_says_so(w):
    # limit 5: 2 paid (vouchers) and 1 reserved in an unpaid order -> 2 more.
    builders.buy(w["customer"], w["deal"], 2)
    builders.buy(w["customer"], w["deal"], 1, pay=False)
    html = client_for(w["customer"]).get(f"/deals/{w['deal'].pk}/").content.decode()
    assert _menu(html) == [1, 2]
    assert _room_text(html) == "You can buy 2 more (you have 3)."
    assert "disabled" not in _buy_button(html)
    # and the menu is what order_create accepts: 3 is refused, 2 goes through
    with pytest.raises(Conflict):
        order_create(customer=w["customer"], lines=[{"offering_id": str(w["deal"].pk), "quantity": 3}])
    order_create(customer=w["customer"], lines=[{"offering_id": str(w["deal"].pk), "quantity": 2}])


def test_limit_reached_disables_buy(w):
    builders.buy(w["customer"], w["deal"], 5)
    html = client_for(w["customer"]).get(f"/deals/{w['deal'].pk}/").content.decode()
    assert _menu(html) == []
    assert "disabled" in _buy_button(html) and "Limit reached" in _buy_button(html)
    assert _room_text(html) == "You have reached the limit of 5 for this deal."


def test_what_is_left_of_the_deal_caps_the_menu(w):
    other = builders.user("Other")
    builders.buy(other, w["deal"], 5)
    builders.buy(builders.user("Third"), w["deal"], 4)  # 10 - 9 = 1 left
    html = client_for(w["customer"]).get(f"/deals/{w['deal'].pk}/").content.decode()
    assert _menu(html) == [1]
    assert _room_text(html) == "Only 1 left."
    html = Client().get(f"/deals/{w['deal'].pk}/").content.decode()  # anonymous: the same cap
    assert _menu(html) == [1]


def test_sold_out_disables_buy_for_everyone(w):
    builders.buy(builders.user("A"), w["deal"], 5)
    builders.buy(builders.user("B"), w["deal"], 5)
    for c in (Client(), client_for(w["customer"])):
        html = c.get(f"/deals/{w['deal'].pk}/").content.decode()
        assert _menu(html) == []
        assert "disabled" in _buy_button(html) and "Sold out" in _buy_button(html)
        assert _room_text(html) == "This deal is sold out."


def test_a_fresh_customer_sees_the_whole_limit(w):
    html = client_for(w["customer"]).get(f"/deals/{w['deal'].pk}/").content.decode()
    assert _menu(html) == [1, 2, 3, 4, 5]
    assert _room_text(html) == "You can buy up to 5."


def test_zh_hans_says_it_too(w):
    builders.buy(w["customer"], w["deal"], 3)
    html = client_for(w["customer"]).get(f"/deals/{w['deal'].pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert _menu(html) == [1, 2]
    assert _room_text(html) == "你还可以买 2 份（已有 3 份）。"
