"""The jobs pages through Django's test client: the request form built from the merchant's fields (artwork
checked by its bytes), my requests, the deposit page, proofs (printing refused before approval, shown beside
the milestone), change orders, disputes and their answer, the form editor and the Jobs tab."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from o2o.accounts.models import User
from o2o.jobs.models import ChangeOrder, Dispute, Job, JobRequest, Milestone, Proof, RequestForm
from tests.helpers import GOOD_CARD
from tests.jobs.conftest import PRINT_FIELDS, job_with_deposit, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db


def _browser(person: dict[str, Any]) -> Client:
    c = Client()
    c.force_login(User.objects.get(pk=person["id"]))
    return c


def _print_form(shop: dict[str, Any]) -> dict[str, Any]:
    fields = [*PRINT_FIELDS, {"key": "finish", "label": "Finish", "type": "choice", "choices": ["matte", "gloss"]},
              {"key": "wanted_by", "label": "Wanted by", "type": "date"}]
    r = shop["api"].post(f"/merchants/{shop['merchant']['id']}/job-forms",
                         {"trade": "printing", "title": "Flyer printing", "fields": fields}, shop["owner"]["token"])
    assert r.status_code == 201, r.content
    return r.json()


def _file(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_request_form_is_built_from_the_fields_and_checks_the_artwork_by_its_bytes(shop):
    form = _print_form(shop)
    url = f"/jobs/forms/{form['id']}/"
    anonymous = Client().get(url).content.decode()
    assert 'name="product"' in anonymous and 'type="date"' in anonymous and 'name="artwork"' in anonymous
    assert "Log in to send the request" in anonymous
    customer = _browser(shop["customer"])
    # a text file named .pdf is refused by what it is, beside the artwork field; nothing is stored
    bad = customer.post(url, {"product": "flyer", "quantity": "500", "artwork": _file("art.pdf", b"hello, not a pdf")})
    assert bad.status_code == 422
    assert bad.content.decode().count("This type of file is not accepted (only JPEG, PDF, PNG).") == 1  # under the field
    assert JobRequest.objects.count() == 0
    missing = customer.post(url, {"product": "flyer", "quantity": "500"})
    assert missing.status_code == 422 and "This field is required." in missing.content.decode()
    r = customer.post(url, {"product": "flyer", "quantity": "500", "finish": "gloss", "wanted_by": "2031-05-02",
                            "artwork": _file("flyer.pdf", pdf_bytes())})
    req = JobRequest.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/jobs/requests/{req.pk}/"
    assert req.answers["quantity"] == "500" and req.answers["finish"] == "gloss"
    upload_id = req.answers["artwork"]
    # the artwork is served to the customer and the merchant's staff only
    assert customer.get(f"/jobs/files/{upload_id}/")["Content-Type"] == "application/pdf"
    assert _browser(shop["owner"]).get(f"/jobs/files/{upload_id}/").status_code == 200
    assert _browser(shop["stranger"]).get(f"/jobs/files/{upload_id}/").status_code == 404
    mine = customer.get("/me/jobs/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Flyer printing" in mine and "已提交" in mine
    tab = _browser(shop["owner"]).get(f"/merchant/{shop['merchant']['id']}/jobs/").content.decode()
    assert "Flyer printing" in tab and "Send a quote" in tab


def test_print_job_proof_gates_printing_and_the_customer_approves(shop):
    job = job_with_deposit(shop, milestones=[{"title": "Proof", "share": "10.00", "kind": "proof"},
                                             {"title": "Printing", "share": "70.00", "kind": "printing"},
                                             {"title": "Ready", "share": "20.00"}])
    req_id = Job.objects.get(pk=job["id"]).request_id
    owner, customer = _browser(shop["owner"]), _browser(shop["customer"])
    console = f"/merchant/{shop['merchant']['id']}/jobs/requests/{req_id}/"
    printing = Milestone.objects.get(job_id=job["id"], kind="printing")
    refused = owner.post(console, {"action": "start", "milestone_id": str(printing.pk)})
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Printing cannot start before the customer approves a proof." in html and 'class="alert alert-error refusal"' in html
    printing.refresh_from_db()
    assert printing.status == "pending"
    r = owner.post(console, {"action": "proof", "file": _file("proof.pdf", pdf_bytes())})
    assert r.status_code == 302
    proof = Proof.objects.get()
    page = customer.get(f"/jobs/requests/{req_id}/").content.decode()
    assert "Approve this proof" in page and f"/jobs/proofs/{proof.pk}/preview.png" in page
    png = customer.get(f"/jobs/proofs/{proof.pk}/preview.png")
    assert png.status_code == 200 and b"".join(png.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"  # type: ignore[attr-defined]
    assert _browser(shop["stranger"]).get(f"/jobs/proofs/{proof.pk}/preview.png").status_code == 404
    assert owner.post(f"/jobs/proofs/{proof.pk}/approve/").status_code == 404  # the merchant cannot approve
    assert customer.post(f"/jobs/proofs/{proof.pk}/approve/").status_code == 302
    proof.refresh_from_db()
    assert proof.status == "approved"
    assert owner.post(console, {"action": "start", "milestone_id": str(printing.pk)}).status_code == 302
    assert owner.post(console, {"action": "done", "milestone_id": str(printing.pk)}).status_code == 302
    printing.refresh_from_db()
    assert printing.status == "done"
    # the deposit (300.00) covered the proof (100.00): printing needs 500.00 more before it is signed off
    page = customer.get(f"/jobs/requests/{req_id}/").content.decode()
    assert "Pay CN¥500.00 to sign off" in page
    pay = f"/jobs/milestones/{printing.pk}/pay/"
    assert customer.post(pay, {"card_number": GOOD_CARD, "expiry": "12/30", "cvc": "123"}).status_code == 302
    assert customer.post(f"/jobs/milestones/{printing.pk}/sign-off/").status_code == 302
    printing.refresh_from_db()
    assert printing.status == "signed_off"


def test_deposit_page_pays_through_the_sandbox(shop):
    from tests.jobs.conftest import quoted

    q = quoted(shop)["quote"]
    customer = _browser(shop["customer"])
    r = customer.post(f"/jobs/quotes/{q['id']}/accept/", {"option_id": q["options"][0]["id"]})
    job = Job.objects.get()
    assert r["Location"] == f"/jobs/{job.pk}/deposit/"
    page = customer.get(r["Location"]).content.decode()
    assert "300.00" in page and "Sandbox" in page
    assert _browser(shop["stranger"]).get(r["Location"]).status_code == 404
    declined = customer.post(r["Location"], {"card_number": "4000 0000 0000 0002", "expiry": "12/30", "cvc": "123"})
    assert declined.status_code == 422 and "Payment declined." in declined.content.decode()
    ok = customer.post(r["Location"], {"card_number": GOOD_CARD, "expiry": "12/30", "cvc": "123"})
    assert ok.status_code == 302
    job.refresh_from_db()
    assert job.status == "active"
    assert "Held in escrow" in customer.get(f"/jobs/requests/{job.request_id}/").content.decode()


def test_change_order_and_dispute_through_the_pages(shop):
    job = job_with_deposit(shop)
    req_id = Job.objects.get(pk=job["id"]).request_id
    owner, customer = _browser(shop["owner"]), _browser(shop["customer"])
    console = f"/merchant/{shop['merchant']['id']}/jobs/requests/{req_id}/"
    bad = owner.post(console, {"action": "change_order", "co-price": "1200.00", "co-milestones": "Extra | 90",
                               "co-reason": "Bigger room"})
    assert bad.status_code == 422 and ChangeOrder.objects.count() == 0
    assert owner.post(console, {"action": "change_order", "co-price": "1200.00",
                                "co-milestones": "Plumbing | 50\nPainting | 50", "co-reason": "Bigger room"}).status_code == 302
    co = ChangeOrder.objects.get()
    assert "Accept the change" in customer.get(f"/jobs/requests/{req_id}/").content.decode()
    assert customer.post(f"/jobs/change-orders/{co.pk}/accept/").status_code == 302
    assert Job.objects.get(pk=job["id"]).price_amount == 1200
    first = Milestone.objects.filter(job_id=job["id"], status="pending").order_by("position").first()
    assert owner.post(console, {"action": "done", "milestone_id": str(first.pk)}).status_code == 302
    r = customer.post(f"/jobs/milestones/{first.pk}/dispute/", {"comment": "Tiles are cracked",
                                                                "photos": _file("crack.png", png_bytes())})
    assert r.status_code == 302
    d = Dispute.objects.get()
    assert d.photos.count() == 1
    html = owner.get(console).content.decode()
    assert "Tiles are cracked" in html and "Send the answer" in html
    assert owner.post(console, {"action": "answer", "milestone_id": str(first.pk),
                                f"a-{first.pk}-answer": "We replace them on Monday."}).status_code == 302
    first.refresh_from_db()
    assert first.status == "answered"
    page = customer.get(f"/jobs/requests/{req_id}/").content.decode()
    assert "We replace them on Monday." in page and f"/jobs/files/{d.photos.get().pk}/" in page
    # the shared request page offers the console to its managers only (a clerk would be refused there)
    assert "Open in the merchant console" in owner.get(f"/jobs/requests/{req_id}/").content.decode()
    assert "Open in the merchant console" not in _browser(shop["clerk"]).get(f"/jobs/requests/{req_id}/").content.decode()


def test_form_editor_creates_and_edits_a_form(shop):
    owner = _browser(shop["owner"])
    url = f"/merchant/{shop['merchant']['id']}/jobs/forms/new/"
    assert _browser(shop["clerk"]).get(url).status_code == 403
    page = owner.get(url + "?trade=printing").content.decode()
    assert 'value="Artwork (PDF, PNG or JPEG)"' in page  # the trade's usual fields to start from
    data = {"title": "Boxes", "trade": "packaging", "checkin_radius_m": "500", "f-TOTAL_FORMS": "3",
            "f-INITIAL_FORMS": "0", "f-MIN_NUM_FORMS": "0", "f-MAX_NUM_FORMS": "40",
            "f-0-label": "Box size", "f-0-type": "choice", "f-0-choices": "", "f-0-required": "on",
            "f-1-label": "How many", "f-1-type": "number", "f-1-min": "10", "f-2-label": "", "f-2-type": "text"}
    bad = owner.post(url, data)
    assert bad.status_code == 422 and "A list of 1 to 30 different texts." in bad.content.decode()
    data["f-0-choices"] = "small, medium, large"
    assert owner.post(url, data).status_code == 302
    rf = RequestForm.objects.get(title="Boxes")
    assert [f["key"] for f in rf.fields] == ["box_size", "how_many"]
    assert rf.fields[0]["choices"] == ["small", "medium", "large"] and rf.fields[1]["min"] == "10"
    edit = f"/merchant/{shop['merchant']['id']}/jobs/forms/{rf.pk}/"
    data.update({"title": "Gift boxes", "f-2-label": "Artwork", "f-2-type": "file", "active": "on"})
    assert owner.post(edit, data).status_code == 302
    rf.refresh_from_db()
    assert rf.title == "Gift boxes" and rf.fields[2]["type"] == "file" and rf.active
    html = Client().get(f"/jobs/forms/{rf.pk}/").content.decode()
    assert 'name="box_size"' in html and 'name="artwork"' in html
