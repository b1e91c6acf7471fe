"""The courier's phone page and the customer's order page in headless Chromium (375x812): the courier
starts a shift, the browser's geolocation is shared through the page's script, the dispatch round gives
them the order, they pick it up; the customer's page shows it on the way with the ETA, the code and the
courier on the offline map. Screenshots: var/screens/courier_page.png, courier_page_zh.png,
delivery_order.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser import watch_problems
from tests.delivery.conftest import LAT, LNG, bag_code, north, paid_delivery
from tests.helpers import PASSWORD
from tests.qr import login_state

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _phone(browser: Any, base: str, person: dict[str, Any], *, locale: str = "en-GB",
           geo: tuple[float, float] | None = None) -> Any:
    state = login_state(browser, base, person["email"], PASSWORD)
    ctx = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2, storage_state=state,
                              locale=locale, is_mobile=True, has_touch=True,
                              **({"geolocation": {"latitude": geo[0], "longitude": geo[1]},
                                  "permissions": ["geolocation"]} if geo else {}))
    return ctx


def test_courier_and_customer_pages(chromium_browser, live_server, shop):
    from o2o.delivery.models import Courier
    from o2o.delivery.tasks import dispatch

    api, courier = shop["api"], shop["courier"]
    order = paid_delivery(shop, at=north(1800))
    SCREENS.mkdir(parents=True, exist_ok=True)
    ctx = _phone(chromium_browser, live_server.url, courier, geo=(LAT + 0.002, LNG + 0.001))
    page = ctx.new_page()
    problems = watch_problems(page)  # a 429 of a position sent sooner than 5 s after the last is no problem
    try:
        page.goto(live_server.url + "/courier/")
        with page.expect_navigation():
            page.click("button.shift-btn")
        # the page shares the browser's position through the API
        page.locator("#courier-pos", has_text="Position shared at").wait_for(timeout=10000)
        c = Courier.objects.get(user_id=courier["id"])
        assert c.status == "on" and abs(c.lat - (LAT + 0.002)) < 1e-6
        assert dispatch()["assigned"] == 1
        page.reload()
        page.wait_for_selector(".task-assigned")
        assert f"#{order['number']}" in page.inner_text(".tasks")
        page.wait_for_timeout(600)  # the basemap's GeoJSON draws
        page.screenshot(path=str(SCREENS / "courier_page_assigned.png"), full_page=True)
        page.fill(".task-assigned input[name=code]", bag_code(order["id"]))
        with page.expect_navigation():
            page.click(".task-assigned .btn-primary")
        assert "is with you now" in page.inner_text("body") and page.locator(".task-picked_up").count() == 1
        page.wait_for_timeout(600)
        page.screenshot(path=str(SCREENS / "courier_page.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert page.locator("#courier-map .leaflet-overlay-pane path").count() >= 1  # basemap and route drawn
    finally:
        ctx.close()

    ctx = _phone(chromium_browser, live_server.url, courier, locale="zh-CN", geo=(LAT, LNG))
    try:
        page = ctx.new_page()
        page.goto(live_server.url + "/courier/")
        assert "我的配送" in page.inner_text("main")
        page.wait_for_timeout(600)
        page.screenshot(path=str(SCREENS / "courier_page_zh.png"), full_page=True)
    finally:
        ctx.close()

    ctx = _phone(chromium_browser, live_server.url, shop["customer"])
    try:
        page = ctx.new_page()
        problems += watch_problems(page)
        page.goto(live_server.url + f"/orders/{order['id']}/")
        text = page.inner_text("main")
        code = order["delivery"]["delivery_code"]
        assert "On the way" in text and "Expected at your door" in text and f"{code[:3]} {code[3:]}" in text
        page.wait_for_timeout(800)
        assert page.locator("#delivery-map .leaflet-overlay-pane path").count() >= 3  # store, door, courier
        page.screenshot(path=str(SCREENS / "delivery_order.png"), full_page=True)
        # delivered: the polling panel follows without a reload
        task = api.get("/courier/tasks", courier["token"]).json()["tasks"][0]
        r = api.post(f"/courier/tasks/{task['id']}/deliver", {"code": code}, courier["token"])
        assert r.status_code == 200
        page.locator("#order-delivery.status-delivered", has_text="Delivered at").wait_for(timeout=12000)
        page.screenshot(path=str(SCREENS / "delivery_order_done.png"), full_page=True)
    finally:
        ctx.close()
    assert problems == []
