"""The merchant's analytics page (console tab "Analytics"): the funnel and the days as charts (Chart.js,
vendored), the tables per placement, store and offering, and each as CSV, over a date range in the
merchant's timezone. The figures are analytics.report's, the API's (GET .../analytics/summary)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from o2o.analytics.report import TABLES, analytics_report, counts, csv_filename, csv_stream, funnel, rows
from o2o.analytics.selectors import merchant_timezone
from o2o.core.errors import Invalid
from o2o.merchants.access import merchant_for_staff
from o2o.web.views.common import domain_pages, error_text
from o2o.web.views.merchant import console_tabs


def _chart(report: Any) -> dict[str, Any]:
    """What the charts draw (numbers for drawing only: the page's and the CSV's money are Money)."""
    days = rows(report, "days")
    currencies = sorted({m["currency"] for d in days for m in d["revenue"]})
    main = currencies[0] if currencies else ""
    steps = funnel(report.figures.total)
    return {
        "labels": [date_format(d["day"], "MONTH_DAY_FORMAT") for d in days],
        "series": [
            {"key": "scans", "label": _("Scans"), "values": [d["scans"] for d in days]},
            {"key": "orders", "label": _("Orders"), "values": [d["orders"] for d in days]},
            {"key": "paid", "label": _("Paid"), "values": [d["paid"] for d in days]},
            {"key": "served", "label": _("Redeemed or picked up"),
             "values": [d["redeemed"] + d["picked_up"] for d in days]},
        ],
        "revenue": {"label": _("Net revenue (%(currency)s)") % {"currency": main} if main else "",
                    "values": [next((str(m["net"].amount) for m in d["revenue"] if m["currency"] == main), "0")
                               for d in days]},
        "funnel": {"labels": [s["label"] for s in steps], "values": [s["n"] for s in steps]},
    }


@login_required
@require_safe
@domain_pages
def analytics_page(request: HttpRequest, merchant_id: Any) -> HttpResponse:
    merchant, _m = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    zone = merchant_timezone(merchant)
    error = ""
    try:
        report = analytics_report(user=request.user, merchant_id=merchant.pk, date_from=request.GET.get("from"),
                                  date_to=request.GET.get("to"))
    except Invalid as exc:
        error = error_text(exc)
        report = analytics_report(user=request.user, merchant_id=merchant.pk)
    f = report.figures
    total = {**counts(f.total), "revenue": f.total.revenue()}
    steps = funnel(f.total)
    top = max((s["n"] for s in steps), default=0) or 1
    context = {
        "merchant": merchant, "tabs": console_tabs(request, merchant), "error": error, "timezone": zone,
        "from": f.first.isoformat(), "to": f.last.isoformat(), "total": total,
        "funnel": [{**s, "key": s["step"], "pct": round(100 * s["n"] / top)} for s in steps],
        "placements": rows(report, "placements"), "stores": rows(report, "stores"),
        "offerings": rows(report, "offerings")[:50], "chart": _chart(report),
        "range_query": f"from={f.first.isoformat()}&to={f.last.isoformat()}",
    }
    return render(request, "web/merchant/analytics.html", context, status=422 if error else 200)


@login_required
@require_safe
@domain_pages
def analytics_csv(request: HttpRequest, merchant_id: Any, table: str) -> HttpResponse:
    """One table of the page as CSV (the API's export.csv, for the signed-in console)."""
    if table not in TABLES:
        raise Http404()
    report = analytics_report(user=request.user, merchant_id=merchant_id, date_from=request.GET.get("from"),
                              date_to=request.GET.get("to"))
    response = StreamingHttpResponse(csv_stream(report, table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{csv_filename(report, table)}"'
    return response  # type: ignore[return-value]  # streamed: the pages' decorators only pass it on

