"""A print job in headless Chromium, through the pages only: a customer on a phone fills the print shop's
request form and attaches the artwork (a PDF, checked by its bytes) -> the owner quotes two options from the
console -> the customer accepts one and pays the whole price as the deposit (the sandbox) -> the owner tries
to start printing and is refused (no approved proof), uploads a proof -> the customer approves its preview ->
printing -> printed -> ready for pickup -> the customer signs each stage off at the counter: the job is
completed and its escrow released to the shop. Screenshots in var/screens/jobs/ (or $JOBS_SHOTS)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from o2o.jobs.models import Job, JobRequest, Proof
from o2o.jobs.selectors import escrow_sums
from tests.browser import watch_problems
from tests.helpers import GOOD_CARD, PASSWORD
from tests.jobs.conftest import make_shop, pdf_bytes
from tests.qr import login_state

SHOTS = Path(os.environ.get("JOBS_SHOTS") or Path(__file__).resolve().parents[2] / "var" / "screens" / "jobs")
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PRINT_FORM = [
    {"key": "product", "label": "Product", "type": "choice", "required": True, "choices": ["Flyer", "Poster", "Box"]},
    {"key": "size", "label": "Size", "type": "choice", "choices": ["A5", "A4", "A3"]},
    {"key": "quantity", "label": "Quantity", "type": "number", "required": True, "min": 1},
    {"key": "finish", "label": "Finish", "type": "choice", "choices": ["Matte", "Gloss"]},
    {"key": "artwork", "label": "Artwork", "type": "file", "required": True},
]


def _context(browser: Any, base: str, person: dict[str, Any], *, phone: bool) -> Any:
    state = login_state(browser, base, person["email"], PASSWORD)
    if phone:
        return browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, storage_state=state,
                                   locale="en-GB", is_mobile=True, has_touch=True)
    return browser.new_context(viewport={"width": 1280, "height": 900}, storage_state=state, locale="en-GB")


def test_print_job_from_request_to_pickup(chromium_browser, live_server, api_client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shop = make_shop(api_client)
    mid = shop["merchant"]["id"]
    r = api_client.post(f"/merchants/{mid}/job-forms", {"trade": "printing", "title": "Flyers and posters",
                                                        "fields": PRINT_FORM}, shop["owner"]["token"])
    assert r.status_code == 201, r.content
    form_id = r.json()["id"]
    artwork = tmp_path / "spring-sale.pdf"
    artwork.write_bytes(pdf_bytes())
    proof_pdf = tmp_path / "proof-v1.pdf"
    proof_pdf.write_bytes(pdf_bytes(pages=2))
    base = live_server.url
    phone = _context(chromium_browser, base, shop["customer"], phone=True)
    desk = _context(chromium_browser, base, shop["owner"], phone=False)
    customer, owner = phone.new_page(), desk.new_page()
    problems = watch_problems(customer)
    owner_problems = watch_problems(owner)
    try:
        # 1. the request, on a phone, with the artwork
        customer.goto(f"{base}/jobs/forms/{form_id}/")
        customer.select_option("#id_product", "Flyer")
        customer.select_option("#id_size", "A5")
        customer.fill("#id_quantity", "500")
        customer.select_option("#id_finish", "Gloss")
        customer.set_input_files("#id_artwork", str(artwork))
        assert "spring-sale.pdf" in customer.inner_text("#list_artwork")
        assert customer.evaluate("document.documentElement.scrollWidth") <= 390
        customer.screenshot(path=str(SHOTS / "1-request-form-phone.png"), full_page=True)
        with customer.expect_navigation():
            customer.click("form button.btn-primary")
        req = JobRequest.objects.get()
        assert customer.url.endswith(f"/jobs/requests/{req.pk}/")
        assert "The merchant is preparing a quote." in customer.inner_text(".next-step")

        # 2. the owner quotes from the console's Jobs tab
        owner.goto(f"{base}/merchant/{mid}/jobs/")
        assert "Send a quote" in owner.inner_text(f"tr[data-request='{req.pk}']")
        with owner.expect_navigation():
            owner.click(f"tr[data-request='{req.pk}'] a.btn-soft")
        owner.fill("#id_deposit_share", "100")
        owner.fill("#id_good_title", "Standard 130 g")
        owner.fill("#id_good_lines", "A5 flyers, 130 g gloss | 500 | 0.30")
        owner.fill("#id_better_title", "Thick 250 g")
        owner.fill("#id_better_lines", "A5 flyers, 250 g gloss | 500 | 0.50\nSpot UV | 1 | 40.00")
        with owner.expect_navigation():
            owner.click("form button.btn-primary")
        assert re.search(rf"/merchant/{mid}/jobs/requests/{req.pk}/$", owner.url), owner.url

        # 3. the customer compares, accepts the better option and pays
        customer.reload()
        assert "Compare the options and accept one." in customer.inner_text(".next-step")
        better = customer.locator(".option[data-tier='better']")
        assert "290.00" in better.inner_text()
        customer.screenshot(path=str(SHOTS / "2-request-with-quotes-phone.png"), full_page=True)
        with customer.expect_navigation():
            better.locator("button").click()
        job = Job.objects.get()
        assert customer.url.endswith(f"/jobs/{job.pk}/deposit/")
        customer.fill("#id_card_number", "4242 4242 4242 4242")
        customer.fill("#id_expiry", "12/30")
        customer.fill("#id_cvc", "123")
        with customer.expect_navigation():
            customer.click("form.card-form button")
        job.refresh_from_db()
        assert job.status == "active" and escrow_sums(job.pk)["held"] == job.price_amount
        assert GOOD_CARD  # the sandbox's card that succeeds, typed with spaces above

        # 4. printing is refused before a proof is approved; the owner uploads one
        owner.reload()
        printing = owner.locator("li[data-kind='printing']")
        with owner.expect_navigation():
            printing.locator("text=Start printing").click()
        assert "Printing cannot start before the customer approves a proof." in owner.inner_text(
            "li[data-kind='printing'] .refusal")
        owner.set_input_files("#id_proof_file", str(proof_pdf))
        with owner.expect_navigation():
            owner.click(".proof-form button")
        proof = Proof.objects.get()
        assert "Awaiting approval" in owner.inner_text(f"#proof-{proof.pk}")
        owner.screenshot(path=str(SHOTS / "4-merchant-request-view.png"), full_page=True)

        # 5. the customer approves the proof's preview
        customer.goto(f"{base}/jobs/requests/{req.pk}/")
        assert "A proof waits for your approval." in customer.inner_text(".next-step")
        preview = customer.locator(f"#proof-{proof.pk} img")
        preview.scroll_into_view_if_needed()
        assert customer.evaluate("(img) => img.naturalWidth > 0", preview.element_handle())
        customer.screenshot(path=str(SHOTS / "3-proof-approval-phone.png"), full_page=True)
        with customer.expect_navigation():
            customer.click(f"#proof-{proof.pk} >> text=Approve this proof")
        assert "Proof approved: printing can start." in customer.inner_text(".messages")

        # 6. printing, printed, ready for pickup
        owner.reload()
        for button in ("Start printing", "Printed"):
            with owner.expect_navigation():
                owner.locator("li[data-kind='printing']").locator(f"text={button}").click()
        ready = owner.locator("li[data-kind='work']")
        with owner.expect_navigation():
            ready.locator("text=Mark done").click()
        assert "Done, awaiting sign-off" in owner.inner_text("li[data-kind='work']")

        # 7. at pickup the customer signs every stage off: the shop is paid, the job completed
        customer.reload()
        while customer.locator("button:has-text('Sign off')").count():
            with customer.expect_navigation():
                customer.locator("button:has-text('Sign off')").first.click()
        job.refresh_from_db()
        assert job.status == "completed"
        sums = escrow_sums(job.pk)
        assert sums["held"] == 0 and sums["release"] == job.price_amount
        assert "All done" in customer.inner_text(".next-step")
        customer.screenshot(path=str(SHOTS / "5-completed-phone.png"), full_page=True)
        owner.reload()
        owner.screenshot(path=str(SHOTS / "6-merchant-completed.png"), full_page=True)
        owner.goto(f"{base}/merchant/{mid}/jobs/forms/{form_id}/")
        assert owner.input_value("#id_f-4-label") == "Artwork"
        owner.screenshot(path=str(SHOTS / "9-merchant-form-editor.png"), full_page=True)
        # 8. the same pages in Chinese, on the phone
        zh = chromium_browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                          storage_state=phone.storage_state(), locale="zh-CN", is_mobile=True,
                                          extra_http_headers={"Accept-Language": "zh-hans"})
        try:
            page = zh.new_page()
            page.goto(f"{base}/jobs/forms/{form_id}/")
            assert "提交需求" in page.inner_text(".job-form form") and page.evaluate("document.documentElement.scrollWidth") <= 390
            page.screenshot(path=str(SHOTS / "7-request-form-zh-phone.png"), full_page=True)
            page.goto(f"{base}/jobs/requests/{req.pk}/")
            assert "全部完成" in page.inner_text(".next-step") and "已托管" not in page.inner_text(".next-step")
            page.screenshot(path=str(SHOTS / "8-request-zh-phone.png"), full_page=True)
        finally:
            zh.close()
        assert problems == [] and owner_problems == []
    finally:
        phone.close()
        desk.close()
