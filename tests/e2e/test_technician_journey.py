"""A renovation milestone on site, in headless Chromium through the pages only: the technician's phone
(geolocation faked by Playwright's context) is refused 5 km from the site with the reason on the visit,
checks in at the site with a camera photo, checks out with a note marking the work done; the customer
opens the visit's report, sees the photo and the note, signs the milestone off and the page shows the share
released from escrow to the merchant. Screenshots in /tmp/jobstech-shots/: the technician's day with its
map (English and Chinese), the report after sign-off, and the quote PDF's first page (Chinese lines,
rendered with pypdfium2)."""

from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone, translation

from o2o.demo.photos import deal_photo
from o2o.jobs import visits
from o2o.jobs.models import Milestone, Quote, Visit
from tests.helpers import PASSWORD, ApiClient
from tests.jobs.conftest import SITE, job_with_deposit, make_shop
from tests.qr import login_state

SHOTS = Path(os.environ.get("O2O_SCREENS") or Path(__file__).resolve().parents[2] / "var" / "screens")
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "timezone_id": "Asia/Shanghai"}


def _watch(page):  # type: ignore[no-untyped-def]
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error"
            and "Failed to load resource" not in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def _chinese_quote(shop) -> Quote:  # type: ignore[no-untyped-def]
    """The job's quote, its lines in Chinese as a Chengdu firm writes them."""
    from o2o.jobs.models import QuoteLine

    quote = Quote.objects.order_by("-created_at").first()
    assert quote is not None
    for ln, text in zip(QuoteLine.objects.filter(option__quote=quote).order_by("option", "position"),
                        ["拆除旧瓷砖 Remove old tiles", "人工 Labour", "厨卫瓷砖 Kitchen tiles"], strict=False):
        QuoteLine.objects.filter(pk=ln.pk).update(description=text)
    Quote.objects.filter(pk=quote.pk).update(note="含垃圾清运，工期约 30 天。Includes clearing the rubble.")
    return Quote.objects.get(pk=quote.pk)


def _wait_for_map(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector("#tech-map .leaflet-overlay-pane path")  # the route line
    page.wait_for_function("document.querySelectorAll('#tech-map .leaflet-basemap-pane path, "
                           "#tech-map .leaflet-pane path').length > 5")
    page.wait_for_timeout(300)


def test_technician_checks_in_out_and_the_customer_signs_off(chromium_browser, live_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    shop = make_shop(ApiClient())
    job = job_with_deposit(shop)
    m1 = job["milestones"][0]
    now = timezone.now()
    v = visits.visit_plan(staff=shop["owner"]["user"], milestone_id=m1["id"], technician_id=shop["tech"]["id"],
                          window_start=now - timedelta(minutes=30), window_end=now + timedelta(hours=2))
    m2 = job["milestones"][1]
    visits.visit_plan(staff=shop["owner"]["user"], milestone_id=m2["id"], technician_id=shop["tech"]["id"],
                      window_start=now + timedelta(hours=1), window_end=now + timedelta(hours=3))
    from o2o.jobs.models import Visit as V

    V.objects.exclude(pk=v.pk).update(site_lat=SITE["lat"] + 0.012, site_lng=SITE["lng"] + 0.018,
                                      site_address="22 Kuanzhai Alley, Qingyang")

    tech_state = login_state(chromium_browser, live_server.url, shop["tech"]["email"], PASSWORD)
    far = {"latitude": SITE["lat"] + 0.045, "longitude": SITE["lng"]}  # 5 km north of the site
    ctx = chromium_browser.new_context(**PHONE, storage_state=tech_state, locale="en-GB", geolocation=far,
                                       permissions=["geolocation"])
    page = ctx.new_page()
    problems = _watch(page)
    try:
        page.goto(live_server.url + "/tech/")
        _wait_for_map(page)
        cards = page.locator(".visit")
        assert cards.count() == 2 and f"visit-{v.pk}" == cards.first.get_attribute("id")
        page.screenshot(path=str(SHOTS / "tech-day.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        card = page.locator(f"#visit-{v.pk}")
        photo = {"name": "site.jpg", "mimeType": "image/jpeg",
                 "buffer": deal_photo(kind="renovation", category="renovation", variant="site")}
        card.locator('input[name="photo"]').set_input_files(photo)
        with page.expect_navigation():
            card.locator("button", has_text="Check in on site").click()
        refusal = page.locator(f"#visit-{v.pk} .refusal").inner_text()
        assert "m from the site; check in within 300 m of it." in refusal and refusal.startswith("You are 50")
        page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar stays on top of a full-page shot
        page.screenshot(path=str(SHOTS / "tech-refused.png"), full_page=True)
        assert Visit.objects.get(pk=v.pk).check_in_id is None

        ctx.set_geolocation({"latitude": SITE["lat"] + 0.0004, "longitude": SITE["lng"]})  # at the door
        card = page.locator(f"#visit-{v.pk}")
        card.locator('input[name="photo"]').set_input_files(photo)
        with page.expect_navigation():
            card.locator("button", has_text="Check in on site").click()
        assert "Checked in on site." in page.inner_text(".messages")
        v.refresh_from_db()
        assert v.check_in is not None and 35 < v.check_in.distance_m < 55
        assert abs((v.check_in.at - timezone.now()).total_seconds()) < 60  # the phone's clock
        card = page.locator(f"#visit-{v.pk}")
        card.locator("textarea").fill("Old tiles removed, rubble bagged and taken away.")
        with page.expect_navigation():
            card.locator("button", has_text="Check out").click()
        assert "The customer can sign the milestone off now." in page.inner_text(".messages")
        assert Milestone.objects.get(pk=m1["id"]).status == "done"
        _wait_for_map(page)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SHOTS / "tech-day-after.png"), full_page=True)
        assert problems == []
    finally:
        ctx.close()

    customer_state = login_state(chromium_browser, live_server.url, shop["customer"]["email"], PASSWORD)
    ctx = chromium_browser.new_context(**PHONE, storage_state=customer_state, locale="en-GB")
    page = ctx.new_page()
    problems = _watch(page)
    try:
        page.goto(live_server.url + f"/jobs/visits/{v.pk}/")
        assert "Old tiles removed" in page.inner_text(".visit-report")
        assert page.evaluate("document.querySelector('.visit-photo').naturalWidth") > 0  # the photo loads
        assert page.inner_text(".held") == "CN¥300.00"  # the deposit, 30%: this milestone's share
        with page.expect_navigation():
            page.click("text=Sign off this milestone")
        assert "300.00" in page.inner_text(".messages") and "released to Panda Renovation" in page.inner_text(".messages")
        assert page.inner_text(".released") == "CN¥300.00" and page.inner_text(".held") == "CN¥0.00"
        assert page.inner_text(".milestone-status") == "Signed off (released)"
        page.screenshot(path=str(SHOTS / "visit-signed-off.png"), full_page=True)
        assert problems == []
    finally:
        ctx.close()

    # the technician's day in Chinese
    ctx = chromium_browser.new_context(**PHONE, storage_state=tech_state, locale="zh-CN",
                                       extra_http_headers={"Accept-Language": "zh-Hans"})
    page = ctx.new_page()
    try:
        page.goto(live_server.url + "/tech/")
        _wait_for_map(page)
        assert "我的上门" in page.inner_text("h1")
        page.screenshot(path=str(SHOTS / "tech-day-zh.png"), full_page=True)
    finally:
        ctx.close()

    # the quote as the customer downloads it, its first page as a picture: the Chinese is set in Noto CJK
    import pypdfium2 as pdfium

    from o2o.jobs.pdf import quote_pdf

    with translation.override("zh-hans"):
        pdf = quote_pdf(_chinese_quote(shop))
    doc = pdfium.PdfDocument(pdf)
    try:
        page_ = doc[0]
        text = page_.get_textpage().get_text_range()
        assert "拆除旧瓷砖" in text and "报价" in text
        image = page_.render(scale=2).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG")
        (SHOTS / "quote-pdf.png").write_bytes(out.getvalue())
    finally:
        doc.close()
