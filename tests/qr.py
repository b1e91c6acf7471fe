"""Is a QR code that o2o shows readable by a camera? Decode what Chromium draws, with zxing-cpp.

Every QR the product shows or prints gets the same check with one call:

    state = login_state(chromium_browser, live_server.url, user.email, PASSWORD)
    assert_page_qrs(chromium_browser, live_server.url + "/orders/<id>/", [v.qr_payload ...], storage_state=state)

``assert_page_qrs`` opens the page in one browser at every viewport of ``VIEWPORTS`` and device scale factor
of ``SCALES`` (phone and desktop, 1x to 3x), takes a full-page screenshot and asserts that zxing-cpp gives back
exactly the expected payloads (each as many times as expected, nothing else), and that every QR drawn by
o2o/web/qr.py is square and lies inside the viewport's width. On a failure the screenshot is kept in
tests/e2e/artifacts/ to look at.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import zxingcpp
from PIL import Image

VIEWPORTS: tuple[tuple[int, int], ...] = ((360, 640), (390, 844), (1366, 900))
SCALES: tuple[int, ...] = (1, 2, 3)
ARTIFACTS = Path(__file__).resolve().parent / "e2e" / "artifacts"
MIN_MODULE_CSS_PX = 2.5  # below this a phone screen held to a counter scanner stops reading reliably


def decode_all_qr(png_bytes: bytes) -> list[str]:
    """Every QR code zxing-cpp finds in a PNG (a screenshot), as text, top to bottom."""
    image = Image.open(io.BytesIO(png_bytes)).convert("L")
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    found.sort(key=lambda b: (b.position.top_left.y, b.position.top_left.x))
    return [b.text for b in found if b.valid]


def login_state(browser: Any, base_url: str, email: str, password: str) -> dict[str, Any]:
    """Sign in through the login page once; the cookies for every context assert_page_qrs opens."""
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        page.goto(base_url + "/login/")
        page.fill("#id_email", email)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("form .btn-primary")
        assert "/login/" not in page.url, f"login as {email} failed"
        return ctx.storage_state()
    finally:
        ctx.close()


def _geometry_problems(page: Any, width: int) -> list[str]:
    """Each QR drawn by o2o/web/qr.py: square, inside the viewport's width, big enough per module."""
    boxes = page.evaluate("""() => [...document.querySelectorAll('svg.qr-code')].map(s => {
        const r = s.getBoundingClientRect();
        return {x: r.left, w: r.width, h: r.height, n: Number(s.dataset.modules || 0),
                vb: s.getAttribute('viewBox')};
    })""")
    problems = []
    for i, b in enumerate(boxes):
        if not b["vb"]:
            problems.append(f"QR {i} has no viewBox")
        if abs(b["w"] - b["h"]) > 0.5:
            problems.append(f"QR {i} is {b['w']:.1f}x{b['h']:.1f} CSS px, not square")
        if b["x"] < -0.5 or b["x"] + b["w"] > width + 0.5:
            problems.append(f"QR {i} spans x {b['x']:.1f}..{b['x'] + b['w']:.1f}, outside the {width}px viewport")
        if b["n"] and b["w"] / b["n"] < MIN_MODULE_CSS_PX:
            problems.append(f"QR {i}: {b['w'] / b['n']:.2f} CSS px per module (< {MIN_MODULE_CSS_PX})")
    return problems


def assert_page_qrs(browser: Any, url: str, expected: Iterable[str], *, storage_state: dict[str, Any] | None = None,
                    prepare: Callable[[Any], None] | None = None, viewports: Iterable[tuple[int, int]] = VIEWPORTS,
                    scales: Iterable[int] = SCALES, name: str = "") -> None:
    """The page at ``url`` shows exactly ``expected`` as QR codes a camera reads, at every size and scale.

    ``prepare(page)`` runs after the page loaded and before the screenshot (say, tap "Show QR").
    """
    want = Counter(expected)
    assert want, "no expected payloads: a check that nothing shows belongs elsewhere"
    label = name or re.sub(r"[^a-z0-9]+", "-", url.split("//", 1)[-1].split("/", 1)[-1].lower()).strip("-") or "page"
    failures = []
    scales = tuple(scales)
    for width, height in viewports:
        for scale in scales:
            ctx = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=scale,
                                      storage_state=storage_state, locale="en-GB")
            try:
                page = ctx.new_page()
                page.goto(url)
                page.wait_for_load_state("load")
                if prepare is not None:
                    prepare(page)
                png = page.screenshot(full_page=True, animations="disabled")
                got = Counter(decode_all_qr(png))
                problems = _geometry_problems(page, width)
            finally:
                ctx.close()
            if got != want:
                missing = sum((want - got).values())
                extra = sum((got - want).values())
                problems.append(f"decoded {sum(got.values())} QR codes: {missing} expected missing, {extra} unexpected")
            if problems:
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                shot = ARTIFACTS / f"qr-{label}-{width}x{height}@{scale}x.png"
                shot.write_bytes(png)
                failures.append(f"{width}x{height} @{scale}x ({shot.name}): " + "; ".join(problems))
    assert not failures, "QR codes not readable as shown:\n" + "\n".join(failures)


def decode_pdf_qrs(pdf_bytes: bytes, *, dpi: int = 150) -> list[list[str]]:
    """Every QR code zxing-cpp reads on each page of a PDF rendered at `dpi` (what a phone camera sees of
    a sheet printed by an office printer): one list of payloads per page, top to bottom."""
    import pypdfium2 as pdfium

    pages: list[list[str]] = []
    doc = pdfium.PdfDocument(pdf_bytes)
    try:
        for page in doc:
            image = page.render(scale=dpi / 72).to_pil()
            buf = io.BytesIO()
            image.save(buf, format="PNG")
            pages.append(decode_all_qr(buf.getvalue()))
    finally:
        doc.close()
    return pages


def pdf_text(pdf_bytes: bytes) -> list[str]:
    """The text on each page of a PDF, as a reader copies it (checks that Chinese is set as characters)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf_bytes)
    try:
        return [page.get_textpage().get_text_range() for page in doc]
    finally:
        doc.close()
