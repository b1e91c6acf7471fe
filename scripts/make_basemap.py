#!/usr/bin/env python3
"""Generate the deterministic demo-city basemap (GeoJSON).

A fictional but believable city centred on Tianfu Square, Chengdu
(lat 30.6570, lng 104.0658), about 24 km x 24 km:

* 3 ring roads (rounded-square superellipses)       kind="ring",     rank 1
* 16 radial arterial roads                          kind="road",     rank 2
* a grid of minor streets inside the 1st ring       kind="road",     rank 3
* a river (plus a smaller tributary)                kind="river",    rank 1 / 2
* 12 named districts (Voronoi cells)                kind="district", rank 0

Every feature has properties {kind, name, name_zh, rank}.  Coordinates are
[lng, lat] rounded to 5 decimals.  Stdlib only; the same seed always gives a
byte-identical file.

Usage:
    python3 scripts/make_basemap.py                 # writes o2o/web/static/geo/demo_city.geojson
    python3 scripts/make_basemap.py --out FILE --seed 20240601
"""

from __future__ import annotations

import argparse
import json
import math
import random
from pathlib import Path

CENTER_LAT = 30.6570
CENTER_LNG = 104.0658
HALF_KM = 12.0  # city box is 2*HALF_KM on each side
DEFAULT_SEED = 20240601

KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LNG = 111.320 * math.cos(math.radians(CENTER_LAT))

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "o2o" / "web" / "static" / "geo" / "demo_city.geojson"

Point = tuple[float, float]  # local (x_km east, y_km north)


# --------------------------------------------------------------------------- helpers


def to_lnglat(p: Point) -> list[float]:
    x, y = p
    return [
        round(CENTER_LNG + x / KM_PER_DEG_LNG, 5),
        round(CENTER_LAT + y / KM_PER_DEG_LAT, 5),
    ]


def line_coords(points: list[Point]) -> list[list[float]]:
    out: list[list[float]] = []
    for p in points:
        c = to_lnglat(p)
        if not out or out[-1] != c:  # drop duplicates created by rounding
            out.append(c)
    return out


def feature(geom_type: str, coords, kind: str, name: str, name_zh: str, rank: int) -> dict:
    return {
        "type": "Feature",
        "properties": {"kind": kind, "name": name, "name_zh": name_zh, "rank": rank},
        "geometry": {"type": geom_type, "coordinates": coords},
    }


def in_box(p: Point, half: float = HALF_KM) -> bool:
    return -half <= p[0] <= half and -half <= p[1] <= half


def superellipse(a: float, b: float, n: float, t: float) -> Point:
    """Point on |x/a|^n + |y/b|^n = 1 at parameter angle t (radians)."""
    c, s = math.cos(t), math.sin(t)
    x = a * math.copysign(abs(c) ** (2.0 / n), c)
    y = b * math.copysign(abs(s) ** (2.0 / n), s)
    return (x, y)


def superellipse_radius(a: float, b: float, n: float, theta: float) -> float:
    """Distance from origin to the superellipse along polar angle theta."""
    c, s = abs(math.cos(theta)), abs(math.sin(theta))
    return ((c / a) ** n + (s / b) ** n) ** (-1.0 / n)


class Wobble:
    """Smooth seeded 1-D noise: a sum of a few sines with random phases."""

    def __init__(self, rng: random.Random, amp: float, freqs=(1, 2, 3, 5)):
        self.terms = [(amp / (i + 1), f, rng.uniform(0, 2 * math.pi)) for i, f in enumerate(freqs)]

    def __call__(self, t: float) -> float:
        return sum(a * math.sin(f * t + ph) for a, f, ph in self.terms)


# --------------------------------------------------------------------------- rings

RINGS = [
    # (a_km, b_km, exponent, name, name_zh)
    (3.4, 3.1, 3.2, "1st Ring Road", "一环路"),
    (6.4, 6.0, 3.6, "2nd Ring Road", "二环路"),
    (10.4, 10.0, 4.0, "3rd Ring Road", "三环路"),
]


def make_rings(rng: random.Random) -> tuple[list[dict], list]:
    feats, shapes = [], []
    for a, b, n, name, name_zh in RINGS:
        wob = Wobble(rng, amp=0.04 * a, freqs=(3, 5, 7))
        steps = int(90 + 18 * a)
        pts: list[Point] = []
        for i in range(steps):
            t = 2 * math.pi * i / steps
            x, y = superellipse(a, b, n, t)
            k = 1.0 + wob(t) / a
            pts.append((x * k, y * k))
        pts.append(pts[0])  # closed loop
        feats.append(feature("LineString", line_coords(pts), "ring", name, name_zh, 1))
        shapes.append((a, b, n, wob))
    return feats, shapes


def ring_radius(shape, theta: float) -> float:
    a, b, n, wob = shape
    # parameter angle ~ polar angle is close enough for a small wobble correction
    return superellipse_radius(a, b, n, theta) * (1.0 + wob(theta) / a)


# --------------------------------------------------------------------------- radials

# compass bearing (deg, clockwise from north) -> names
RADIALS = [
    (0.0, "Renmin North Road", "人民北路"),
    (22.5, "Simaqiao Road", "驷马桥路"),
    (45.0, "Jianshe Road", "建设路"),
    (67.5, "Chenghua Avenue", "成华大道"),
    (90.0, "Shudu Avenue East", "蜀都大道东段"),
    (112.5, "Jinhua Road", "锦华路"),
    (135.0, "Dongda Road", "东大路"),
    (157.5, "Kehua Road", "科华路"),
    (180.0, "Renmin South Road", "人民南路"),
    (202.5, "Jiannan Avenue", "剑南大道"),
    (225.0, "Wuhou Avenue", "武侯大道"),
    (247.5, "Guanghua Avenue", "光华大道"),
    (270.0, "Shudu Avenue West", "蜀都大道西段"),
    (292.5, "Qingyang Avenue", "青羊大道"),
    (315.0, "Yipin Tianxia Avenue", "一品天下大街"),
    (337.5, "Jinniu Avenue", "金牛大道"),
]


def make_radials(rng: random.Random, ring_shapes) -> list[dict]:
    feats = []
    inner = ring_shapes[0]
    for bearing, name, name_zh in RADIALS:
        theta0 = math.radians(90.0 - bearing + rng.uniform(-4.0, 4.0))
        drift = math.radians(rng.uniform(-6.0, 6.0))  # gentle curve outward
        wob = Wobble(rng, amp=0.15, freqs=(1.1, 2.3))
        r0 = ring_radius(inner, theta0) * rng.uniform(0.55, 0.95)
        pts: list[Point] = []
        r = r0
        while True:
            frac = (r - r0) / (HALF_KM * 1.5 - r0)
            th = theta0 + drift * frac
            side = wob(r * 0.6) * min(1.0, r / 3.0)
            x = r * math.cos(th) - side * math.sin(th)
            y = r * math.sin(th) + side * math.cos(th)
            if not in_box((x, y)):
                break
            pts.append((x, y))
            r += 0.2
        if len(pts) >= 2:
            feats.append(feature("LineString", line_coords(pts), "road", name, name_zh, 2))
    return feats


# --------------------------------------------------------------------------- grid

STREET_STEMS = [
    ("Chunxi", "春熙"),
    ("Zongfu", "总府"),
    ("Taisheng", "太升"),
    ("Shuncheng", "顺城"),
    ("Hongxing", "红星"),
    ("Dacisi", "大慈寺"),
    ("Wenshu", "文殊"),
    ("Kuixinglou", "奎星楼"),
    ("Xiaotong", "小通"),
    ("Kuanzhai", "宽窄"),
    ("Duyuan", "督院"),
    ("Shangye", "商业"),
    ("Jiangxi", "江西"),
    ("Huaxing", "华兴"),
    ("Yulin", "玉林"),
    ("Ningxia", "宁夏"),
    ("Wenhua", "文化"),
    ("Xiyu", "西御"),
    ("Dongcheng", "东城"),
    ("Jinli", "锦里"),
    ("Caotang", "草堂"),
    ("Tongjin", "通锦"),
    ("Shaocheng", "少城"),
    ("Fuqin", "抚琴"),
    ("Yanshikou", "盐市口"),
    ("Luomashi", "骡马市"),
    ("Xinhua", "新华"),
    ("Shuyuan", "书院"),
]


def clip_to_ring(points: list[Point], shape, margin: float = 0.97) -> list[list[Point]]:
    """Split a polyline into the runs that lie inside the (scaled) ring."""
    runs, cur = [], []
    for p in points:
        th = math.atan2(p[1], p[0])
        inside = math.hypot(*p) <= ring_radius(shape, th) * margin
        if inside:
            cur.append(p)
        elif cur:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return [r for r in runs if len(r) >= 2]


def make_grid(rng: random.Random, ring_shapes) -> list[dict]:
    feats = []
    inner = ring_shapes[0]
    rot = math.radians(-8.0)  # old-town grid is slightly skewed
    cr, sr = math.cos(rot), math.sin(rot)
    stems = STREET_STEMS[:]
    rng.shuffle(stems)
    stem_i = 0
    spacing = 0.45
    n = int(3.6 / spacing)
    for axis in ("ew", "ns"):
        for i in range(-n, n + 1):
            if i == 0:
                continue  # the centre lines are the radial avenues
            off = i * spacing + rng.uniform(-0.08, 0.08)
            raw: list[Point] = []
            s = -3.8
            while s <= 3.8:
                jog = 0.03 * math.sin(s * 2.1 + i)
                u, v = (s, off + jog) if axis == "ew" else (off + jog, s)
                raw.append((u * cr - v * sr, u * sr + v * cr))
                s += 0.15
            for run in clip_to_ring(raw, inner):
                stem, stem_zh = stems[stem_i % len(stems)]
                suffix_i = stem_i // len(stems)
                stem_i += 1
                if axis == "ew":
                    name, name_zh = f"{stem} Street", f"{stem_zh}街"
                else:
                    name, name_zh = f"{stem} Road", f"{stem_zh}路"
                if suffix_i:
                    name, name_zh = f"{name} {suffix_i + 1}", f"{name_zh}{suffix_i + 1}段"
                feats.append(feature("LineString", line_coords(run), "road", name, name_zh, 3))
    return feats


# --------------------------------------------------------------------------- rivers


def make_rivers(rng: random.Random) -> list[dict]:
    feats = []
    # Main river: enters in the north-west, meanders just south-east of the centre,
    # leaves in the south-east.
    wob = Wobble(rng, amp=0.9, freqs=(0.35, 0.8, 1.7))
    pts: list[Point] = []
    s = -HALF_KM * 1.45
    while s <= HALF_KM * 1.45:
        # along-axis direction: bearing ~ 125 deg (towards SE)
        ax, ay = math.cos(math.radians(-35)), math.sin(math.radians(-35))
        side = wob(s) + 0.8 * math.exp(-((s / 3.0) ** 2))  # bulge round the old town
        p = (s * ax - side * ay, s * ay + side * ax)
        if in_box(p):
            pts.append(p)
        s += 0.12
    feats.append(feature("LineString", line_coords(pts), "river", "Jin River", "锦江", 1))

    # Tributary: comes in from the north-east and joins the main river east of centre.
    wob2 = Wobble(rng, amp=0.5, freqs=(0.6, 1.4))
    start, end = (9.0, HALF_KM), pts[len(pts) // 2 + 20]
    trib: list[Point] = []
    steps = 90
    for i in range(steps + 1):
        t = i / steps
        x = start[0] + (end[0] - start[0]) * t
        y = start[1] + (end[1] - start[1]) * t
        dx, dy = end[0] - start[0], end[1] - start[1]
        ln = math.hypot(dx, dy)
        off = wob2(t * 12.0) * math.sin(math.pi * t)
        trib.append((x - dy / ln * off, y + dx / ln * off))
    feats.append(feature("LineString", line_coords(trib), "river", "Sha River", "沙河", 2))
    return feats


# --------------------------------------------------------------------------- districts

# (name, name_zh, seed x_km, seed y_km)
DISTRICTS = [
    ("Jinjiang", "锦江", 2.2, -1.0),
    ("Qingyang", "青羊", -2.6, 0.4),
    ("Wuhou", "武侯", -1.6, -3.4),
    ("Chenghua", "成华", 3.6, 3.4),
    ("Jinniu", "金牛", -1.8, 4.2),
    ("Gaoxin", "高新", 1.2, -6.6),
    ("Tianfu", "天府", 2.0, -10.8),
    ("Shuangliu", "双流", -6.8, -8.6),
    ("Wenjiang", "温江", -9.6, -1.2),
    ("Pidu", "郫都", -7.6, 7.8),
    ("Xindu", "新都", 2.4, 9.8),
    ("Longquanyi", "龙泉驿", 9.4, -2.6),
]


def clip_halfplane(poly: list[Point], a: Point, b: Point) -> list[Point]:
    """Keep the part of poly closer to a than to b (Sutherland-Hodgman)."""
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    nx, ny = b[0] - a[0], b[1] - a[1]

    def f(p: Point) -> float:
        return (p[0] - mx) * nx + (p[1] - my) * ny  # <= 0: a's side

    out: list[Point] = []
    for i, cur in enumerate(poly):
        prev = poly[i - 1]
        fc, fp = f(cur), f(prev)
        if fc <= 0:
            if fp > 0:
                t = fp / (fp - fc)
                out.append((prev[0] + (cur[0] - prev[0]) * t, prev[1] + (cur[1] - prev[1]) * t))
            out.append(cur)
        elif fp <= 0:
            t = fp / (fp - fc)
            out.append((prev[0] + (cur[0] - prev[0]) * t, prev[1] + (cur[1] - prev[1]) * t))
    return out


def make_districts(rng: random.Random) -> list[dict]:
    seeds = [(x + rng.uniform(-0.3, 0.3), y + rng.uniform(-0.3, 0.3)) for _, _, x, y in DISTRICTS]
    box = [(-HALF_KM, -HALF_KM), (HALF_KM, -HALF_KM), (HALF_KM, HALF_KM), (-HALF_KM, HALF_KM)]
    feats = []
    for i, (name, name_zh, _, _) in enumerate(DISTRICTS):
        cell = box[:]
        for j, other in enumerate(seeds):
            if j != i:
                cell = clip_halfplane(cell, seeds[i], other)
        ring = line_coords(cell + [cell[0]])
        if ring[0] != ring[-1]:
            ring.append(ring[0])
        # GeoJSON (RFC 7946) exterior rings are counter-clockwise
        area2 = sum(ring[k][0] * ring[k + 1][1] - ring[k + 1][0] * ring[k][1] for k in range(len(ring) - 1))
        if area2 < 0:
            ring.reverse()
        feats.append(feature("Polygon", [ring], "district", name, name_zh, 0))
    return feats


# --------------------------------------------------------------------------- main


def build(seed: int = DEFAULT_SEED) -> dict:
    rng = random.Random(seed)
    districts = make_districts(rng)
    rings, ring_shapes = make_rings(rng)
    radials = make_radials(rng, ring_shapes)
    grid = make_grid(rng, ring_shapes)
    rivers = make_rivers(rng)
    # draw order: areas first, then water, then minor -> major roads
    features = districts + rivers + grid + radials + rings
    sw = to_lnglat((-HALF_KM, -HALF_KM))
    ne = to_lnglat((HALF_KM, HALF_KM))
    return {
        "type": "FeatureCollection",
        "name": "demo_city",
        "generator": f"scripts/make_basemap.py seed={seed}",
        "center": [CENTER_LNG, CENTER_LAT],
        "bbox": [sw[0], sw[1], ne[0], ne[1]],
        "features": features,
    }


def dump(fc: dict) -> str:
    """Compact JSON, one feature per line (diff-friendly, deterministic)."""
    head = {k: v for k, v in fc.items() if k != "features"}
    lines = [json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1] + ',"features":[']
    feats = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in fc["features"]]
    lines.append(",\n".join(feats))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args()
    text = dump(build(args.seed))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    n = text.count('"type":"Feature"')
    print(f"wrote {args.out} ({len(text.encode('utf-8'))} bytes, {n} features)")


if __name__ == "__main__":
    main()
