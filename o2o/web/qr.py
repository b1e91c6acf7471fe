"""The one way o2o draws a QR code on a page (and later in a printed PDF): an inline SVG from segno.

Why it is drawn this way (issue 8: a voucher QR cropped to one finder pattern by CSS):
- a viewBox in module units, so the browser scales the whole code and never crops it;
- width/height attributes of a whole number of CSS pixels per module (the largest size it is drawn at:
  CSS may only shrink it, ``aspect-ratio: 1`` keeps it square);
- the quiet zone of 4 modules that ISO/IEC 18004 asks for, drawn in the SVG's own white background, so
  the code reads on any page colour;
- one filled path of whole-module rectangles with ``shape-rendering="crispEdges"``: module edges land on
  device pixels at any device scale factor, with no anti-aliased grey seams between modules;
- error correction M (15 %), which survives glare on a phone screen at the sizes a voucher needs.

Every template that shows a QR uses ``{% qr payload %}`` (o2o_web), never segno directly; the test helper
tests/qr.py decodes what Chromium draws from it.
"""

from __future__ import annotations

import segno
from django.utils.html import format_html
from django.utils.safestring import SafeString

QUIET_ZONE = 4  # modules of light margin on every side (ISO/IEC 18004)
DARK = "#000000"
LIGHT = "#ffffff"
DEFAULT_MODULE_PX = 4  # CSS pixels per module at the largest size; CSS may shrink it to fit a narrow phone


def qr_matrix(payload: str) -> list[list[bool]]:
    """The code's modules with the quiet zone, row by row (True = dark)."""
    code = segno.make(str(payload), error="m", micro=False)
    return [[bool(m) for m in row] for row in code.matrix_iter(scale=1, border=QUIET_ZONE)]


def _path(rows: list[list[bool]]) -> str:
    parts = []
    for y, row in enumerate(rows):
        x, n = 0, len(row)
        while x < n:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < n and row[x]:
                x += 1
            parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
    return "".join(parts)


def qr_svg(payload: str, *, label: str = "", module_px: int = DEFAULT_MODULE_PX) -> SafeString:
    """The payload as an inline SVG that scales without cropping; ``label`` is read out by screen readers."""
    rows = qr_matrix(payload)
    n = len(rows)
    size = n * max(1, int(module_px))
    return format_html(
        '<svg class="qr-code" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" width="{size}" '
        'height="{size}" preserveAspectRatio="xMidYMid meet" shape-rendering="crispEdges" role="img" '
        'aria-label="{label}" data-modules="{n}"><rect width="{n}" height="{n}" fill="{light}"/>'
        '<path fill="{dark}" d="{d}"/></svg>',
        n=n, size=size, label=label, light=LIGHT, dark=DARK, d=_path(rows),
    )


def qr_png(payload: str, *, scale: int = 10) -> bytes:
    """The payload as a PNG (black on white, the same quiet zone and error correction as the SVG):
    for a merchant's own designs, social posts and video overlays."""
    import io

    buf = io.BytesIO()
    segno.make(str(payload), error="m", micro=False).save(buf, kind="png", scale=max(1, int(scale)),
                                                          border=QUIET_ZONE, dark=DARK, light=LIGHT)
    return buf.getvalue()
