"""Every QR code the pages show reads back, from a Chromium screenshot, as the exact payload the API gives.

One live server, one browser: tests/qr.py loops the viewports (360x640, 390x844, 1366x900) and the device
scale factors (1, 2, 3) inside one test per page. Later QRs (pickup codes, table QRs, member cards,
placements, printed PDFs) get the same check with one call to ``assert_page_qrs``.
"""

from __future__ import annotations

import os

import pytest

from o2o.vouchers.services import voucher_redeem
from tests.helpers import ApiClient
from tests.qr import assert_page_qrs, login_state
from tests.web import builders

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _api_payloads(customer, order) -> list[str]:  # type: ignore[no-untyped-def]
    """The ready vouchers' qr_payload as the customer's app reads them: GET /orders/{id}."""
    api = ApiClient()
    token = api.post("/auth/token", {"email": customer.email, "password": builders.PASSWORD}).json()["token"]
    body = api.get(f"/orders/{order.pk}", token=token).json()
    return [v["qr_payload"] for v in body["vouchers"] if v["status"] == "issued"]


def test_order_page_and_orders_list_qrs_scan_at_every_phone_and_desktop_size(chromium_browser, live_server):
    w = builders.world()
    order = builders.buy(w["customer"], w["deal"], 3)
    first = order.vouchers.order_by("created_at", "code").first()
    voucher_redeem(actor=w["clerk"], store_id=w["store"].pk, code=first.code)  # a used one shows no QR
    payloads = _api_payloads(w["customer"], order)
    assert len(payloads) == 2
    state = login_state(chromium_browser, live_server.url, w["customer"].email, builders.PASSWORD)

    assert_page_qrs(chromium_browser, f"{live_server.url}/orders/{order.pk}/", payloads, storage_state=state,
                    name="order")


    def open_qrs(page) -> None:  # type: ignore[no-untyped-def]
        """On the orders list the customer taps "Show 2 QR codes" on the order's card."""
        for button in page.locator(".order-qr > summary").all():
            button.click()

    assert_page_qrs(chromium_browser, f"{live_server.url}/orders/?tab=to_use", payloads, storage_state=state,
                    prepare=open_qrs, name="orders")
