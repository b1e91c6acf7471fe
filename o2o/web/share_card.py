"""The share card of a merchant's micro-site: a 1200 x 630 PNG (the Open Graph size) with the merchant's
name, its rating and one deal, drawn with Pillow in the system's Noto Sans CJK (fonts-noto-cjk), so a
Chinese name is set as characters, not boxes. Nothing is fetched."""

from __future__ import annotations

import io
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageDraw, ImageFont

W, H = 1200, 630
ORANGE, INK, MUTED, PAPER = (255, 90, 31), (28, 25, 23), (110, 104, 98), (255, 250, 246)
_NOTO = Path("/usr/share/fonts/opentype/noto")
_SC = 2  # the Simplified Chinese face inside the .ttc collections


@lru_cache(maxsize=16)
def font(size: int, bold: bool = False) -> Any:
    path = _NOTO / ("NotoSansCJK-Bold.ttc" if bold else "NotoSansCJK-Regular.ttc")
    try:
        return ImageFont.truetype(str(path), size, index=_SC)
    except OSError:  # no fonts-noto-cjk (make system-deps installs it): Latin still reads
        return ImageFont.load_default(size)


def _fit(draw: ImageDraw.ImageDraw, text: str, size: int, width: int, bold: bool = False) -> tuple[str, Any]:
    """The text in the largest font down from `size` that fits `width`, cut with an ellipsis at 60% of it."""
    while size > 28:
        f = font(size, bold)
        if draw.textlength(text, font=f) <= width:
            return text, f
        size -= 4
    f = font(size, bold)
    while text and draw.textlength(text + "…", font=f) > width:
        text = text[:-1]
    return text + "…", f


def _star(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    pts = []
    for i in range(10):
        a = -math.pi / 2 + i * math.pi / 5
        rr = r if i % 2 == 0 else r * 0.45
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    return pts


def _stars(img: Image.Image, x: int, y: int, rating: float, size: int = 44) -> int:
    """Five stars filled to the rating (a part-filled star for the tenths); answers the x after them."""
    draw = ImageDraw.Draw(img)
    gold = Image.new("RGB", (W, H), (255, 176, 32))
    for i in range(5):
        cx, cy = x + i * (size + 8) + size / 2, y + size / 2
        draw.polygon(_star(cx, cy, size / 2), fill=(230, 224, 218))
        part = max(0.0, min(1.0, rating - i))
        if part > 0:
            mask = Image.new("L", (W, H), 0)
            ImageDraw.Draw(mask).polygon(_star(cx, cy, size / 2), fill=255)
            clip = Image.new("L", (W, H), 0)
            ImageDraw.Draw(clip).rectangle((cx - size / 2, 0, cx - size / 2 + size * part, H), fill=255)
            img.paste(gold, (0, 0), ImageChops.multiply(mask, clip))
    return x + 5 * (size + 8)


def share_card_png(*, name: str, category: str, rating: float | None, reviews_label: str, deal_title: str,
                   deal_price: str, deal_list_price: str, footer: str) -> bytes:
    img = Image.new("RGB", (W, H), PAPER)
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, W, 14), fill=ORANGE)
    d.rounded_rectangle((64, 64, 176, 112), radius=24, fill=ORANGE)
    d.text((120, 88), "o2o", font=font(34, True), fill="white", anchor="mm")
    d.text((196, 88), category, font=font(30), fill=MUTED, anchor="lm")
    title, f = _fit(d, name, 92, W - 128, bold=True)
    d.text((64, 150), title, font=f, fill=INK)
    y = 290
    if rating is not None:
        after = _stars(img, 64, y, rating)
        d.text((after + 16, y + 22), f"{rating:.1f}", font=font(44, True), fill=INK, anchor="lm")
        d.text((after + 110, y + 24), reviews_label, font=font(30), fill=MUTED, anchor="lm")
    else:
        d.text((64, y + 22), reviews_label, font=font(32), fill=MUTED, anchor="lm")
    if deal_title:
        d.rounded_rectangle((64, 380, W - 64, 530), radius=28, fill="white", outline=(240, 226, 214), width=2)
        price_w = int(d.textlength(deal_price, font=font(64, True)))
        text, tf = _fit(d, deal_title, 44, W - 128 - 80 - price_w - 60, bold=True)
        d.text((100, 455), text, font=tf, fill=INK, anchor="lm")
        d.text((W - 100, 440), deal_price, font=font(64, True), fill=ORANGE, anchor="rm")
        if deal_list_price:
            lw = d.textlength(deal_list_price, font=font(28))
            d.text((W - 100, 495), deal_list_price, font=font(28), fill=MUTED, anchor="rm")
            d.line((W - 100 - lw, 495, W - 100, 495), fill=MUTED, width=2)
    d.text((64, 580), footer, font=font(28), fill=MUTED, anchor="lm")
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()
