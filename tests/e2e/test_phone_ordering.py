"""Restaurant ordering on a phone (375x812) in headless Chromium, through the pages only: a table's QR menu
-> two dishes with options -> pay at the counter -> the order page shows them; then an order ahead for
pickup -> pay by card -> the order page's pickup QR decodes (zxing-cpp, from the screenshot) to the code
shown in big digits. Screenshots: var/screens/phone_menu.png, var/screens/pickup_order.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from o2o.orders.models import Order
from tests.helpers import GOOD_CARD
from tests.ordering.conftest import bar, money  # noqa: F401 - the fixture
from tests.qr import decode_all_qr, login_state
from tests.web import builders

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _pick(page: Any, offering_id: str, *choices: str) -> None:
    dish = page.locator(f"#dish-{offering_id}")
    dish.locator("[data-step='1']").click()
    for name in choices:
        dish.locator("label.opt-choice", has_text=name).first.click()


def test_phone_orders_at_a_table_and_for_pickup(chromium_browser, live_server, bar):  # noqa: F811
    api, owner = bar["api"], bar["owner"]
    r = api.call("PATCH", f"/merchants/{bar['merchant']['id']}/products/{bar['beef']['id']}", {"options": [
        {"name": "Sauce", "required": True, "max_choices": 1,
         "choices": [{"name": "Chili oil", "price_delta": money("0")}, {"name": "Garlic", "price_delta": money("1.00")}]}]},
        owner["token"])
    assert r.status_code == 200, r.content
    table = api.post(f"/stores/{bar['store']['id']}/tables", {"label": "7"}, owner["token"]).json()
    state = login_state(chromium_browser, live_server.url, bar["customer"]["email"], builders.PASSWORD)
    ctx = chromium_browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2,
                                       storage_state=state, locale="en-GB", is_mobile=True, has_touch=True)
    problems: list[str] = []
    page = ctx.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    SCREENS.mkdir(parents=True, exist_ok=True)
    try:
        # the table's QR opens the menu bound to the table
        page.goto(live_server.url + f"/t/{table['token']}/")
        _pick(page, bar["noodles"]["id"], "Large", "Egg")
        _pick(page, bar["beef"]["id"], "Garlic")
        assert page.locator("[data-cart-bar]").is_visible()
        assert page.inner_text("[data-cart-total]").endswith("50.00")  # 18+3+2 + 26+1
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENS / "phone_menu.png"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone
        with page.expect_navigation():
            page.click("button[name=pay][value=counter]")
        order = Order.objects.get(customer=bar["customer"]["user"], fulfilment="dine_in")
        assert page.url.endswith(f"/orders/{order.pk}/")
        text = page.inner_text("main")
        assert "Waiting for the kitchen" in text and "To pay at the counter when you leave." in text
        assert "Beef noodle soup × 1" in text and "Large, Egg" in text and "Braised beef × 1" in text
        page.screenshot(path=str(SCREENS / "table_order.png"), full_page=True)

        # order ahead for pickup: the same menu, a pickup time, pay by card
        page.goto(live_server.url + f"/stores/{bar['store']['id']}/order/")
        _pick(page, bar["noodles"]["id"], "Regular")
        page.wait_for_timeout(800)  # the pickup times follow the dishes' prep time (htmx)
        page.locator("label.slot").first.click()
        with page.expect_navigation():
            page.click("button[name=pay][value=now]")
        assert "/pay/" in page.url
        page.fill("#id_card_number", GOOD_CARD)
        page.fill("#id_expiry", "12/40")
        page.fill("#id_cvc", "123")
        with page.expect_navigation():
            page.click("form.card-form .btn-primary")
        pickup = Order.objects.get(customer=bar["customer"]["user"], fulfilment="pickup")
        assert page.url.endswith(f"/orders/{pickup.pk}/")
        shown = page.inner_text(".pickup-code").strip()
        assert shown == pickup.ticket.pickup_code and len(shown) == 6
        png = page.screenshot(path=str(SCREENS / "pickup_order.png"), full_page=True)
        assert decode_all_qr(png) == [shown]
        box = page.locator("#pickup-code svg.qr-code").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["width"] >= 180
    finally:
        ctx.close()
    assert not problems, problems
