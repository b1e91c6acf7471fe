"""The pages in headless Chromium: scripts run under the CSP (no violation, no JS error), Alpine's
countdown ticks, the counter checks and redeems through the API, the chart and the maps draw."""

import os

import pytest

from tests.web import builders

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _page(browser, live_server, user=None, width=390):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": width, "height": 844})
    page = ctx.new_page()
    problems: list[str] = []
    # A 4xx answer of the API is logged as "Failed to load resource"; anything else is a problem.
    page.on("console", lambda m: problems.append(m.text) if m.type == "error"
            and "Failed to load resource" not in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    if user is not None:
        page.goto(live_server.url + "/login/")
        page.fill("#id_email", user.email)
        page.fill("#id_password", builders.PASSWORD)
        page.click("form .btn-primary")
        page.wait_for_load_state("networkidle")
    return page, problems


def test_customer_pages_run_clean_and_the_pay_countdown_ticks(chromium_browser, live_server):
    w = builders.world()
    order = builders.buy(w["customer"], w["deal"], 1, pay=False)
    page, problems = _page(chromium_browser, live_server, w["customer"])
    page.goto(live_server.url + "/")
    # store markers drawn on the offline basemap (on a phone the map waits behind "Map")
    page.wait_for_selector(".leaflet-interactive", state="attached")
    assert page.locator(".store-card").count() >= 1
    page.click("[data-filters-toggle]")  # the filters fold behind a button on a phone
    page.select_option('select[name="category"]', "salon")
    page.wait_for_selector(".empty")
    assert "category=salon" in page.url  # htmx pushed the filter into the address
    page.goto(live_server.url + f"/orders/{order.pk}/pay/")
    countdown = page.locator(".countdown")
    page.wait_for_function("document.querySelector('.countdown').textContent.includes(':')")
    assert countdown.inner_text().startswith("14:") or countdown.inner_text().startswith("15:")
    page.fill("#id_card_number", builders.GOOD_CARD)
    page.fill("#id_expiry", "12/30")
    page.fill("#id_cvc", "123")
    page.click(".card-form .btn-primary")
    page.wait_for_selector(".voucher .qr svg")
    assert problems == []


def test_counter_checks_and_redeems_and_lists_it(chromium_browser, live_server):
    w = builders.world()
    order = builders.buy(w["customer"], w["deal"], 1)
    code = order.vouchers.get().code
    page, problems = _page(chromium_browser, live_server, w["clerk"], width=1280)
    page.goto(live_server.url + f"/counter/{w['store'].pk}/")
    for digit in code:
        page.click(f'.keypad [data-key="{digit}"]')
    page.click("#code-submit")
    page.wait_for_selector(".result.is-valid")
    assert w["customer"].display_name in page.inner_text(".result") and order.number in page.inner_text(".result")
    page.click(".result .btn-success")
    page.wait_for_selector(".result.is-done")
    assert order.number in page.inner_text("#recent-list li:first-child")
    page.click(".result .btn-primary")
    page.fill("#code-input", code)
    page.click("#code-submit")
    page.wait_for_selector(".result.is-error")
    assert "Already used" in page.inner_text(".result") and w["store"].name in page.inner_text(".result")
    ready = page.evaluate("window.o2oCounter.Scanner.prepare().then(() => !!window.ZXingWASM.readBarcodes)")
    assert ready is True
    assert problems == []


def test_console_chart_and_store_map_picker(chromium_browser, live_server):
    w = builders.world()
    page, problems = _page(chromium_browser, live_server, w["owner"], width=1280)
    page.goto(live_server.url + f"/merchant/{w['merchant'].pk}/")
    page.wait_for_function("window.Chart && window.Chart.getChart(document.getElementById('redemptions-chart'))")
    page.goto(live_server.url + f"/merchant/{w['merchant'].pk}/stores/new/")
    page.wait_for_selector("#picker path")  # the basemap is drawn
    page.click("#picker", position={"x": 200, "y": 150})
    assert page.input_value("#id_lat") and page.input_value("#id_lng")
    page.select_option("#id_sun_mode", "closed")
    assert not page.locator('[data-hours-day="sun"] .hours-win-1').is_visible()
    page.select_option("#id_fri_mode", "two")
    assert page.locator('[data-hours-day="fri"] .hours-win-2').is_visible()
    assert problems == []
