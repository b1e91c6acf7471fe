"""Writes of the discovery index (no signals):

- `search_index_stores(store_ids=...)`: the rows of these stores, from the database. Store and Merchant
  call it on every write of a field the index copies, in the same transaction (merchants.models), so no
  write path can leave a stale row; `search_index_store` and `search_index_merchant` wrap it.
- `o2o.discovery.integrity` (command `discovery_check [--fix]`): every row against its store.
- `reindex_all()`: bulk rebuild (management command `discovery_reindex`).
- `refresh_popularity()`: redemptions of the last 30 days per store (command `discovery_popularity`,
  task `o2o.discovery.tasks.refresh_popularity_task`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import override

from o2o.discovery import geo
from o2o.discovery.models import COVERING_INDEXES, DensityCell, Place, Word
from o2o.discovery.openness import HOUR_WORDS, closed_hours, encode_closed, encode_week
from o2o.discovery.text import normalise, vocabulary_words
from o2o.merchants.enums import Category, MerchantStatus
from o2o.merchants.models import Merchant, Store

POPULARITY_DAYS = 30
_CLOSED_HOURS = [f"closed_h{i}" for i in range(HOUR_WORDS)]


# Chinese words for each category, so that "餐厅" or "美食" finds restaurants whatever the UI language.
CATEGORY_WORDS_ZH = {
    "restaurant": "餐厅 美食 饭店", "renovation": "装修 装修公司", "printing": "印刷 包装 打印",
    "training": "培训 学校 教育", "estate": "房产 中介 地产", "hardware": "智能硬件 数码",
    "salon": "美发 美容 沙龙", "other": "其他",
}


@lru_cache(maxsize=64)
def _category_text(category: str) -> str:
    with override("en"):
        label = str(Category(category).label) if category in Category.values else category
    return normalise(f"{category} {label} {CATEGORY_WORDS_ZH.get(category, '')}")


def document_text(*, store_name: str, merchant_name: str, category: str, address: str) -> str:
    return " ".join([normalise(f"{store_name} {merchant_name} {address}"), _category_text(category)])


def place_row(*, store_id: Any, merchant_id: Any, merchant_status: str, merchant_name: str, category: str,
              name: str, address: str, lat: float, lng: float, tz: str, hours: dict[str, Any] | str,
              closed_dates: list[str] | None, is_active: bool, popularity: int = 0) -> dict[str, Any]:
    return {
        "store_id": store_id, "merchant_id": merchant_id, "category": category,
        "visible": bool(is_active and merchant_status == MerchantStatus.ACTIVE),
        "lat": lat, "lng": lng, **geo.cells_of(lat, lng),
        "text": document_text(store_name=name, merchant_name=merchant_name, category=category, address=address),
        "tz": tz, "week": (week := _week(hours)), "closed": encode_closed(closed_dates), "popularity": popularity,
        **dict(zip(_CLOSED_HOURS, closed_hours(week), strict=True)),
    }


def _week(hours: dict[str, Any] | str | None) -> str:
    """Encoded weekly hours; `hours` may be the JSON text straight from the database."""
    return _week_cached(hours if isinstance(hours, str) else json.dumps(hours or {}, sort_keys=True))


@lru_cache(maxsize=1024)
def _week_cached(hours_json: str) -> str:
    return encode_week(json.loads(hours_json))


def _remember_words(texts: Iterable[str]) -> None:
    words: set[str] = set()
    for t in texts:
        words |= vocabulary_words(t)
    if words:
        Word.objects.bulk_create([Word(word=w) for w in sorted(words)], ignore_conflicts=True, batch_size=2000)


def search_index_store(*, store: Store) -> Place:
    """(Re)write the store's place row from the store and its merchant (as stored in the database)."""
    search_index_stores(store_ids=[store.pk])
    return Place.objects.get(pk=store.pk)


_INDEXED_VALUES = ("pk", "merchant_id", "merchant__status", "merchant__name", "merchant__category", "name",
                   "address", "lat", "lng", "timezone", "opening_hours", "closed_dates", "is_active")


@transaction.atomic
def search_index_stores(*, store_ids: Iterable[Any], chunk: int = 1000) -> int:
    """(Re)write the place rows of these stores from the database; a store that is gone loses its row.

    The one writer of single rows: Store and Merchant (their save, queryset update, bulk_update and
    bulk_create) call it for every write of a field the row copies, in the writer's transaction, so a
    row never disagrees with its store (merchants.models). Popularity is kept. Returns the rows written."""
    ids = list(dict.fromkeys(store_ids))
    n = 0
    for i in range(0, len(ids), chunk):
        part = ids[i:i + chunk]
        popularity = dict(Place.objects.filter(store_id__in=part).values_list("store_id", "popularity"))
        rows = [place_row(store_id=sid, merchant_id=mid, merchant_status=mstatus, merchant_name=mname,
                          category=category, name=name, address=address, lat=lat, lng=lng, tz=tz, hours=hours,
                          closed_dates=closed, is_active=active, popularity=popularity.get(sid, 0))
                for (sid, mid, mstatus, mname, category, name, address, lat, lng, tz, hours, closed, active)
                in Store.objects.filter(pk__in=part).values_list(*_INDEXED_VALUES)]
        Place.objects.filter(store_id__in=part).delete()
        Place.objects.bulk_create([Place(**row) for row in rows])
        _remember_words(row["text"] for row in rows)
        n += len(rows)
    return n


def search_index_merchant(*, merchant: Merchant) -> int:
    """Re-index every store of the merchant (status, name or category changed). Returns the count."""
    return search_index_stores(store_ids=list(Store.objects.filter(merchant=merchant).values_list("pk", flat=True)))


# --- bulk -----------------------------------------------------------------------------------------

_COLUMNS = ["store_id", "merchant_id", "category", "visible", "lat", "lng", *geo.COLUMNS.values(), "text", "tz",
            "week", "closed", "popularity", *_CLOSED_HOURS]
_TEXT = _COLUMNS.index("text")


def _store_rows(chunk: int = 20000) -> Iterator[list[tuple[Any, ...]]]:
    """Every store as a place row in _COLUMNS order; raw SQL through a server-side cursor
    (no model instances, JSON kept as text). Each resolution's cell is the cell holding the point
    (not the parent of a finer cell: H3 children are not nested exactly, and the geo proof needs it)."""
    st, mt = Store._meta.db_table, Merchant._meta.db_table
    as_text = "CAST({} AS TEXT)" if connection.vendor == "postgresql" else "{}"
    sql = (f"SELECT s.id, s.merchant_id, m.status, m.name, m.category, s.name, s.address, s.lat, s.lng, s.timezone, "  # noqa: S608
           f"{as_text.format('s.opening_hours')}, {as_text.format('s.closed_dates')}, s.is_active "
           f"FROM {st} s JOIN {mt} m ON m.id = s.merchant_id")
    to_cell, resolutions = geo.h3i.latlng_to_cell, geo.RESOLUTIONS
    active = MerchantStatus.ACTIVE.value
    with connection.chunked_cursor() as cur:
        cur.execute(sql)
        while True:
            rows = cur.fetchmany(chunk)
            if not rows:
                break
            batch = []
            for (sid, mid, mstatus, mname, cat, name, address, lat, lng, tz, hours, closed, active_store) in rows:
                week = _week(hours)
                batch.append((
                    sid, mid, cat, bool(active_store) and mstatus == active, lat, lng,
                    *(to_cell(lat, lng, r) for r in resolutions),
                    " ".join([normalise(f"{name} {mname} {address}"), _category_text(cat)]), tz, week,
                    encode_closed(json.loads(closed)) if closed and closed != "[]" else "", 0, *closed_hours(week)))
            yield batch


def _write_places(batch: list[tuple[Any, ...]]) -> None:
    table = Place._meta.db_table
    cols = ", ".join(_COLUMNS)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            raw = cur.cursor  # psycopg 3: COPY is the fast path
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for r in batch:
                    copy.write_row(r)
    else:
        marks = ", ".join(["%s"] * len(_COLUMNS))
        hexed = [(r[0].hex if hasattr(r[0], "hex") else r[0], r[1].hex if hasattr(r[1], "hex") else r[1], *r[2:])
                 for r in batch]
        with connection.cursor() as cur:
            cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", hexed)  # noqa: S608


def refresh_density() -> int:
    counts: Counter[tuple[int, str]] = Counter()
    rows = Place.objects.filter(visible=True).values_list("lat", "lng", "category").iterator(chunk_size=50000)
    for lat, lng, category in rows:
        cell = geo.density_cell(lat, lng)
        counts[(cell, "")] += 1
        counts[(cell, category)] += 1
    with transaction.atomic():
        DensityCell.objects.all().delete()
        DensityCell.objects.bulk_create([DensityCell(cell=c, category=k, n=n) for (c, k), n in counts.items()],
                                        batch_size=5000)
    return len({c for c, _k in counts})


def reindex_all(*, progress: Any = None) -> int:
    """Rebuild the whole index from the stores, in bulk (COPY on PostgreSQL, executemany on SQLite).

    The cell indexes are dropped during the load and built once at the end (much faster than
    keeping six B-trees up to date row by row); all of it in one transaction, so readers see the
    old index until the new one is complete (on SQLite they wait for the writer).
    """
    n = 0
    table = Place._meta.db_table
    indexes = [(idx.name, ", ".join(idx.fields)) for idx in Place._meta.indexes]
    if connection.vendor == "postgresql":
        indexes += [(name, f"{key}) INCLUDE ({inc}") for name, (key, inc) in COVERING_INDEXES.items()]
    with transaction.atomic():
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for name, _cols in indexes:
                cur.execute(f"DROP INDEX IF EXISTS {name}")
            cur.execute(f"DELETE FROM {table}")  # noqa: S608
        for batch in _store_rows():
            _write_places(batch)
            _remember_words(r[_TEXT] for r in batch)
            n += len(batch)
            if progress:
                progress(n)
        with connection.cursor() as cur:
            for name, cols in indexes:
                cur.execute(f"CREATE INDEX {name} ON {table} ({cols})")
    refresh_density()
    refresh_popularity()
    # planner statistics: without them SQLite may drive the page query from merchants.status
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            if connection.get_autocommit():  # VACUUM cannot run in a transaction (tests wrap one)
                cur.execute(f"VACUUM ANALYZE {table}")  # also sets the visibility map for index-only scans
            else:
                cur.execute(f"ANALYZE {table}")
        else:
            cur.execute("ANALYZE")
    return n


def refresh_popularity(*, days: int = POPULARITY_DAYS) -> int:
    """Set each place's popularity to its redemptions in the last `days` days. Idempotent."""
    from o2o.vouchers.models import Voucher

    since = timezone.now() - timedelta(days=days)
    counts = _redemption_counts(Voucher, since)
    with transaction.atomic():
        Place.objects.exclude(popularity=0).exclude(store_id__in=list(counts)).update(popularity=0)
        for store_id, n in counts.items():
            Place.objects.filter(store_id=store_id).exclude(popularity=n).update(popularity=n)
    return len(counts)


def _redemption_counts(voucher_model: Any, since: Any) -> dict[Any, int]:
    from django.db.models import Count

    rows = (voucher_model.objects.filter(redeemed_at__gte=since, redeemed_store__isnull=False)
            .values("redeemed_store").annotate(n=Count("id")).values_list("redeemed_store", "n"))
    return dict(rows)
