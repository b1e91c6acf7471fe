"""Printed sheets (o2o/web/pdf.py): what comes out of the printer is read back the way a person meets
it: the QR codes decode from the rendered page, Chinese text is characters, nothing comes from the net."""

import pytest

from o2o.web.pdf import PrintAssetRefused, pdf_render
from tests.qr import decode_pdf_qrs, pdf_text


def _cards(n: int) -> list[dict[str, str]]:
    return [{"title": f"桌 {i} Table {i}", "subtitle": "扫码点餐 Scan to order",
             "payload": f"https://o2o.example/t/TOKEN{i:04d}", "note": "老成都面馆 Old Chengdu Noodles"}
            for i in range(1, n + 1)]


def test_a_sheet_of_qr_cards_decodes_back_page_by_page():
    cards = _cards(7)
    pdf = pdf_render(template="web/print/qr_sheet.html", context={"sheet_title": "Tables", "cards": cards})
    assert pdf.startswith(b"%PDF")
    pages = decode_pdf_qrs(pdf)
    assert len(pages) == 2  # six cards to an A4 page
    assert sorted(p for page in pages for p in page) == sorted(c["payload"] for c in cards)
    text = "".join(pdf_text(pdf))
    assert "扫码点餐" in text and "老成都面馆" in text


def test_a_print_template_may_not_fetch_from_the_network(tmp_path, settings):
    (tmp_path / "web" / "print").mkdir(parents=True)
    (tmp_path / "web" / "print" / "cdn.html").write_text(
        '<html><head><link rel="stylesheet" href="https://cdn.example.com/x.css"></head><body>x</body></html>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    with pytest.raises(PrintAssetRefused):
        pdf_render(template="web/print/cdn.html", context={})
