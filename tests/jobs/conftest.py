"""A renovation firm and a print shop with request forms, a customer; all made through the HTTP API.
Files are made here: real PNG/JPEG/PDF bytes, and the bad ones (a text file named .png, a bomb, a PDF
with JavaScript)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.helpers import CENTRE, GOOD_CARD, ApiClient, add_staff, quick_user

SITE = {"address": "8 Wenshu Lane, Qingyang", "lat": 30.6720, "lng": 104.0730}
RENOVATION_FIELDS = [
    {"key": "area", "label": "Area", "type": "area", "required": True, "min": 5, "max": 2000},
    {"key": "rooms", "label": "Rooms", "type": "number", "required": True, "min": 1, "max": 30},
    {"key": "style", "label": "Style", "type": "choice", "choices": ["modern", "chinese", "nordic"]},
    {"key": "budget", "label": "Budget", "type": "number"},
    {"key": "start", "label": "Start date", "type": "date"},
    {"key": "notes", "label": "Notes", "type": "text"},
    {"key": "photos", "label": "Photos of the site", "type": "photos", "max_files": 3},
]
PRINT_FIELDS = [
    {"key": "product", "label": "Product", "type": "choice", "required": True, "choices": ["flyer", "box", "poster"]},
    {"key": "quantity", "label": "Quantity", "type": "number", "required": True, "min": 1},
    {"key": "artwork", "label": "Artwork", "type": "file", "required": True},
]


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "CNY"}


def png_bytes(size: tuple[int, int] = (32, 24), mode: str = "RGB") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new(mode, size, 128 if mode != "RGB" else (200, 80, 40)).save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def pdf_bytes(*, javascript: bool = False, pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(width=200, height=200)
    if javascript:  # an /OpenAction that runs JavaScript when the file is opened
        from pypdf.generic import DictionaryObject, NameObject, TextStringObject

        js = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.alert('hello');")})
        w._root_object[NameObject("/OpenAction")] = w._add_object(js)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def upload(api: ApiClient, user: dict[str, Any], data: bytes, name: str = "file.bin"):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return api.client.post("/api/v1/job-uploads", {"file": f}, HTTP_AUTHORIZATION=f"Bearer {user['token']}")


def upload_ok(api: ApiClient, user: dict[str, Any], data: bytes | None = None, name: str = "photo.png") -> str:
    r = upload(api, user, data if data is not None else png_bytes(), name)
    assert r.status_code == 201, r.content
    return r.json()["id"]


def quote_body(**over: Any) -> dict[str, Any]:
    body = {
        "valid_until": (timezone.now() + timedelta(days=7)).isoformat(),
        "deposit_share": "30.00",
        "milestones": [{"title": "Demolition", "share": "30.00"}, {"title": "Plumbing", "share": "30.00"},
                       {"title": "Painting", "share": "40.00"}],
        "options": [
            {"tier": "good", "title": "Basic", "lines": [
                {"description": "Labour", "quantity": "10", "unit_price": money("100.00")}]},
            {"tier": "better", "title": "Standard", "lines": [
                {"description": "Labour", "quantity": "10", "unit_price": money("100.00")},
                {"description": "Tiles", "quantity": "20.5", "unit_price": money("40.00")}]},
        ],
        "note": "Includes clean-up",
    }
    body.update(over)
    return body


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Uploads, proofs and previews land in the test's own directory, not var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def shop(api_client: ApiClient) -> dict[str, Any]:
    return make_shop(api_client)


def make_shop(api: ApiClient) -> dict[str, Any]:
    """A renovation firm (owner, clerk, technician), its request form, a customer, a stranger."""
    owner = quick_user("owner")
    ms = api.merchant_with_store(owner, category="renovation", name="Panda Renovation", lat=CENTRE[0], lng=CENTRE[1])
    mid, store = ms["merchant"]["id"], ms["store"]
    r = api.post(f"/merchants/{mid}/job-forms", {"trade": "renovation", "title": "Flat renovation",
                                                 "fields": RENOVATION_FIELDS, "checkin_radius_m": 300}, owner["token"])
    assert r.status_code == 201, r.content
    return {"api": api, "owner": owner, "merchant": ms["merchant"], "store": store, "form": r.json(),
            "clerk": add_staff(api, owner, mid, "clerk", [store["id"]]),
            "tech": add_staff(api, owner, mid, "courier", [store["id"]]),
            "customer": quick_user("customer"), "stranger": quick_user("stranger")}


def submit(shop: dict[str, Any], answers: dict[str, Any] | None = None, site: Any = SITE):  # type: ignore[no-untyped-def]
    body = {"answers": answers if answers is not None else {"area": "86.5", "rooms": 3, "style": "modern"},
            "site": site}
    return shop["api"].post(f"/job-forms/{shop['form']['id']}/requests", body, shop["customer"]["token"])


def quoted(shop: dict[str, Any], **over: Any) -> dict[str, Any]:
    r = submit(shop)
    assert r.status_code == 201, r.content
    req = r.json()
    r = shop["api"].post(f"/job-requests/{req['id']}/quotes", quote_body(**over), shop["owner"]["token"])
    assert r.status_code == 201, r.content
    return {"request": req, "quote": r.json()}


def job_with_deposit(shop: dict[str, Any], **over: Any) -> dict[str, Any]:
    """A job on the 'good' option (1000.00; deposit 30% = 300.00; milestones 300 / 300 / 400), deposit paid."""
    q = quoted(shop, **over)["quote"]
    api = shop["api"]
    r = api.post(f"/job-quotes/{q['id']}/accept", {"option_id": q["options"][0]["id"]}, shop["customer"]["token"])
    assert r.status_code == 201, r.content
    job = r.json()
    r = api.post(f"/jobs/{job['id']}/deposit", {"card_number": GOOD_CARD}, shop["customer"]["token"])
    assert r.status_code == 200, r.content
    return r.json()
