"""Request forms, requests checked against them, uploads checked by their bytes, the thread."""

from __future__ import annotations

import pytest

from tests.helpers import assert_error
from tests.jobs.conftest import PRINT_FIELDS, jpeg_bytes, pdf_bytes, png_bytes, submit, upload, upload_ok

pytestmark = pytest.mark.django_db


def test_form_create_rules(shop):
    api, mid = shop["api"], shop["merchant"]["id"]
    body = {"trade": "printing", "title": "Print job", "fields": PRINT_FIELDS}
    assert_error(api.post(f"/merchants/{mid}/job-forms", body, shop["clerk"]["token"]), 403, "forbidden")
    assert_error(api.post(f"/merchants/{mid}/job-forms", body, shop["stranger"]["token"]), 404, "not_found")
    bad = {"trade": "baking", "title": "", "fields": [
        {"key": "Bad Key", "label": "x", "type": "text"}, {"key": "c", "label": "Colour", "type": "choice"},
        {"key": "n", "label": "N", "type": "number", "min": 10, "max": 2}, {"key": "z", "label": "Z", "type": "video"}]}
    err = assert_error(api.post(f"/merchants/{mid}/job-forms", bad, shop["owner"]["token"]), 422)
    assert {"trade", "title"} <= set(err["fields"])
    bad["trade"], bad["title"] = "printing", "ok"
    err = assert_error(api.post(f"/merchants/{mid}/job-forms", bad, shop["owner"]["token"]), 422)
    assert {"fields.0.key", "fields.1.choices", "fields.2.max", "fields.3.type"} == set(err["fields"])
    r = api.post(f"/merchants/{mid}/job-forms", body, shop["owner"]["token"])
    assert r.status_code == 201, r.content
    assert [f["type"] for f in r.json()["fields"]] == ["choice", "number", "file"]
    listed = api.get(f"/merchants/{mid}/job-forms", shop["customer"]["token"]).json()["results"]
    assert {f["title"] for f in listed} == {"Flat renovation", "Print job"}


def test_request_answers_are_checked_against_the_form(shop):
    err = assert_error(submit(shop, {"area": "-3", "rooms": "many", "style": "baroque", "start": "2026-13-01",
                                     "colour": "red"}), 422)
    assert set(err["fields"]) == {"answers.area", "answers.rooms", "answers.style", "answers.start",
                                  "answers.colour"}
    err = assert_error(submit(shop, {}), 422)
    assert set(err["fields"]) == {"answers.area", "answers.rooms"}  # the required ones
    err = assert_error(submit(shop, site={"lat": 95, "lng": 104.0}), 422)
    assert "site" in err["fields"] or "site.lat" in err["fields"]
    from o2o.jobs.models import JobRequest

    assert JobRequest.objects.count() == 0  # nothing half-written
    r = submit(shop, {"area": 86.5, "rooms": 3, "style": "chinese", "start": "2027-03-01", "notes": "two bathrooms"})
    assert r.status_code == 201, r.content
    req = r.json()
    assert req["status"] == "submitted" and req["answers"]["area"] == "86.5" and req["site"]["lat"] == 30.672


def test_photos_are_the_customers_own_uploads_of_the_right_kind(shop):
    api, customer = shop["api"], shop["customer"]
    photo = upload_ok(api, customer, png_bytes())
    jpeg = upload_ok(api, customer, jpeg_bytes(), "site.jpg")
    pdf = upload_ok(api, customer, pdf_bytes(), "plan.pdf")
    others = upload_ok(api, shop["stranger"], png_bytes())
    base = {"area": "50", "rooms": 2}
    err = assert_error(submit(shop, {**base, "photos": [photo, others]}), 422)
    assert "answers.photos" in err["fields"]
    err = assert_error(submit(shop, {**base, "photos": [pdf]}), 422)  # a PDF is not a photo
    assert "answers.photos" in err["fields"]
    err = assert_error(submit(shop, {**base, "photos": [photo, jpeg, pdf, photo]}), 422)
    assert "answers.photos" in err["fields"]
    r = submit(shop, {**base, "photos": [photo, jpeg]})
    assert r.status_code == 201, r.content
    assert r.json()["answers"]["photos"] == [photo, jpeg]
    err = assert_error(submit(shop, {**base, "photos": [photo]}), 422)  # used once already
    assert "answers.photos" in err["fields"]


def test_uploads_are_judged_by_their_bytes(shop):
    api, customer = shop["api"], shop["customer"]
    assert upload(api, customer, png_bytes(), "a.png").json()["kind"] == "png"
    assert upload(api, customer, png_bytes(), "looks-like.pdf").json()["kind"] == "png"  # name ignored
    # a text file named .png
    err = assert_error(upload(api, customer, b"<script>alert(1)</script>" * 10, "evil.png"), 422, "invalid_file")
    assert err["fields"] == {"file": "unsupported type"}
    # PNG magic followed by garbage: not what it claims
    err = assert_error(upload(api, customer, png_bytes()[:16] + b"\x00" * 200, "broken.png"), 422, "invalid_file")
    assert err["fields"] == {"file": "not an image"}
    # a truncated JPEG
    assert_error(upload(api, customer, jpeg_bytes()[:120], "cut.jpg"), 422, "invalid_file")
    # a PDF that does not parse
    assert_error(upload(api, customer, b"%PDF-1.7\n" + b"x" * 300 + b"\n%%EOF", "fake.pdf"), 422, "invalid_file")
    # too large
    err = assert_error(upload(api, customer, b"%PDF-1.7\n" + b"0" * (21 * 1024 * 1024), "huge.pdf"), 422)
    assert err["fields"] == {"file": "too large"}
    # a PDF with JavaScript
    err = assert_error(upload(api, customer, pdf_bytes(javascript=True), "js.pdf"), 422, "invalid_file")
    assert err["fields"] == {"file": "javascript"}
    # no file at all
    r = api.client.post("/api/v1/job-uploads", {}, HTTP_AUTHORIZATION=f"Bearer {customer['token']}")
    assert_error(r, 422)


def test_decompression_bomb_is_refused_before_decoding(shop):
    # 12000 x 12000 one-bit pixels compress to a few kilobytes but would decode to 144 megapixels
    bomb = png_bytes((12000, 12000), mode="1")
    assert len(bomb) < 200_000
    err = assert_error(upload(shop["api"], shop["customer"], bomb, "bomb.png"), 422, "invalid_file")
    assert err["fields"] == {"file": "too many pixels"}


def test_thread_between_customer_and_staff_only(shop):
    api = shop["api"]
    req = submit(shop).json()
    path = f"/job-requests/{req['id']}/messages"
    photo = upload_ok(api, shop["customer"], png_bytes())
    r = api.post(path, {"text": "Can you come on Saturday?", "photo_ids": [photo]}, shop["customer"]["token"])
    assert r.status_code == 201, r.content
    assert r.json()["from_merchant"] is False and len(r.json()["photos"]) == 1
    r = api.post(path, {"text": "周六上午十点可以。"}, shop["clerk"]["token"])
    assert r.status_code == 201 and r.json()["from_merchant"] is True
    assert_error(api.post(path, {"text": "hi"}, shop["stranger"]["token"]), 404, "not_found")
    assert_error(api.get(path, shop["stranger"]["token"]), 404, "not_found")
    assert_error(api.get(f"/job-requests/{req['id']}", shop["stranger"]["token"]), 404, "not_found")
    assert_error(api.post(path, {"text": ""}, shop["customer"]["token"]), 422)
    texts = [m["text"] for m in api.get(path, shop["customer"]["token"]).json()["results"]]
    assert texts == ["Can you come on Saturday?", "周六上午十点可以。"]
    mine = api.get("/me/job-requests", shop["customer"]["token"]).json()["results"]
    assert [x["id"] for x in mine] == [req["id"]]
    theirs = api.get(f"/merchants/{shop['merchant']['id']}/job-requests", shop["clerk"]["token"]).json()["results"]
    assert [x["id"] for x in theirs] == [req["id"]]
    assert_error(api.get(f"/merchants/{shop['merchant']['id']}/job-requests", shop["stranger"]["token"]), 404)


def test_jobs_endpoints_are_in_the_openapi_document(api_client):
    paths = api_client.get("/openapi.json").json()["paths"]
    wanted = ["/api/v1/merchants/{merchant_id}/job-forms", "/api/v1/job-uploads", "/api/v1/job-forms/{form_id}/requests",
              "/api/v1/job-requests/{request_id}/messages", "/api/v1/job-requests/{request_id}/quotes",
              "/api/v1/job-quotes/{quote_id}/accept", "/api/v1/job-quotes/{quote_id}/pdf", "/api/v1/jobs/{job_id}/deposit",
              "/api/v1/job-milestones/{milestone_id}/sign-off", "/api/v1/job-milestones/{milestone_id}/check-ins",
              "/api/v1/jobs/{job_id}/change-orders", "/api/v1/jobs/{job_id}/proofs",
              "/api/v1/job-proofs/{proof_id}/approve"]
    assert [p for p in wanted if p not in paths] == []
    sign_off = paths["/api/v1/job-milestones/{milestone_id}/sign-off"]["post"]
    assert {"200", "403", "404", "409"} <= set(sign_off["responses"])
    assert "multipart/form-data" in paths["/api/v1/job-uploads"]["post"]["requestBody"]["content"]
