"""Delivery on two phones (375x812) in headless Chromium, through the pages only: the customer orders
noodles for delivery, tries "Use my location" out of the zone (a message, no pay button), drops the pin
on the offline map inside it, reads the fee and the ETA, pays with the sandbox card; the courier starts a
shift (their phone shares its position), gets the task from a dispatch round, picks the bag up with its
code, rides half way, and delivers with the code read off the customer's page as it is shown; the
customer's page follows the courier on its map and ends up delivered. Screenshots in var/screens/ (or
$O2O_SCREENS): the checkout with the map and the fee, the order with the courier on the way, the
courier's page before the pickup and at the door, the order delivered."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from o2o.delivery.models import Courier, Delivery
from o2o.orders.models import Order
from tests.delivery.conftest import LAT, LNG, bag_code, north, shop  # noqa: F401 - the fixture
from tests.helpers import GOOD_CARD, PASSWORD
from tests.qr import login_state

SHOTS = Path(os.environ.get("O2O_SCREENS") or Path(__file__).resolve().parents[2] / "var" / "screens")
PHONE = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "en-GB"}
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _watch(page: Any) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error"
            and "Failed to load resource" not in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def _where(lat: float, lng: float) -> dict[str, float]:
    return {"latitude": lat, "longitude": lng}


def test_phone_delivery_from_the_pin_to_the_door(chromium_browser, live_server, shop):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    customer_state = login_state(chromium_browser, base, shop["customer"]["email"], PASSWORD)
    courier_state = login_state(chromium_browser, base, shop["courier"]["email"], PASSWORD)
    far = north(4000)  # out of the 3 km zone
    cust = chromium_browser.new_context(**PHONE, storage_state=customer_state, geolocation=_where(*far),
                                        permissions=["geolocation"])
    ride = chromium_browser.new_context(**PHONE, storage_state=courier_state, geolocation=_where(LAT, LNG),
                                        permissions=["geolocation"])
    page, phone = cust.new_page(), ride.new_page()
    problems = _watch(page) + _watch(phone)
    try:
        # --- the customer: dishes, the pin, the fee and the ETA, pay ---
        page.goto(base + f"/stores/{shop['store_id']}/")
        with page.expect_navigation():
            page.click("text=Order for delivery")
        dish = page.locator(f"#dish-{shop['noodles']['id']}")
        dish.locator("[data-step='1']").click()
        dish.locator("[data-step='1']").click()
        dish.locator("label.opt-choice", has_text="Regular").first.click()
        page.locator("#checkout").scroll_into_view_if_needed()
        assert "Set the delivery position on the map" in page.inner_text("#quote")
        assert page.locator("#quote button[name=pay]").is_disabled()
        page.click("[data-locate]")  # the phone is 4 km away: outside the zone
        page.wait_for_selector("#quote.quote-out_of_zone")
        assert "does not deliver to this address" in page.inner_text("#quote")
        assert page.locator("#quote button[name=pay]").is_disabled()
        # drop the pin inside the shaded zone: a tap a little north of the store's dot
        box = page.locator("#checkout-map").bounding_box()
        dot = page.locator("#checkout-map path.leaflet-interactive").first.bounding_box()
        assert box and dot and box["width"] <= 375
        page.mouse.click(dot["x"] + dot["width"] / 2 + 10, dot["y"] + dot["height"] / 2 - 45)
        page.wait_for_selector("#quote.quote-ok")
        lat = float(page.input_value("input[name=lat]"))
        assert LAT < lat < north(3000)[0] and page.locator(".drop-pin").count() == 1
        page.fill("#id_address", "Room 1203, 18 Renmin South Rd")
        quote = page.inner_text("#quote")
        fee = page.inner_text("[data-fee]")
        assert re.search(r"\d km away", quote) and "Arrives about" in quote and re.search(r"in \d+ min", quote)
        assert fee.endswith(("3.00", "5.00", "8.00")) and page.inner_text("[data-total]").endswith(
            f"{36 + float(fee[-4:]):.2f}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.evaluate("window.scrollBy(0, document.getElementById('checkout-map').getBoundingClientRect().top - 96)")
        page.wait_for_timeout(200)
        page.screenshot(path=str(SHOTS / "1_checkout_map_fee.png"))
        with page.expect_navigation():
            page.click("#quote button[name=pay]")
        assert "/pay/" in page.url and "Delivery fee" in page.inner_text("main")
        page.fill("#id_card_number", GOOD_CARD)
        page.fill("#id_expiry", "12/40")
        page.fill("#id_cvc", "123")
        with page.expect_navigation():
            page.click("form.card-form .btn-primary")
        order = Order.objects.get(customer=shop["customer"]["user"], fulfilment="delivery")
        assert page.url.endswith(f"/orders/{order.pk}/")
        shown = page.inner_text(".delivery-code")  # "123 456", as the customer shows it
        assert re.fullmatch(r"\d{3} \d{3}", shown.strip())

        # --- the courier: a shift, the task from a dispatch round, the bag's code ---
        phone.goto(base + "/courier/")
        with phone.expect_navigation():
            phone.click(".shift-btn")
        phone.wait_for_selector("#courier-pos:has-text('Position shared at')")
        from o2o.delivery.tasks import dispatch

        assert dispatch()["assigned"] == 1
        phone.reload()
        assert f"#{order.number}" in phone.inner_text("#tasks") and "pick up at" in phone.inner_text("#tasks").lower()
        phone.screenshot(path=str(SHOTS / "3_courier_pickup.png"), full_page=True)
        half = ((LAT + lat) / 2, LNG)
        ride.set_geolocation(_where(*half))  # the page after the pickup shares where the scooter is
        Courier.objects.filter(user=shop["courier"]["user"]).update(position_at=None)  # past the 5 s between two
        phone.fill(f"#pick-{order.delivery.pk}", bag_code(str(order.pk)))
        with phone.expect_navigation():
            phone.click("text=Picked up")
        assert "is with you now" in phone.inner_text("body")
        phone.wait_for_selector("#courier-pos:has-text('Position shared at')")

        # --- the customer's page follows: on the way, the courier on the map, the ETA ---
        page.wait_for_selector("#order-delivery .courier-away", timeout=15000)  # the panel's poll (5 s)
        panel = page.inner_text("#order-delivery")
        assert "On the way" in panel and "km from you" in panel and "Expected at your door" in panel
        assert page.locator("#delivery-map path.leaflet-interactive").count() >= 3  # store, door, courier (+ route)
        page.wait_for_timeout(400)
        page.screenshot(path=str(SHOTS / "2_order_courier_on_the_way.png"), full_page=True)
        phone.screenshot(path=str(SHOTS / "4_courier_deliver.png"), full_page=True)

        # --- at the door: the courier types the code as the customer's page shows it ---
        phone.fill(f"#code-{order.delivery.pk}", page.inner_text(".delivery-code").strip())
        with phone.expect_navigation():
            phone.click("text=Delivered")
        assert "delivered." in phone.inner_text("body")
        page.wait_for_selector("text=Delivered at", timeout=15000)  # the poll reloads the page
        assert page.locator(".delivery-code").count() == 0
        page.screenshot(path=str(SHOTS / "5_order_delivered.png"), full_page=True)
        assert Delivery.objects.get(order=order).status == "delivered"
    finally:
        cust.close()
        ride.close()
    assert not problems, problems
