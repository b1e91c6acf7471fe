"""Nearby search on H3 cells: candidate cells ring by ring around the point, then exact distance.

Rings are read from the inside out; the search stops as soon as `limit` results lie inside the
radius that the rings read so far are guaranteed to cover, so a dense centre reads few rows and
a sparse edge reads many rings. Recall is exact: every store within the radius is found.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import h3

EARTH_RADIUS_M = 6_371_008.8
SQRT3 = math.sqrt(3)


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class CellPlan:
    res: int
    column: str
    origin: str
    edge_min: float
    edge_max: float
    k_max: int

    def covered_radius(self, k: int) -> float:
        """Any point closer than this to the query point lies in rings 0..k."""
        return k * SQRT3 * self.edge_min - self.edge_max


def plan(lat: float, lng: float, radius_m: float) -> CellPlan:
    res, column = (8, "h3_r8") if radius_m <= 8000 else (6, "h3_r6")
    origin = h3.latlng_to_cell(lat, lng, res)
    edges = [h3.edge_length(e, unit="m") for e in h3.origin_to_directed_edges(origin)]
    # cells within tens of km differ little in size; a 15% margin keeps recall exact
    edge_min, edge_max = min(edges) * 0.85, max(edges) * 1.15
    k_max = max(1, math.ceil((radius_m + edge_max) / (SQRT3 * edge_min)))
    return CellPlan(res, column, origin, edge_min, edge_max, k_max)


def ring_batches(p: CellPlan) -> Iterator[tuple[int, list[int]]]:
    """Yield (k reached, cell ints of the rings added) in growing batches."""
    k_done = -1
    step = max(1, p.k_max // 4)
    while k_done < p.k_max:
        k_to = min(p.k_max, k_done + step)
        cells: list[int] = []
        for k in range(k_done + 1, k_to + 1):
            try:
                ring = h3.grid_ring(p.origin, k)
            except h3.H3BaseException:  # pentagon nearby: fall back to the disk difference
                ring = list(set(h3.grid_disk(p.origin, k)) - set(h3.grid_disk(p.origin, k - 1))) if k else [p.origin]
            cells.extend(h3.str_to_int(c) for c in ring)
        yield k_to, cells
        k_done = k_to
        step *= 2


def nearest(
    *, lat: float, lng: float, radius_m: float, limit: int,
    fetch: Callable[[str, list[int]], Iterable[tuple[float, float, object]]],
    accept: Callable[[object], bool] = lambda _row: True,
) -> list[tuple[float, object]]:
    """The `limit` nearest accepted rows within radius_m, as (distance_m, row), exactly ordered.

    `fetch(column, cells)` returns (lat, lng, row) for rows whose cell column is in cells.
    """
    p = plan(lat, lng, radius_m)
    found: list[tuple[float, object]] = []
    for k, cells in ring_batches(p):
        for i in range(0, len(cells), 900):  # stay under SQLite's parameter limit
            for row_lat, row_lng, row in fetch(p.column, cells[i:i + 900]):
                d = haversine_m(lat, lng, row_lat, row_lng)
                if d <= radius_m and accept(row):
                    found.append((d, row))
        found.sort(key=lambda t: (t[0], str(getattr(t[1], "pk", ""))))
        sure = min(radius_m, p.covered_radius(k))
        if len(found) >= limit and found[limit - 1][0] <= sure:
            break
    return found[:limit]
