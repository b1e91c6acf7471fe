"""Deal photos drawn locally with Pillow: a simple illustration of what the shop sells (a hotpot, a bowl
of noodles, scissors, a book ...) on the category's colours. No network, no stock images.

A photo never carries text: no title, no price, no letters at all. The page shows the deal's title
and price in the reader's language and the current price; a picture would show neither correctly,
and it needs no font (a machine without CJK fonts drew the old cards' Chinese as boxes).
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import math
from collections.abc import Callable
from functools import lru_cache

from PIL import Image, ImageDraw

SIZE = (720, 540)
SCALE = 2  # drawn at twice the size and scaled down, for smooth edges

RGB = tuple[int, int, int]
# background per category
PALETTE: dict[str, RGB] = {
    "restaurant": (196, 52, 40),
    "renovation": (52, 96, 140),
    "printing": (44, 48, 64),
    "training": (34, 120, 90),
    "estate": (96, 74, 146),
    "hardware": (30, 70, 100),
    "salon": (196, 84, 132),
    "other": (126, 98, 62),
}
INK: RGB = (40, 30, 28)
WHITE: RGB = (250, 248, 242)
CREAM: RGB = (246, 230, 196)
RED: RGB = (214, 40, 30)
DARK_RED: RGB = (150, 20, 16)
ORANGE: RGB = (242, 142, 40)
YELLOW: RGB = (250, 206, 70)
GREEN: RGB = (70, 160, 80)
BROWN: RGB = (140, 84, 44)
GREY: RGB = (150, 156, 166)
STEEL: RGB = (92, 98, 110)
BLUE: RGB = (60, 140, 220)
PINK: RGB = (240, 120, 170)


class Pen:
    """Draws in a unit box: (0, 0) top left, (1, 1) bottom right of a square of side `side` at (x0, y0)."""

    def __init__(self, d: ImageDraw.ImageDraw, x0: float, y0: float, side: float) -> None:
        self.d, self.x0, self.y0, self.s = d, x0, y0, side
        self.w = max(2, int(side / 60))  # outline width

    def p(self, x: float, y: float) -> tuple[float, float]:
        return (self.x0 + x * self.s, self.y0 + y * self.s)

    def box(self, x1: float, y1: float, x2: float, y2: float) -> tuple[float, float, float, float]:
        return (*self.p(x1, y1), *self.p(x2, y2))

    def ellipse(self, b: tuple[float, float, float, float], fill: RGB | None = None, outline: bool = True) -> None:
        self.d.ellipse(self.box(*b), fill=fill, outline=INK if outline else None, width=self.w)

    def rect(self, b: tuple[float, float, float, float], fill: RGB | None = None, r: float = 0.02,
             outline: bool = True) -> None:
        self.d.rounded_rectangle(self.box(*b), radius=r * self.s, fill=fill, outline=INK if outline else None,
                                 width=self.w)

    def poly(self, pts: list[tuple[float, float]], fill: RGB | None = None, outline: bool = True) -> None:
        self.d.polygon([self.p(x, y) for x, y in pts], fill=fill, outline=INK if outline else None, width=self.w)

    def line(self, pts: list[tuple[float, float]], fill: RGB = INK, width: float = 1.0) -> None:
        self.d.line([self.p(x, y) for x, y in pts], fill=fill, width=max(1, int(self.w * width)), joint="curve")

    def chord(self, b: tuple[float, float, float, float], start: float, end: float, fill: RGB | None = None) -> None:
        self.d.chord(self.box(*b), start, end, fill=fill, outline=INK, width=self.w)

    def arc(self, b: tuple[float, float, float, float], start: float, end: float, fill: RGB = INK,
            width: float = 1.0) -> None:
        self.d.arc(self.box(*b), start, end, fill=fill, width=max(1, int(self.w * width)))

    def steam(self, xs: tuple[float, ...], y: float, h: float = 0.18) -> None:
        for x in xs:
            pts = [(x + 0.025 * math.sin(t / 3), y - h * t / 9) for t in range(10)]
            self.line(pts, fill=WHITE, width=1.2)

    def wave(self, x1: float, x2: float, y: float, amp: float, fill: RGB, width: float = 1.0, n: int = 24) -> None:
        self.line([(x1 + (x2 - x1) * i / n, y + amp * math.sin(i * 1.3)) for i in range(n + 1)], fill, width)


# --- one illustration per kind of shop ---

def hotpot(p: Pen) -> None:
    p.rect((0.02, 0.56, 0.12, 0.62), STEEL)
    p.rect((0.88, 0.56, 0.98, 0.62), STEEL)
    p.chord((0.08, 0.30, 0.92, 0.96), 0, 180, STEEL)
    p.ellipse((0.08, 0.50, 0.92, 0.72), STEEL)
    p.ellipse((0.12, 0.52, 0.88, 0.70), RED)  # the spicy half, then the mild half over its right side
    p.d.pieslice(p.box(0.12, 0.52, 0.88, 0.70), 270, 90, fill=CREAM, outline=INK, width=p.w)
    for x, y in ((0.22, 0.60), (0.30, 0.56), (0.36, 0.64), (0.26, 0.66), (0.42, 0.58)):
        p.ellipse((x - 0.02, y - 0.012, x + 0.02, y + 0.012), DARK_RED, outline=False)
    for x, y in ((0.6, 0.58), (0.7, 0.64), (0.76, 0.58), (0.66, 0.55)):
        p.ellipse((x - 0.015, y - 0.01, x + 0.015, y + 0.01), GREEN, outline=False)
    p.line([(0.62, 0.08), (0.78, 0.58)], BROWN, 2.2)
    p.line([(0.70, 0.06), (0.82, 0.57)], BROWN, 2.2)
    p.steam((0.25, 0.38, 0.52), 0.46)


def noodles(p: Pen) -> None:
    p.chord((0.06, 0.30, 0.94, 0.98), 0, 180, WHITE)
    p.rect((0.36, 0.92, 0.64, 0.98), WHITE)
    p.ellipse((0.06, 0.52, 0.94, 0.74), WHITE)
    p.ellipse((0.10, 0.54, 0.90, 0.72), ORANGE)
    for i in range(5):
        p.wave(0.16, 0.84, 0.58 + 0.025 * i, 0.01, YELLOW, 1.6)
    for x, y in ((0.3, 0.6), (0.55, 0.66), (0.7, 0.59), (0.4, 0.68)):
        p.ellipse((x - 0.018, y - 0.01, x + 0.018, y + 0.01), GREEN, outline=False)
    p.line([(0.46, 0.10), (0.56, 0.6)], BROWN, 2.2)
    p.line([(0.58, 0.10), (0.62, 0.6)], BROWN, 2.2)
    for x in (0.5, 0.54, 0.58):  # noodles lifted by the chopsticks
        p.line([(x + 0.015 * math.sin(t), 0.3 + 0.03 * t) for t in range(10)], YELLOW, 1.4)
    p.steam((0.22, 0.32, 0.76), 0.48)


def skewers(p: Pen) -> None:
    p.rect((0.04, 0.80, 0.96, 0.86), STEEL)
    for i in range(5):  # the grill's flames
        x = 0.12 + 0.19 * i
        p.poly([(x - 0.07, 0.98), (x, 0.84), (x + 0.07, 0.98)], ORANGE, outline=False)
        p.poly([(x - 0.035, 0.98), (x, 0.9), (x + 0.035, 0.98)], YELLOW, outline=False)
    foods = (BROWN, GREEN, DARK_RED, BROWN)
    for i in range(4):
        x = 0.2 + 0.2 * i
        p.line([(x, 0.04), (x, 0.78)], CREAM, 1.4)
        for j in range(3):
            y = 0.18 + 0.17 * j
            p.rect((x - 0.06, y, x + 0.06, y + 0.12), foods[(i + j) % 4], r=0.025)
            p.ellipse((x - 0.03, y + 0.03, x - 0.01, y + 0.05), RED, outline=False)


def dumplings(p: Pen) -> None:
    p.ellipse((0.02, 0.42, 0.98, 0.98), WHITE)
    p.ellipse((0.1, 0.48, 0.9, 0.92), (232, 232, 226), outline=False)
    for cx, cy in ((0.3, 0.66), (0.55, 0.62), (0.72, 0.74), (0.42, 0.80)):
        p.chord((cx - 0.14, cy - 0.12, cx + 0.14, cy + 0.12), 180, 360, CREAM)
        p.line([(cx - 0.14, cy), (cx + 0.14, cy)], INK)
        for k in range(4):
            a = math.pi * (1.15 + 0.23 * k)
            p.line([(cx + 0.1 * math.cos(a), cy + 0.1 * math.sin(a)), (cx + 0.06 * math.cos(a), cy)], INK, 0.8)
    p.ellipse((0.70, 0.08, 0.98, 0.30), WHITE)
    p.ellipse((0.74, 0.12, 0.94, 0.26), (70, 40, 30), outline=False)
    p.ellipse((0.80, 0.16, 0.86, 0.20), RED, outline=False)


def renovation(p: Pen) -> None:
    p.poly([(0.04, 0.46), (0.40, 0.12), (0.76, 0.46)], DARK_RED)
    p.rect((0.10, 0.46, 0.70, 0.96), CREAM, r=0)
    p.rect((0.32, 0.66, 0.48, 0.96), BROWN, r=0)
    p.rect((0.16, 0.54, 0.28, 0.66), BLUE, r=0)
    p.rect((0.52, 0.54, 0.64, 0.66), BLUE, r=0)
    p.rect((0.60, 0.28, 0.98, 0.40), YELLOW, r=0.05)  # the paint roller
    p.line([(0.98, 0.34), (1.0, 0.34), (1.0, 0.48), (0.82, 0.52), (0.82, 0.62)], INK, 1.4)
    p.rect((0.79, 0.62, 0.85, 0.9), BROWN, r=0.02)
    p.d.rectangle(p.box(0.60, 0.41, 0.98, 0.45), fill=YELLOW)


def printing(p: Pen) -> None:
    p.rect((0.20, 0.06, 0.62, 0.34), WHITE, r=0)  # the sheet going in
    p.rect((0.04, 0.30, 0.78, 0.66), GREY, r=0.04)
    p.rect((0.10, 0.38, 0.72, 0.44), STEEL, r=0.01)
    p.ellipse((0.64, 0.50, 0.70, 0.56), GREEN, outline=False)
    p.rect((0.16, 0.56, 0.66, 0.92), WHITE, r=0)  # the print coming out
    for i, c in enumerate(((0, 170, 220), (220, 40, 140), (250, 220, 40), (40, 40, 40))):
        p.d.rectangle(p.box(0.22 + 0.11 * i, 0.64, 0.31 + 0.11 * i, 0.74), fill=c)
    p.line([(0.22, 0.80), (0.60, 0.80)], GREY, 1.2)
    p.line([(0.22, 0.85), (0.50, 0.85)], GREY, 1.2)
    p.poly([(0.74, 0.70), (0.86, 0.64), (1.0, 0.70), (0.88, 0.76)], CREAM)  # a box beside it
    p.poly([(0.74, 0.70), (0.88, 0.76), (0.88, 0.98), (0.74, 0.92)], (214, 170, 110))
    p.poly([(0.88, 0.76), (1.0, 0.70), (1.0, 0.92), (0.88, 0.98)], (190, 146, 90))


def coding(p: Pen) -> None:
    p.rect((0.12, 0.12, 0.88, 0.66), STEEL, r=0.03)
    p.rect((0.16, 0.16, 0.84, 0.62), (28, 34, 46), r=0.01)
    for i, (x, w, c) in enumerate(((0.2, 0.3, BLUE), (0.26, 0.36, GREEN), (0.26, 0.2, YELLOW), (0.32, 0.3, PINK),
                                   (0.26, 0.26, GREEN), (0.2, 0.14, BLUE))):
        p.rect((x, 0.2 + 0.065 * i, x + w, 0.235 + 0.065 * i), c, r=0.01, outline=False)
    p.poly([(0.04, 0.72), (0.96, 0.72), (0.88, 0.66), (0.12, 0.66)], GREY)
    p.rect((0.02, 0.72, 0.98, 0.78), GREY, r=0.02)
    p.line([(0.74, 0.86), (0.66, 0.92), (0.74, 0.98)], WHITE, 2)  # a pair of angle brackets, drawn
    p.line([(0.86, 0.86), (0.94, 0.92), (0.86, 0.98)], WHITE, 2)


def language(p: Pen) -> None:
    p.poly([(0.04, 0.40), (0.48, 0.48), (0.48, 0.98), (0.04, 0.90)], WHITE)
    p.poly([(0.92, 0.40), (0.48, 0.48), (0.48, 0.98), (0.92, 0.90)], WHITE)
    for i in range(4):
        y = 0.56 + 0.08 * i
        p.line([(0.10, y - 0.01 * (4 - i) + 0.01), (0.40, y + 0.02)], GREY, 1.2)
        p.line([(0.56, y + 0.02), (0.86, y - 0.01 * (4 - i) + 0.01)], GREY, 1.2)
    p.ellipse((0.50, 0.02, 0.98, 0.32), YELLOW)  # a speech bubble
    p.poly([(0.60, 0.28), (0.56, 0.40), (0.70, 0.30)], YELLOW, outline=False)
    for x in (0.64, 0.74, 0.84):
        p.ellipse((x - 0.025, 0.145, x + 0.025, 0.195), INK, outline=False)


def music(p: Pen) -> None:
    p.rect((0.02, 0.46, 0.98, 0.96), WHITE, r=0.02)
    for i in range(1, 8):
        p.line([(0.02 + 0.12 * i, 0.46), (0.02 + 0.12 * i, 0.96)], INK)
    for i in (0, 1, 3, 4, 5):
        x = 0.02 + 0.12 * (i + 1)
        p.rect((x - 0.035, 0.46, x + 0.035, 0.74), INK, r=0.005)
    p.ellipse((0.20, 0.26, 0.34, 0.36), YELLOW)  # a pair of notes
    p.ellipse((0.52, 0.20, 0.66, 0.30), YELLOW)
    p.line([(0.335, 0.31), (0.335, 0.04), (0.655, 0.0), (0.655, 0.25)], YELLOW, 2.4)
    p.line([(0.335, 0.10), (0.655, 0.06)], YELLOW, 2.4)


def estate(p: Pen) -> None:
    p.poly([(0.02, 0.44), (0.40, 0.08), (0.78, 0.44)], (200, 90, 60))
    p.rect((0.08, 0.44, 0.72, 0.96), CREAM, r=0)
    p.rect((0.32, 0.66, 0.48, 0.96), BROWN, r=0)
    p.rect((0.14, 0.52, 0.28, 0.64), BLUE, r=0)
    p.rect((0.52, 0.52, 0.66, 0.64), BLUE, r=0)
    p.ellipse((0.56, 0.58, 0.80, 0.82), YELLOW)  # the key
    p.ellipse((0.64, 0.66, 0.72, 0.74), PALETTE["estate"])
    p.rect((0.79, 0.67, 1.0, 0.73), YELLOW, r=0.01)
    p.rect((0.90, 0.73, 0.94, 0.82), YELLOW, r=0.005)
    p.rect((0.96, 0.73, 1.0, 0.79), YELLOW, r=0.005)


def gadgets(p: Pen) -> None:
    p.rect((0.08, 0.04, 0.42, 0.90), INK, r=0.05)  # a phone
    p.rect((0.11, 0.10, 0.39, 0.80), (90, 180, 230), r=0.01, outline=False)
    for i in range(3):
        for j in range(3):
            p.rect((0.14 + 0.085 * j, 0.14 + 0.085 * i, 0.2 + 0.085 * j, 0.2 + 0.085 * i), WHITE, r=0.01,
                   outline=False)
    p.ellipse((0.22, 0.83, 0.28, 0.87), GREY, outline=False)
    p.ellipse((0.48, 0.50, 0.98, 0.96), GREY)  # a robot vacuum
    p.ellipse((0.56, 0.56, 0.90, 0.86), STEEL)
    p.ellipse((0.69, 0.60, 0.77, 0.66), GREEN, outline=False)
    p.arc((0.50, 0.52, 0.96, 0.94), 200, 340, WHITE, 1.5)
    p.rect((0.60, 0.06, 0.86, 0.40), STEEL, r=0.04)  # a smart lock
    p.ellipse((0.67, 0.12, 0.79, 0.24), (90, 180, 230))
    p.rect((0.62, 0.28, 0.84, 0.33), GREY, r=0.02)


def hair(p: Pen) -> None:
    p.line([(0.30, 0.62), (0.78, 0.04)], GREY, 4.0)  # scissors
    p.line([(0.62, 0.62), (0.20, 0.04)], GREY, 4.0)
    p.ellipse((0.44, 0.30, 0.50, 0.36), INK, outline=False)
    p.ellipse((0.12, 0.60, 0.38, 0.86), None)
    p.ellipse((0.54, 0.60, 0.80, 0.86), None)
    p.d.ellipse(p.box(0.12, 0.60, 0.38, 0.86), outline=YELLOW, width=p.w * 4)
    p.d.ellipse(p.box(0.54, 0.60, 0.80, 0.86), outline=YELLOW, width=p.w * 4)
    p.rect((0.84, 0.10, 0.96, 0.94), INK, r=0.02)  # a comb
    for i in range(14):
        y = 0.14 + 0.056 * i
        p.line([(0.84, y), (0.76, y)], INK, 1.2)


def nails(p: Pen) -> None:
    p.rect((0.22, 0.46, 0.62, 0.96), PINK, r=0.06)  # a bottle of polish
    p.rect((0.28, 0.52, 0.40, 0.80), (255, 190, 214), r=0.03, outline=False)
    p.rect((0.34, 0.16, 0.50, 0.46), INK, r=0.02)
    p.rect((0.30, 0.40, 0.54, 0.48), STEEL, r=0.01)
    for i, c in enumerate((RED, PINK, (170, 90, 200), (240, 200, 90))):  # four painted nails
        x = 0.70 + 0.08 * (i % 2)
        y = 0.18 + 0.2 * i
        p.ellipse((x, y, x + 0.14, y + 0.16), c)
        p.arc((x + 0.02, y + 0.02, x + 0.12, y + 0.12), 200, 280, WHITE, 1.2)


def teahouse(p: Pen) -> None:
    p.ellipse((0.04, 0.80, 0.96, 0.98), (60, 120, 110))  # saucer
    p.chord((0.18, 0.26, 0.82, 0.94), 0, 180, WHITE)  # covered bowl
    p.ellipse((0.16, 0.52, 0.84, 0.66), WHITE)
    p.ellipse((0.22, 0.55, 0.78, 0.63), (190, 160, 60), outline=False)  # tea
    for x, y in ((0.38, 0.58), (0.56, 0.6), (0.64, 0.57)):
        p.ellipse((x - 0.03, y - 0.01, x + 0.03, y + 0.01), GREEN, outline=False)
    p.chord((0.40, 0.24, 0.92, 0.50), 180, 360, WHITE)  # the lid, tilted aside
    p.ellipse((0.62, 0.20, 0.70, 0.26), WHITE)
    p.line([(0.205, 0.70), (0.795, 0.70)], (60, 120, 110), 2.5)  # a painted band round the bowl
    p.steam((0.30, 0.42), 0.5, 0.3)


def laundry(p: Pen) -> None:
    p.rect((0.14, 0.06, 0.86, 0.98), WHITE, r=0.05)
    p.line([(0.14, 0.22), (0.86, 0.22)], INK)
    p.ellipse((0.66, 0.11, 0.74, 0.17), GREEN, outline=False)
    p.rect((0.22, 0.11, 0.46, 0.17), GREY, r=0.02, outline=False)
    p.ellipse((0.24, 0.32, 0.76, 0.84), GREY)
    p.ellipse((0.30, 0.38, 0.70, 0.78), (120, 190, 230))
    p.chord((0.30, 0.38, 0.70, 0.78), 10, 170, BLUE)
    p.wave(0.32, 0.68, 0.6, 0.015, WHITE, 1.2)
    for x, y, r in ((0.86, 0.3, 0.05), (0.94, 0.18, 0.035), (0.08, 0.5, 0.04), (0.06, 0.34, 0.025)):
        p.ellipse((x - r, y - r, x + r, y + r), (220, 240, 250))


def bookshop(p: Pen) -> None:
    colours = ((60, 110, 180), (200, 70, 60), (230, 180, 60), (70, 150, 100), (150, 90, 160))
    for i, c in enumerate(colours):  # a stack of books
        y = 0.86 - 0.15 * i
        dx = 0.03 * ((i % 3) - 1)
        p.rect((0.06 + dx, y, 0.62 + dx, y + 0.13), c, r=0.01)
        p.line([(0.10 + dx, y + 0.065), (0.56 + dx, y + 0.065)], CREAM, 1.0)
    p.chord((0.66, 0.58, 0.96, 0.98), 0, 180, WHITE)  # a cup of coffee
    p.ellipse((0.66, 0.72, 0.96, 0.84), BROWN)
    p.arc((0.90, 0.76, 1.0, 0.88), 270, 90, WHITE, 2.0)
    p.steam((0.76, 0.86), 0.68, 0.2)


def florist(p: Pen) -> None:
    for sx in (0.30, 0.42, 0.5, 0.58, 0.70):  # stems
        p.line([(sx, 0.42), (0.5, 0.9)], GREEN, 1.8)
    p.poly([(0.5, 0.78), (0.2, 0.6), (0.32, 0.74)], GREEN)
    p.poly([(0.5, 0.78), (0.8, 0.6), (0.68, 0.74)], GREEN)
    p.poly([(0.40, 0.72), (0.60, 0.72), (0.56, 0.86), (0.44, 0.86)], (250, 220, 230))  # the ribbon
    for (cx, cy), c in zip(((0.30, 0.36), (0.50, 0.22), (0.70, 0.36), (0.40, 0.50), (0.60, 0.50)),
                           (RED, PINK, YELLOW, (250, 250, 250), (230, 120, 60)), strict=True):
        for k in range(6):
            a = 2 * math.pi * k / 6
            x, y = cx + 0.07 * math.cos(a), cy + 0.07 * math.sin(a)
            p.ellipse((x - 0.06, y - 0.06, x + 0.06, y + 0.06), c)
        p.ellipse((cx - 0.045, cy - 0.045, cx + 0.045, cy + 0.045), YELLOW if c != YELLOW else ORANGE)


MOTIFS: dict[str, Callable[[Pen], None]] = {
    "hotpot": hotpot, "noodles": noodles, "skewers": skewers, "dumplings": dumplings, "renovation": renovation,
    "printing": printing, "coding": coding, "language": language, "music": music, "estate": estate,
    "gadgets": gadgets, "hair": hair, "nails": nails, "teahouse": teahouse, "laundry": laundry,
    "bookshop": bookshop, "florist": florist,
}


def _shade(rgb: RGB, *, hue: float = 0.0, light: float = 0.0) -> RGB:
    h, li, s = colorsys.rgb_to_hls(*(c / 255 for c in rgb))
    r, g, b = colorsys.hls_to_rgb((h + hue) % 1.0, max(0.0, min(1.0, li + light)), s)
    return (round(r * 255), round(g * 255), round(b * 255))


@lru_cache(maxsize=512)
def deal_photo(*, kind: str, category: str, variant: str = "") -> bytes:
    """A JPEG of SIZE for a deal of a shop of this kind; `variant` (the deal's title) shifts the colours
    and the background pattern a little, so two deals of one shop do not look identical.

    The same arguments draw the same bytes, so a drawing is made once per process (kept: a city's
    shops of one kind share deal and dish titles, and drawing was half of the seed's time)."""
    digest = hashlib.sha256(f"{kind}/{variant}".encode()).digest()
    bg = _shade(PALETTE.get(category, PALETTE["other"]), hue=(digest[0] - 128) / 128 * 0.03,
                light=(digest[1] - 128) / 128 * 0.05)
    w, h = SIZE[0] * SCALE, SIZE[1] * SCALE
    img = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(img)
    d.polygon([(0, h * 0.74), (w, h * 0.52), (w, h), (0, h)], fill=_shade(bg, light=-0.08))
    for i in range(7):  # soft circles in the background
        r = (40 + digest[2 + i] % 90) * SCALE
        cx, cy = digest[9 + i] / 255 * w, digest[16 + i] / 255 * h
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=_shade(bg, light=0.06 if i % 2 else -0.04))
    side = h * 0.74
    MOTIFS.get(kind, teahouse)(Pen(d, (w - side) / 2, h * 0.13, side))
    img = img.resize(SIZE, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85)
    return out.getvalue()
