"""Check the discovery index against the stores it is derived from (command `discovery_check`).

Every place row is a pure function of its store and merchant (services.place_row). This module
derives each store's row again and compares it column by column with the stored one; popularity
is left out (a scheduled job refreshes it from redemptions, it is not copied from the store).
A store whose row cannot be derived (hours no service would accept), a store without a row and a
row without a store are reported too; nothing stops the walk at one bad row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from o2o.discovery.models import Place
from o2o.discovery.services import place_row, search_index_store
from o2o.merchants.models import Merchant, Store

# the columns compared: every column of the row except popularity
COLUMNS = [f.attname for f in Place._meta.concrete_fields if f.attname not in ("store_id", "popularity")]


@dataclass(frozen=True)
class Problem:
    store_id: Any
    store_name: str
    kind: str  # "mismatch", "missing" (store without row), "orphan" (row without store), "error"
    detail: str

    def __str__(self) -> str:
        name = f" ({self.store_name})" if self.store_name else ""
        return f"store {self.store_id}{name}: {self.kind}: {self.detail}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _store_chunks(chunk: int) -> Iterator[list[tuple[Any, ...]]]:
    """Stores with their merchants by ascending id, JSON columns as text (so a malformed value is one
    row's problem, not the query's)."""
    st, mt = Store._meta.db_table, Merchant._meta.db_table
    as_text = "CAST({} AS TEXT)" if connection.vendor == "postgresql" else "{}"
    sql = (f"SELECT s.id, s.merchant_id, m.status, m.name, m.category, s.name, s.address, s.lat, s.lng, "  # noqa: S608
           f"s.timezone, {as_text.format('s.opening_hours')}, {as_text.format('s.closed_dates')}, s.is_active "
           f"FROM {st} s LEFT JOIN {mt} m ON m.id = s.merchant_id WHERE s.id > %s ORDER BY s.id LIMIT %s")
    last: Any = "" if connection.vendor == "sqlite" else "00000000-0000-0000-0000-000000000000"
    while True:
        with connection.cursor() as cur:
            cur.execute(sql, [last, chunk])
            rows = cur.fetchall()
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def _as_uuid(value: Any) -> Any:
    field = Store._meta.pk
    return field.to_python(value)  # type: ignore[union-attr]


def _expected(row: tuple[Any, ...]) -> dict[str, Any]:
    (sid, mid, mstatus, mname, category, name, address, lat, lng, tz, hours, closed, active) = row
    if mstatus is None:
        raise ValueError("its merchant does not exist")
    return place_row(store_id=sid, merchant_id=_as_uuid(mid), merchant_status=mstatus, merchant_name=mname,
                     category=category, name=name, address=address, lat=lat, lng=lng, tz=tz,
                     hours=json.loads(hours) if hours else {}, closed_dates=json.loads(closed) if closed else [],
                     is_active=bool(active))


def check_index(*, chunk: int = 2000) -> Iterator[Problem]:
    """Yield every disagreement between the index and the stores, store by store."""
    for rows in _store_chunks(chunk):
        ids = [_as_uuid(r[0]) for r in rows]
        stored = {p["store_id"]: p for p in Place.objects.filter(store_id__in=ids).values("store_id", *COLUMNS)}
        for sid, row in zip(ids, rows, strict=True):
            name = row[5] or ""
            place = stored.get(sid)
            try:
                want = _expected(row)
            except Exception as exc:  # noqa: BLE001 - one store's bad data is reported, the walk goes on
                yield Problem(sid, name, "error", f"cannot derive its index row: {type(exc).__name__}: {exc}"[:300])
                continue
            if place is None:
                yield Problem(sid, name, "missing", "the store has no index row")
                continue
            diffs = [f"{col}: index has {_short(place[col])}, store says {_short(want[col])}"
                     for col in COLUMNS if place[col] != want[col]]
            if diffs:
                yield Problem(sid, name, "mismatch", "; ".join(diffs))
    yield from _orphans()


def _orphans() -> Iterator[Problem]:
    pt, st = Place._meta.db_table, Store._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"SELECT p.store_id FROM {pt} p LEFT JOIN {st} s ON s.id = p.store_id "  # noqa: S608
                    f"WHERE s.id IS NULL")
        for (sid,) in cur.fetchall():
            yield Problem(_as_uuid(sid), "", "orphan", "index row of no such store")


def repair(problem: Problem) -> str | None:
    """Re-index (or delete the orphan row of) one problem's store; returns an error text when it cannot."""
    try:
        with transaction.atomic():
            if problem.kind == "orphan":
                Place.objects.filter(store_id=problem.store_id).delete()
            else:
                search_index_store(store=Store.objects.get(pk=problem.store_id))
    except Exception as exc:  # noqa: BLE001 - reported, and the next problem is still repaired
        return f"{type(exc).__name__}: {exc}"[:300]
    return None
