"""A restaurant in the nearby list shows its group-buy deals as deals and its menu as one row that opens
it: the three cheapest dishes labelled "Deal" (a 5-yuan cola) was what a customer saw before. The store
page's deals likewise leave the dishes to the menu."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.helpers import CENTRE
from tests.ordering.conftest import bar  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _rows(html: str) -> list[tuple[str, str]]:
    """(tag, title) of each row under the store cards, as a person reads them."""
    found = re.findall(r'<span class="deal-tag[^"]*">(.*?)</span>\s*<span class="deal-title">(.*?)</span>', html, re.S)
    return [(tag.strip(), " ".join(title.split())) for tag, title in found]


def test_menu_is_one_row_and_deals_stay_deals(bar):  # noqa: F811
    api, owner, mid = bar["api"], bar["owner"], bar["merchant"]["id"]
    api.deal(owner, mid, [bar["store"]["id"]], title="Noodles for two",
            price={"amount": "30.00", "currency": "CNY"}, list_price={"amount": "40.00", "currency": "CNY"})
    store = bar["store"]
    html = Client().get("/", {"lat": store["lat"], "lng": store["lng"]}).content.decode()
    rows = _rows(html)
    assert ("Deal", "Noodles for two") in rows, rows
    assert not any(title in ("Cola", "Braised beef", "Beef noodle soup") for _, title in rows), rows
    menu = [title for tag, title in rows if tag == "Menu"]
    assert menu and menu[0] == "Order ahead · 3 on the menu", rows  # this store sells three products
    assert f'href="/stores/{store["id"]}/order/"' in html

    page = Client().get(f"/stores/{store['id']}/").content.decode()
    assert "Noodles for two" in page and "Cola" not in page.split("Order for pickup")[-1].split("Reviews")[0]


def test_in_chinese_the_menu_row_reads_chinese(bar):  # noqa: F811
    store = bar["store"]
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = c.get("/", {"lat": store["lat"], "lng": store["lng"]}).content.decode()
    assert ("菜单", "在线点单 · 菜单共 3 款") in _rows(html), _rows(html)


def test_the_nav_leads_to_member_cards(bar):  # noqa: F811
    c = Client()
    c.force_login(bar["customer"]["user"])
    html = c.get("/", {"lat": CENTRE[0], "lng": CENTRE[1]}).content.decode()
    assert 'href="/me/cards/"' in html and ">Cards<" in html
