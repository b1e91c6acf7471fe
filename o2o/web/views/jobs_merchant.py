"""Custom jobs in the merchant console (the Jobs tab): incoming requests and the request forms; the form
editor (field definitions); a request's console page (answers and files, the thread, quotes, the job's
milestones with start / done, proofs to upload, change orders to propose, disputes to answer); the quote
form. Printing cannot start before a proof is approved: jobs.escrow refuses it (409 proof_not_approved)
and the page says so beside the milestone. Every write is a jobs service, every read an access check."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from o2o.core.errors import DomainError, Invalid
from o2o.core.money import Money
from o2o.core.uploads import read_limited
from o2o.jobs import escrow, selectors, services, site
from o2o.jobs.enums import MilestoneKind, MilestoneStatus, ProofStatus, Tier, Trade
from o2o.jobs.files import MAX_BYTES
from o2o.jobs.models import Job, RequestForm, Upload
from o2o.merchants.access import as_uuid, merchant_for_staff
from o2o.web.job_forms import (
    PRINT_MILESTONES,
    RENOVATION_MILESTONES,
    AnswerForm,
    ChangeOrderForm,
    FieldDefFormSet,
    FormMetaForm,
    QuoteForm,
    definition_of,
    initial_rows,
    milestones_of,
    rows_of,
)
from o2o.web.views.common import apply_error, domain_pages, error_text
from o2o.web.views.merchant import _render


@login_required
@domain_pages
def merchant_jobs(request: HttpRequest, merchant_id: Any) -> HttpResponse:
    """The Jobs tab: the requests that came in (newest first, with what waits on the merchant) and the forms."""
    merchant, _m = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    rows = []
    for req in selectors.requests_of_merchant(merchant.pk).select_related("form", "customer")[:200]:
        job = Job.objects.filter(request=req).first()
        rows.append({"req": req, "job": job, "todo": _todo(req, job)})
    return _render(request, "web/merchant/jobs.html", {
        "merchant": merchant, "rows": rows,
        "forms": RequestForm.objects.filter(merchant=merchant).order_by("-active", "created_at")})


def _todo(req: Any, job: Job | None) -> str:
    """What the merchant does next, in a few words."""
    if job is None:
        return _("Send a quote") if req.status == "submitted" else ""
    if job.status == "awaiting_deposit":
        return _("Waiting for the deposit")
    if job.milestones.filter(status=MilestoneStatus.DISPUTED).exists():
        return _("Answer a dispute")
    if job.change_orders.filter(status="proposed").exists():
        return _("Change order waiting for the customer")
    if job.proofs.filter(status=ProofStatus.AWAITING).exists():
        return _("Proof waiting for the customer")
    return ""


@login_required
@require_http_methods(["GET", "POST"])
@domain_pages
def merchant_job_form(request: HttpRequest, merchant_id: Any, form_id: Any = None) -> HttpResponse:
    """The request form editor: the title, the trade, and one row per field (question, type, required,
    choices, bounds); empty rows are dropped. New forms start with the trade's usual fields."""
    merchant, _m = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    rf = None
    if form_id is not None:
        rf = RequestForm.objects.filter(pk=as_uuid(form_id), merchant=merchant).first()
        if rf is None:
            raise Http404()
    post = request.POST if request.method == "POST" else None
    meta = FormMetaForm(post, initial={"trade": rf.trade, "title": rf.title, "checkin_radius_m": rf.checkin_radius_m}
                        if rf else {"trade": request.GET.get("trade", Trade.PRINTING)})
    if rf is not None:
        meta.fields["trade"].disabled = True
    rows = FieldDefFormSet(post, prefix="f", initial=initial_rows(rf.fields if rf else _starter(
        request.GET.get("trade", Trade.PRINTING))))
    status = 200
    if post is not None:
        status = 422
        if meta.is_valid() and rows.is_valid():
            d = meta.cleaned_data
            try:
                fields = definition_of(rows)
                if rf is None:
                    rf = services.form_create(user=request.user, merchant_id=merchant.pk, trade=d["trade"],  # type: ignore[arg-type]
                                              title=d["title"], fields=fields, checkin_radius_m=d["checkin_radius_m"])
                else:
                    rf = services.form_update(user=request.user, form_id=rf.pk, title=d["title"], fields=fields,  # type: ignore[arg-type]
                                              checkin_radius_m=d["checkin_radius_m"], active="active" in post)
            except DomainError as exc:
                _place_row_errors(rows, exc)
                apply_error(meta, exc)
            else:
                messages.success(request, _("The form is saved. Customers open it from its link."))
                return redirect("web:merchant_jobs", merchant_id=merchant.pk)
    response = _render(request, "web/merchant/job_form.html", {
        "merchant": merchant, "rf": rf, "meta": meta, "rows": rows,
        "link": request.build_absolute_uri(reverse("web:job_form", args=[rf.pk])) if rf else ""})
    response.status_code = status
    return response


def _starter(trade: str) -> list[dict[str, Any]]:
    if trade == Trade.RENOVATION:
        return [{"key": "area", "label": _("Area"), "type": "area", "required": True},
                {"key": "rooms", "label": _("Rooms"), "type": "number", "required": True, "min": "1"},
                {"key": "style", "label": _("Style"), "type": "choice", "choices": [_("Modern"), _("Chinese"), _("Nordic")]},
                {"key": "budget", "label": _("Budget"), "type": "number"},
                {"key": "photos", "label": _("Photos of the site"), "type": "photos", "max_files": 6}]
    return [{"key": "product", "label": _("Product"), "type": "choice", "required": True,
             "choices": [_("Flyer"), _("Poster"), _("Box")]},
            {"key": "size", "label": _("Size"), "type": "choice", "choices": ["A5", "A4", "A3"]},
            {"key": "quantity", "label": _("Quantity"), "type": "number", "required": True, "min": "1"},
            {"key": "finish", "label": _("Finish"), "type": "choice", "choices": [_("Matte"), _("Gloss")]},
            {"key": "wanted_by", "label": _("Wanted by"), "type": "date"},
            {"key": "artwork", "label": _("Artwork (PDF, PNG or JPEG)"), "type": "file", "required": True}]


def _place_row_errors(rows: Any, exc: DomainError) -> None:
    """jobs.forms names a row's problem `fields.<n>.<part>`; the editor's rows are the non-empty ones."""
    filled = [r for r in rows.forms if r.cleaned_data and (r.cleaned_data.get("label") or "").strip()]
    for key, reason in (exc.fields or {}).items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "fields" and parts[1].isdigit() and int(parts[1]) < len(filled):
            row, name = filled[int(parts[1])], parts[2]
            text = f"{reason[:1].upper()}{reason[1:]}." if isinstance(reason, str) else error_text(exc)
            row.add_error(name if name in row.fields else None, text)


# --- a request in the console ------------------------------------------------------------------------------------

def _request_of(request: HttpRequest, merchant_id: Any, request_id: Any, manage: bool) -> tuple[Any, Any]:
    merchant, _m = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=manage)
    req = selectors.request_for_staff(user=request.user, request_id=request_id, manage=manage)
    if req.merchant_id != merchant.pk:
        raise Http404()
    return merchant, req


ACTIONS = ("start", "done", "proof", "change_order", "answer")


@login_required
@require_http_methods(["GET", "POST"])
@domain_pages
def merchant_job_request(request: HttpRequest, merchant_id: Any, request_id: Any) -> HttpResponse:
    """A request in the console (owners and managers): everything the customer sent, and the merchant's moves."""
    merchant, req = _request_of(request, merchant_id, request_id, manage=True)
    job = Job.objects.filter(request=req).select_related("order").first()
    change_form = ChangeOrderForm(prefix="co")
    answer_forms: dict[str, AnswerForm] = {}
    refused: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS or job is None:
            raise Http404()
        try:
            if action in ("start", "done"):
                mid = request.POST.get("milestone_id", "")
                try:
                    if action == "start":
                        escrow.milestone_start(staff=request.user, milestone_id=mid)  # type: ignore[arg-type]
                        messages.success(request, _("Started."))
                    else:
                        escrow.milestone_done(staff=request.user, milestone_id=mid)  # type: ignore[arg-type]
                        messages.success(request, _("Marked done: the customer signs it off."))
                except escrow.ProofNotApproved as exc:
                    refused[mid] = error_text(exc)
                    raise
            elif action == "proof":
                f = request.FILES.get("file")
                if f is None:
                    raise Invalid(_("Choose the proof PDF first."), fields={"file": "required"})
                site.proof_upload(staff=request.user, job_id=job.pk,  # type: ignore[arg-type]
                                  data=read_limited(f, MAX_BYTES["pdf"], field="file"))
                messages.success(request, _("Proof uploaded: the customer approves it or asks for changes."))
            elif action == "change_order":
                change_form = ChangeOrderForm(request.POST, prefix="co")
                if not change_form.is_valid():
                    raise Invalid(_("Some fields are not valid."))
                d = change_form.cleaned_data
                escrow.change_order_propose(staff=request.user, job_id=job.pk,  # type: ignore[arg-type]
                                            price={"amount": d["price"]}, milestones=milestones_of(d["milestones"]),
                                            reason=d["reason"])
                messages.success(request, _("Change order sent: nothing changes until the customer accepts it."))
            elif action == "answer":
                mid = request.POST.get("milestone_id", "")
                form = AnswerForm(request.POST, prefix=f"a-{mid}")
                answer_forms[mid] = form
                if not form.is_valid():
                    raise Invalid(_("Write your answer first."))
                escrow.dispute_answer(staff=request.user, milestone_id=mid, answer=form.cleaned_data["answer"])  # type: ignore[arg-type]
                messages.success(request, _("Answer sent: the customer signs off, or the platform decides."))
        except DomainError as exc:
            if action == "change_order":
                fields = {("milestones" if k.startswith("milestones") else k): v for k, v in (exc.fields or {}).items()}
                if change_form.is_bound and not change_form.errors:
                    apply_error(change_form, type(exc)(exc.message, fields=fields, code=exc.code))
            else:
                messages.error(request, error_text(exc))
        else:
            return redirect(reverse("web:merchant_job_request", args=[merchant.pk, req.pk]) + "#job")
    return _console_page(request, merchant, req, job, change_form, answer_forms, refused,
                         status=(409 if refused else 422) if request.method == "POST" else 200)


def _console_page(request: HttpRequest, merchant: Any, req: Any, job: Job | None, change_form: ChangeOrderForm,
                  answer_forms: dict[str, AnswerForm], refused: dict[str, str], status: int) -> HttpResponse:
    from o2o.web.views.jobs import PHOTO_ACCEPT, escrow_money

    uploads = {str(u.pk): u for u in Upload.objects.filter(request=req)}
    fields = {f["key"]: f for f in req.form.fields}
    answers = []
    for k, v in req.answers.items():
        if k in fields:
            files = [uploads[i] for i in (v if isinstance(v, list) else [v]) if isinstance(i, str) and i in uploads]
            answers.append({"label": fields[k]["label"], "type": fields[k]["type"], "value": v, "files": files})
    milestones = []
    approved = False
    if job is not None:
        approved = escrow.printing_allowed(job)
        for m in job.milestones.all().order_by("position", "created_at"):
            dispute = m.disputes.filter(decided_at__isnull=True).order_by("-created_at").first()
            milestones.append({
                "m": m, "dispute": dispute, "amount": Money(m.amount, m.currency), "refused": refused.get(str(m.pk), ""),
                "answer_form": answer_forms.get(str(m.pk)) or AnswerForm(prefix=f"a-{m.pk}"),
                "can_start": m.status == MilestoneStatus.PENDING and m.kind != MilestoneKind.PROOF,
                "can_done": m.status in (MilestoneStatus.PENDING, MilestoneStatus.IN_PROGRESS)
                and (m.kind not in (MilestoneKind.PROOF, MilestoneKind.PRINTING) or approved),
                "waits_proof": m.kind == MilestoneKind.PRINTING and not approved
                and m.status == MilestoneStatus.PENDING})
    response = _render(request, "web/merchant/job_request.html", {
        "merchant": merchant, "req": req, "job": job, "answers": answers, "milestones": milestones,
        "escrow": escrow_money(job), "change_form": change_form,
        "proofs": list(job.proofs.order_by("-version")) if job else [], "approved": approved,
        "change_orders": list(job.change_orders.order_by("-created_at")) if job else [],
        "quotes": req.quotes.prefetch_related("options__lines").order_by("-created_at"),
        "thread": req.messages.select_related("author").prefetch_related("photos").order_by("created_at")[:500],
        "photo_accept": PHOTO_ACCEPT, "now": timezone.now(),
        "back": reverse("web:merchant_job_request", args=[merchant.pk, req.pk])})
    response.status_code = status
    return response


# --- the quote form ---------------------------------------------------------------------------------------------

def _quote_payload(data: dict[str, Any], currency: str) -> dict[str, Any]:
    milestones = milestones_of(data["milestones"])
    options = []
    for tier in Tier.values:
        lines = rows_of(data.get(f"{tier}_lines", ""), 3, f"{tier}_lines")
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
    merchant, req = _request_of(request, merchant_id, request_id, manage=True)
    form = QuoteForm(request.POST or None, initial={
        "milestones": RENOVATION_MILESTONES if req.form.trade == Trade.RENOVATION else PRINT_MILESTONES})
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
                return redirect("web:merchant_job_request", merchant_id=merchant.pk, request_id=req.pk)
    response = _render(request, "web/merchant/job_quote.html", {
        "merchant": merchant, "req": req, "form": form,
        "tiers": [(t, form[f"{t}_title"], form[f"{t}_lines"]) for t in Tier.values]})
    response.status_code = status
    return response
