"""The merchant console as a merchant meets it: editing deals, managing staff, revenue, the tab that
is lit, 24-hour opening hours, error messages as sentences, and (in Chromium at 360 px) no page
that scrolls sideways, Pause/End in reach and an invite link that copies."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from o2o.analytics.selectors import merchant_revenue
from o2o.catalogue.models import Offering
from o2o.merchants.models import StaffMembership, Store
from o2o.orders.models import Order
from o2o.payments.models import Refund
from o2o.payments.services import order_refund
from o2o.web.views.merchant import TAB_OF_PAGE, TABS
from tests.browser import log_in, watch_problems
from tests.web import builders
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db
SENTENCE = re.compile(r"^[A-Z0-9“\"].*[.!?]$", re.S)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _hours_post(**over):  # type: ignore[no-untyped-def]
    data = {"name": "Night Branch", "address": "5 Jinli Street", "timezone": "Asia/Shanghai", "lat": "30.65",
            "lng": "104.05"}
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        data.update({f"{day}_mode": "one", f"{day}_open1": "09:00", f"{day}_close1": "21:00",
                     f"{day}_open2": "", f"{day}_close2": ""})
    data.update(over)
    return data


def _current_tabs(html: str) -> list[str]:
    nav = html.split('class="subnav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'data-tab="(\w+)" aria-current="page"', nav)


# --- 6. the lit tab follows the page ------------------------------------------------------------

def _console_pages(w, voucher):  # type: ignore[no-untyped-def]
    mid = w["merchant"].pk
    return {
        "dashboard": reverse("web:dashboard", args=[mid]),
        "deal_new": reverse("web:deal_new", args=[mid]),
        "deal_edit": reverse("web:deal_edit", args=[mid, w["deal"].pk]),
        "store_new": reverse("web:store_new", args=[mid]),
        "store_edit": reverse("web:store_edit", args=[mid, w["store"].pk]),
        "staff": reverse("web:staff", args=[mid]),
        "audit": reverse("web:audit", args=[mid]),
        "voucher_trail": reverse("web:voucher_trail", args=[mid, voucher.pk]),
        "conflicts": reverse("web:conflicts", args=[mid]),
        "reviews": reverse("web:reviews", args=[mid]),
        "campaigns": reverse("web:campaigns", args=[mid]),
    }


def test_every_console_page_lights_exactly_its_own_tab(w):
    voucher = builders.buy(w["customer"], w["deal"], 1).vouchers.get()
    c = client_for(w["owner"])
    pages = _console_pages(w, voucher)
    for name, url in pages.items():
        r = c.get(url)
        assert r.status_code == 200, url
        assert _current_tabs(r.content.decode()) == [TAB_OF_PAGE[name]], name
    assert _current_tabs(c.get(pages["store_edit"]).content.decode()) != ["store_new"]  # the reported defect


def test_every_console_page_url_has_its_tab_decided():
    """A console page added later without a line in TAB_OF_PAGE fails here, not on a merchant's screen."""
    post_only = {"deal_status", "staff_role", "staff_remove", "conflict_resolve", "review_reply"}
    from o2o.web import urls as web_urls

    names = {p.name for p in web_urls.urlpatterns if str(p.pattern).startswith("merchant/<uuid:merchant_id>/")}
    assert names - post_only == set(TAB_OF_PAGE), names - post_only ^ set(TAB_OF_PAGE)
    assert set(TAB_OF_PAGE.values()) <= {t for t, _label in TABS}


# --- 7. opening hours are 24-hour -------------------------------------------------------------

def test_hours_inputs_are_24_hour_text_never_type_time(w):
    c = client_for(w["owner"])
    for url in (reverse("web:store_new", args=[w["merchant"].pk]),
                reverse("web:store_edit", args=[w["merchant"].pk, w["store"].pk])):
        html = c.get(url).content.decode()
        assert 'type="time"' not in html
        inputs = re.findall(r'<input[^>]*name="\w+_(?:open|close)[12]"[^>]*>', html)
        assert len(inputs) == 28
        assert all('type="text"' in i and 'pattern="' in i and 'placeholder="HH:MM"' in i for i in inputs)
    # the all-day store shows 00:00 – 24:00 in the editor, not 12:00 AM
    page = c.get(reverse("web:store_edit", args=[w["merchant"].pk, w["store"].pk])).content.decode()
    shown = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)  # a random token may hold "PM"
    assert not re.search(r"\b(AM|PM)\b", shown)


def test_hours_past_midnight_and_24_00_are_saved_and_12_hour_text_is_refused(w):
    c = client_for(w["owner"])
    url = reverse("web:store_new", args=[w["merchant"].pk])
    r = c.post(url, _hours_post(fri_mode="two", fri_open1="11:00", fri_close1="14:30", fri_open2="17:00",
                                fri_close2="02:00", sat_open1="8:00", sat_close1="24:00"))
    assert r.status_code == 302, r.content.decode()[:3000]
    store = Store.objects.get(name="Night Branch")
    assert store.opening_hours["fri"] == [["11:00", "14:30"], ["17:00", "02:00"]]
    assert store.opening_hours["sat"] == [["08:00", "24:00"]]
    # the editor shows them back as typed
    r = c.get(reverse("web:store_edit", args=[w["merchant"].pk, store.pk]))
    assert r.context["form"].initial["fri_close2"] == "02:00" and r.context["form"].initial["sat_close1"] == "24:00"
    r = c.post(url, _hours_post(name="Broken", mon_open1="9:00 PM", tue_close1="25:00"))
    assert r.status_code == 200 and not Store.objects.filter(name="Broken").exists()
    html = r.content.decode()
    mon = html.split('data-hours-day="mon"')[1].split('data-hours-day="tue"')[0]
    assert "24-hour time as HH:MM" in mon
    assert "24-hour time as HH:MM" in html.split('data-hours-day="tue"')[1].split('data-hours-day="wed"')[0]


# --- 8. every validation message of the deal/store/staff forms is a sentence ---------------

def _messages(html: str) -> list[str]:
    found = re.findall(r'<p class="field-error">(.*?)</p>', html, re.S)
    alert = re.search(r'<div class="alert alert-error" role="alert">(.*?)</div>', html, re.S)
    if alert:
        found += re.findall(r"<p>(.*?)</p>", alert.group(1), re.S)
    return [re.sub(r"\s+", " ", m).strip() for m in found]


def _bad_posts(w):  # type: ignore[no-untyped-def]
    mid, store = w["merchant"].pk, str(w["store"].pk)
    deal = {"title": "T", "description": "", "price": "50", "list_price": "40", "quantity_total": "5",
            "per_customer_limit": "0", "valid_days": "1", "stores": [store], "publish": "live"}
    yield reverse("web:deal_new", args=[mid]), deal  # list price below the price ("below price" before)
    yield reverse("web:deal_new", args=[mid]), {**deal, "title": "", "price": "abc", "list_price": "1.234",
                                                "quantity_total": "0", "valid_days": "x", "stores": []}
    yield reverse("web:deal_new", args=[mid]), {**deal, "title": " " * 3, "price": "10", "list_price": "20"}
    yield reverse("web:deal_edit", args=[mid, w["deal"].pk]), {**deal, "quantity_total": "0"}
    yield reverse("web:store_new", args=[mid]), _hours_post(name="", address="", lat="95", lng="x",
                                                            timezone="Mars/Olympus", mon_open1="", tue_open1="7pm")
    yield reverse("web:store_new", args=[mid]), _hours_post(mon_open1="09:00", mon_close1="09:00")
    yield reverse("web:store_new", args=[mid]), _hours_post(timezone="Mars/Olympus")
    yield reverse("web:staff", args=[mid]), {"email": "not-an-address", "role": "boss", "stores": ["nope"]}
    yield reverse("web:staff", args=[mid]), {"email": w["owner"].email, "role": "clerk"}


def test_every_form_error_is_a_sentence_in_english_and_translated_in_chinese(w):
    c = client_for(w["owner"])
    seen = 0
    for lang in ("en", "zh-hans"):
        c.cookies["django_language"] = lang
        for url, data in _bad_posts(w):
            r = c.post(url, data, HTTP_ACCEPT_LANGUAGE=lang)
            assert r.status_code == 200, (url, r.status_code)
            messages = _messages(r.content.decode())
            assert messages, (url, data)
            for m in messages:
                seen += 1
                if lang == "en":
                    assert SENTENCE.match(m), f"not a sentence on {url}: {m!r}"
                else:
                    assert CJK.search(m), f"not translated on {url}: {m!r}"
    assert seen > 20


# --- 1. editing a deal on its page -----------------------------------------------------------

def test_edit_a_deal_on_its_page(w):
    builders.buy(w["customer"], w["deal"], 3)
    c = client_for(w["owner"])
    url = reverse("web:deal_edit", args=[w["merchant"].pk, w["deal"].pk])
    r = c.get(url)
    html = r.content.decode()
    assert r.status_code == 200 and 'value="Hotpot for two"' in html and 'value="99.00"' in html
    assert "3 already sold or held" in html
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"title": "Hotpot for three", "description": "More", "price": "129.00", "list_price": "199.00",
            "quantity_total": "3", "per_customer_limit": "1", "valid_days": "45", "stores": [str(w["store"].pk)],
            "photos": [SimpleUploadedFile("a.png", builders.photo_bytes(), content_type="image/png")]}
    r = c.post(url, data)
    assert r.status_code == 302
    deal = Offering.objects.get(pk=w["deal"].pk)
    assert (deal.title, deal.price_amount, deal.quantity_total, deal.quantity_left, deal.valid_days) == (
        "Hotpot for three", Decimal("129.00"), 3, 0, 45)
    assert deal.photos.count() == 1
    r = c.post(url, {**data, "quantity_total": "2", "remove_photos": [str(deal.photos.get().pk)], "photos": []})
    assert r.status_code == 200 and "At least 3" in r.content.decode()
    assert Offering.objects.get(pk=deal.pk).quantity_total == 3 and deal.photos.count() == 1  # nothing half-done
    r = c.post(url, {**data, "remove_photos": [str(deal.photos.get().pk)], "photos": []})
    assert r.status_code == 302 and deal.photos.count() == 0
    # the dashboard links every deal to its editor
    assert url in c.get(reverse("web:dashboard", args=[w["merchant"].pk])).content.decode()


def test_deal_edit_page_tenancy(w):
    mid = w["merchant"].pk
    url = reverse("web:deal_edit", args=[mid, w["deal"].pk])
    assert client_for(w["clerk"]).get(url).status_code == 403
    assert client_for(w["clerk"]).post(url, {"title": "x"}).status_code == 403
    other = client_for(w["other_owner"])
    assert other.get(url).status_code == 404
    assert other.get(reverse("web:deal_edit", args=[w["other_merchant"].pk, w["deal"].pk])).status_code == 404
    assert client_for(w["owner"]).get(reverse("web:deal_edit", args=[mid, w["other_deal"].pk])).status_code == 404


# --- 2. staff: remove and change role on the page ----------------------------------------------

def test_staff_page_changes_role_and_removes_with_confirmation(w):
    c = client_for(w["owner"])
    page = reverse("web:staff", args=[w["merchant"].pk])
    html = c.get(page).content.decode()
    clerk_m = StaffMembership.objects.get(merchant=w["merchant"], user=w["clerk"])
    owner_m = StaffMembership.objects.get(merchant=w["merchant"], user=w["owner"])
    assert reverse("web:staff_remove", args=[w["merchant"].pk, clerk_m.pk]) in html
    assert reverse("web:staff_remove", args=[w["merchant"].pk, owner_m.pk]) not in html  # no button for the owner
    assert "They lose access to this merchant" in html  # the confirmation the Remove button opens
    r = c.post(reverse("web:staff_role", args=[w["merchant"].pk, clerk_m.pk]), {"role": "manager"})
    assert r.status_code == 302 and StaffMembership.objects.get(pk=clerk_m.pk).role == "manager"
    assert client_for(w["clerk"]).get(reverse("web:dashboard", args=[w["merchant"].pk])).status_code == 200
    r = c.post(reverse("web:staff_remove", args=[w["merchant"].pk, clerk_m.pk]))
    assert r.status_code == 302
    assert client_for(w["clerk"]).get(reverse("web:dashboard", args=[w["merchant"].pk])).status_code == 404
    assert w["clerk"].email not in c.get(page).content.decode()
    # the owner cannot be removed through the page either
    r = c.post(reverse("web:staff_remove", args=[w["merchant"].pk, owner_m.pk]), follow=True)
    assert "The owner cannot be removed." in r.content.decode()
    assert StaffMembership.objects.get(pk=owner_m.pk).is_active


def test_staff_page_actions_tenancy(w):
    clerk_m = StaffMembership.objects.get(merchant=w["merchant"], user=w["clerk"])
    for name in ("web:staff_role", "web:staff_remove"):
        url = reverse(name, args=[w["merchant"].pk, clerk_m.pk])
        assert client_for(w["clerk"]).post(url, {"role": "manager"}).status_code == 403
        assert client_for(w["other_owner"]).post(url, {"role": "manager"}).status_code == 404
        other_url = reverse(name, args=[w["other_merchant"].pk, clerk_m.pk])
        r = client_for(w["other_owner"]).post(other_url, {"role": "manager"}, follow=True)
        assert r.status_code == 404 or "Not found" in r.content.decode()
    assert StaffMembership.objects.get(pk=clerk_m.pk).role == "clerk"
    assert StaffMembership.objects.get(pk=clerk_m.pk).is_active


# --- 3. revenue ----------------------------------------------------------------------------

def _paid_at(order: Order, at: datetime) -> None:
    Order.objects.filter(pk=order.pk).update(paid_at=at)


def test_revenue_is_paid_minus_refunded_per_period_in_the_merchants_timezone(w):
    shanghai_noon = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)  # 12:00 in Asia/Shanghai
    today = builders.buy(w["customer"], w["deal"], 2)  # 198.00
    _paid_at(today, shanghai_noon - timedelta(hours=2))
    late_yesterday = builders.buy(w["customer"], w["deal"], 1)  # 23:30 Shanghai yesterday = 15:30 UTC yesterday
    _paid_at(late_yesterday, datetime(2026, 12, 1, 15, 30, tzinfo=UTC))
    early_today = builders.buy(w["customer"], w["deal"], 1)  # 07:00 Shanghai today = 23:00 UTC yesterday
    _paid_at(early_today, datetime(2026, 12, 1, 23, 0, tzinfo=UTC))
    week_ago = builders.buy(w["customer"], w["deal"], 1)
    _paid_at(week_ago, shanghai_noon - timedelta(days=10))
    order_refund(customer=w["customer"], order_id=late_yesterday.pk)  # refunded "now" (the test's real clock)
    Refund.objects.update(created_at=shanghai_noon - timedelta(hours=1))
    periods = {p.key: p for p in merchant_revenue(merchant=w["merchant"], now=shanghai_noon)}
    (t,) = periods["today"].rows
    assert (t.paid.amount, t.refunded.amount, t.net.amount, t.orders) == (
        Decimal("297.00"), Decimal("99.00"), Decimal("198.00"), 2)
    assert isinstance(t.net.amount, Decimal) and t.currency == "CNY"
    (s,) = periods["7d"].rows
    assert (s.paid.amount, s.net.amount, s.orders) == (Decimal("396.00"), Decimal("297.00"), 3)
    (m,) = periods["30d"].rows
    assert (m.paid.amount, m.net.amount, m.orders) == (Decimal("495.00"), Decimal("396.00"), 4)
    # read with UTC days, the order paid at 07:00 Shanghai would fall on yesterday
    utc = {p.key: p for p in merchant_revenue(merchant=w["merchant"], now=shanghai_noon, tz="UTC")}
    assert utc["today"].rows[0].orders == 1


def test_revenue_keeps_currencies_apart(w):
    usd_deal = builders.deal(w["merchant"], w["owner"], [w["store"]], title="Dollar deal")
    Offering.objects.filter(pk=usd_deal.pk).update(currency="USD")
    builders.buy(w["customer"], w["deal"], 1)
    usd_order = builders.buy(w["customer"], Offering.objects.get(pk=usd_deal.pk), 1)
    assert usd_order.currency == "USD"
    (today,) = [p for p in merchant_revenue(merchant=w["merchant"]) if p.key == "today"]
    assert {(r.currency, r.net.amount) for r in today.rows} == {("CNY", Decimal("99.00")), ("USD", Decimal("99.00"))}


def test_dashboard_shows_revenue_and_orders_count(w):
    builders.buy(w["customer"], w["deal"], 2)
    html = client_for(w["owner"]).get(reverse("web:dashboard", args=[w["merchant"].pk])).content.decode()
    section = html.split('id="revenue"', 1)[1].split("</section>", 1)[0]
    for key in ("today", "7d", "30d"):
        block = section.split(f'data-period="{key}"', 1)[1].split('class="revenue-period"', 1)[0]
        assert "198.00" in block and "1 order paid" in block, key
    assert "Asia/Shanghai" in section


def test_merchants_app_reads_no_orders_or_vouchers():
    """DESIGN's layers: merchants sits below orders and vouchers; the figures live in o2o/analytics."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2] / "o2o" / "merchants"
    for path in root.rglob("*.py"):
        text = path.read_text()
        for higher in ("o2o.orders", "o2o.vouchers", "o2o.payments", "o2o.reviews", "o2o.analytics"):
            assert higher not in text, f"{path.name} imports {higher}"


# --- 4 and 5. in Chromium at phone width --------------------------------------------------

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _login(browser, live_server, user, width, height, locale="en-US"):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    page = ctx.new_page()
    problems = watch_problems(page)
    log_in(page, live_server.url, user.email, builders.PASSWORD)
    return ctx, page, problems


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "height"), [(360, 640), (390, 844)])
def test_no_console_page_scrolls_sideways_on_a_phone_and_pause_end_work(chromium_browser, live_server, width,
                                                                        height):
    w = builders.world()
    builders.deal(w["merchant"], w["owner"], [w["store"]], title="A deal with a rather long title for a phone screen",
                  photos=1)
    voucher = builders.buy(w["customer"], w["deal"], 1).vouchers.get()
    for i in range(3):
        builders.clerk(w["merchant"], [w["store"]], name=f"Clerk with a long name {i}")
    ctx, page, problems = _login(chromium_browser, live_server, w["owner"], width, height)
    pages = _console_pages(w, voucher)
    pages["audit"] += f"?q={voucher.order.number}&go=0"
    for name, url in pages.items():
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        sw, iw = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
        assert sw <= iw, f"{name} scrolls sideways at {width}px: {sw} > {iw}"
        # nor does anything inside it (a table or tab strip scrolling on its own hid Pause/End and tabs)
        inner = page.evaluate("""Array.from(document.querySelectorAll('main *')).filter(e =>
            e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
            .map(e => e.className)""")
        assert inner == [], (name, inner)
        # every tab is on screen, and the lit one is the page's own
        for box in page.locator(".subnav a").evaluate_all(
                "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; })"):
            assert box[0] >= 0 and box[1] <= iw, (name, box)
        assert page.locator('.subnav a[aria-current="page"]').get_attribute("data-tab") == TAB_OF_PAGE[name]
    page.goto(live_server.url + pages["dashboard"])
    row = page.locator(f'tr[data-offering="{w["deal"].pk}"]')
    for label in ("Edit", "Pause", "End"):
        button = row.get_by_role("button" if label != "Edit" else "link", name=label, exact=True)
        assert button.is_visible()
        box = button.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (label, box)
    row.get_by_role("button", name="Pause", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert Offering.objects.get(pk=w["deal"].pk).status == "paused"
    row = page.locator(f'tr[data-offering="{w["deal"].pk}"]')
    row.get_by_role("button", name="End", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert Offering.objects.get(pk=w["deal"].pk).status == "ended"
    assert problems == []
    ctx.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_invite_link_copy_button_copies_the_link(chromium_browser, live_server):
    w = builders.world()
    ctx, page, problems = _login(chromium_browser, live_server, w["owner"], 360, 640)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server.url + reverse("web:staff", args=[w["merchant"].pk]))
    page.fill("#id_email", "brand-new@example.com")
    page.click("form[method=post] >> text=Invite")
    page.wait_for_selector("#invite-link")
    link = page.input_value("#invite-link")
    token = StaffMembership.objects.get(user__email="brand-new@example.com").invite_token
    assert link.endswith(f"/invite/{token}/")
    page.get_by_role("button", name="Copy link").click()
    page.wait_for_selector(".copy-status:not(:empty)")
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert "Copied" in page.inner_text(".copy-status")
    # without the async clipboard the text is left selected for the person to copy
    page.evaluate("Object.defineProperty(navigator, 'clipboard', {value: undefined});"
                  "document.execCommand = () => false;")
    page.get_by_role("button", name="Copy link").click()
    assert page.evaluate("window.getSelection().toString() || "
                         "document.activeElement.value.substring(document.activeElement.selectionStart,"
                         " document.activeElement.selectionEnd)") == link
    assert "Ctrl+C" in page.inner_text(".copy-status")
    assert problems == []
    ctx.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_hours_editor_in_an_en_us_browser_shows_no_am_pm(chromium_browser, live_server):
    w = builders.world()
    ctx, page, problems = _login(chromium_browser, live_server, w["owner"], 390, 844)
    page.goto(live_server.url + reverse("web:store_edit", args=[w["merchant"].pk, w["store"].pk]))
    page.select_option("#id_fri_mode", "two")
    page.fill("#id_fri_open1", "11:00")
    page.fill("#id_fri_close1", "14:30")
    page.fill("#id_fri_open2", "17:00")
    page.fill("#id_fri_close2", "02:00")
    assert page.input_value("#id_fri_close2") == "02:00"
    text = page.inner_text(".hours-editor")
    assert "AM" not in text and "PM" not in text
    page.click(".form-actions .btn-primary")
    page.wait_for_load_state("networkidle")
    w["store"].refresh_from_db()
    assert w["store"].opening_hours["fri"] == [["11:00", "14:30"], ["17:00", "02:00"]]
    assert problems == []
    ctx.close()


def test_the_anonymous_are_sent_to_log_in(w):
    clerk_m = StaffMembership.objects.get(merchant=w["merchant"], user=w["clerk"])
    for name in ("web:staff_role", "web:staff_remove"):
        assert Client().post(reverse(name, args=[w["merchant"].pk, clerk_m.pk])).status_code == 302
    assert StaffMembership.objects.get(pk=clerk_m.pk).is_active
