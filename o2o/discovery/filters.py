"""What a nearby search asks for: its parameters checked (a clear 422 for bad input), its filters,
and the opaque cursor that pages on (the last row's sort value and id)."""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from o2o.catalogue.enums import OfferingKind
from o2o.core import conf
from o2o.core.errors import Invalid
from o2o.discovery import text
from o2o.merchants.enums import Category

SORTS = ("distance", "rating", "popularity")
MAX_Q = text.MAX_QUERY_CHARS


@dataclass(frozen=True)
class Filters:
    q: str | None = None
    category: str | None = None
    open_now: bool = False
    min_rating: float | None = None
    has_deals: bool = False
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    kind: str | None = None
    sort: str = "distance"
    after: tuple[float, str] | None = None


def validate_nearby(*, lat: Any, lng: Any, radius_m: Any, limit: Any, category: Any = None) -> tuple[float, float, int, int]:
    """Check the common parameters; (lat, lng, radius_m, limit) with defaults, or Invalid (422)."""
    fields: dict[str, str] = {}
    lat_f = _number(lat, "lat", -90, 90, fields)
    lng_f = _number(lng, "lng", -180, 180, fields)
    settings = conf.get()
    radius = settings.nearby_default_radius_m if radius_m is None else radius_m
    if isinstance(radius, bool) or not isinstance(radius, int) or not 0 < radius <= settings.nearby_max_radius_m:
        fields["radius_m"] = _("whole metres from 1 to %(max)d") % {"max": settings.nearby_max_radius_m}
    lim = 20 if limit is None else limit
    if isinstance(lim, bool) or not isinstance(lim, int) or not 1 <= lim <= 100:
        fields["limit"] = _("from 1 to 100")
    if category and category not in Category.values:
        fields["category"] = _("one of %(v)s") % {"v": ", ".join(Category.values)}
    if fields:
        raise Invalid(_("Some search parameters are not valid."), fields=fields)
    return lat_f, lng_f, radius, lim


def _number(value: Any, name: str, lo: float, hi: float, fields: dict[str, str]) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        f = math.nan
    if isinstance(value, bool) or not lo <= f <= hi:  # NaN fails too
        fields[name] = _("a number between %(lo)s and %(hi)s") % {"lo": lo, "hi": hi}
        return 0.0
    return f


def validate_filters(
    *, q: Any = None, category: Any = None, open_now: Any = None, min_rating: Any = None, has_deals: Any = None,
    price_min: Any = None, price_max: Any = None, kind: Any = None, sort: Any = None, cursor: Any = None,
    q_required: bool = False, sorts: tuple[str, ...] = SORTS,
) -> Filters:
    fields: dict[str, str] = {}
    if q is not None and not isinstance(q, str):
        fields["q"] = _("text")
        q = None
    if q is not None and len(q) > MAX_Q:
        fields["q"] = _("at most %(n)d characters") % {"n": MAX_Q}
    if q_required and not (q or "").strip():
        fields["q"] = _("required")
    if category and category not in Category.values:
        fields["category"] = _("one of %(v)s") % {"v": ", ".join(Category.values)}
    if kind and kind not in OfferingKind.values:
        fields["kind"] = _("one of %(v)s") % {"v": ", ".join(OfferingKind.values)}
    rating = None
    if min_rating is not None:
        try:
            rating = float(min_rating)
        except (TypeError, ValueError):
            rating = math.nan
        if not 0 <= rating <= 5:
            fields["min_rating"] = _("a number from 0 to 5")
    pmin, pmax = _price(price_min, "price_min", fields), _price(price_max, "price_max", fields)
    if pmin is not None and pmax is not None and pmin > pmax:
        fields["price_max"] = _("not below price_min")
    sort = sort or "distance"
    if sort not in sorts:
        fields["sort"] = _("one of %(v)s") % {"v": ", ".join(sorts)}
    after = None
    if cursor:
        after = decode_cursor(cursor, sort)
        if after is None:
            fields["cursor"] = _("not a cursor of this search")
    if fields:
        raise Invalid(_("Some search parameters are not valid."), fields=fields)
    return Filters(q=(q or "").strip() or None, category=category or None, open_now=bool(open_now),
                   min_rating=rating, has_deals=bool(has_deals), price_min=pmin, price_max=pmax,
                   kind=kind or None, sort=sort, after=after)


def _price(value: Any, name: str, fields: dict[str, str]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        d = Decimal("NaN")
    if not d.is_finite() or d < 0 or d >= Decimal("1e12"):
        fields[name] = _("an amount such as 50.00")
        return None
    return d


def encode_cursor(sort: str, value: float, key: str) -> str:
    raw = json.dumps([sort, value, key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[float, str] | None:
    try:
        if not isinstance(cursor, str) or len(cursor) > 300:
            return None
        s, value, key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if s != sort or not isinstance(key, str) or len(key) != 32 or isinstance(value, bool):
            return None
        int(key, 16)
        value = float(value)
        if not math.isfinite(value):
            return None
        return value, key
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
