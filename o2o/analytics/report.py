"""The merchant's analytics report: figures.merchant_figures with names, costs and ROI, as the API, the
console page and the CSV export show it (one shape for all three). Owners and managers only."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from django.utils.translation import gettext as _

from o2o.analytics.figures import Figures, Tally, merchant_figures
from o2o.analytics.models import NONE
from o2o.analytics.placements import date_range
from o2o.analytics.selectors import merchant_timezone
from o2o.campaigns.models import Placement
from o2o.catalogue.models import Offering
from o2o.core.errors import Invalid
from o2o.core.events import EventKind
from o2o.core.money import Money, exponent
from o2o.merchants.access import merchant_for_staff
from o2o.merchants.models import Merchant, Store

SOURCES = ("rollups", "raw")
# Each event kind's column in the report (API, CSV).
COLUMNS = {EventKind.SCAN: "scans", EventKind.VIEW: "views", EventKind.ORDER: "orders", EventKind.PAID: "paid",
           EventKind.REDEEMED: "redeemed", EventKind.PICKED_UP: "picked_up", EventKind.BOOKED: "booked",
           EventKind.CHECKED_IN: "checked_in", EventKind.REVIEWED: "reviewed", EventKind.REFUNDED: "refunded"}
COUNTS = ("scans", "visitors", "views", "orders", "paid", "redeemed", "picked_up", "booked", "checked_in",
          "reviewed", "refunded")
TABLES = ("days", "placements", "stores", "offerings")


@dataclass
class Report:
    merchant: Merchant
    figures: Figures


def counts(t: Tally) -> dict[str, int]:
    out = {col: t.count(kind) for kind, col in COLUMNS.items()}
    out["visitors"] = t.visitors
    return {k: out[k] for k in COUNTS}


def funnel(t: Tally) -> list[dict[str, Any]]:
    """scan -> visit -> order -> paid -> redeemed or picked up -> reviewed."""
    steps = [("scans", _("Scans"), t.count(EventKind.SCAN)), ("visitors", _("Visitors"), t.visitors),
             ("orders", _("Orders"), t.count(EventKind.ORDER)), ("paid", _("Paid"), t.count(EventKind.PAID)),
             ("served", _("Redeemed or picked up"), t.count(EventKind.REDEEMED) + t.count(EventKind.PICKED_UP)),
             ("reviewed", _("Reviewed"), t.count(EventKind.REVIEWED))]
    return [{"step": key, "label": label, "n": n} for key, label, n in steps]


def roi(net: Money | None, cost: Money) -> Decimal | None:
    if not cost.amount:
        return None
    gained = net.amount if net is not None and net.currency == cost.currency else Decimal(0)
    return ((gained - cost.amount) / cost.amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _net_in(t: Tally, currency: str) -> Money | None:
    for r in t.revenue():
        if r["currency"] == currency:
            net: Money = r["net"]
            return net
    return None


def analytics_report(*, user: Any, merchant_id: Any, date_from: Any = None, date_to: Any = None,
                     source: Any = "rollups", now: datetime | None = None) -> Report:
    """The report over `from`..`to` (the merchant's days, both included; the last 30 by default)."""
    merchant, _m = merchant_for_staff(user=user, merchant_id=merchant_id, manage=True)
    if source not in SOURCES:
        raise Invalid(_("Some fields are not valid."), fields={
            "source": _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(SOURCES)}})
    tz = merchant_timezone(merchant)
    first, last = date_range(date_from=date_from, date_to=date_to, tz=tz, now=now)
    return Report(merchant=merchant, figures=merchant_figures(merchant_id=merchant.pk, first=first, last=last,
                                                              tz=tz, source=str(source)))


def rows(report: Report, table: str) -> list[dict[str, Any]]:
    """One table of the report, each row its label, counts and money (Money objects)."""
    f = report.figures
    out: list[dict[str, Any]] = []
    if table == "days":
        for day, t in f.every_day():
            out.append({"day": day, **counts(t), "revenue": t.revenue()})
    elif table == "placements":
        known = list(Placement.objects.filter(merchant=report.merchant).select_related("campaign")
                     .order_by("-campaign__created_at", "created_at"))
        for p in known:
            t = f.placements.get(p.pk) or Tally()
            out.append({"placement_id": p.pk, "name": p.name, "kind": p.kind, "code": p.code,
                        "campaign_id": p.campaign_id, "campaign": p.campaign.name, **counts(t), "revenue": t.revenue(),
                        "cost": p.cost, "roi": roi(_net_in(t, p.currency), p.cost)})
        rest = f.placements.get(NONE)
        if rest is not None:
            out.append({"placement_id": None, "name": _("No placement"), "kind": "", "code": "", "campaign_id": None,
                        "campaign": "", **counts(rest), "revenue": rest.revenue(), "cost": None, "roi": None})
    elif table == "stores":
        for s in Store.objects.filter(merchant=report.merchant).order_by("name"):
            t = f.stores.get(s.pk) or Tally()
            out.append({"store_id": s.pk, "name": s.name, **counts(t), "revenue": t.revenue()})
        rest = f.stores.get(NONE)
        if rest is not None:
            out.append({"store_id": None, "name": _("No store"), **counts(rest), "revenue": rest.revenue()})
    elif table == "offerings":
        ids = [k for k in f.offerings if k != NONE]
        titles = dict(Offering.objects.filter(merchant=report.merchant, pk__in=ids).values_list("pk", "title"))
        for oid in sorted(ids, key=lambda k: (-f.offerings[k].count(EventKind.PAID), titles.get(k, ""), str(k))):
            if oid not in titles:
                continue
            t = f.offerings[oid]
            out.append({"offering_id": oid, "title": titles[oid], **counts(t), "revenue": t.revenue()})
        rest = f.offerings.get(NONE)
        if rest is not None:
            out.append({"offering_id": None, "title": _("Several or none"), **counts(rest), "revenue": rest.revenue()})
    else:
        raise Invalid(_("Some fields are not valid."), fields={
            "table": _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(TABLES)}})
    return out


def plain(m: Money) -> str:
    """An amount for a spreadsheet: digits and the currency's own decimal places, no grouping, no symbol."""
    return f"{m.amount:.{exponent(m.currency)}f}"


def _id(value: UUID | None) -> str:
    return str(value) if value else ""


def csv_rows(report: Report, table: str) -> Iterator[list[str]]:
    """The table as CSV rows, its header first: one row per slice and currency (money as plain decimals
    with the currency's own places, e.g. 1234.50; a slice with no money has one row, currency empty)."""
    found = rows(report, table)
    label = {"days": ["day"], "placements": ["placement_id", "campaign", "name", "kind", "code"],
             "stores": ["store_id", "name"], "offerings": ["offering_id", "title"]}[table]
    extra = ["cost", "roi"] if table == "placements" else []
    yield [*label, *COUNTS, "currency", "paid_amount", "refunded_amount", "net_amount", *extra]
    for r in found:
        head = [r["day"].isoformat()] if table == "days" else [
            _id(r[label[0]]), *(str(r[k]) for k in label[1:])]
        nums = [str(r[k]) for k in COUNTS]
        tail = []
        if table == "placements":
            tail = [plain(r["cost"]) if r["cost"] is not None else "", str(r["roi"]) if r["roi"] is not None else ""]
        money_rows = r["revenue"] or [None]
        for m in money_rows:
            cells = ["", "", "", ""] if m is None else [m["currency"], plain(m["paid"]), plain(m["refunded"]),
                                                         plain(m["net"])]
            yield [*head, *nums, *cells, *tail]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(report: Report, table: str) -> Iterator[str]:
    """The table as CSV text, a line at a time (UTF-8 with a BOM first, so spreadsheet programs read the
    Chinese names). An unknown table raises Invalid here, before the first line."""
    writer = csv.writer(_Echo())
    lines = csv_rows(report, table)
    header = next(lines)

    def stream() -> Iterator[str]:
        yield "\ufeff"
        yield writer.writerow(header)
        for line in lines:
            yield writer.writerow(line)

    return stream()


def csv_filename(report: Report, table: str) -> str:
    return f"analytics-{table}-{report.figures.first.isoformat()}-{report.figures.last.isoformat()}.csv"
