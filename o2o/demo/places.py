"""Where demo stores stand: points around the centre (dense in the middle, sparse at the edge) and
Chengdu-style addresses taken from the demo basemap (its district polygons and road names)."""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

BASEMAP = Path(__file__).resolve().parent.parent / "web" / "static" / "geo" / "demo_city.geojson"
METRES_PER_DEG_LAT = 111_320.0
# District names as people write them in an address.
DISTRICT_SUFFIX = {"天府": "天府新区", "高新": "高新区"}


@dataclass(frozen=True)
class Road:
    name_zh: str
    rank: int
    points: tuple[tuple[float, float], ...]  # (lat, lng)


@dataclass(frozen=True)
class District:
    name_zh: str
    ring: tuple[tuple[float, float], ...]  # (lat, lng)


@lru_cache(maxsize=1)
def _basemap() -> tuple[tuple[District, ...], tuple[Road, ...]]:
    try:
        data = json.loads(BASEMAP.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return (), ()
    districts, roads = [], []
    for f in data.get("features", []):
        props, geom = f.get("properties", {}), f.get("geometry", {})
        if props.get("kind") == "district" and geom.get("type") == "Polygon":
            ring = tuple((lat, lng) for lng, lat in geom["coordinates"][0])
            districts.append(District(props["name_zh"], ring))
        elif props.get("kind") in ("road", "ring") and geom.get("type") == "LineString":
            pts = tuple((lat, lng) for lng, lat in geom["coordinates"])
            roads.append(Road(props["name_zh"], int(props.get("rank", 3)), pts))
    return tuple(districts), tuple(roads)


def offset(lat: float, lng: float, *, north_m: float, east_m: float) -> tuple[float, float]:
    return (lat + north_m / METRES_PER_DEG_LAT,
            lng + east_m / (METRES_PER_DEG_LAT * math.cos(math.radians(lat))))


def random_point(rng: random.Random, centre: tuple[float, float], *, min_m: float = 300,
                 max_m: float = 12_000) -> tuple[float, float]:
    """A point min_m to max_m from the centre, dense in the middle and sparse at the edge: a little
    over half fall evenly in the inner 4 km, the rest thin out towards max_m (half of all within ~3.5 km).

    Nothing stands closer than min_m, so the demo owner's store (about 230 m out) is the nearest one."""
    inner = min(4_000.0, max_m)
    if rng.random() < 0.55:
        r = math.sqrt(min_m**2 + (inner**2 - min_m**2) * rng.random())  # even over the inner disc
    else:
        r = min_m + (max_m - min_m) * rng.random()  # density falls off as 1/r
    theta = rng.random() * 2 * math.pi
    lat, lng = offset(centre[0], centre[1], north_m=r * math.cos(theta), east_m=r * math.sin(theta))
    return round(lat, 6), round(lng, 6)


def _contains(ring: tuple[tuple[float, float], ...], lat: float, lng: float) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        yi, xi = ring[i]
        yj, xj = ring[j]
        if (yi > lat) != (yj > lat) and lng < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _seg_dist2(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float], k: float) -> float:
    """Squared planar distance (degrees, longitude scaled by k = cos(lat)) from p to segment ab."""
    px, py = p[1] * k, p[0]
    ax, ay, bx, by = a[1] * k, a[0], b[1] * k, b[0]
    dx, dy = bx - ax, by - ay
    t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    cx, cy = ax + t * dx, ay + t * dy
    return (px - cx) ** 2 + (py - cy) ** 2


def district_of(lat: float, lng: float) -> str:
    districts, _roads = _basemap()
    for d in districts:
        if _contains(d.ring, lat, lng):
            return d.name_zh
    if not districts:
        return "锦江"
    # Outside every polygon: the district whose border vertex is nearest.
    k = math.cos(math.radians(lat))
    return min(districts, key=lambda d: min(((la - lat) ** 2 + ((ln - lng) * k) ** 2) for la, ln in d.ring)).name_zh


def nearest_road(lat: float, lng: float) -> str:
    _districts, roads = _basemap()
    if not roads:
        return "人民南路"
    k = math.cos(math.radians(lat))
    best, best_d = roads[0].name_zh, float("inf")
    for road in roads:
        for a, b in zip(road.points, road.points[1:], strict=False):
            d = _seg_dist2((lat, lng), a, b, k)
            if d < best_d:
                best, best_d = road.name_zh, d
    return best


def address_for(rng: random.Random, lat: float, lng: float) -> tuple[str, str]:
    """("玉林街 128号, 武侯区", "玉林街") for a point."""
    district = district_of(lat, lng)
    road = nearest_road(lat, lng)
    number = rng.randint(1, 399)
    extra = rng.choice(["", "", "", f"附{rng.randint(1, 9)}号", f"{rng.randint(1, 3)}楼"])
    label = DISTRICT_SUFFIX.get(district, district + "区")
    return f"{road} {number}号{extra}, {label}", road


def phone_for(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"028-{rng.randint(8000_0000, 8899_9999)}"
    return f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(1000_0000, 9999_9999)}"
