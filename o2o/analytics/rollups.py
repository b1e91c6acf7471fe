"""The rollups of the event stream: daily figures per merchant, store, placement, offering and currency.

The worker (tasks.py, every few seconds) reads the events past the high-water mark (RollupMark) in id
order, adds each batch's counts and amounts to its days' rows (DailyFigure: the merchant's day, and
the day of the event's store, placement and offering; one upsert that adds) and
its scanners to DailyVisitor, and moves the mark, all in one transaction holding the mark's row lock:

- incremental: each event is read once, never a day or a merchant recomputed from scratch;
- idempotent: a batch and its mark commit together, so a re-run (or a second worker, which waits on
  the lock) starts after it and adds nothing twice; a worker killed mid-batch leaves nothing;
- late events (an `at` days back, written now) get a new id, so the next batch adds them to their day.

Ids are handed out before commit, so an event may become visible after a higher id did. The worker
therefore reads only up to the highest id it saw at least SETTLE ago (a transaction open longer than
that is the one case the mark would step over). The dashboards lose nothing by that lag: they read
the rollups plus the raw events past the mark (selectors.figures), which is exactly the raw figures.

Days are the merchant's own (its stores' timezone, selectors.merchant_timezone) at the time an event
is rolled up.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from o2o.analytics.models import NONE, DailyFigure, DailyVisitor, Dim, Event, RollupMark
from o2o.core.events import EventKind

MARK = "events"
ALL, STORE, PLACEMENT, OFFERING = (str(d.value) for d in (Dim.ALL, Dim.STORE, Dim.PLACEMENT, Dim.OFFERING))
BATCH = 20_000
SETTLE = timedelta(seconds=10)

# (merchant, dim, day, kind, ref, currency) -> [n, hundredths]
Key = tuple[UUID, str, date, str, UUID, str]


def hundredths(amount: Decimal | None) -> int:
    """An event's amount (two decimal places) as a whole number of hundredths: SQL sums those exactly."""
    if amount is None:
        return 0
    return int(Decimal(amount).scaleb(2).to_integral_value())


class Zones:
    """Each merchant's timezone, read once per run (the stores' most common one, the site's without any)."""

    def __init__(self) -> None:
        self._known: dict[UUID, ZoneInfo] = {}

    def of(self, merchant_ids: set[UUID]) -> dict[UUID, ZoneInfo]:
        from o2o.merchants.models import Store

        missing = merchant_ids - self._known.keys()
        if missing:
            counts: dict[UUID, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            for mid, tz, active in Store.objects.filter(merchant_id__in=missing).values_list(
                    "merchant_id", "timezone", "is_active"):
                counts[mid][tz] += 2 if active else 1  # as merchant_timezone: active stores first
            for mid in missing:
                zones = counts.get(mid)
                name = sorted(zones.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if zones else settings.TIME_ZONE
                self._known[mid] = ZoneInfo(str(name))
        return self._known


def _upsert(figures: dict[Key, list[int]], visitors: set[tuple[UUID, date, UUID, int]]) -> None:
    """Add the batch's counts to their rows: one INSERT .. ON CONFLICT DO UPDATE that adds (PostgreSQL:
    one statement over arrays; SQLite 3.24+: multi-row VALUES, a few hundred rows a statement). Keys are
    unique within a batch, so no row is touched twice by one statement."""
    table = DailyFigure._meta.db_table
    vtable = DailyVisitor._meta.db_table
    cols = "merchant_id, dim, day, kind, ref, currency"
    add = (f"ON CONFLICT ({cols}) DO UPDATE SET n = {table}.n + excluded.n, cents = {table}.cents + excluded.cents")
    vcols = "merchant_id, day, placement_id, visitor_id"
    keep = f"ON CONFLICT ({vcols}) DO NOTHING"
    frows = [(m, dim, d, k, ref, c, nc[0], nc[1]) for (m, dim, d, k, ref, c), nc in figures.items()]
    vrows = sorted(visitors)
    # Only model table and column names and placeholders go into these strings (S608: no input does).
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            if frows:
                cur.execute(f"INSERT INTO {table} ({cols}, n, cents) SELECT * FROM unnest(%s::uuid[], %s::text[], "  # noqa: S608
                            f"%s::date[], %s::text[], %s::uuid[], %s::text[], %s::int[], %s::bigint[]) {add}",
                            [list(col) for col in zip(*frows, strict=True)])
            if vrows:
                cur.execute(f"INSERT INTO {vtable} ({vcols}) SELECT * FROM unnest(%s::uuid[], %s::date[], %s::uuid[], "  # noqa: S608
                            f"%s::bigint[]) {keep}", [list(col) for col in zip(*vrows, strict=True)])
            return
        # SQLite keeps UUIDs as 32 hex digits (as Django writes them)
        step = 400
        for lo in range(0, len(frows), step):
            part = frows[lo:lo + step]
            cur.execute(f"INSERT INTO {table} ({cols}, n, cents) VALUES "  # noqa: S608
                        + ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(part)) + f" {add}",
                        [v for m, dim, d, k, ref, c, n, cents in part
                         for v in (m.hex, dim, d.isoformat(), k, ref.hex, c, n, cents)])
        for lo in range(0, len(vrows), step):
            vpart = vrows[lo:lo + step]
            cur.execute(f"INSERT INTO {vtable} ({vcols}) VALUES "  # noqa: S608
                        + ", ".join(["(%s, %s, %s, %s)"] * len(vpart)) + f" {keep}", [v for m, d, pl, vi in vpart for v in (m.hex, d.isoformat(), pl.hex, vi)])


def rollup_add(rows: list[tuple[Any, ...]], zones: Zones) -> None:
    """Add events (id, merchant_id, at, kind, store_id, placement_id, offering_id, currency, amount,
    visitor_id) to the rollups. Call it in the transaction that moves the mark past them."""
    zone_of = zones.of({r[1] for r in rows})
    figures: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    visitors: set[tuple[UUID, date, UUID, int]] = set()
    for _id, mid, at, kind, store, placement, offering, currency, amount, visitor in rows:
        day = at.astimezone(zone_of[mid]).date()
        cents = hundredths(amount)
        currency = currency or ""
        for dim, ref in ((ALL, NONE), (STORE, store or NONE), (PLACEMENT, placement or NONE),
                         (OFFERING, offering or NONE)):
            f = figures[(mid, dim, day, kind, ref, currency)]
            f[0] += 1
            f[1] += cents
        if kind == EventKind.SCAN and visitor is not None:
            visitors.add((mid, day, placement or NONE, visitor))
    _upsert(figures, visitors)


def _settled_high(mark: RollupMark, now: datetime, settle: timedelta) -> int:
    """The highest id safe to read (seen at least `settle` ago); notes the current highest for later."""
    if not settle:
        return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    high = mark.last_id
    if mark.seen_at is not None and mark.seen_at <= now - settle:
        high = max(high, mark.seen_id)
        mark.seen_at = None
    if mark.seen_at is None:
        mark.seen_id = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
        mark.seen_at = now
    return high


def rollup_run(*, batch: int = BATCH, settle: timedelta = SETTLE, now: datetime | None = None,
               max_batches: int | None = None) -> int:
    """Roll up the settled events past the mark, `batch` at a time; returns how many were added."""
    now = now or timezone.now()
    zones = Zones()
    done = 0
    with transaction.atomic():
        RollupMark.objects.get_or_create(name=MARK)
        mark = RollupMark.objects.select_for_update().get(name=MARK)
        high = _settled_high(mark, now, settle)
        mark.save(update_fields=["seen_id", "seen_at"])
    batches = 0
    while max_batches is None or batches < max_batches:
        with transaction.atomic():
            mark = RollupMark.objects.select_for_update().get(name=MARK)
            rows = list(Event.objects.filter(id__gt=mark.last_id, id__lte=high).order_by("id").values_list(
                "id", "merchant_id", "at", "kind", "store_id", "placement_id", "offering_id", "currency", "amount",
                "visitor_id")[:batch])
            if not rows:
                break
            rollup_add(rows, zones)
            mark.last_id = rows[-1][0]
            mark.updated_at = timezone.now()
            mark.save(update_fields=["last_id", "updated_at"])
        done += len(rows)
        batches += 1
    return done


def rollup_mark() -> int:
    """Every event with an id up to this one is in the rollups."""
    return RollupMark.objects.filter(name=MARK).values_list("last_id", flat=True).first() or 0
