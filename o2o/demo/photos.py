"""Deal photos drawn locally with Pillow: a coloured card with the category's motif, the deal title
(Chinese and English) and the price. No network, no stock images."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_BOLD = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
SC_INDEX = 2  # face index of Simplified Chinese in the Noto CJK collection
SIZE = (720, 540)

# (background, accent) per category
PALETTE = {
    "restaurant": ((196, 42, 36), (255, 196, 64)),
    "renovation": ((52, 96, 140), (240, 200, 120)),
    "printing": ((40, 40, 48), (0, 180, 220)),
    "training": ((34, 120, 90), (250, 240, 200)),
    "estate": ((90, 70, 140), (255, 220, 160)),
    "hardware": ((30, 60, 90), (120, 230, 200)),
    "salon": ((200, 80, 130), (255, 235, 240)),
    "other": ((110, 90, 60), (230, 210, 170)),
}


@lru_cache(maxsize=8)
def font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = CJK_BOLD if bold and CJK_BOLD.exists() else CJK_FONT
    if path.exists():
        try:
            return ImageFont.truetype(str(path), size, index=SC_INDEX)
        except OSError:
            pass
    try:
        return ImageFont.load_default(size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def _motif(d: ImageDraw.ImageDraw, category: str, x: int, y: int, s: int, ink: tuple[int, int, int]) -> None:
    """A simple emblem for the category in a box of side s at (x, y)."""
    w = max(4, s // 18)
    if category == "restaurant":  # hotpot with a divided broth and steam
        d.ellipse((x, y + s * 0.35, x + s, y + s), outline=ink, width=w)
        d.line((x + s / 2, y + s * 0.38, x + s / 2, y + s * 0.97), fill=ink, width=w)
        for i in range(3):
            cx = x + s * (0.25 + 0.25 * i)
            d.arc((cx - s * 0.08, y, cx + s * 0.08, y + s * 0.3), 90, 270, fill=ink, width=w)
    elif category == "renovation":  # house with a roller
        d.polygon([(x, y + s * 0.45), (x + s / 2, y), (x + s, y + s * 0.45)], outline=ink, width=w)
        d.rectangle((x + s * 0.15, y + s * 0.45, x + s * 0.85, y + s), outline=ink, width=w)
        d.rectangle((x + s * 0.42, y + s * 0.7, x + s * 0.58, y + s), fill=ink)
    elif category == "printing":  # sheet with lines coming out of a printer
        d.rectangle((x, y + s * 0.3, x + s, y + s * 0.75), outline=ink, width=w)
        d.rectangle((x + s * 0.2, y, x + s * 0.8, y + s * 0.3), outline=ink, width=w)
        d.rectangle((x + s * 0.2, y + s * 0.6, x + s * 0.8, y + s), fill=ink)
    elif category == "training":  # open book
        d.polygon([(x, y + s * 0.2), (x + s / 2, y + s * 0.35), (x + s / 2, y + s), (x, y + s * 0.85)],
                  outline=ink, width=w)
        d.polygon([(x + s, y + s * 0.2), (x + s / 2, y + s * 0.35), (x + s / 2, y + s), (x + s, y + s * 0.85)],
                  outline=ink, width=w)
    elif category == "estate":  # key
        d.ellipse((x, y + s * 0.3, x + s * 0.4, y + s * 0.7), outline=ink, width=w)
        d.line((x + s * 0.4, y + s * 0.5, x + s, y + s * 0.5), fill=ink, width=w)
        d.line((x + s * 0.8, y + s * 0.5, x + s * 0.8, y + s * 0.68), fill=ink, width=w)
        d.line((x + s * 0.93, y + s * 0.5, x + s * 0.93, y + s * 0.68), fill=ink, width=w)
    elif category == "hardware":  # chip
        d.rectangle((x + s * 0.2, y + s * 0.2, x + s * 0.8, y + s * 0.8), outline=ink, width=w)
        for i in range(4):
            t = s * (0.3 + 0.13 * i)
            d.line((x + t, y, x + t, y + s * 0.2), fill=ink, width=w)
            d.line((x + t, y + s * 0.8, x + t, y + s), fill=ink, width=w)
    elif category == "salon":  # scissors
        d.ellipse((x, y + s * 0.6, x + s * 0.35, y + s * 0.95), outline=ink, width=w)
        d.ellipse((x + s * 0.65, y + s * 0.6, x + s, y + s * 0.95), outline=ink, width=w)
        d.line((x + s * 0.3, y + s * 0.62, x + s * 0.75, y), fill=ink, width=w)
        d.line((x + s * 0.7, y + s * 0.62, x + s * 0.25, y), fill=ink, width=w)
    else:  # teacup
        d.chord((x, y + s * 0.3, x + s * 0.8, y + s), 0, 180, outline=ink, width=w)
        d.line((x, y + s * 0.65, x + s * 0.8, y + s * 0.65), fill=ink, width=w)
        d.arc((x + s * 0.65, y + s * 0.6, x + s, y + s * 0.85), 270, 90, fill=ink, width=w)


def _wrap(d: ImageDraw.ImageDraw, text: str, f: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int) -> list[str]:
    """Break text into lines that fit: at spaces for Latin words, anywhere between CJK characters."""
    lines: list[str] = []
    line = ""
    for ch in text:
        trial = line + ch
        if d.textlength(trial, font=f) <= width:
            line = trial
            continue
        cut = line.rfind(" ")
        if ch != " " and cut > 0 and line[cut + 1:].isascii():
            lines.append(line[:cut])
            line = line[cut + 1:] + ch
        else:
            lines.append(line.rstrip())
            line = ch.lstrip()
    if line.strip():
        lines.append(line.strip())
    return lines


def deal_card(*, category: str, title: str, merchant: str, price: str, list_price: str) -> bytes:
    """A JPEG card for a deal."""
    bg, accent = PALETTE.get(category, PALETTE["other"])
    img = Image.new("RGB", SIZE, bg)
    d = ImageDraw.Draw(img)
    w, h = SIZE
    # a soft diagonal band for depth
    d.polygon([(0, h * 0.72), (w, h * 0.5), (w, h), (0, h)], fill=tuple(max(0, c - 28) for c in bg))
    _motif(d, category, w - 250, 40, 200, accent)
    y = 40
    for line in _wrap(d, title, font(42, bold=True), w - 330)[:4]:
        d.text((40, y), line, font=font(42, bold=True), fill=(255, 255, 255))
        y += 56
    d.text((40, y + 10), merchant, font=font(26), fill=accent)
    d.rounded_rectangle((40, h - 130, 330, h - 40), radius=18, fill=accent)
    d.text((60, h - 122), f"¥{price}", font=font(54, bold=True), fill=bg)
    d.text((360, h - 90), f"¥{list_price}", font=font(30), fill=(235, 235, 235))
    tw = d.textlength(f"¥{list_price}", font=font(30))
    d.line((360, h - 72, 360 + tw, h - 72), fill=(235, 235, 235), width=3)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=82)
    return out.getvalue()
