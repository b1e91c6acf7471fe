"""Campaign pages: the short link a placement's QR carries (/q/<code>), its QR image, and the print
sheets (an A4 flyer, a folding table tent) as PDF and PNG for the merchant."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST, require_safe

from o2o.accounts.models import User
from o2o.analytics.placements import PlacementFigures, date_range, placement_figures
from o2o.analytics.selectors import merchant_timezone
from o2o.campaigns.enums import AttributionModel
from o2o.campaigns.models import Placement
from o2o.campaigns.selectors import (
    VISITOR_COOKIE,
    VISITOR_COOKIE_MAX_AGE,
    campaigns_of_merchant,
    placement_by_code,
    placement_by_code_any,
    placement_for_staff,
    window_days,
)
from o2o.campaigns.services import campaign_create, code_normal, placement_set_active, scan_record
from o2o.catalogue.enums import OfferingKind, OfferingStatus
from o2o.catalogue.models import StoreStock
from o2o.core.errors import DomainError, Invalid
from o2o.core.money import Money
from o2o.core.ratelimit import RateLimited, client_address
from o2o.merchants.access import merchant_for_staff
from o2o.merchants.models import Store
from o2o.web.campaign_forms import CampaignForm, campaign_targets
from o2o.web.pdf import pdf_render, pdf_response
from o2o.web.qr import qr_png
from o2o.web.views.common import apply_error, domain_pages, error_text
from o2o.web.views.merchant import console_tabs

SHEETS = {"flyer": "web/print/flyer.html", "table-tent": "web/print/table_tent.html"}
# Link previews and crawlers that open a short link posted in a chat or on a page: redirected, not counted.
_ROBOT = re.compile(r"bot|crawl|spider|slurp|preview|facebookexternalhit|embedly|whatsapp|telegram|curl|wget|python-",
                    re.IGNORECASE)


def _is_robot(request: HttpRequest) -> bool:
    return request.method == "HEAD" or bool(_ROBOT.search(request.META.get("HTTP_USER_AGENT", "")))


def _landing(placement: Placement) -> str | None:
    """The page a scan of this placement lands on: the deal's page (a product: its store's menu), or the
    store's page; None when the target is gone (an ended deal, a closed store)."""
    offering = placement.target_offering
    if offering is not None:
        if offering.status != OfferingStatus.LIVE:
            return None
        if offering.kind == OfferingKind.PRODUCT:
            stock = StoreStock.objects.filter(offering=offering, store__is_active=True).values_list(
                "store_id", flat=True).first()
            if stock is not None:
                return reverse("web:store_order", kwargs={"store_id": stock})
        return reverse("web:deal", kwargs={"offering_id": offering.pk})
    store = placement.target_store
    if store is None or not store.is_active:
        return None
    return reverse("web:store", kwargs={"store_id": store.pk})


def _unknown(request: HttpRequest) -> HttpResponse:
    response = render(request, "web/campaigns/unknown_code.html", status=404)
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def scan(request: HttpRequest, code: str) -> HttpResponse:
    """A scan of a placement's QR (or a tap on its short link): counted, then on to the target's page, with
    the first-party visitor cookie that ties this browser's later orders to the scan."""
    placement = placement_by_code(code_normal(code))
    landing = _landing(placement) if placement is not None else None
    if placement is None or landing is None:
        return _unknown(request)
    if _is_robot(request):  # no scan, no cookie: a preview is not a person in front of the poster
        preview = HttpResponseRedirect(landing)
        preview["Cache-Control"] = "no-store"
        return preview
    try:
        result = scan_record(placement=placement, visitor_key=getattr(request, "visitor_key", None),
                             user=request.user, address=client_address(request))
    except RateLimited as exc:
        response = render(request, "web/campaigns/slow_down.html", {"landing": landing,
                                                                    "retry_after": exc.retry_after}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        response["Cache-Control"] = "no-store"
        return response
    response = HttpResponseRedirect(landing)
    response["Cache-Control"] = "no-store"  # a cached redirect would skip counting the next scan
    response.set_cookie(VISITOR_COOKIE, result.visitor_key, max_age=VISITOR_COOKIE_MAX_AGE, path="/",
                        secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")
    return response


@require_safe
def scan_qr(request: HttpRequest, code: str) -> HttpResponse:
    """The placement's QR as a PNG (the absolute short link). Only for a code that exists."""
    normal = code_normal(code)
    placement = placement_by_code_any(normal)
    if placement is None:
        raise Http404(_("No such code."))
    try:
        scale = min(max(int(request.GET.get("scale", 10)), 2), 40)
    except ValueError:
        scale = 10
    png = qr_png(request.build_absolute_uri(reverse("web:scan", kwargs={"code": placement.code})), scale=scale)
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    response["Content-Disposition"] = f'inline; filename="qr-{placement.code}.png"'
    return response


def _sheet_context(request: HttpRequest, placement: Placement) -> dict[str, Any]:
    offering = placement.target_offering
    store: Store | None = placement.target_store
    if store is None and offering is not None:
        store = offering.redeemable_stores.filter(is_active=True).order_by("created_at").first()
    merchant = placement.merchant
    if offering is not None:
        headline = offering.title
        cta = _("Scan to get this deal")
    else:
        headline = merchant.name
        cta = _("Scan to see our deals")
    return {"placement": placement, "offering": offering, "store": store, "merchant": merchant,
            "headline": headline, "cta": cta,
            "short_url": request.build_absolute_uri(reverse("web:scan", kwargs={"code": placement.code})),
            "sheet_title": f"{merchant.name} · {placement.name}"}


def _png_pages(pdf: bytes, *, dpi: int = 150) -> bytes:
    """The sheet's first page as a PNG (what a merchant posts or sends to a print shop's preview)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        image = doc[0].render(scale=dpi / 72).to_pil()
    finally:
        doc.close()
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


@login_required
@domain_pages
@require_safe
def placement_sheet(request: HttpRequest, merchant_id: Any, placement_id: Any, sheet: str,
                    fmt: str = "pdf") -> HttpResponse:
    """A print-ready sheet of the placement: `flyer` (A4 portrait) or `table-tent` (A4 landscape, folded
    in half: both halves read upright on the table). PDF, or its first page as a PNG."""
    template = SHEETS.get(sheet)
    if template is None:
        raise Http404()
    placement = placement_for_staff(user=cast(User, request.user), merchant_id=merchant_id,
                                    placement_id=placement_id)
    pdf = pdf_render(template=template, context=_sheet_context(request, placement), request=request)
    name = f"{sheet}-{placement.code}"
    if fmt == "png":
        response = HttpResponse(_png_pages(pdf), content_type="image/png")
        response["Content-Disposition"] = f'inline; filename="{name}.png"'
        response["Cache-Control"] = "private, no-store"
        return response
    return pdf_response(pdf, filename=f"{name}.pdf")


# --- the merchant console: campaigns, their print sheets and the funnel per placement ---

FUNNEL = (("scans", _lazy("Scans")), ("visitors", _lazy("Visitors")), ("orders", _lazy("Orders")),
          ("paid", _lazy("Paid")), ("redemptions", _lazy("Redeemed")), ("reviews", _lazy("Reviewed")),
          ("repeat", _lazy("Came back")))


def _funnel(rows: list[PlacementFigures]) -> list[dict[str, Any]]:
    totals = {key: sum(getattr(f, key) for f in rows) for key, _label in FUNNEL}
    top = max(totals.values()) or 1
    return [{"key": key, "label": label, "n": totals[key], "pct": round(100 * totals[key] / top)}
            for key, label in FUNNEL]


def _money_totals(rows: list[PlacementFigures]) -> list[dict[str, Any]]:
    by: dict[str, dict[str, Decimal]] = {}
    for f in rows:
        t = by.setdefault(f.placement.currency, {"cost": Decimal(0), "revenue": Decimal(0)})
        t["cost"] += f.placement.cost_amount
        t["revenue"] += f.revenue
    out = []
    for currency, t in sorted(by.items()):
        roi = ((t["revenue"] - t["cost"]) / t["cost"]).quantize(Decimal("0.01")) if t["cost"] else None
        out.append({"cost": Money(t["cost"], currency), "revenue": Money(t["revenue"], currency), "roi": roi})
    return out


@login_required
@domain_pages
def campaigns_page(request: HttpRequest, merchant_id: Any) -> HttpResponse:
    """The merchant's campaigns: a new one (one placement at a time), each placement's code with its
    QR and print sheets, and the funnel scan -> visitor -> order -> paid -> redeemed -> reviewed per
    placement over a date range, last or first touch."""
    user = cast(User, request.user)
    merchant, _m = merchant_for_staff(user=user, merchant_id=merchant_id, manage=True)
    targets = campaign_targets(merchant)
    form = CampaignForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        kind, _sep, target_id = d["target"].partition(":")
        try:
            campaign_create(user=user, merchant_id=merchant.pk, name=d["name"], placements=[{
                "kind": d["kind"], "name": d["placement_name"], "cost": {"amount": d["cost"]},
                "target": {f"{kind}_id": target_id}}])
        except DomainError as exc:
            apply_error(form, exc, field_map={"placements.0.cost": "cost", "placements.0.name": "placement_name",
                                              "placements.0.kind": "kind", "placements.0.target": "target"})
        else:
            messages.success(request, _("The campaign is ready: print its sheets below."))
            return redirect("web:campaigns", merchant_id=merchant.pk)
    model = request.GET.get("model") or AttributionModel.LAST_TOUCH
    error = ""
    rows: list[PlacementFigures] = []
    try:
        rows = placement_figures(user=user, merchant_id=merchant.pk, date_from=request.GET.get("from"),
                                 date_to=request.GET.get("to"), model=model)
    except Invalid as exc:
        error = error_text(exc)
    zone = merchant_timezone(merchant)
    try:
        first, last = date_range(date_from=request.GET.get("from"), date_to=request.GET.get("to"), tz=zone)
    except Invalid:
        first, last = date_range(date_from=None, date_to=None, tz=zone)
    _merchant, found = campaigns_of_merchant(user=user, merchant_id=merchant.pk)
    of_placement = {f.placement.pk: f for f in rows}
    campaigns = [{"campaign": c, "rows": [{"p": p, "f": of_placement.get(p.pk),
                                            "short_url": request.build_absolute_uri(reverse("web:scan",
                                                                                            args=[p.code]))}
                                           for p in sorted(c.placements.all(), key=lambda p: p.created_at)]}
                 for c in found[:100]]
    context = {"merchant": merchant, "form": form, "campaigns": campaigns, "funnel": _funnel(rows),
               "money_totals": _money_totals(rows), "error": error, "model": model,
               "from": first.isoformat(), "to": last.isoformat(),  # a date input's value is ISO 8601
               "models": AttributionModel.choices, "window_days": window_days(merchant.pk)}
    context["tabs"] = console_tabs(request, merchant)
    status = 422 if error or (request.method == "POST" and form.errors) else 200
    return render(request, "web/merchant/campaigns.html", context, status=status)


@login_required
@require_POST
@domain_pages
def placement_toggle(request: HttpRequest, merchant_id: Any, placement_id: Any) -> HttpResponse:
    placement_set_active(user=cast(User, request.user), merchant_id=merchant_id, placement_id=placement_id,
                         active=request.POST.get("active") == "1")
    return redirect("web:campaigns", merchant_id=merchant_id)
