"""On site: a technician checks in with position, time and photo (refused 5 km away or from the
future) and checks out with a note. Print proofs: a PDF rendered to a PNG preview, approved or sent
back; printing cannot start before approval."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers import GOOD_CARD, assert_error
from tests.jobs.conftest import (
    PRINT_FIELDS,
    SITE,
    job_with_deposit,
    pdf_bytes,
    png_bytes,
    quote_body,
    upload_ok,
)

pytestmark = pytest.mark.django_db


def _check_in(shop, milestone_id, *, lat=SITE["lat"], lng=SITE["lng"], at=None, who="tech", photo=None):  # type: ignore[no-untyped-def]
    photo = photo or upload_ok(shop["api"], shop[who], png_bytes())
    return shop["api"].post(f"/job-milestones/{milestone_id}/check-ins",
                            {"lat": lat, "lng": lng, "at": (at or timezone.now()).isoformat(), "photo_id": photo},
                            shop[who]["token"])


def test_check_in_on_site_and_out(shop):
    api = shop["api"]
    job = job_with_deposit(shop)
    m1 = job["milestones"][0]["id"]
    # 5 km north of the site: refused, the distance named
    err = assert_error(_check_in(shop, m1, lat=SITE["lat"] + 0.045), 422, "too_far")
    assert 4900 < err["fields"]["distance_m"] < 5100 and err["fields"]["radius_m"] == 300
    # the phone's time is an hour in the future
    err = assert_error(_check_in(shop, m1, at=timezone.now() + timedelta(hours=1)), 422, "bad_time")
    assert "at" in err["fields"]
    assert_error(_check_in(shop, m1, who="stranger"), 404)
    # someone else's photo, or a PDF, is not a check-in photo
    pdf = upload_ok(api, shop["tech"], pdf_bytes(), "x.pdf")
    assert_error(_check_in(shop, m1, photo=pdf), 422)
    assert api.get(f"/jobs/{job['id']}", shop["customer"]["token"]).json()["milestones"][0]["status"] == "pending"
    r = _check_in(shop, m1, lat=SITE["lat"] + 0.001)  # about 110 m away: within 300 m
    assert r.status_code == 201, r.content
    c = r.json()
    assert 100 < c["distance_m"] < 120 and c["photo"]["kind"] == "png"
    assert api.get(f"/jobs/{job['id']}", shop["customer"]["token"]).json()["milestones"][0]["status"] == "in_progress"
    err = assert_error(api.post(f"/job-check-ins/{c['id']}/check-out",
                                {"note": "x", "at": (timezone.now() + timedelta(hours=2)).isoformat()},
                                shop["tech"]["token"]), 422, "bad_time")
    assert_error(api.post(f"/job-check-ins/{c['id']}/check-out", {"note": "x"}, shop["stranger"]["token"]), 404)
    r = api.post(f"/job-check-ins/{c['id']}/check-out", {"note": "Old tiles removed, debris bagged."},
                 shop["tech"]["token"])
    assert r.status_code == 200 and r.json()["note"] == "Old tiles removed, debris bagged."
    assert r.json()["checked_out_at"] is not None
    assert_error(api.post(f"/job-check-ins/{c['id']}/check-out", {"note": "again"}, shop["tech"]["token"]), 409,
                 "already_checked_out")


def test_check_in_needs_the_site(shop):
    api = shop["api"]
    r = api.post(f"/job-forms/{shop['form']['id']}/requests", {"answers": {"area": "20", "rooms": 1}},
                 shop["customer"]["token"])
    req = r.json()
    q = api.post(f"/job-requests/{req['id']}/quotes", quote_body(), shop["owner"]["token"]).json()
    job = api.post(f"/job-quotes/{q['id']}/accept", {"option_id": q["options"][0]["id"]}, shop["customer"]["token"]).json()
    api.post(f"/jobs/{job['id']}/deposit", {"card_number": GOOD_CARD}, shop["customer"]["token"])
    assert_error(_check_in(shop, job["milestones"][0]["id"]), 409, "no_site")


@pytest.fixture
def print_job(shop):  # type: ignore[no-untyped-def]
    api, owner, customer = shop["api"], shop["owner"], shop["customer"]
    mid = shop["merchant"]["id"]
    form = api.post(f"/merchants/{mid}/job-forms", {"trade": "printing", "title": "Boxes", "fields": PRINT_FIELDS},
                    owner["token"]).json()
    artwork = upload_ok(api, customer, pdf_bytes(pages=2), "art.pdf")
    req = api.post(f"/job-forms/{form['id']}/requests",
                   {"answers": {"product": "box", "quantity": 500, "artwork": artwork}}, customer["token"])
    assert req.status_code == 201, req.content
    body = quote_body(milestones=[{"title": "Proof approval", "share": "10.00", "kind": "proof"},
                                  {"title": "Printing", "share": "60.00", "kind": "printing"},
                                  {"title": "Pickup", "share": "30.00"}], deposit_share="100.00")
    q = api.post(f"/job-requests/{req.json()['id']}/quotes", body, owner["token"]).json()
    job = api.post(f"/job-quotes/{q['id']}/accept", {"option_id": q["options"][0]["id"]}, customer["token"]).json()
    r = api.post(f"/jobs/{job['id']}/deposit", {"card_number": GOOD_CARD}, customer["token"])
    assert r.status_code == 200, r.content
    assert r.json()["escrow"]["held"]["amount"] == "1000.00"  # 100% up front
    return r.json()


def _proof(shop, job_id, data, who="owner"):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return shop["api"].client.post(f"/api/v1/jobs/{job_id}/proofs", {"file": SimpleUploadedFile("proof.pdf", data)},
                                   HTTP_AUTHORIZATION=f"Bearer {shop[who]['token']}")


def test_print_proof_approved_before_printing(shop, print_job):
    api, customer = shop["api"], shop["customer"]
    job = print_job
    proof_m, printing_m, pickup_m = (m["id"] for m in job["milestones"])
    assert_error(api.post(f"/job-milestones/{printing_m}/start", {}, shop["tech"]["token"]), 409, "proof_not_approved")
    assert_error(api.post(f"/job-milestones/{printing_m}/done", {}, shop["tech"]["token"]), 409, "proof_not_approved")
    assert_error(_proof(shop, job["id"], pdf_bytes(javascript=True)), 422, "invalid_file")
    assert_error(_proof(shop, job["id"], png_bytes()), 422, "invalid_file")
    assert_error(_proof(shop, job["id"], pdf_bytes(), who="customer"), 404)
    r = _proof(shop, job["id"], pdf_bytes())
    assert r.status_code == 201, r.content
    v1 = r.json()
    assert v1["version"] == 1 and v1["status"] == "awaiting_approval" and v1["preview_url"].endswith(".png")
    from o2o.jobs.models import Proof

    preview = Proof.objects.get(pk=v1["id"]).preview.read()
    assert preview.startswith(b"\x89PNG\r\n\x1a\n")
    assert_error(api.post(f"/job-proofs/{v1['id']}/approve", {}, shop["owner"]["token"]), 403)
    assert_error(api.post(f"/job-proofs/{v1['id']}/request-changes", {"comment": ""}, customer["token"]), 422)
    r = api.post(f"/job-proofs/{v1['id']}/request-changes", {"comment": "Logo 2 mm higher, please"}, customer["token"])
    assert r.status_code == 200 and r.json()["status"] == "changes_requested"
    assert_error(api.post(f"/job-proofs/{v1['id']}/approve", {}, customer["token"]), 409, "invalid_transition")
    assert_error(api.post(f"/job-milestones/{printing_m}/start", {}, shop["tech"]["token"]), 409, "proof_not_approved")
    v2 = _proof(shop, job["id"], pdf_bytes()).json()
    assert v2["version"] == 2
    r = api.post(f"/job-proofs/{v2['id']}/approve", {}, customer["token"])
    assert r.status_code == 200 and r.json()["status"] == "approved"
    after = api.get(f"/jobs/{job['id']}", customer["token"]).json()
    assert after["milestones"][0]["status"] == "done"  # the proof milestone is done by the approval
    assert api.post(f"/job-milestones/{printing_m}/start", {}, shop["tech"]["token"]).status_code == 200
    assert api.post(f"/job-milestones/{printing_m}/done", {}, shop["tech"]["token"]).status_code == 200
    for m in (proof_m, printing_m):
        assert api.post(f"/job-milestones/{m}/sign-off", {}, customer["token"]).status_code == 200
    api.post(f"/job-milestones/{pickup_m}/done", {}, shop["clerk"]["token"])
    done = api.post(f"/job-milestones/{pickup_m}/sign-off", {}, customer["token"]).json()
    assert done["status"] == "completed" and done["escrow"]["releases"]["amount"] == "1000.00"
    from o2o.orders.models import Order
    from o2o.payments.books import books_problems

    assert Order.objects.get(pk=done["order_id"]).fulfilment_status == "accepted"
    assert books_problems() == []
