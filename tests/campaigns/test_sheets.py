"""Print-ready sheets of a placement: an A4 flyer and a folding table tent as PDF (and PNG), with the
deal, the QR and the store, Chinese set as characters; the QR read back from the rendered page with
zxing-cpp is the placement's short link."""

from __future__ import annotations

import io

from django.test import Client
from PIL import Image

from tests.qr import decode_all_qr, decode_pdf_qrs, pdf_text


def _owner_client(shop) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(shop["owner"]["user"])
    return c


def _path(url: str) -> str:
    return url.removeprefix("http://testserver")


def test_the_flyer_pdf_carries_the_deal_the_qr_and_the_store(shop):
    p = shop["flyer"]
    r = _owner_client(shop).get(_path(p["flyer_pdf_url"]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    pdf = r.content
    assert decode_pdf_qrs(pdf) == [[p["short_url"]]]  # one A4 page, one code: the short link
    text = "".join(pdf_text(pdf))
    assert "双人火锅套餐" in text and "老成都火锅" in text  # Chinese as characters, not boxes
    assert shop["store"]["name"] in text.replace("\r\n", " ").replace("\n", " ")
    assert "Scan to get this deal" in text and p["short_url"] in text


def test_the_table_tent_reads_upright_on_both_faces(shop):
    p = shop["poster"]
    r = _owner_client(shop).get(_path(p["table_tent_pdf_url"]))
    assert r.status_code == 200
    pages = decode_pdf_qrs(r.content)
    assert pages == [[p["short_url"], p["short_url"]]]  # one code on each face (the top one upside down)


def test_a_store_placement_sheet_in_chinese(shop):
    c = _owner_client(shop)
    r = c.get(_path(shop["window"]["flyer_pdf_url"]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 200
    text = "".join(pdf_text(r.content))
    assert "扫码查看我们的优惠" in text and "老成都火锅" in text
    assert decode_pdf_qrs(r.content) == [[shop["window"]["short_url"]]]


def test_the_sheets_as_png(shop):
    p = shop["flyer"]
    for sheet in ("flyer", "table-tent"):
        r = _owner_client(shop).get(_path(p["flyer_pdf_url"]).replace("flyer.pdf", f"{sheet}.png"))
        assert r.status_code == 200 and r["Content-Type"] == "image/png"
        width, height = Image.open(io.BytesIO(r.content)).size
        assert (width < height) == (sheet == "flyer")  # portrait flyer, landscape tent
        assert set(decode_all_qr(r.content)) == {p["short_url"]}


def test_sheets_are_the_merchants_own(shop, rival):
    url = _path(shop["flyer"]["flyer_pdf_url"])
    stranger = Client()
    stranger.force_login(rival["owner"]["user"])
    assert stranger.get(url).status_code == 404
    mixed = url.replace(shop["merchant"]["id"], rival["merchant"]["id"])
    assert stranger.get(mixed).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert _owner_client(shop).get(url.replace("flyer.pdf", "banner.pdf")).status_code == 404
