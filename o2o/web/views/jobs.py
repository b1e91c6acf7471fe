"""Custom jobs' customer pages (phone first): a trade's request form built from the merchant's field
definitions (photos and artwork checked by their bytes, jobs.files), "my requests", and the request's
page: its status, the thread (with photos), quotes with their options to accept before they expire, the
deposit paid through the sandbox, change orders to accept or decline, milestones to sign off or dispute,
print proofs to approve or send back. Files of a request are served only to its customer and its
merchant's staff. The merchant's pages are web/views/jobs_merchant.py; every write is a jobs service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from o2o.core.errors import DomainError, Forbidden, Invalid, NotFound, PaymentRequired
from o2o.core.money import Money
from o2o.core.uploads import read_limited
from o2o.jobs import escrow, selectors, services, site
from o2o.jobs.enums import FieldType, JobStatus, RequestStatus
from o2o.jobs.files import FILE_KINDS, IMAGE_KINDS, MAX_BYTES
from o2o.jobs.models import Job, JobRequest, Proof, Upload
from o2o.merchants.access import as_uuid, merchant_for_staff
from o2o.payments.cards import parse_expiry
from o2o.web.forms import PayForm
from o2o.web.job_forms import FILE_ACCEPT, PHOTO_ACCEPT, CommentForm, answers_of, request_form_class
from o2o.web.views.common import apply_error, domain_pages, error_text, is_sentence
from o2o.web.views.nostore import no_store

MAX_MESSAGE_PHOTOS = 6


def uploads_from(request: HttpRequest, name: str, *, field: str, limit: int,
                 allowed: frozenset[str] = IMAGE_KINDS) -> list[str]:
    """The files sent as `name`, each kept as an upload after jobs.files checked its bytes and its kind
    (422 on `field`, its message a sentence for the person)."""
    sent = request.FILES.getlist(name)
    if len(sent) > limit:
        raise Invalid(_("Too many files: at most %(n)d.") % {"n": limit}, fields={field: _("too many files")})
    ids = []
    for f in sent:
        try:
            data = read_limited(f, max(MAX_BYTES.values()), field=field)
            up = services.upload_create(user=request.user, data=data, name=str(f.name or ""),  # type: ignore[arg-type]
                                        allowed=allowed, field=field)
        except Invalid as exc:
            raise Invalid(exc.message, fields={field: exc.message}, code=exc.code) from None
        ids.append(str(up.pk))
    return ids


# --- the request form -------------------------------------------------------------------------------------------

def _file_fields(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**f, "accept": PHOTO_ACCEPT if f["type"] == FieldType.PHOTOS else FILE_ACCEPT,
             "multiple": f["type"] == FieldType.PHOTOS} for f in fields if f["type"] in (FieldType.PHOTOS, FieldType.FILE)]


@require_http_methods(["GET", "POST"])
@domain_pages
def job_form(request: HttpRequest, form_id: Any) -> HttpResponse:
    """A merchant's request form for its customers; anyone may read it, sending it needs an account."""
    rf = selectors.form_public(form_id)
    form_class = request_form_class(rf.fields, trade=rf.trade)
    form = form_class(request.POST or None)
    file_errors: dict[str, str] = {}
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('web:login')}?next={request.path}")
        if form.is_valid():
            answers = answers_of(form, rf.fields)
            try:
                for f in _file_fields(rf.fields):
                    ids = uploads_from(request, f["key"], field=f["key"], limit=f.get("max_files", 1),
                                       allowed=IMAGE_KINDS if f["multiple"] else FILE_KINDS)
                    if ids:
                        answers[f["key"]] = ids if f["multiple"] else ids[0]
                d = form.cleaned_data
                place = None
                if d.get("site_address") or d.get("site_lat") is not None:
                    place = {"address": d.get("site_address") or "", "lat": d.get("site_lat"), "lng": d.get("site_lng")}
                req = services.request_submit(customer=request.user, form_id=rf.pk, answers=answers,  # type: ignore[arg-type]
                                              site=place)
            except DomainError as exc:
                fields = {k.removeprefix("answers."): v for k, v in (exc.fields or {}).items()}
                for f in _file_fields(rf.fields):
                    reason = fields.get(f["key"])
                    if reason is not None:
                        file_errors[f["key"]] = gettext(reason) if is_sentence(reason) else error_text(exc)
                rest = {k: v for k, v in fields.items() if k not in file_errors}
                if rest or not file_errors:  # what the file inputs do not already say
                    apply_error(form, type(exc)(exc.message, fields=rest, code=exc.code))
            else:
                messages.success(request, _("Your request was sent. The merchant answers here with a quote."))
                return redirect("web:job_request", request_id=req.pk)
        if file_errors or form.errors:
            response = _form_page(request, rf, form, file_errors)
            response.status_code = 422
            return response
    return _form_page(request, rf, form, file_errors)


def _form_page(request: HttpRequest, rf: Any, form: Any, file_errors: dict[str, str]) -> HttpResponse:
    files = [{**f, "error": file_errors.get(f["key"], "")} for f in _file_fields(rf.fields)]
    # the fields in the merchant's order, each either a form field or a file input
    order = []
    for f in rf.fields:
        if f["type"] in (FieldType.PHOTOS, FieldType.FILE):
            order.append({"file": next(x for x in files if x["key"] == f["key"])})
        elif f["key"] in form.fields:
            order.append({"field": form[f["key"]]})
    return render(request, "web/customer/job_form.html", {
        "rf": rf, "form": form, "rows": order, "has_files": bool(files),
        "site": form["site_address"] if "site_address" in form.fields else None})


@login_required
@no_store
def my_job_requests(request: HttpRequest) -> HttpResponse:
    rows = []
    for req in selectors.requests_of_customer(request.user).select_related("merchant", "form")[:100]:
        job = Job.objects.filter(request=req).first()
        rows.append({"req": req, "job": job, "status": _status_of(req, job),
                     "quotes": req.quotes.filter(status="sent", valid_until__gt=timezone.now()).count()})
    return render(request, "web/customer/job_requests.html", {"rows": rows})


def _status_of(req: JobRequest, job: Job | None) -> str:
    """What the customer should know first: the job's state once there is one, else the request's."""
    if job is None:
        return str(RequestStatus(req.status).label)
    return str(JobStatus(job.status).label)


# --- the request's page ------------------------------------------------------------------------------------------

def _request_page(request: HttpRequest, req: Any, side: str, comment: CommentForm | None = None,
                  status: int = 200) -> HttpResponse:
    job = Job.objects.filter(request=req).select_related("order").first()
    milestones, proofs, change_orders = [], [], []
    deposit_due = None
    if job is not None:
        milestones = [{"m": m, "due": Money(escrow.milestone_due(job, m), job.currency),
                       "amount": Money(m.amount, m.currency),
                       "dispute": m.disputes.filter(decided_at__isnull=True).order_by("-created_at").first(),
                       "visits": list(m.visits.order_by("window_start"))}
                      for m in job.milestones.all().order_by("position", "created_at")]
        proofs = list(job.proofs.order_by("-version"))
        change_orders = list(job.change_orders.order_by("-created_at"))
        if job.status == JobStatus.AWAITING_DEPOSIT:
            deposit_due = Money(job.deposit_amount, job.currency)
    fields = {f["key"]: f for f in req.form.fields}
    uploads = {str(u.pk): u for u in Upload.objects.filter(request=req)}
    answers = []
    for k, v in req.answers.items():
        if k not in fields:
            continue
        files = [uploads[i] for i in (v if isinstance(v, list) else [v]) if isinstance(i, str) and i in uploads] \
            if fields[k]["type"] in (FieldType.PHOTOS, FieldType.FILE) else []
        answers.append({"label": fields[k]["label"], "type": fields[k]["type"], "value": v, "files": files})
    return render(request, "web/customer/job_request.html", {
        "req": req, "side": side, "answers": answers, "now": timezone.now(),
        "quotes": quotes_of(req), "next_step": _next_step(req, job, proofs, change_orders, milestones),
        "job": job, "escrow": escrow_money(job), "milestones": milestones,
        "proofs": proofs, "change_orders": change_orders, "deposit_due": deposit_due,
        "thread": req.messages.select_related("author").prefetch_related("photos").order_by("created_at")[:500],
        "comment_form": comment or CommentForm(), "photo_accept": PHOTO_ACCEPT,
        "console_url": _console(req) if side == "merchant" and _manages(request, req) else "",
    }, status=status)


def escrow_money(job: Job | None) -> dict[str, Money] | None:
    """The job's escrow sums (jobs.selectors.escrow_sums) as money to show."""
    if job is None:
        return None
    return {k: Money(v, job.currency) for k, v in selectors.escrow_sums(job.pk).items()}


def quotes_of(req: JobRequest) -> list[dict[str, Any]]:
    """The request's quotes, newest first, each option with the deposit it asks (the quote's share of it)."""
    out = []
    for q in req.quotes.prefetch_related("options__lines").order_by("-created_at"):
        options = []
        for o in q.options.all():
            deposit = services.split(o.total_amount, [q.deposit_share, services.HUNDRED - q.deposit_share])[0] \
                if q.deposit_share < services.HUNDRED else o.total_amount
            options.append({"o": o, "deposit": Money(deposit, o.currency), "lines": list(o.lines.all())})
        out.append({"q": q, "options": options, "open": q.status == "sent" and q.valid_until > timezone.now()
                    and req.status != RequestStatus.ACCEPTED})
    return out


def _next_step(req: JobRequest, job: Job | None, proofs: list[Any], change_orders: list[Any],
               milestones: list[dict[str, Any]]) -> str:
    """The one thing the customer should look at first."""
    if req.status == RequestStatus.CANCELLED:
        return _("This request was cancelled.")
    if job is None:
        return _("Compare the options and accept one.") if req.status == RequestStatus.QUOTED \
            else _("The merchant is preparing a quote. You can send them a message below.")
    if job.status == JobStatus.AWAITING_DEPOSIT:
        return _("Pay the deposit to start the work.")
    if job.status == JobStatus.COMPLETED:
        return _("All done: every milestone is closed.")
    if any(p.status == "awaiting_approval" for p in proofs):
        return _("A proof waits for your approval.")
    if any(c.status == "proposed" for c in change_orders):
        return _("The merchant proposes a change: accept or decline it.")
    if any(r["m"].status in ("done", "answered") for r in milestones):
        return _("Work is done: sign it off, or dispute it.")
    return _("The work is under way.")


@login_required
@require_http_methods(["GET", "POST"])
@domain_pages
def job_request(request: HttpRequest, request_id: Any) -> HttpResponse:
    """The request's page, for its customer and its merchant's staff (anyone else: 404). POST: a message,
    with up to six photos."""
    req, side = selectors.request_for(user=request.user, request_id=request_id)
    if request.method == "GET":
        return _request_page(request, req, side)
    text = request.POST.get("text", "")
    try:
        if not text.strip():
            raise Invalid(_("Write a message first."), fields={"text": "required"})
        ids = uploads_from(request, "photos", field="photo_ids", limit=MAX_MESSAGE_PHOTOS)
        services.message_post(user=request.user, request_id=req.pk, text=text, photo_ids=ids)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return _request_page(request, req, side, status=422)
    back = request.POST.get("back", "")
    return redirect(f"{_console(req)}#thread" if side == "merchant" and back == _console(req) else
                    reverse("web:job_request", args=[req.pk]) + "#thread")


def _manages(request: HttpRequest, req: JobRequest) -> bool:
    """Whether the reader may open the request in the console (its owners and managers; not clerks)."""
    try:
        merchant_for_staff(user=request.user, merchant_id=req.merchant_id, manage=True)
    except (Forbidden, NotFound):
        return False
    return True


def _console(req: JobRequest) -> str:
    return reverse("web:merchant_job_request", args=[req.merchant_id, req.pk])


def _back(req_id: Any, anchor: str = "") -> HttpResponse:
    return redirect(reverse("web:job_request", args=[req_id]) + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
@domain_pages
def job_quote_accept(request: HttpRequest, quote_id: Any) -> HttpResponse:
    quote, side = selectors.quote_for(user=request.user, quote_id=quote_id)
    if side != "customer":
        raise Http404()
    try:
        job = services.quote_accept(customer=request.user, quote_id=quote.pk,  # type: ignore[arg-type]
                                    option_id=request.POST.get("option_id", ""))
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return _back(quote.request_id, f"quote-{quote.pk}")
    messages.success(request, _("Option accepted. Pay the deposit to start the work."))
    return redirect("web:job_deposit", job_id=job.pk)


def _pay_page(request: HttpRequest, job: Job, *, due: Money, title: str, pay: Any, done: str) -> HttpResponse:
    """A card form through the sandbox for what the job needs now (its deposit, or a milestone's due)."""
    form = PayForm(request.POST or None)
    declined = ""
    if request.method == "POST" and form.is_valid():
        number = "".join(ch for ch in form.cleaned_data["card_number"] if ch.isdigit())
        try:
            month, year = parse_expiry(form.cleaned_data["expiry"])
            pay({"card_number": number, "exp_month": month, "exp_year": year, "cvc": form.cleaned_data["cvc"]})
        except PaymentRequired as exc:
            declined = error_text(exc)
        except Invalid as exc:
            form.add_error("card_number", error_text(exc))
        except DomainError as exc:
            messages.error(request, error_text(exc))
            return _back(job.request_id, "job")
        else:
            messages.success(request, done)
            return _back(job.request_id, "job")
    return render(request, "web/customer/job_deposit.html", {
        "job": job, "form": form, "declined": declined, "due": due, "title": title},
        status=422 if request.method == "POST" else 200)


@login_required
@no_store
@domain_pages
def job_deposit(request: HttpRequest, job_id: Any) -> HttpResponse:
    """Pay the job's deposit by card through the sandbox; it is held in escrow and the work starts."""
    job, side = selectors.job_for(user=request.user, job_id=job_id)
    if side != "customer":
        raise Http404()
    if job.status != JobStatus.AWAITING_DEPOSIT:
        return _back(job.request_id, "job")

    def pay(details: dict[str, Any]) -> None:
        escrow.deposit_pay(customer=request.user, job_id=job.pk, provider="sandbox", details=details)  # type: ignore[arg-type]

    return _pay_page(request, job, due=Money(job.deposit_amount, job.currency), title=_("Pay the deposit"), pay=pay,
                     done=_("Deposit paid. It is held in escrow until you sign the work off."))


@login_required
@no_store
@domain_pages
def job_milestone_pay(request: HttpRequest, milestone_id: Any) -> HttpResponse:
    """Pay in what a milestone still needs before it can be signed off (held in escrow until then)."""
    m, side = selectors.milestone_for(user=request.user, milestone_id=milestone_id)
    if side != "customer":
        raise Http404()
    job = Job.objects.select_related("request__merchant", "request__form", "option").get(pk=m.job_id)
    due = escrow.milestone_due(job, m)
    if due <= 0 or job.status != JobStatus.ACTIVE:
        return _back(job.request_id, f"milestone-{m.pk}")

    def pay(details: dict[str, Any]) -> None:
        escrow.milestone_pay(customer=request.user, milestone_id=m.pk, provider="sandbox", details=details)  # type: ignore[arg-type]

    return _pay_page(request, job, due=Money(due, job.currency), title=_("Pay for “%(t)s”") % {"t": m.title},
                     pay=pay, done=_("Paid. It is held in escrow until you sign this milestone off."))


@login_required
@require_POST
@domain_pages
def job_change_order(request: HttpRequest, change_order_id: Any, action: str) -> HttpResponse:
    co, side = selectors.change_order_for(user=request.user, change_order_id=change_order_id)
    if side != "customer" or action not in ("accept", "decline"):
        raise Http404()
    try:
        escrow.change_order_decide(customer=request.user, change_order_id=co.pk,  # type: ignore[arg-type]
                                   accept=action == "accept")
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Change accepted: the price and the milestones are updated.") if action == "accept"
                         else _("Change declined: the job stays as it was."))
    return _back(co.job.request_id, "job")


@login_required
@require_POST
@domain_pages
def job_milestone(request: HttpRequest, milestone_id: Any, action: str) -> HttpResponse:
    """The customer signs done work off (its share goes to the merchant) or disputes it with a comment and
    photos (the share stays held)."""
    m, side = selectors.milestone_for(user=request.user, milestone_id=milestone_id)
    if side != "customer" or action not in ("sign-off", "dispute"):
        raise Http404()
    req_id = m.job.request_id
    try:
        if action == "sign-off":
            escrow.milestone_sign_off(customer=request.user, milestone_id=m.pk)  # type: ignore[arg-type]
            messages.success(request, _("Signed off: its share is paid to the merchant."))
        else:
            comment = CommentForm(request.POST)
            if not comment.is_valid():
                raise Invalid(_("Say what is wrong."), fields={"comment": "required"})
            ids = uploads_from(request, "photos", field="photo_ids", limit=MAX_MESSAGE_PHOTOS)
            escrow.milestone_dispute(customer=request.user, milestone_id=m.pk,  # type: ignore[arg-type]
                                     comment=comment.cleaned_data["comment"], photo_ids=ids)
            messages.success(request, _("Disputed: its share stays held until this is settled."))
    except DomainError as exc:
        messages.error(request, error_text(exc))
    return _back(req_id, f"milestone-{m.pk}")


@login_required
@require_POST
@domain_pages
def job_proof(request: HttpRequest, proof_id: Any, action: str) -> HttpResponse:
    p, side = selectors.proof_for(user=request.user, proof_id=proof_id)
    if side != "customer" or action not in ("approve", "changes"):
        raise Http404()
    try:
        site.proof_decide(customer=request.user, proof_id=p.pk, approve=action == "approve",  # type: ignore[arg-type]
                          comment=request.POST.get("comment", ""))
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Proof approved: printing can start.") if action == "approve"
                         else _("Sent back with your comments: the merchant will upload a new proof."))
    return _back(p.job.request_id, f"proof-{p.pk}")


# --- files of a request (its customer and its merchant's staff only) -------------------------------------------------

@login_required
@domain_pages
def job_file(request: HttpRequest, upload_id: Any) -> HttpResponse:
    up = Upload.objects.filter(pk=as_uuid(upload_id), request__isnull=False).first()
    if up is None:
        raise Http404()
    selectors.request_for(user=request.user, request_id=up.request_id)
    ctype = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "pdf": "application/pdf"}[up.kind]
    response = FileResponse(up.content.open("rb"), content_type=ctype)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]


@login_required
@domain_pages
def job_proof_preview(request: HttpRequest, proof_id: Any) -> HttpResponse:
    p, _side = selectors.proof_for(user=request.user, proof_id=proof_id)
    response = FileResponse(Proof.objects.get(pk=p.pk).preview.open("rb"), content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]
