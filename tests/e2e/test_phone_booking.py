"""Booking on a phone (390x844, the browser in Berlin, the salon in Chengdu) through the pages only: the slot
picker shows the store's times with the phone's own beside them -> book a slot -> pay the full price by card
-> my bookings shows the booking's QR, which decodes (zxing-cpp, from the screenshot) to a genuine pass of
that booking. Screenshots: var/screens/booking_slots.png, var/screens/my_bookings.png."""

from __future__ import annotations

from pathlib import Path

import pytest

from o2o.bookings.models import Booking
from o2o.vouchers.signing import verify
from tests.bookings.conftest import (
    local_day,
    school,  # noqa: F401 - the fixture
    service,
)
from tests.helpers import PASSWORD
from tests.qr import decode_all_qr, login_state

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_phone_picks_a_slot_books_pays_and_shows_the_qr(chromium_browser, live_server, school):  # noqa: F811
    svc = service(school["api"], school["owner"], school["merchant"]["id"], [school["store"]["id"]],
                  title="Cut and blow-dry", prepay="full", capacity=1,
                  schedule={d: [["09:00", "12:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})
    state = login_state(chromium_browser, live_server.url, school["customer"]["email"], PASSWORD)
    ctx = chromium_browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                       storage_state=state, locale="en-GB", timezone_id="Europe/Berlin",
                                       is_mobile=True, has_touch=True)
    problems: list[str] = []
    page = ctx.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    SCREENS.mkdir(parents=True, exist_ok=True)
    try:
        day = local_day(1)
        page.goto(live_server.url + f"/services/{svc['id']}/book/?date={day.isoformat()}")
        first = page.locator(".slot-btn").first
        assert first.locator(".slot-time").inner_text() == "09:00–10:00"
        assert first.locator(".slot-mine").inner_text().endswith("02:00)")  # 09:00 in Chengdu is 02:00 in Berlin
        assert "your own time" in page.inner_text("#tz-note")
        page.screenshot(path=str(SCREENS / "booking_slots.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        with page.expect_navigation():
            first.click()
        booking = Booking.objects.get(customer_id=school["customer"]["id"])
        assert page.url.endswith(f"/me/bookings/{booking.pk}/pay/")
        page.fill("#id_card_number", "4242 4242 4242 4242")
        page.fill("#id_expiry", "12/30")
        page.fill("#id_cvc", "123")
        with page.expect_navigation():
            page.click("form.card-form button")
        assert page.url.endswith("/me/bookings/")
        assert "Cut and blow-dry" in page.inner_text("main")
        png = page.screenshot(path=str(SCREENS / "my_bookings.png"), full_page=True)
        found = decode_all_qr(png)
        assert len(found) == 1
        payload = verify(found[0])
        assert payload["typ"] == "booking" and payload["bid"] == str(booking.pk)
        booking.refresh_from_db()
        assert booking.order.status == "paid"
        assert problems == []
    finally:
        ctx.close()
