from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from o2o.core import conf
from o2o.core.errors import Invalid
from o2o.discovery.geo import nearest
from o2o.merchants.access import public_stores
from o2o.merchants.enums import Category
from o2o.merchants.hours import is_open
from o2o.merchants.models import Store


@dataclass
class NearbyStore:
    store: Store
    distance_m: float
    open_now: bool


def validate_nearby(*, lat: Any, lng: Any, radius_m: Any, limit: Any, category: Any = None) -> tuple[float, float, int, int]:
    fields: dict[str, str] = {}
    try:
        lat_f = float(lat)
        if not -90 <= lat_f <= 90:
            fields["lat"] = "between -90 and 90"
    except (TypeError, ValueError):
        fields["lat"], lat_f = "a number between -90 and 90", 0.0
    try:
        lng_f = float(lng)
        if not -180 <= lng_f <= 180:
            fields["lng"] = "between -180 and 180"
    except (TypeError, ValueError):
        fields["lng"], lng_f = "a number between -180 and 180", 0.0
    settings = conf.get()
    radius = settings.nearby_default_radius_m if radius_m is None else radius_m
    if isinstance(radius, bool) or not isinstance(radius, int) or not 0 < radius <= settings.nearby_max_radius_m:
        fields["radius_m"] = f"whole metres from 1 to {settings.nearby_max_radius_m}"
    lim = 20 if limit is None else limit
    if isinstance(lim, bool) or not isinstance(lim, int) or not 1 <= lim <= 100:
        fields["limit"] = "from 1 to 100"
    if category and category not in Category.values:
        fields["category"] = f"one of {', '.join(Category.values)}"
    if fields:
        raise Invalid("Some search parameters are not valid.", fields=fields)
    return lat_f, lng_f, radius, lim


def stores_nearby(
    *, lat: float, lng: float, radius_m: int, limit: int = 20, q: str | None = None, category: str | None = None,
    open_now: bool | None = None, at: datetime | None = None,
) -> list[NearbyStore]:
    at = at or timezone.now()
    base = public_stores().select_related("merchant")
    if category:
        base = base.filter(merchant__category=category)
    q = (q or "").strip()[:100]
    if q:
        base = base.filter(Q(name__icontains=q) | Q(merchant__name__icontains=q) | Q(address__icontains=q))

    def fetch(column: str, cells: list[int]):  # type: ignore[no-untyped-def]
        for s in base.filter(**{f"{column}__in": cells}):
            yield s.lat, s.lng, s

    open_cache: dict[Any, bool] = {}

    def _open(s: Store) -> bool:
        if s.pk not in open_cache:
            open_cache[s.pk] = is_open(s.opening_hours, s.timezone, at, s.closed_dates)
        return open_cache[s.pk]

    rows = nearest(lat=lat, lng=lng, radius_m=radius_m, limit=limit, fetch=fetch,
                   accept=(lambda s: _open(s)) if open_now else (lambda _s: True))  # type: ignore[arg-type]
    return [NearbyStore(store=s, distance_m=d, open_now=_open(s)) for d, s in rows]  # type: ignore[arg-type]
