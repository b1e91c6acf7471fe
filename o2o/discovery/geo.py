"""Nearby search on H3 cells: candidate cells around the point, then exact great-circle distance.

The query reads the disk of cells around the point's cell at one of the stored resolutions, and
only the rows inside the bounding box of a circle ("the bound") that the disk provably covers and
that the local density says should hold `limit` results. The resolution is the one that probes
the fewest cells and scans the fewest index rows for that circle (fine cells in a dense centre,
coarse cells at a sparse edge). Rows outside the box never leave the database. If the circle
holds fewer than `limit` accepted rows, the search reads again with a wider circle (as wide as
the rows it found say, 1.25x to 4x), until it holds them or reaches the radius.

Exactness. Any point outside the disk of k rings lies in some cell at grid distance k+1 or more;
walking from the query point to it crosses a cell of ring k+1 (neighbouring cells differ by one
ring). So no unread point is closer than  min over cells c of ring k+1 of
d(q, centre(c)) - R(c),  R(c) the largest centre-to-vertex distance of c (cells are star-shaped
around their centre with great-circle edges). That bound (less a millimetre for rounding) is the
covered radius; the bound of a read never exceeds it, and the box holds the whole circle of the
bound (see `Box.around`). So a read returns every row within the bound, and once `limit` accepted
rows lie within it they are exactly the nearest, exactly ordered by (distance, key).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import h3
from h3.api import basic_int as h3i

EARTH_RADIUS_M = 6_371_008.8
RESOLUTIONS = (6, 8, 10, 12)
COLUMNS = {r: f"h3_r{r}" for r in RESOLUTIONS}
EDGE_M = {r: h3.average_hexagon_edge_length(r, unit="m") for r in RESOLUTIONS}
Row = Sequence[Any]  # a row a fetch gives: items 1 and 2 are its latitude and longitude
AREA_M2 = {r: h3.average_hexagon_area(r, unit="m^2") for r in RESOLUTIONS}
DENSITY_RES = 7
DENSITY_AREA_M2 = h3.average_hexagon_area(DENSITY_RES, unit="m^2")
MAX_RINGS = 14  # beyond this many rings a coarser resolution reads fewer cells
# Relative costs for choosing the resolution (only speed depends on them): one cell probed (a
# B-tree descent, plus the id sent) against one index row scanned and dropped by the box in SQL.
CELL_COST = 1.0
SCAN_COST = 0.3
BATCH = 900  # stay under SQLite's bound-parameter limit of old builds

_R = math.radians


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = _R(lat1), _R(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(_R(lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


class Distance:
    """Haversine from one fixed point, with its trigonometry done once."""

    __slots__ = ("lat", "lng", "cos_lat")

    def __init__(self, lat: float, lng: float) -> None:
        self.lat, self.lng, self.cos_lat = _R(lat), _R(lng), math.cos(_R(lat))

    def __call__(self, lat: float, lng: float) -> float:
        p2 = _R(lat)
        a = math.sin((p2 - self.lat) / 2) ** 2 + self.cos_lat * math.cos(p2) * math.sin((_R(lng) - self.lng) / 2) ** 2
        return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Box:
    """A latitude/longitude box, in degrees. `wraps`: the longitude range crosses the antimeridian,
    so it means lng >= lng_lo OR lng <= lng_hi."""

    lat_lo: float
    lat_hi: float
    lng_lo: float
    lng_hi: float
    wraps: bool = False

    @classmethod
    def around(cls, lat: float, lng: float, radius_m: float) -> Box:
        """Holds every point within radius_m (great circle) of (lat, lng), with a margin for rounding."""
        r = (radius_m * (1 + 1e-9) + 0.01) / EARTH_RADIUS_M  # angular radius
        margin = 1e-9
        lat_lo, lat_hi = lat - math.degrees(r) - margin, lat + math.degrees(r) + margin
        if lat_lo <= -90 or lat_hi >= 90 or r >= math.pi / 2:  # a pole is inside: every longitude
            return cls(max(lat_lo, -90.0), min(lat_hi, 90.0), -180.0, 180.0)
        # the meridians tangent to the circle: sin(dlng) = sin(r) / cos(lat)
        dlng = math.degrees(math.asin(min(1.0, math.sin(r) / math.cos(_R(lat))))) + margin
        lo, hi = lng - dlng, lng + dlng
        if lo < -180:
            return cls(lat_lo, lat_hi, lo + 360, hi, wraps=True)
        if hi > 180:
            return cls(lat_lo, lat_hi, lo, hi - 360, wraps=True)
        return cls(lat_lo, lat_hi, lo, hi)

    def holds(self, lat: float, lng: float) -> bool:
        in_lng = (lng >= self.lng_lo or lng <= self.lng_hi) if self.wraps else self.lng_lo <= lng <= self.lng_hi
        return self.lat_lo <= lat <= self.lat_hi and in_lng


def cells_of(lat: float, lng: float) -> dict[str, int]:
    return {COLUMNS[r]: h3i.latlng_to_cell(lat, lng, r) for r in RESOLUTIONS}


def density_cell(lat: float, lng: float) -> int:
    return h3i.latlng_to_cell(lat, lng, DENSITY_RES)


DENSITY_BLOCK_RES = 5


def density_block(cell: int) -> int:
    """The res-5 cell holding a density cell: density counts are read a block at a time."""
    return h3i.cell_to_parent(cell, DENSITY_BLOCK_RES)


def density_block_span(block: int) -> tuple[int, int]:
    """The smallest and largest res-7 cell id inside the block: children of one cell have
    contiguous ids (only their last digits differ), so `cell BETWEEN lo AND hi` reads exactly them."""
    children = h3i.cell_to_children(block, DENSITY_RES)
    return min(children), max(children)


def density_disk(lat: float, lng: float) -> list[int]:
    """The point's density cell first, then its neighbours."""
    origin = density_cell(lat, lng)
    return [origin, *(c for c in h3i.grid_disk(origin, 1) if c != origin)]


def ring(origin: int, k: int) -> list[int]:
    if k == 0:
        return [origin]
    try:
        return list(h3i.grid_ring(origin, k))
    except h3.H3BaseException:  # a pentagon nearby: take the difference of disks
        return list(set(h3i.grid_disk(origin, k)) - set(h3i.grid_disk(origin, k - 1)))


_M_PER_DEG = math.pi * EARTH_RADIUS_M / 180


def _reach_m(cell: int) -> float:
    """An upper bound of the largest centre-to-vertex distance of the cell, in metres.

    Local equirectangular metres (cosine at the centre's latitude) are within a fraction of a
    percent of great-circle metres across one cell below polar latitudes; 2% plus a metre covers it.
    """
    clat, clng = h3i.cell_to_latlng(cell)
    c = math.cos(math.radians(clat))
    r2 = 0.0
    for vlat, vlng in h3i.cell_to_boundary(cell):
        dlng = (vlng - clng + 540.0) % 360.0 - 180.0
        r2 = max(r2, (vlat - clat) ** 2 + (dlng * c) ** 2)
    return math.sqrt(r2) * _M_PER_DEG * 1.02 + 1.0


def covered_radius(dist: Distance, origin: int, k: int) -> float:
    """Every point closer than this to the query point lies in the disk of k rings around origin.

    min over cells c of ring k+1 of d(q, centre c) - reach(c). Cells are visited nearest first and
    the walk stops once no farther cell can lower the bound, assuming a cell's reach is under 1.1x
    the origin cell's (H3 cell sizes vary smoothly: a few rings apart they differ by well under 1%).
    """
    by_dist = sorted((dist(*h3i.cell_to_latlng(c)), c) for c in ring(origin, k + 1))
    slack = 1.1 * _reach_m(origin) + 1.0
    bound = math.inf
    for d, c in by_dist:
        if d - slack >= bound:
            break
        bound = min(bound, d - _reach_m(c))
    return max(0.0, bound - 0.001)


def _disk_cells(k: int) -> int:
    return 3 * k * k + 3 * k + 1


def _rings_for(reach_m: float, res: int) -> int:
    # the disk of k rings covers about (1.5k - 0.5) edges around the point
    return max(1, math.ceil((reach_m / EDGE_M[res] + 0.5) / 1.5))


def choose(reach_m: float, density: float) -> tuple[int, int]:
    """(resolution, rings) covering reach_m that probe the fewest cells and scan the fewest rows."""
    best: tuple[float, int, int] | None = None
    for res in RESOLUTIONS:
        k = _rings_for(reach_m, res)
        if k > MAX_RINGS and res != RESOLUTIONS[0]:
            continue
        cells = _disk_cells(k)
        cost = CELL_COST * cells + SCAN_COST * density * cells * AREA_M2[res]
        if best is None or cost < best[0]:
            best = (cost, res, k)
    assert best is not None
    return best[1], best[2]


@dataclass
class Plan:
    """What a query read, for tests and benchmarks."""

    res: int = 0
    rings: int = 0
    queries: int = 0
    rows: int = 0
    switches: int = 0  # reads again with a wider circle
    bound_m: float = 0.0


def nearest(
    *, lat: float, lng: float, radius_m: float, limit: int,
    fetch: Callable[[str, list[int], Box], Iterable[Row]],
    key: Callable[[Row], str],
    accept: Callable[[Row], bool] = lambda _row: True,
    unique: Callable[[Row], Hashable] | None = None,
    after: tuple[float, str] | None = None,
    density: float = 0.0,
    selectivity: float = 1.0,
    plan: Plan | None = None,
) -> list[tuple[float, Row]]:
    """The `limit` nearest accepted rows within radius_m as (distance_m, row), ordered by (distance, key).

    `fetch(column, cells, box)` gives the rows whose `column` holds one of `cells` and whose position
    is in `box` (it may give more; only those within the bound count); a row is a sequence whose
    items 1 and 2 are its latitude and longitude.
    `after` = (distance, key) of the last row of the previous page: only rows after it count.
    `unique(row)`: rows with the same value count once, at their nearest position.
    `density`: rows per m² around the point (only speed depends on it); `selectivity`: the share
    of rows `fetch` and `accept` are expected to keep.
    """
    plan = plan or Plan()
    dist = Distance(lat, lng)
    want = limit + 1
    floor = after[0] if after else 0.0
    eff_density = max(density * selectivity, 1e-12)
    reach = min(radius_m, floor + math.sqrt(want / (math.pi * eff_density)) * 1.2)
    while True:
        res, k = choose(reach, density)
        origin = h3i.latlng_to_cell(lat, lng, res)
        covered = covered_radius(dist, origin, k)
        while covered < reach:  # _rings_for is an estimate: make sure the disk covers the reach
            k += 1
            covered = covered_radius(dist, origin, k)
        bound = min(radius_m, reach, covered)
        box = Box.around(lat, lng, bound)
        cells = list(h3i.grid_disk(origin, k))
        column = COLUMNS[res]
        found: list[tuple[float, str, Row]] = []
        for i in range(0, len(cells), BATCH):
            plan.queries += 1
            for row in fetch(column, cells[i:i + BATCH], box):
                plan.rows += 1
                d = dist(row[1], row[2])
                if d <= bound and accept(row):
                    found.append((d, key(row), row))
        found.sort(key=lambda t: (t[0], t[1]))
        if unique is not None:
            seen: set[Hashable] = set()
            kept = []
            for t in found:
                u = unique(t[2])
                if u not in seen:
                    seen.add(u)
                    kept.append(t)
            found = kept
        # the page: rows after the cursor (deduplicated first, so a row keeps its nearest position)
        page = found if after is None else [t for t in found if (t[0], t[1]) > after]
        plan.res, plan.rings, plan.bound_m = res, k, bound
        # every row within the bound was read: `limit` of them, or the whole radius, is the answer
        if len(page) >= limit or bound >= radius_m:
            break
        plan.switches += 1
        # read again, as wide as the rows found within the bound say `limit` needs (1.25x to 4x)
        grow = 4.0 if not page else min(4.0, max(1.25, 1.2 * math.sqrt(want / len(page))))
        reach = min(radius_m, floor + (bound - floor) * grow if after else bound * grow)
    return [(d, row) for d, _k, row in page[:limit]]
