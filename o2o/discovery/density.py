"""Visible places per area around a point, from the DensityCell summary (only speed depends on it:
it picks how wide and how fine the first read of a nearby search is)."""

from __future__ import annotations

import time

from django.db.models import Q

from o2o.discovery import geo
from o2o.discovery.models import DensityCell

# res-5 block (about 250 km²) -> (expiry, {res-7 cell: {category: n}}); loaded a block at a time,
# so a process asks once per district and 10 minutes, never on the hot path of a warm district.
_DENSITY: dict[int, tuple[float, dict[int, dict[str, int]]]] = {}
_DENSITY_TTL_S = 600.0
_DENSITY_MAX_BLOCKS = 2000  # bounded: memory never grows with the number of stores


def _density_blocks(blocks: list[int], now: float) -> None:
    if len(_DENSITY) + len(blocks) > _DENSITY_MAX_BLOCKS:
        _DENSITY.clear()
    spans = {b: geo.density_block_span(b) for b in blocks}
    counts: dict[int, dict[int, dict[str, int]]] = {b: {} for b in blocks}
    cond = Q()
    for lo, hi in spans.values():
        cond |= Q(cell__range=(lo, hi))
    for cell, cat, n in DensityCell.objects.filter(cond).values_list("cell", "category", "n"):
        counts[geo.density_block(cell)].setdefault(cell, {})[cat] = n
    for b in blocks:
        _DENSITY[b] = (now + _DENSITY_TTL_S, counts[b])


def density_near(lat: float, lng: float, category: str | None = None) -> float:
    """Visible places (of the category, if given) per m² around the point: the larger of its res-7
    cell's and the mean over that cell and its six neighbours (a point at the edge of a busy area
    has an emptier cell of its own than the streets around it).

    Counts are cached per process, bounded, refreshed every 10 minutes; only speed depends on them."""
    cells = geo.density_disk(lat, lng)
    blocks = [geo.density_block(c) for c in cells]
    now = time.monotonic()
    stale = [b for b in dict.fromkeys(blocks) if (hit := _DENSITY.get(b)) is None or hit[0] < now]
    if stale:
        _density_blocks(stale, now)
    cat = category or ""
    ns = [_DENSITY[b][1].get(c, {}).get(cat, 0) for c, b in zip(cells, blocks, strict=True)]
    return max(ns[0], sum(ns) / len(ns)) / geo.DENSITY_AREA_M2
