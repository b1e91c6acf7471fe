"""The merchant's analytics on the event stream (API.md "Analytics"): the funnel, days, placements, stores
and offerings over a range, from the rollups (or the raw events, to check them); the same as CSV."""

from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Query, Router, Schema

from o2o.analytics.report import (
    COUNTS,
    TABLES,
    analytics_report,
    counts,
    csv_filename,
    csv_stream,
    funnel,
    rows,
)
from o2o.api.auth import AUTH, me
from o2o.api.errors import ErrorOut
from o2o.api.schemas import MoneyOut
from o2o.api.serializers import money

router = Router(tags=["analytics"], auth=AUTH)
_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class RevenueOut(Schema):
    currency: str
    paid: MoneyOut
    refunded: MoneyOut
    net: MoneyOut = Field(..., description="paid minus refunded")


class CountsOut(Schema):
    scans: int
    visitors: int = Field(..., description="distinct browsers that scanned a code")
    views: int
    orders: int
    paid: int
    redeemed: int = Field(..., description="vouchers redeemed at the counter")
    picked_up: int
    booked: int
    checked_in: int
    reviewed: int
    refunded: int
    revenue: list[RevenueOut]


class DayOut(CountsOut):
    day: str


class PlacementRowOut(CountsOut):
    placement_id: str | None = Field(..., description="null: what came with no placement")
    campaign_id: str | None
    campaign: str
    name: str
    kind: str
    code: str
    cost: MoneyOut | None
    roi: str | None = Field(None, description="(net revenue - cost) / cost; null when the cost is 0")


class StoreRowOut(CountsOut):
    store_id: str | None
    name: str


class OfferingRowOut(CountsOut):
    offering_id: str | None = Field(..., description="null: orders of several offerings, or none")
    title: str


class StepOut(Schema):
    step: str
    label: str
    n: int


class SummaryOut(Schema):
    source: str
    timezone: str
    date_from: str = Field(..., alias="from")
    date_to: str = Field(..., alias="to")
    funnel: list[StepOut]
    totals: CountsOut
    days: list[DayOut]
    placements: list[PlacementRowOut]
    stores: list[StoreRowOut]
    offerings: list[OfferingRowOut]


def _row_out(r: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in r.items():
        if k == "revenue":
            out[k] = [{"currency": m["currency"], "paid": money(m["paid"]), "refunded": money(m["refunded"]),
                       "net": money(m["net"])} for m in v]
        elif k == "cost":
            out[k] = money(v) if v is not None else None
        elif k in COUNTS:
            out[k] = v
        elif k == "day":
            out[k] = v.isoformat()
        else:
            out[k] = None if v is None else str(v)
    return out


@router.get("/merchants/{merchant_id}/analytics/summary", response={200: SummaryOut, **_ERRORS}, by_alias=True)
def analytics_summary(request: HttpRequest, merchant_id: str,  # type: ignore[no-untyped-def]
                      date_from: str | None = Query(None, alias="from", max_length=32),
                      date_to: str | None = Query(None, alias="to", max_length=32),
                      source: str = Query("rollups", max_length=16)):
    """Owners and managers (a clerk: 403; not staff: 404). The days `from`..`to` (YYYY-MM-DD in the
    merchant's timezone, both included; default the last 30 days; backwards or over 366 days -> 422
    `invalid_range`). The funnel is scans -> visitors -> orders -> paid -> redeemed or picked up ->
    reviewed. `source=rollups` (default) reads the daily rollups plus the events not rolled up yet;
    `source=raw` computes the same from the raw events (slower; the figures are equal)."""
    report = analytics_report(user=me(request), merchant_id=merchant_id, date_from=date_from, date_to=date_to,
                              source=source)
    f = report.figures
    total = {**counts(f.total), "revenue": f.total.revenue()}
    return {"source": f.source, "timezone": f.timezone, "from": f.first.isoformat(), "to": f.last.isoformat(),
            "funnel": funnel(f.total), "totals": _row_out(total),
            **{table: [_row_out(r) for r in rows(report, table)] for table in TABLES}}


@router.get("/merchants/{merchant_id}/analytics/export.csv", response={200: None, **_ERRORS},
            openapi_extra={"responses": {"200": {"description": "CSV, a header row first",
                                                 "content": {"text/csv": {"schema": {"type": "string"}}}}}})
def analytics_export(request: HttpRequest, merchant_id: str,  # type: ignore[no-untyped-def]
                     table: str = Query("days", max_length=16, description="days, placements, stores or offerings"),
                     date_from: str | None = Query(None, alias="from", max_length=32),
                     date_to: str | None = Query(None, alias="to", max_length=32)):
    """The summary's table `table` as CSV: one row per slice and currency, money as plain decimals in the
    currency's own places (`1234.50`), never rounded through a float. Same access and range rules."""
    report = analytics_report(user=me(request), merchant_id=merchant_id, date_from=date_from, date_to=date_to)
    response = StreamingHttpResponse(csv_stream(report, table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{csv_filename(report, table)}"'
    return response
