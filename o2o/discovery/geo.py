"""Nearby search on H3 cells: candidate cells around the point, then exact great-circle distance.

The query reads the disk of cells around the point's cell at one of the stored resolutions, chosen
by the local density so that the first disk usually already holds `limit` results while reading as
few rows as possible (fine cells in a dense centre, coarse cells at a sparse edge). It then widens
ring by ring (or switches to a coarser resolution when the rings get too many) until the `limit`
nearest accepted rows lie inside the radius that the cells read so far provably cover.

Exactness. Any point outside the disk of k rings lies in some cell at grid distance k+1 or more;
walking from the query point to it crosses a cell of ring k+1 (neighbouring cells differ by one
ring). So no unread point is closer than  min over cells c of ring k+1 of
d(q, centre(c)) - R(c),  R(c) the largest centre-to-vertex distance of c (cells are star-shaped
around their centre with great-circle edges). That bound (less a millimetre for rounding) is the
covered radius; results are exact and exactly ordered by (distance, key).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import h3
from h3.api import basic_int as h3i

EARTH_RADIUS_M = 6_371_008.8
RESOLUTIONS = (6, 8, 10, 12)
COLUMNS = {r: f"h3_r{r}" for r in RESOLUTIONS}
EDGE_M = {r: h3.average_hexagon_edge_length(r, unit="m") for r in RESOLUTIONS}
T = TypeVar("T")
AREA_M2 = {r: h3.average_hexagon_area(r, unit="m^2") for r in RESOLUTIONS}
DENSITY_RES = 7
DENSITY_AREA_M2 = h3.average_hexagon_area(DENSITY_RES, unit="m^2")
MAX_RINGS = 14  # beyond this many rings a coarser resolution reads fewer cells
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


def cells_of(lat: float, lng: float) -> dict[str, int]:
    return {COLUMNS[r]: h3i.latlng_to_cell(lat, lng, r) for r in RESOLUTIONS}


def density_cell(lat: float, lng: float) -> int:
    return h3i.latlng_to_cell(lat, lng, DENSITY_RES)


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


def choose(reach_m: float, density: float, *, not_finer_than: int | None = None) -> tuple[int, int]:
    """(resolution, rings) reading the fewest cells and rows to cover reach_m at this density."""
    best: tuple[float, int, int] | None = None
    for res in RESOLUTIONS:
        if not_finer_than is not None and res > not_finer_than:
            continue
        k = _rings_for(reach_m, res)
        if k > MAX_RINGS and res != RESOLUTIONS[0]:
            continue
        cells = _disk_cells(k)
        cost = cells + 2.5 * density * cells * AREA_M2[res]
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
    switches: int = 0


def nearest(
    *, lat: float, lng: float, radius_m: float, limit: int,
    fetch: Callable[[str, list[int]], Iterable[tuple[float, float, T]]],
    accept: Callable[[T], bool] = lambda _row: True,
    key: Callable[[Any], str] = lambda row: str(getattr(row, "pk", row)),
    unique: Callable[[T], Hashable] | None = None,
    after: tuple[float, str] | None = None,
    density: float = 0.0,
    selectivity: float = 1.0,
    plan: Plan | None = None,
) -> list[tuple[float, T]]:
    """The `limit` nearest accepted rows within radius_m as (distance_m, row), ordered by (distance, key).

    `fetch(column, cells)` yields (lat, lng, row) for rows whose `column` holds one of `cells`.
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
    res, k = choose(reach, density)
    origin = h3i.latlng_to_cell(lat, lng, res)
    found: list[tuple[float, str, T]] = []
    k_read = -1
    while True:
        cells: list[int] = []
        if k_read < 0:
            cells = list(h3i.grid_disk(origin, k))
        else:
            for j in range(k_read + 1, k + 1):
                cells.extend(ring(origin, j))
        column = COLUMNS[res]
        for i in range(0, len(cells), BATCH):
            plan.queries += 1
            for row_lat, row_lng, row in fetch(column, cells[i:i + BATCH]):
                plan.rows += 1
                d = dist(row_lat, row_lng)
                if d > radius_m:
                    continue
                if accept(row):
                    found.append((d, key(row), row))
        k_read = k
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
        covered = covered_radius(dist, origin, k)
        plan.res, plan.rings = res, k
        if covered >= radius_m or (len(page) >= limit and page[limit - 1][0] <= covered):
            break
        # widen: aim to cover twice as far (or to the radius), on this or a coarser resolution
        target = min(radius_m, max(covered * 2, reach))
        reach = target
        new_res, new_k = choose(target, density, not_finer_than=res)
        if new_res == res:
            k = max(k + 1, _rings_for(target, res))
        else:
            plan.switches += 1
            res, k, k_read, found = new_res, new_k, -1, []
            origin = h3i.latlng_to_cell(lat, lng, res)
    return [(d, row) for d, _k, row in page[:limit]]
