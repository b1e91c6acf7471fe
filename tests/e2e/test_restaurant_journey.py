"""A lunch at the noodle bar, as the people do it, in headless Chromium: the owner prints the tables'
QR sheet; a phone "scans" a table's QR (the URL decoded from the PDF by zxing-cpp) and orders two
dishes with options to pay at the counter; the kitchen tablet (1280x800, the clerk signed in) accepts
it, marks it ready and served; the clerk closes the table's tab in cash at the POS and prints the
receipt. Then a pickup order paid online is handed over by typing its code at the kitchen screen, and
the customer's page shows it collected. Screenshots of the phone menu, the kitchen and the receipt in
tests/e2e/artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from o2o.orders.models import Order
from tests.e2e.test_phone_ordering import _pick
from tests.helpers import GOOD_CARD
from tests.ordering.conftest import bar  # noqa: F401 - the fixture
from tests.qr import decode_all_qr, decode_pdf_qrs, login_state
from tests.web import builders

ART = Path(__file__).resolve().parent / "artifacts"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _watch(page: Any, problems: list[str]) -> Any:
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return page


def test_table_to_kitchen_to_counter_and_a_pickup_by_code(chromium_browser, live_server, bar):  # noqa: F811
    api, owner, clerk, customer = bar["api"], bar["owner"], bar["clerk"], bar["customer"]
    store_id, mid = bar["store"]["id"], bar["merchant"]["id"]
    for label in ("A1", "A2", "A3"):
        assert api.post(f"/stores/{store_id}/tables", {"label": label}, owner["token"]).status_code == 201
    ART.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    owner_ctx = chromium_browser.new_context(storage_state=login_state(
        chromium_browser, live_server.url, owner["email"], builders.PASSWORD))
    phone = chromium_browser.new_context(
        viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="en-GB",
        storage_state=login_state(chromium_browser, live_server.url, customer["email"], builders.PASSWORD))
    tablet = chromium_browser.new_context(
        viewport={"width": 1280, "height": 800}, has_touch=True, locale="en-GB",
        storage_state=login_state(chromium_browser, live_server.url, clerk["email"], builders.PASSWORD))
    try:
        # the owner's A4 sheet of table QR codes; the camera reads A1's
        sheet = owner_ctx.request.get(live_server.url + f"/merchant/{mid}/stores/{store_id}/tables/sheet.pdf")
        assert sheet.ok and sheet.headers["content-type"] == "application/pdf"
        urls = [u for page_codes in decode_pdf_qrs(sheet.body()) for u in page_codes]
        assert len(urls) == 3 and all("/t/" in u for u in urls), urls
        a1 = urls[0]
        assert a1.startswith(live_server.url), (a1, live_server.url)

        p = _watch(phone.new_page(), problems)
        p.goto(a1)
        assert "A1" in p.inner_text("main")
        _pick(p, bar["noodles"]["id"], "Large", "Beef")
        _pick(p, bar["beef"]["id"])
        assert p.inner_text("[data-cart-total]").endswith("55.00")  # 18+3+8 + 26
        p.evaluate("window.scrollTo(0, 0)")
        p.screenshot(path=str(ART / "restaurant-phone-menu.png"))
        with p.expect_navigation():
            p.click("button[name=pay][value=counter]")
        order = Order.objects.get(customer=customer["user"], fulfilment="dine_in")
        assert order.total_amount == 55

        # the kitchen tablet: the order is there with its options; accept, ready, served
        k = _watch(tablet.new_page(), problems)
        k.goto(live_server.url + f"/counter/{store_id}/kitchen/")
        card = k.locator(f"article.kcard[data-number='{order.number}']")
        card.wait_for()
        assert "Large" in card.inner_text() and "Beef" in card.inner_text() and "A1" in card.inner_text()
        k.screenshot(path=str(ART / "restaurant-kitchen.png"))
        for button in ("Accept", "Ready", "Handed over"):
            card.get_by_role("button", name=button, exact=True).click()
            k.wait_for_load_state("networkidle")
            if button != "Handed over":
                card = k.locator(f"article.kcard[data-number='{order.number}']")
                card.get_by_role("button", name={"Accept": "Ready", "Ready": "Handed over"}[button],
                                 exact=True).wait_for()
        k.locator(f"article.kcard[data-number='{order.number}']").wait_for(state="detached")
        order.refresh_from_db()
        assert order.fulfilment_status == "served" and order.status == "awaiting_payment"

        # the counter closes the table's tab in cash and prints the receipt
        k.goto(live_server.url + f"/counter/{store_id}/pos/")
        tab = k.locator(f"li.pos-tab[data-tab='{order.ticket.tab_id}']")
        assert "55.00" in tab.inner_text()
        with k.expect_navigation():
            tab.get_by_role("button", name="Close tab: cash").click()
        order.refresh_from_db()
        assert order.status == "paid" and order.fulfilment_status == "closed"
        k.goto(live_server.url + f"/counter/orders/{order.pk}/receipt/")
        receipt = k.inner_text("body")
        assert order.number in receipt and "55.00" in receipt and "Large" in receipt
        k.screenshot(path=str(ART / "restaurant-receipt.png"), full_page=True)

        # a pickup order paid online, handed over by its code typed at the kitchen screen
        slot = api.get(f"/stores/{store_id}/pickup-slots", customer["token"],
                       date=order.created_at.date().isoformat(), prep_minutes=10).json()["slots"]
        if not slot:  # late in the day: tomorrow's
            from datetime import timedelta

            slot = api.get(f"/stores/{store_id}/pickup-slots", customer["token"],
                           date=(order.created_at + timedelta(days=1)).date().isoformat()).json()["slots"]
        r = api.post("/orders", {"lines": [{"offering_id": bar["cola"]["id"], "quantity": 2}],
                                 "fulfilment": {"type": "pickup", "store_id": store_id, "slot_start": slot[0]["start"]}},
                     customer["token"])
        assert r.status_code == 201, r.content
        pickup_id = r.json()["id"]
        r = api.post(f"/orders/{pickup_id}/pay", {"provider": "sandbox", "card_number": GOOD_CARD}, customer["token"])
        code = r.json()["pickup_code"]
        p.goto(live_server.url + f"/orders/{pickup_id}/")
        assert decode_all_qr(p.screenshot(full_page=True)) == [code]
        k.goto(live_server.url + f"/counter/{store_id}/kitchen/")
        k.fill("#pickup-code", code)
        k.locator("form.pickup-box button").click()
        k.locator(".pickup-msg").wait_for()
        assert k.locator(".pickup-msg").get_attribute("data-ok") == "1", k.inner_text(".pickup-msg")
        assert Order.objects.get(pk=pickup_id).fulfilment_status == "picked_up"
        k.fill("#pickup-code", code)
        k.locator("form.pickup-box button").click()
        k.locator(".pickup-msg[data-ok='0']").wait_for()  # the same code again: already handed over
        p.reload()
        assert "Collected" in p.inner_text("main")
    finally:
        for ctx in (owner_ctx, phone, tablet):
            ctx.close()
    assert not problems, problems


def _y4m(png: bytes, path: Path, *, size: tuple[int, int] = (640, 480)) -> Path:
    """A fake camera's video (Y4M, 4:2:0) that shows this picture, centred on a grey table top."""
    import io

    from PIL import Image

    shot = Image.open(io.BytesIO(png)).convert("RGB")
    shot.thumbnail((size[0] - 80, size[1] - 80))
    frame = Image.new("RGB", size, (170, 170, 170))
    frame.paste(shot, ((size[0] - shot.width) // 2, (size[1] - shot.height) // 2))
    y, u, v = frame.convert("YCbCr").split()
    half = (size[0] // 2, size[1] // 2)
    data = y.tobytes() + u.resize(half).tobytes() + v.resize(half).tobytes()
    with path.open("wb") as fh:
        fh.write(f"YUV4MPEG2 W{size[0]} H{size[1]} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            fh.write(b"FRAME\n" + data)
    return path


def test_the_counter_camera_hands_over_a_pickup_by_its_qr(chromium_browser, live_server, bar, tmp_path):  # noqa: F811
    """The customer holds up the phone; the counter's camera (Chromium's fake camera playing what the phone
    showed) reads the pickup QR and hands the order over, once."""
    from playwright.sync_api import sync_playwright  # noqa: F401 - the fixture has checked it is there

    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    api, customer, clerk, store_id = bar["api"], bar["customer"], bar["clerk"], bar["store"]["id"]
    from datetime import timedelta

    from django.utils import timezone

    slots = []
    for days in (0, 1):
        slots = api.get(f"/stores/{store_id}/pickup-slots", customer["token"],
                        date=(timezone.localtime() + timedelta(days=days)).date().isoformat()).json()["slots"]
        if slots:
            break
    r = api.post("/orders", {"lines": [{"offering_id": bar["cola"]["id"], "quantity": 1}],
                             "fulfilment": {"type": "pickup", "store_id": store_id, "slot_start": slots[0]["start"]}},
                 customer["token"])
    order_id = r.json()["id"]
    code = api.post(f"/orders/{order_id}/pay", {"provider": "sandbox", "card_number": GOOD_CARD},
                    customer["token"]).json()["pickup_code"]
    phone = chromium_browser.new_context(
        viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True,
        storage_state=login_state(chromium_browser, live_server.url, customer["email"], builders.PASSWORD))
    try:
        p = phone.new_page()
        p.goto(live_server.url + f"/orders/{order_id}/")
        shown = p.locator("#pickup-code svg.qr-code").screenshot()
    finally:
        phone.close()
    camera = _y4m(shown, tmp_path / "phone.y4m")
    problems: list[str] = []
    browser = chromium_browser.browser_type.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={camera}"])
    try:
        ctx = browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-GB", storage_state=login_state(
            browser, live_server.url, clerk["email"], builders.PASSWORD))
        ctx.grant_permissions(["camera"], origin=live_server.url)
        page = _watch(ctx.new_page(), problems)
        page.goto(live_server.url + f"/counter/{store_id}/")
        page.click("#scan-start")
        page.locator("#result.is-done").wait_for(timeout=20000)
        assert "Order handed over" in page.inner_text("#result")
        assert Order.objects.get(pk=order_id).fulfilment_status == "picked_up"
        page.screenshot(path=str(ART / "counter-camera-pickup.png"))
        # the same code typed again: already handed over, nothing moves twice
        page.get_by_role("button", name="Next customer").click()
        page.click("#scan-stop")
        page.fill("#code-input", code)
        page.locator("#code-form").evaluate("f => f.requestSubmit()")
        page.locator("#result.is-error").wait_for()
        assert "Already handed over" in page.inner_text("#result")
    finally:
        browser.close()
    assert not [m for m in problems if "409" not in m and "Conflict" not in m], problems
