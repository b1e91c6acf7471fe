# ruff: noqa: S608  -- SQL here is assembled from fixed table/column names; every value is a bound parameter
"""Reads of discovery: nearby stores, nearby offerings, search mixing both.

Two phases. (1) Candidates from the lean `Place` index: H3 cells around the point, exact distance,
filters (category and text in SQL, open-now in Python from compact weekly hours), exact order by
(distance, id) - see geo.nearest. (2) The few rows of the page are loaded through the tenancy gate
(`public_stores()`, `public_offerings()`), so a stale index row can never show a pending or
suspended merchant's store; a row that fails the gate is skipped and the page refilled.

Pagination is by an opaque cursor holding the last row's (sort value, id): no duplicates and no
gaps while the data stands still. Parameters and cursors: discovery.filters; density: discovery.density.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import connection
from django.utils import timezone

from o2o.catalogue.enums import OfferingKind, OfferingStatus
from o2o.catalogue.models import Offering, StockBucket, StoreStock
from o2o.catalogue.selectors import public_offerings
from o2o.core import conf
from o2o.discovery import geo, text
from o2o.discovery.density import density_near
from o2o.discovery.filters import Filters, encode_cursor, validate_filters
from o2o.discovery.models import Place, Word
from o2o.discovery.openness import Clock, hour_bit, open_at
from o2o.merchants.access import public_stores
from o2o.merchants.enums import Category
from o2o.merchants.models import Store, star_rating

BAYES_PRIOR_MEAN = 3.5
BAYES_WEIGHT = 10


def bayesian_rating(rating_sum: int, review_count: int) -> float:
    return (BAYES_WEIGHT * BAYES_PRIOR_MEAN + rating_sum) / (BAYES_WEIGHT + review_count)


# --- results --------------------------------------------------------------------------------------

@dataclass
class NearbyStore:
    store: StoreCard
    distance_m: float
    open_now: bool


@dataclass
class NearbyOffering:
    offering: Offering
    store: Store
    distance_m: float
    open_now: bool


@dataclass
class SearchHit:
    kind: str  # "store" or "offering"
    distance_m: float
    store: StoreCard | Store
    open_now: bool
    offering: Offering | None = None


@dataclass
class Page:
    results: list[Any]
    next_cursor: str | None


# --- input ----------------------------------------------------------------------------------------

# --- SQL pieces -----------------------------------------------------------------------------------

def _hex(v: Any) -> str:
    return v.hex if isinstance(v, UUID) else str(v).replace("-", "")


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Run a hot-path query. On PostgreSQL with server-side binding and a prepared statement (the
    SQL text depends only on the resolution and the filters used, so a handful of plans serve all)."""
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cur:
            cur.execute(sql, params, prepare=True)
            return cur.fetchall()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _in(column: str, cells: list[int]) -> tuple[str, list[Any]]:
    if connection.vendor == "postgresql":  # an array literal: psycopg sends it as it is
        return f"{column} = ANY(%s::bigint[])", ["{" + ",".join(map(str, cells)) + "}"]
    return f"{column} IN ({', '.join(['%s'] * len(cells))})", list(cells)


def _in_box(box: geo.Box) -> tuple[str, list[Any]]:
    """SQL: the place lies in the box (its rows never leave the database otherwise)."""
    if box.wraps:
        return "p.lat BETWEEN %s AND %s AND (p.lng >= %s OR p.lng <= %s)", [
            box.lat_lo, box.lat_hi, box.lng_lo, box.lng_hi]
    return "p.lat BETWEEN %s AND %s AND p.lng BETWEEN %s AND %s", [box.lat_lo, box.lat_hi, box.lng_lo, box.lng_hi]


def _reader(base: str, params: list[Any]) -> Callable[[str, list[int], geo.Box], list[tuple[Any, ...]]]:
    """geo.nearest's fetch: the rows of the query `base` in these cells and inside the box."""
    def fetch(column: str, cells: list[int], box: geo.Box) -> list[tuple[Any, ...]]:
        cond, cell_params = _in(f"p.{column}", cells)
        in_box, box_params = _in_box(box)
        return _rows(f"{base} AND {cond} AND {in_box}", params + cell_params + box_params)
    return fetch


def _acceptor(filters: Filters, exclude: frozenset[str], clock: Clock) -> Callable[[Any], bool]:
    """geo.nearest's accept for rows (id, lat, lng, tz, week, closed, ...): not excluded, and open now
    if the search asks for it."""
    def accept(r: Any) -> bool:
        if exclude and _hex(r[0]) in exclude:
            return False
        return not filters.open_now or open_at(r[4], r[5], r[3], clock)
    return accept


def _row_key(r: Any) -> str:
    return _hex(r[0])


def _typo_variants(terms: Iterable[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    probe: dict[str, set[str]] = {}
    for t in terms:
        out[t] = [t]
        if text.is_latin_word(t) and text.TYPO_MIN_LEN - 1 <= len(t) <= 40 and not t.isdigit():
            probe[t] = text.edits1(t)
    if probe:
        everything = sorted(set().union(*probe.values()))
        found: set[str] = set()
        for i in range(0, len(everything), 900):
            found |= set(Word.objects.filter(word__in=everything[i:i + 900]).values_list("word", flat=True))
        for t, variants in probe.items():
            out[t] += sorted(w for w in variants & found if len(w) >= text.TYPO_MIN_LEN)
    return out


def _text_condition(q: str, columns: list[str]) -> tuple[str, list[Any]] | None:
    """SQL matching every term of q in any of `columns` (normalised text); None if q has no terms."""
    words = text.terms(q)
    if not words:
        return None
    readings = text.alternatives(words)
    variants = _typo_variants({t for r in readings for t in r})
    ors, params = [], []
    for reading in readings:
        ands = []
        for t in reading:
            alts = []
            for v in variants[t]:
                for col in columns:
                    alts.append(f"{col} LIKE %s")
                    params.append(f"%{v}%")
            ands.append("(" + " OR ".join(alts) + ")")
        ors.append("(" + " AND ".join(ands) + ")")
    return "(" + " OR ".join(ors) + ")", params


def _tables() -> dict[str, str]:
    return {"place": Place._meta.db_table, "store": Store._meta.db_table, "offering": Offering._meta.db_table,
            "rs": Offering.redeemable_stores.through._meta.db_table, "bucket": StockBucket._meta.db_table,
            "store_stock": StoreStock._meta.db_table}


def _in_stock(alias: str, store: str = "p.store_id") -> str:
    """SQL: the offering still has units for sale: a deal in its stock buckets, a product at that store
    (its StoreStock row not switched sold out, unlimited or with some left)."""
    left = connection.ops.quote_name("left")
    t = _tables()
    return (f"(EXISTS (SELECT 1 FROM {t['bucket']} b WHERE b.offering_id = {alias}.id AND b.{left} > 0) OR "
            f"EXISTS (SELECT 1 FROM {t['store_stock']} ss WHERE ss.offering_id = {alias}.id AND ss.store_id = {store} "
            f"AND NOT ss.sold_out AND (ss.quantity_left IS NULL OR ss.quantity_left > 0)))")


def _store_where(f: Filters) -> tuple[list[str], list[Any]] | None:
    t = _tables()
    where: list[str] = ["p.visible = %s"]
    params: list[Any] = [True]
    if f.category:
        where.append("p.category = %s")
        params.append(f.category)
    if f.q:
        cond = _text_condition(f.q, ["p.text"])
        if cond is None:
            return None
        where.append(cond[0])
        params += cond[1]
    if f.min_rating is not None and f.min_rating > 0:
        where.append(f"EXISTS (SELECT 1 FROM {t['store']} s WHERE s.id = p.store_id AND s.review_count > 0 "
                     "AND s.rating_sum >= %s * s.review_count)")
        params.append(f.min_rating)
    if f.has_deals:
        where.append(f"EXISTS (SELECT 1 FROM {t['rs']} rs JOIN {t['offering']} o ON o.id = rs.offering_id "
                     f"WHERE rs.store_id = p.store_id AND o.status = %s AND o.kind = %s AND {_in_stock('o')})")
        params += [OfferingStatus.LIVE.value, OfferingKind.DEAL.value]
    if f.price_min is not None or f.price_max is not None:
        price_cond, ps = _price_sql("o", f)
        where.append(f"EXISTS (SELECT 1 FROM {t['rs']} rs JOIN {t['offering']} o ON o.id = rs.offering_id "
                     f"WHERE rs.store_id = p.store_id AND o.status = %s AND {_in_stock('o')} AND {price_cond})")
        params += [OfferingStatus.LIVE.value, *ps]
    return where, params


def _open_now_sql(clock: Clock) -> tuple[str, list[Any]]:
    """SQL: drop the places whose weekly hours open at no minute of this hour (local time of the
    platform's timezone; places in other timezones, and the exact minute and closed dates, are left
    to open_at, which decides every row the SQL returns)."""
    tz = timezone.get_default_timezone_name()
    _today, minute = clock.local(tz)
    word, bit = hour_bit(minute)
    return f"(p.tz <> %s OR (p.closed_h{word} & %s) = 0)", [tz, bit]


def _price_sql(alias: str, f: Filters) -> tuple[str, list[Any]]:
    conds: list[str] = [f"{alias}.currency = %s"]
    params: list[Any] = [conf.get().currency]
    if f.price_min is not None:
        conds.append(f"{alias}.price_amount >= %s")
        params.append(f.price_min)
    if f.price_max is not None:
        conds.append(f"{alias}.price_amount <= %s")
        params.append(f.price_max)
    return " AND ".join(conds), params


# --- stores ---------------------------------------------------------------------------------------

@dataclass
class Candidate:
    key: str
    tz: str
    week: str
    closed: str
    score: float = 0.0
    extra: Any = None


@dataclass
class Explain:
    plan: geo.Plan = field(default_factory=geo.Plan)
    stale: int = 0


def store_candidates(
    *, lat: float, lng: float, radius_m: int, limit: int, filters: Filters = Filters(), at: datetime | None = None,
    exclude: frozenset[str] = frozenset(), explain: Explain | None = None,
) -> list[tuple[float, Candidate]]:
    """Phase 1: the index rows of the page, as (distance_m, Candidate), ordered as the sort says."""
    explain = explain or Explain()
    built = _store_where(filters)
    if built is None:
        return []
    where, params = built
    clock = Clock(at or timezone.now())
    if filters.open_now:
        cond, ps = _open_now_sql(clock)
        where, params = [*where, cond], [*params, *ps]
    t = _tables()
    ranked = filters.sort != "distance"
    select = "p.store_id, p.lat, p.lng, p.tz, p.week, p.closed"
    join = ""
    if filters.sort == "rating":
        select += ", s.rating_sum, s.review_count"
        join = f" JOIN {t['store']} s ON s.id = p.store_id"
    elif filters.sort == "popularity":
        select += ", p.popularity"
    base = f"SELECT {select} FROM {t['place']} p{join} WHERE " + " AND ".join(where)

    fetch, accept = _reader(base, params), _acceptor(filters, exclude, clock)
    # a row: (store_id, lat, lng, tz, week, closed[, rating_sum, review_count | popularity])

    def candidate(r: Any) -> Candidate:
        c = Candidate(_hex(r[0]), r[3], r[4], r[5])
        if filters.sort == "rating":
            c.score = -bayesian_rating(r[6], r[7])
        elif filters.sort == "popularity":
            c.score = -float(r[6])
        return c

    sel = 1.0  # share of the rows the SQL returns that the page keeps (category is in the SQL)
    if filters.q:
        sel *= 0.05
    if filters.open_now:
        sel *= 0.6
    if filters.min_rating or filters.has_deals or filters.price_min is not None or filters.price_max is not None:
        sel *= 0.2
    # rows the SQL returns there: the category is filtered inside the (cell, category) index
    density = density_near(lat, lng, filters.category)
    if not ranked:
        found = geo.nearest(lat=lat, lng=lng, radius_m=radius_m, limit=limit, fetch=fetch, accept=accept,
                            key=_row_key, after=filters.after, density=density, selectivity=sel,
                            plan=explain.plan)
        return [(d, candidate(r)) for d, r in found]
    # rating / popularity: every accepted row within the radius, best first
    everything = geo.nearest(lat=lat, lng=lng, radius_m=radius_m, limit=10**9, fetch=fetch, accept=accept,
                             key=_row_key, density=density, selectivity=sel, plan=explain.plan)
    ordered = sorted(((d, candidate(r)) for d, r in everything), key=lambda t: (t[1].score, t[1].key))
    if filters.after is not None:
        ordered = [t for t in ordered if (t[1].score, t[1].key) > filters.after]
    return ordered[:limit]


def _sort_value(f: Filters, d: float, c: Candidate) -> float:
    return d if f.sort == "distance" else c.score


@dataclass(frozen=True, slots=True)
class MerchantCard:
    """What a result list shows of a store's merchant."""

    id: UUID
    name: str
    category: str

    @property
    def pk(self) -> UUID:
        return self.id

    def get_category_display(self) -> str:
        return str(Category(self.category).label)


@dataclass(frozen=True, slots=True)
class StoreCard:
    """What a result list shows of a store: read through the tenancy gate `public_stores()`, without
    building model instances (at 20 stores and merchants a page, those were a third of a request's CPU)."""

    id: UUID
    name: str
    address: str
    lat: float
    lng: float
    timezone: str
    rating_sum: int
    review_count: int
    merchant: MerchantCard

    @property
    def pk(self) -> UUID:
        return self.id

    @property
    def rating(self) -> float | None:
        return star_rating(self.rating_sum, self.review_count)


_STORE_FIELDS = ("id", "name", "address", "lat", "lng", "timezone", "rating_sum", "review_count")
_MERCHANT_FIELDS = ("id", "name", "category")


_PAGE_QUERIES: dict[tuple[str, str, int], tuple[str, list[Any], list[int]]] = {}


def _page_query(n: int) -> tuple[str, list[Any], list[int]]:
    """The page query for n store ids, compiled once from `public_stores()` (the tenancy gate stays
    its only source): its SQL, its parameters, and where in them the n ids go."""
    cache_key = (connection.alias, connection.vendor, n)
    hit = _PAGE_QUERIES.get(cache_key)
    if hit is not None:
        return hit
    marks = [UUID(int=i + 1) for i in range(n)]
    qs = public_stores().filter(pk__in=marks).values_list(
        *_STORE_FIELDS, *(f"merchant__{f}" for f in _MERCHANT_FIELDS))
    sql, params = qs.query.sql_with_params()
    pk = Store._meta.pk
    slot = {pk.get_db_prep_value(m, connection): i for i, m in enumerate(marks)}
    positions = [-1] * n
    for j, value in enumerate(params):
        if isinstance(value, (str, UUID)) and value in slot:
            positions[slot[value]] = j
    assert -1 not in positions, "every id has its place in the compiled query"
    _PAGE_QUERIES[cache_key] = (sql, list(params), positions)
    return _PAGE_QUERIES[cache_key]


def load_public_stores(keys: list[str]) -> dict[str, StoreCard]:
    """The public stores among these ids (hex), through the tenancy gate `public_stores()`.

    One query with only the columns a result list shows (compiled once per page size, a prepared
    statement on PostgreSQL).
    """
    if not keys:
        return {}
    keys = list(dict.fromkeys(keys))
    sql, template, positions = _page_query(len(keys))
    params = list(template)
    pk = Store._meta.pk
    for i, k in enumerate(keys):
        params[positions[i]] = pk.get_db_prep_value(UUID(k), connection)
    # SQLite keeps UUIDs as hex text
    uuid = (lambda v: v) if connection.vendor == "postgresql" else pk.to_python
    n = len(_STORE_FIELDS)
    out: dict[str, StoreCard] = {}
    for row in _rows(sql, params):
        m = row[n:]
        card = StoreCard(id=uuid(row[0]), name=row[1], address=row[2], lat=row[3], lng=row[4], timezone=row[5],
                         rating_sum=row[6], review_count=row[7], merchant=MerchantCard(uuid(m[0]), m[1], m[2]))
        out[card.id.hex] = card
    return out


def stores_nearby_page(
    *, lat: float, lng: float, radius_m: int, limit: int = 20, filters: Filters = Filters(),
    at: datetime | None = None, explain: Explain | None = None,
) -> Page:
    at = at or timezone.now()
    explain = explain or Explain()
    clock = Clock(at)
    exclude: set[str] = set()
    for _attempt in range(4):
        cands = store_candidates(lat=lat, lng=lng, radius_m=radius_m, limit=limit, filters=filters, at=at,
                                 exclude=frozenset(exclude), explain=explain)
        stores = load_public_stores([c.key for _d, c in cands])
        missing = [c.key for _d, c in cands if c.key not in stores]
        if not missing:
            break
        explain.stale += len(missing)
        exclude.update(missing)
    results = [NearbyStore(store=stores[c.key], distance_m=d, open_now=open_at(c.week, c.closed, c.tz, clock))
               for d, c in cands if c.key in stores]
    next_cursor = None
    if len(cands) == limit and results:
        d, c = cands[-1]
        next_cursor = encode_cursor(filters.sort, _sort_value(filters, d, c), c.key)
    return Page(results=results, next_cursor=next_cursor)


def stores_nearby(
    *, lat: float, lng: float, radius_m: int, limit: int = 20, q: str | None = None, category: str | None = None,
    open_now: bool | None = None, at: datetime | None = None, min_rating: float | None = None,
    has_deals: bool | None = None, price_min: Decimal | None = None, price_max: Decimal | None = None,
    sort: str = "distance", cursor: str | None = None,
) -> list[NearbyStore]:
    """Stores within radius_m of (lat, lng), nearest first (or by `sort`). Inputs as validate_nearby gives."""
    f = validate_filters(q=q, category=category, open_now=open_now, min_rating=min_rating, has_deals=has_deals,
                         price_min=price_min, price_max=price_max, sort=sort, cursor=cursor)
    return stores_nearby_page(lat=lat, lng=lng, radius_m=radius_m, limit=limit, filters=f, at=at).results


# --- offerings ------------------------------------------------------------------------------------

def offering_candidates(
    *, lat: float, lng: float, radius_m: int, limit: int, filters: Filters = Filters(), at: datetime | None = None,
    exclude: frozenset[str] = frozenset(), explain: Explain | None = None,
) -> list[tuple[float, Candidate]]:
    """Live offerings in stock at visible stores, each once at its nearest redeemable store."""
    explain = explain or Explain()
    t = _tables()
    where, params = ["p.visible = %s", "o.status = %s", _in_stock("o")], [True, OfferingStatus.LIVE.value]
    if filters.kind:
        where.append("o.kind = %s")
        params.append(filters.kind)
    if filters.has_deals:
        where.append("o.kind = %s")
        params.append(OfferingKind.DEAL.value)
    if filters.category:
        where.append("p.category = %s")
        params.append(filters.category)
    if filters.price_min is not None or filters.price_max is not None:
        cond, ps = _price_sql("o", filters)
        where.append(cond)
        params += ps
    if filters.min_rating is not None and filters.min_rating > 0:
        where.append(f"EXISTS (SELECT 1 FROM {t['store']} s WHERE s.id = p.store_id AND s.review_count > 0 "
                     "AND s.rating_sum >= %s * s.review_count)")
        params.append(filters.min_rating)
    if filters.q:
        tc = _text_condition(filters.q, ["p.text", "LOWER(o.title)"])
        if tc is None:
            return []
        where.append(tc[0])
        params += tc[1]
    clock = Clock(at or timezone.now())
    if filters.open_now:
        cond, ps = _open_now_sql(clock)
        where.append(cond)
        params += ps
    base = (f"SELECT o.id, p.lat, p.lng, p.tz, p.week, p.closed, p.store_id FROM {t['place']} p "
            f"JOIN {t['rs']} rs ON rs.store_id = p.store_id JOIN {t['offering']} o ON o.id = rs.offering_id "
            "WHERE " + " AND ".join(where))

    fetch, accept = _reader(base, params), _acceptor(filters, exclude, clock)
    # a row: (offering_id, lat, lng, tz, week, closed, store_id)

    sel = 0.3 * (0.05 if filters.q else 1.0) * (0.6 if filters.open_now else 1.0)
    found = geo.nearest(lat=lat, lng=lng, radius_m=radius_m, limit=limit, fetch=fetch, accept=accept,
                        key=_row_key, unique=_row_key, after=filters.after,
                        density=density_near(lat, lng, filters.category), selectivity=sel, plan=explain.plan)
    return [(d, Candidate(_hex(r[0]), r[3], r[4], r[5], extra=_hex(r[6]))) for d, r in found]


def offerings_nearby_page(
    *, lat: float, lng: float, radius_m: int, limit: int = 20, filters: Filters = Filters(),
    at: datetime | None = None, explain: Explain | None = None,
) -> Page:
    at = at or timezone.now()
    clock = Clock(at)
    exclude: set[str] = set()
    for _attempt in range(4):
        cands = offering_candidates(lat=lat, lng=lng, radius_m=radius_m, limit=limit, filters=filters, at=at,
                                    exclude=frozenset(exclude), explain=explain)
        offerings = {o.pk.hex: o for o in public_offerings().filter(_quantity_left__gt=0).select_related("merchant")  # type: ignore[misc]
                     .prefetch_related("photos", "redeemable_stores")
                     .filter(pk__in=[UUID(c.key) for _d, c in cands])}
        stores = {s.pk.hex: s for s in public_stores().select_related("merchant")
                  .filter(pk__in={UUID(c.extra) for _d, c in cands})}
        missing = [c.key for _d, c in cands if c.key not in offerings or c.extra not in stores]
        if not missing:
            break
        if explain:
            explain.stale += len(missing)
        exclude.update(missing)
    results = [NearbyOffering(offering=offerings[c.key], store=stores[c.extra], distance_m=d,
                              open_now=open_at(c.week, c.closed, c.tz, clock))
               for d, c in cands if c.key in offerings and c.extra in stores]
    next_cursor = None
    if len(cands) == limit and results:
        d, c = cands[-1]
        next_cursor = encode_cursor(filters.sort, d, c.key)
    return Page(results=results, next_cursor=next_cursor)


# --- search ---------------------------------------------------------------------------------------

def search_page(
    *, q: str, lat: float, lng: float, radius_m: int, limit: int = 20, filters: Filters | None = None,
    at: datetime | None = None,
) -> Page:
    """Stores and offerings matching q around the point, nearest first, in one list."""
    f = filters or Filters(q=q)
    stores = stores_nearby_page(lat=lat, lng=lng, radius_m=radius_m, limit=limit, filters=f, at=at)
    offerings = offerings_nearby_page(lat=lat, lng=lng, radius_m=radius_m, limit=limit, filters=f, at=at)
    hits = [(r.distance_m, r.store.pk.hex, SearchHit("store", r.distance_m, r.store, r.open_now))
            for r in stores.results]
    hits += [(r.distance_m, r.offering.pk.hex, SearchHit("offering", r.distance_m, r.store, r.open_now, r.offering))
             for r in offerings.results]
    hits.sort(key=lambda h: (h[0], h[1]))
    page = hits[:limit]
    more = len(hits) > limit or stores.next_cursor is not None or offerings.next_cursor is not None
    next_cursor = encode_cursor(f.sort, page[-1][0], page[-1][1]) if page and more else None
    return Page(results=[h[2] for h in page], next_cursor=next_cursor)
