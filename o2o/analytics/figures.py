"""The merchant's analytics over a range of days, from the event stream: totals and the funnel, per day,
per placement, per store and per offering, with money per currency.

Two ways to the same numbers:

- ``source="rollups"`` (the dashboards): the daily rollups (rollups.py) for every event up to their mark,
  plus the raw events past the mark (the last seconds, read by id from an index); the mark is read
  before and after, and the read is repeated when a rollup batch committed in between;
- ``source="raw"``: the same groupings straight over the raw events (what the rollups are checked
  against, in tests and in ``make bench-analytics``).

Counts are events (``redeemed`` counts vouchers, an order of two vouchers redeemed is two); `visitors`
are distinct browsers that scanned a code in the range. Money is summed as whole hundredths (exact in
SQL on both databases) and given back as Money per currency, never a float.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate

from o2o.analytics.models import NONE, DailyFigure, DailyVisitor, Dim, Event
from o2o.analytics.rollups import Zones, hundredths, rollup_add, rollup_mark
from o2o.core.events import EventKind
from o2o.core.money import Money

KINDS: tuple[str, ...] = tuple(EventKind.values)
DIMS = ("day", "placement_id", "store_id", "offering_id")


@dataclass
class Tally:
    """The figures of one slice (a day, a placement, a store, an offering, or the whole range)."""

    n: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # kind -> events
    cents: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))  # (kind, currency) -> 1/100
    visitors: int = 0

    def count(self, kind: str) -> int:
        return self.n.get(kind, 0)

    def money(self, kind: str) -> dict[str, Money]:
        """The amounts of `kind` per currency (paid, refunded ...)."""
        return {cur: Money((Decimal(c).scaleb(-2)), cur) for (k, cur), c in sorted(self.cents.items())
                if k == kind and cur}

    def revenue(self) -> list[dict[str, Any]]:
        """Per currency: paid, refunded and net (paid minus refunded)."""
        paid, refunded = self.money(EventKind.PAID), self.money(EventKind.REFUNDED)
        out = []
        for cur in sorted(set(paid) | set(refunded)):
            p, r = paid.get(cur, Money.zero(cur)), refunded.get(cur, Money.zero(cur))
            out.append({"currency": cur, "paid": p, "refunded": r, "net": p - r})
        return out

    def key(self) -> tuple[Any, ...]:
        """What two tallies are equal by (the tests compare rollups with raw)."""
        return (tuple(sorted((k, v) for k, v in self.n.items() if v)),
                tuple(sorted((k, v) for k, v in self.cents.items() if v)), self.visitors)


@dataclass
class Figures:
    first: date
    last: date
    timezone: str
    source: str
    total: Tally = field(default_factory=Tally)
    days: dict[date, Tally] = field(default_factory=lambda: defaultdict(Tally))
    placements: dict[UUID, Tally] = field(default_factory=lambda: defaultdict(Tally))
    stores: dict[UUID, Tally] = field(default_factory=lambda: defaultdict(Tally))
    offerings: dict[UUID, Tally] = field(default_factory=lambda: defaultdict(Tally))

    def by(self, dim: str) -> dict[Any, Tally]:
        tables: dict[str, dict[Any, Tally]] = {"day": self.days, "placement_id": self.placements,
                                               "store_id": self.stores, "offering_id": self.offerings}
        return tables[dim]

    def every_day(self) -> list[tuple[date, Tally]]:
        n = (self.last - self.first).days + 1
        return [(d, self.days.get(d) or Tally()) for d in (self.first + timedelta(days=i) for i in range(n))]

    def key(self) -> tuple[Any, ...]:
        return (self.total.key(), *(tuple(sorted((str(k), t.key()) for k, t in self.by(d).items() if any(t.key())))
                                    for d in DIMS))


def _add(t: Tally, kind: str, currency: str | None, n: int, cents: int) -> None:
    t.n[kind] += n
    if cents:
        t.cents[(kind, currency or "")] += cents


def _bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime.combine(first, time(0), zone), datetime.combine(last + timedelta(days=1), time(0), zone)


# --- from the rollups: one query per table, each over its own dim's rows (plus one for its visitors) ---

SECTIONS = ("totals", "days", "placements", "stores", "offerings")
_SECTION_DIM = {"totals": Dim.ALL, "days": Dim.ALL, "placements": Dim.PLACEMENT, "stores": Dim.STORE,
                "offerings": Dim.OFFERING}
_SECTION_FIELD = {"days": "day", "placements": "placement_id", "stores": "store_id", "offerings": "offering_id"}


def _target(f: Figures, section: str, key: Any) -> Tally:
    return f.total if section == "totals" else f.by(_SECTION_FIELD[section])[key]


def rollup_section(f: Figures, merchant_id: UUID, section: str) -> None:
    """One table of the dashboard from the rollups (without the tail)."""
    rows = DailyFigure.objects.filter(merchant_id=merchant_id, dim=_SECTION_DIM[section], day__gte=f.first,
                                      day__lte=f.last)
    group = {"totals": (), "days": ("day",)}.get(section, ("ref",))
    for r in rows.values(*group, "kind", "currency").annotate(sn=Sum("n"), sc=Sum("cents")).order_by():
        _add(_target(f, section, r[group[0]] if group else None), r["kind"], r["currency"], r["sn"], r["sc"])
    seen = DailyVisitor.objects.filter(merchant_id=merchant_id, day__gte=f.first, day__lte=f.last)
    if section == "totals":
        f.total.visitors = seen.aggregate(v=Count("visitor_id", distinct=True))["v"] or 0
    elif section == "days":
        for r in seen.values("day").annotate(v=Count("visitor_id", distinct=True)).order_by():
            f.days[r["day"]].visitors = r["v"]
    elif section == "placements":
        for r in seen.values("placement_id").annotate(v=Count("visitor_id", distinct=True)).order_by():
            f.placements[r["placement_id"]].visitors = r["v"]


def _from_rollups(merchant_id: UUID, first: date, last: date, mark: int, zone: ZoneInfo,
                  sections: tuple[str, ...] = SECTIONS) -> Figures:
    f = Figures(first=first, last=last, timezone=str(zone), source="rollups")
    for section in sections:
        rollup_section(f, merchant_id, section)
    _add_tail(f, merchant_id, mark, zone, sections)
    return f


def _add_tail(f: Figures, merchant_id: UUID, mark: int, zone: ZoneInfo, sections: tuple[str, ...]) -> None:
    """The events past the rollups' mark (not rolled up yet), added as the rollup would add them. Read by
    (merchant, id) alone, its index's range; the days are checked here."""
    start, end = _bounds(f.first, f.last, zone)
    tail = [row for row in Event.objects.filter(merchant_id=merchant_id, id__gt=mark).values_list(
        "id", "merchant_id", "at", "kind", "store_id", "placement_id", "offering_id", "currency", "amount",
        "visitor_id") if start <= row[2] < end]
    if not tail:
        return
    want = set(sections)
    new_total: set[int] = set()
    new_day: dict[date, set[int]] = defaultdict(set)
    new_placement: dict[UUID, set[int]] = defaultdict(set)
    for _id, _m, at, kind, store, placement, offering, currency, amount, visitor in tail:
        day = at.astimezone(zone).date()
        c = hundredths(amount)
        for section, t in (("totals", f.total), ("days", f.days[day]), ("placements", f.placements[placement or NONE]),
                           ("stores", f.stores[store or NONE]), ("offerings", f.offerings[offering or NONE])):
            if section in want:
                _add(t, kind, currency, 1, c)
        if kind == EventKind.SCAN and visitor is not None:
            new_total.add(visitor)
            new_day[day].add(visitor)
            new_placement[placement or NONE].add(visitor)
    if not new_total:
        return
    seen = DailyVisitor.objects.filter(merchant_id=merchant_id, day__gte=f.first, day__lte=f.last,
                                       visitor_id__in=new_total)
    if "totals" in want:
        f.total.visitors += len(new_total - set(seen.values_list("visitor_id", flat=True)))
    known_day: dict[date, set[int]] = defaultdict(set)
    known_placement: dict[UUID, set[int]] = defaultdict(set)
    for day, placement, visitor in seen.values_list("day", "placement_id", "visitor_id"):
        known_day[day].add(visitor)
        known_placement[placement].add(visitor)
    for day, vs in new_day.items() if "days" in want else ():
        f.days[day].visitors += len(vs - known_day[day])
    for placement, vs in new_placement.items() if "placements" in want else ():
        f.placements[placement].visitors += len(vs - known_placement[placement])


# --- from the raw events ---

def raw_section(f: Figures, merchant_id: UUID, section: str, zone: ZoneInfo) -> None:
    """One table of the dashboard straight from the raw events (the naive query)."""
    start, end = _bounds(f.first, f.last, zone)
    events = Event.objects.filter(merchant_id=merchant_id, at__gte=start, at__lt=end)
    day = TruncDate("at", tzinfo=zone)
    scans = events.filter(Q(kind=EventKind.SCAN) & Q(visitor_id__isnull=False))
    if section == "totals":
        for r in events.values("kind", "currency").annotate(sn=Count("id"), sa=Sum("amount")).order_by():
            _add(f.total, r["kind"], r["currency"], r["sn"], hundredths(r["sa"]))
        f.total.visitors = scans.aggregate(v=Count("visitor_id", distinct=True))["v"] or 0
        return
    dim = _SECTION_FIELD[section]
    target = f.by(dim)
    qs = events.annotate(day=day) if dim == "day" else events
    for r in qs.values(dim, "kind", "currency").annotate(sn=Count("id"), sa=Sum("amount")).order_by():
        _add(target[r[dim] or NONE], r["kind"], r["currency"], r["sn"], hundredths(r["sa"]))
    if section == "days":
        for d in scans.annotate(day=day).values("day").annotate(v=Count("visitor_id", distinct=True)).order_by():
            f.days[d["day"]].visitors = d["v"]
    elif section == "placements":
        for p in scans.values("placement_id").annotate(v=Count("visitor_id", distinct=True)).order_by():
            f.placements[p["placement_id"] or NONE].visitors = p["v"]


def _from_raw(merchant_id: UUID, first: date, last: date, zone: ZoneInfo,
              sections: tuple[str, ...] = SECTIONS) -> Figures:
    f = Figures(first=first, last=last, timezone=str(zone), source="raw")
    for section in sections:
        raw_section(f, merchant_id, section, zone)
    return f


def merchant_figures(*, merchant_id: UUID, first: date, last: date, tz: str, source: str = "rollups",
                     sections: tuple[str, ...] = SECTIONS) -> Figures:
    """The figures of the merchant's days first..last (both included, in `tz`): all its tables, or only
    `sections`. Tenancy is the caller's (report.analytics_report)."""
    zone = ZoneInfo(tz)
    if source == "raw":
        return _from_raw(merchant_id, first, last, zone, sections)
    for _attempt in range(5):
        before = rollup_mark()
        f = _from_rollups(merchant_id, first, last, before, zone, sections)
        if rollup_mark() == before:  # no batch committed meanwhile: rollups and tail do not overlap
            return f
    return _from_raw(merchant_id, first, last, zone, sections)  # the worker outpaces us: the slow, exact way


__all__ = ["SECTIONS", "Figures", "Tally", "merchant_figures", "rollup_add", "Zones"]
