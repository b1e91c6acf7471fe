"""Zone geometry (shapely), distance bands and travel times: pure functions, no database.

Distances are straight lines on the sphere (haversine); travel time counts a road detour factor on
top at scooter speed, so that an ETA is an honest one and not the crow's."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from shapely.geometry import Point, Polygon

from o2o.core.errors import Invalid
from o2o.core.money import Money, parse_amount

EARTH_RADIUS_M = 6_371_008.8
SCOOTER_M_PER_S = 18_000 / 3600  # 18 km/h through a city's traffic, stops included
ROAD_FACTOR = 1.3  # roads are longer than the straight line
HANDOVER_S = 120  # parking, stairs, the door
MAX_ZONE_M = 30_000
MAX_BANDS = 10
MAX_VERTICES = 200


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def travel_seconds(metres: float) -> float:
    """Scooter time over a straight-line distance (road detour included)."""
    return metres * ROAD_FACTOR / SCOOTER_M_PER_S


@dataclass(frozen=True)
class Band:
    up_to_m: int
    fee: Money


def parse_bands(raw: Any, currency: str) -> list[Band]:
    """[{"up_to_m": int, "fee": "4.00" | {amount}}] strictly ascending, fees never negative."""
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_BANDS:
        raise Invalid(_("Give 1 to %(n)d fee bands.") % {"n": MAX_BANDS}, fields={"fee_bands": _("a list of bands")})
    out: list[Band] = []
    for i, band in enumerate(raw):
        if not isinstance(band, dict):
            raise Invalid(_("Some fields are not valid."), fields={f"fee_bands.{i}": _("{up_to_m, fee}")})
        up = band.get("up_to_m")
        if isinstance(up, bool) or not isinstance(up, int) or not 0 < up <= MAX_ZONE_M:
            raise Invalid(_("Some fields are not valid."),
                          fields={f"fee_bands.{i}.up_to_m": _("metres, 1 to %(n)d") % {"n": MAX_ZONE_M}})
        if out and up <= out[-1].up_to_m:
            raise Invalid(_("Fee bands go from near to far."), fields={f"fee_bands.{i}.up_to_m": _("ascending")})
        fee = band.get("fee")
        fee = fee.get("amount") if isinstance(fee, dict) else fee
        out.append(Band(up_to_m=up, fee=parse_amount(fee, currency, field=f"fee_bands.{i}.fee")))
    return out


def bands_out(bands: Sequence[Band]) -> list[dict[str, Any]]:
    return [{"up_to_m": b.up_to_m, "fee": format(b.fee.amount, "f")} for b in bands]


def stored_bands(raw: list[dict[str, Any]], currency: str) -> list[Band]:
    return [Band(up_to_m=int(b["up_to_m"]), fee=Money(Decimal(b["fee"]), currency)) for b in raw]


def fee_for(bands: Sequence[Band], distance_m: float) -> Money | None:
    """The fee of the first band that reaches the distance; None past the last band."""
    for band in bands:
        if distance_m <= band.up_to_m:
            return band.fee
    return None


def parse_polygon(raw: Any) -> list[list[float]]:
    """A simple polygon as [[lng, lat], ...] (GeoJSON order; closing the ring is optional)."""
    if not isinstance(raw, list) or not 3 <= len(raw) <= MAX_VERTICES + 1:
        raise Invalid(_("A polygon has 3 to %(n)d corners.") % {"n": MAX_VERTICES}, fields={"polygon": _("[[lng, lat], ...]")})
    ring: list[list[float]] = []
    for i, pt in enumerate(raw):
        ok = (isinstance(pt, list | tuple) and len(pt) == 2
              and all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in pt))
        if not ok or not (-180 <= pt[0] <= 180 and -90 <= pt[1] <= 90):
            raise Invalid(_("Some fields are not valid."), fields={f"polygon.{i}": _("[lng, lat]")})
        ring.append([float(pt[0]), float(pt[1])])
    if ring[0] == ring[-1]:
        ring = ring[:-1]
    shape = Polygon(ring)
    if len(ring) < 3 or not shape.is_valid or shape.area == 0:
        raise Invalid(_("The polygon crosses itself or has no area."), fields={"polygon": _("a simple polygon")})
    return ring


def in_polygon(ring: Sequence[Sequence[float]], *, lat: float, lng: float) -> bool:
    """Inside or on the border."""
    return bool(Polygon(ring).intersects(Point(lng, lat)))


def check_position(lat: Any, lng: Any, *, prefix: str = "") -> tuple[float, float]:
    ok = all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in (lat, lng))
    if not ok or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise Invalid(_("Give a position as latitude and longitude."),
                      fields={f"{prefix}lat": _("-90 to 90"), f"{prefix}lng": _("-180 to 180")})
    return float(lat), float(lng)
