"""Custom jobs' pages: the customer's request (status, answers, quotes with their options to accept,
the job's milestones and escrow, the thread with the merchant) and the merchant's quote form. Everything
else of jobs is API-only for now (o2o/api/routers/jobs.py)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from o2o.core.errors import DomainError, Invalid
from o2o.jobs import escrow, selectors, services
from o2o.jobs.enums import Tier
from o2o.jobs.models import Job
from o2o.merchants.access import merchant_for_staff
from o2o.web.views.common import apply_error, domain_pages, error_text
from o2o.web.views.merchant import _render


class MessageForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Message"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))


def _request_page(request: HttpRequest, req: Any, side: str, form: MessageForm, status: int = 200) -> HttpResponse:
    job = Job.objects.filter(request=req).first()
    milestones = []
    if job is not None:
        milestones = [{"m": m, "due": escrow.milestone_due(job, m)}
                      for m in job.milestones.all().order_by("position", "created_at")]
    fields = {f["key"]: f for f in req.form.fields}
    answers = [{"label": fields[k]["label"], "type": fields[k]["type"], "value": v}
               for k, v in req.answers.items() if k in fields]
    return render(request, "web/customer/job_request.html", {
        "req": req, "side": side, "answers": answers, "now": timezone.now(),
        "quotes": req.quotes.prefetch_related("options__lines").order_by("created_at"),
        "job": job, "escrow": selectors.escrow_sums(job.pk) if job else None, "milestones": milestones,
        "thread": req.messages.select_related("author").order_by("created_at")[:500], "form": form,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_pages
def job_request(request: HttpRequest, request_id: Any) -> HttpResponse:
    """The request's page, for its customer and its merchant's staff (anyone else: 404)."""
    req, side = selectors.request_for(user=request.user, request_id=request_id)
    if request.method == "GET":
        return _request_page(request, req, side, MessageForm())
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.message_post(user=request.user, request_id=req.pk,  # type: ignore[arg-type]
                                  text=form.cleaned_data["text"])
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return redirect("web:job_request", request_id=req.pk)
    return _request_page(request, req, side, form, status=422)


@login_required
@require_POST
@domain_pages
def job_quote_accept(request: HttpRequest, quote_id: Any) -> HttpResponse:
    quote, side = selectors.quote_for(user=request.user, quote_id=quote_id)
    if side != "customer":
        raise Http404()
    try:
        services.quote_accept(customer=request.user, quote_id=quote.pk,  # type: ignore[arg-type]
                              option_id=request.POST.get("option_id", ""))
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Option accepted. Pay the deposit to start the work."))
    return redirect("web:job_request", request_id=quote.request_id)


class QuoteForm(forms.Form):
    valid_days = forms.IntegerField(label=gettext_lazy("Valid for (days)"), min_value=1, max_value=365, initial=14)
    deposit_share = forms.DecimalField(label=gettext_lazy("Deposit (% of the price)"), min_value=1, max_value=100,
                                       decimal_places=2, initial=30)
    milestones = forms.CharField(
        label=gettext_lazy("Milestones"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("One per line: title | share in %. The shares sum to 100."),
        initial="Survey | 10\nDemolition | 20\nPlumbing and electrics | 30\nPainting | 30\nAcceptance | 10")
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2}))


for _tier in Tier.values:
    QuoteForm.base_fields[f"{_tier}_title"] = forms.CharField(label=gettext_lazy("Title"), max_length=140,
                                                              required=False)
    QuoteForm.base_fields[f"{_tier}_lines"] = forms.CharField(
        label=gettext_lazy("Lines"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One per line: description | quantity | unit price"))


def _rows(text: str, n: int, field: str) -> list[list[str]]:
    rows = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != n:
            raise Invalid(_("Some fields are not valid."), fields={field: _("One per line, parts separated by |.")})
        rows.append(parts)
    return rows


def _quote_payload(data: dict[str, Any], currency: str) -> dict[str, Any]:
    milestones = [{"title": t, "share": s} for t, s in _rows(data["milestones"], 2, "milestones")]
    options = []
    for tier in Tier.values:
        lines = _rows(data.get(f"{tier}_lines", ""), 3, f"{tier}_lines")
        if not lines and not data.get(f"{tier}_title"):
            continue
        try:
            parsed = [{"description": d, "quantity": str(Decimal(q)), "unit_price": {"amount": p, "currency": currency}}
                      for d, q, p in lines]
        except InvalidOperation:
            raise Invalid(_("Some fields are not valid."), fields={f"{tier}_lines": _("Quantities are numbers.")}) from None
        options.append({"tier": tier, "title": data.get(f"{tier}_title") or Tier(tier).label, "lines": parsed})
    return {"milestones": milestones, "options": options}


# The service's field names (options.0.lines.1 ...) shown on the form's fields.
def _field_map(payload: dict[str, Any]) -> dict[str, str]:
    out = {"deposit_share": "deposit_share", "valid_until": "valid_days", "note": "note"}
    for i, o in enumerate(payload.get("options", [])):
        out[f"options.{i}.lines"] = f"{o['tier']}_lines"
        out[f"options.{i}.title"] = f"{o['tier']}_title"
    return out


@login_required
@require_http_methods(["GET", "POST"])
@domain_pages
def merchant_job_quote(request: HttpRequest, merchant_id: Any, request_id: Any) -> HttpResponse:
    """The merchant's quote form for a request (owners and managers)."""
    merchant, _m = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    req = selectors.request_for_staff(user=request.user, request_id=request_id, manage=True)
    if req.merchant_id != merchant.pk:
        raise Http404()
    form = QuoteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            payload: dict[str, Any] = {}
            try:
                payload = _quote_payload(d, req.form.offering.currency)
                services.quote_create(user=request.user, request_id=req.pk,  # type: ignore[arg-type]
                                      valid_until=timezone.now() + timedelta(days=d["valid_days"]),
                                      deposit_share=f"{d['deposit_share']:.2f}", milestones=payload["milestones"],
                                      options=payload["options"], note=d["note"])
            except DomainError as exc:
                # The service's reasons are fragments for programs ("the shares must sum to 100% ..."): a
                # person reads them as sentences under the field they belong to.
                fields = {("milestones" if k.startswith("milestones") else k):
                          (f"{v[:1].upper()}{v[1:]}." if isinstance(v, str) and v else v)
                          for k, v in exc.fields.items()}
                apply_error(form, type(exc)(exc.message, fields=fields, code=exc.code), _field_map(payload))
            else:
                messages.success(request, _("The quote was sent to the customer."))
                return redirect("web:job_request", request_id=req.pk)
    response = _render(request, "web/merchant/job_quote.html", {
        "merchant": merchant, "req": req, "form": form,
        "tiers": [(t, form[f"{t}_title"], form[f"{t}_lines"]) for t in Tier.values]})
    response.status_code = status
    return response
