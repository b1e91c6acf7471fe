"""Custom jobs (renovation, printing, packaging): request forms, uploads, requests and their thread,
quotes with options, the job's deposit, milestone payments and escrow, sign-off and disputes, change
orders, technicians' check-ins, print proofs. Money moves through the payments core (sandbox).

Access: the request's customer, or staff of its merchant; anyone else 404. A clerk or courier creating
forms or quotes: 403 `forbidden`; the merchant's staff signing off, paying or accepting for the customer:
403 `forbidden`. Error codes: 422 `validation_error` / `invalid` with `fields` (forms, answers, quotes:
every field named), 422 `invalid_file` (not what it claims, too large, an image bomb, a PDF with
JavaScript), 422 `too_far` / `bad_time` (check-in), 409 `quote_expired`, `already_accepted`,
`already_paid`, `already_funded`, `deposit_unpaid`, `insufficient_escrow` (a release of more than is
held), `invalid_transition`, `proof_not_approved` (printing before an approved proof), `change_order_stale`,
`no_site`, `already_checked_out`; 402 `payment_declined` (sandbox cards as for orders)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from o2o.api import idempotency
from o2o.api.auth import AUTH, me
from o2o.api.errors import ErrorOut
from o2o.api.jobs_out import (
    AcceptIn,
    AnswerIn,
    ChangeOrderIn,
    ChangeOrderOut,
    CheckInIn,
    CheckInOut,
    CheckOutIn,
    CommentIn,
    DisputeOut,
    FormIn,
    FormListOut,
    FormOut,
    JobOut,
    JobPayIn,
    MessageIn,
    MessageListOut,
    MessageOut,
    ProofDecisionIn,
    ProofOut,
    QuoteIn,
    QuoteOut,
    RequestIn,
    RequestListOut,
    RequestOut,
    UploadOut,
    _details,
    _fingerprint,
    change_order_out,
    check_in_out,
    form_out,
    job_out,
    message_out,
    proof_out,
    quote_out,
    request_out,
    upload_out,
)
from o2o.api.serializers import json_safe
from o2o.core.errors import Invalid
from o2o.core.uploads import read_limited
from o2o.jobs import escrow, selectors, services, site
from o2o.jobs.files import MAX_BYTES
from o2o.jobs.models import (
    Job,
    Milestone,
    RequestForm,
)
from o2o.merchants.access import as_uuid, merchant_for_staff

router = Router(tags=["jobs"], auth=AUTH)
_ERRORS = {400: ErrorOut, 401: ErrorOut, 402: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
_FILE_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}}}


# --- forms and uploads ---------------------------------------------------------------------------------

@router.post("/merchants/{merchant_id}/job-forms", response={201: FormOut, **_ERRORS})
def form_create(request: HttpRequest, merchant_id: str, body: FormIn):  # type: ignore[no-untyped-def]
    """A request form from field types (owners and managers). Renovation: site address, area, rooms,
    style, budget, photos; print: product, size, material, quantity, finish, artwork file."""
    f = services.form_create(user=me(request), merchant_id=merchant_id, trade=body.trade, title=body.title,
                             fields=body.fields, checkin_radius_m=body.checkin_radius_m, store_id=body.store_id,
                             currency=body.currency)
    return Status(201, form_out(f))


@router.get("/merchants/{merchant_id}/job-forms", response={200: FormListOut, **_ERRORS})
def forms_of_merchant(request: HttpRequest, merchant_id: str):  # type: ignore[no-untyped-def]
    """The merchant's active request forms (any signed-in user: a customer picks one)."""
    return {"results": [form_out(f) for f in RequestForm.objects.select_related("offering").filter(
        merchant_id=as_uuid(merchant_id), active=True, merchant__status="active").order_by("created_at")]}


@router.get("/job-forms/{form_id}", response={200: FormOut, **_ERRORS})
def form_get(request: HttpRequest, form_id: str):  # type: ignore[no-untyped-def]
    return form_out(selectors.form_public(form_id))


@router.post("/job-uploads", response={201: UploadOut, **_ERRORS}, openapi_extra=_FILE_BODY)
def upload_create(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Multipart `file`: a JPEG, PNG or WebP photo (10 MB, 50 megapixels) or a PDF (20 MB, no JavaScript).
    Judged by its bytes, never its name; then named by id in a request's answers, a message, a check-in."""
    f = request.FILES.get("file")
    if f is None:
        raise Invalid(_("Send the file as multipart field “file”."), fields={"file": _("required")})
    data = read_limited(f, max(MAX_BYTES.values()), field="file")
    return Status(201, upload_out(services.upload_create(user=me(request), data=data, name=str(f.name or ""))))


# --- requests and the thread ----------------------------------------------------------------------------

@router.post("/job-forms/{form_id}/requests", response={201: RequestOut, **_ERRORS})
def request_submit(request: HttpRequest, form_id: str, body: RequestIn):  # type: ignore[no-untyped-def]
    """Submit a request on a form: answers are checked against its fields (422 naming each, all at once)."""
    raw = body.dict()
    r = services.request_submit(customer=me(request), form_id=form_id, answers=raw["answers"], site=raw["site"])
    return Status(201, request_out(r))


@router.get("/job-requests/{request_id}", response={200: RequestOut, **_ERRORS})
def request_get(request: HttpRequest, request_id: str):  # type: ignore[no-untyped-def]
    r, _side = selectors.request_for(user=me(request), request_id=request_id)
    return request_out(r)


@router.get("/me/job-requests", response={200: RequestListOut, **_ERRORS})
def my_requests(request: HttpRequest):  # type: ignore[no-untyped-def]
    return {"results": [request_out(r) for r in selectors.requests_of_customer(me(request))[:100]]}


@router.get("/merchants/{merchant_id}/job-requests", response={200: RequestListOut, **_ERRORS})
def merchant_requests(request: HttpRequest, merchant_id: str):  # type: ignore[no-untyped-def]
    merchant, _m = merchant_for_staff(user=me(request), merchant_id=merchant_id)
    return {"results": [request_out(r) for r in selectors.requests_of_merchant(merchant.pk)[:100]]}


@router.get("/job-requests/{request_id}/messages", response={200: MessageListOut, **_ERRORS})
def messages(request: HttpRequest, request_id: str):  # type: ignore[no-untyped-def]
    r, _side = selectors.request_for(user=me(request), request_id=request_id)
    return {"results": [message_out(m) for m in r.messages.prefetch_related("photos")[:500]]}


@router.post("/job-requests/{request_id}/messages", response={201: MessageOut, **_ERRORS})
def message_post(request: HttpRequest, request_id: str, body: MessageIn):  # type: ignore[no-untyped-def]
    msg = services.message_post(user=me(request), request_id=request_id, text=body.text, photo_ids=body.photo_ids)
    return Status(201, message_out(msg))


# --- quotes -----------------------------------------------------------------------------------------------

@router.post("/job-requests/{request_id}/quotes", response={201: QuoteOut, **_ERRORS})
def quote_create(request: HttpRequest, request_id: str, body: QuoteIn):  # type: ignore[no-untyped-def]
    """A quote (owners and managers): up to three options (good / better / best) with their lines, a
    validity, a deposit share and milestones whose shares sum to 100%."""
    raw = body.dict()
    q = services.quote_create(user=me(request), request_id=request_id, valid_until=body.valid_until,
                              deposit_share=raw["deposit_share"], milestones=raw["milestones"],
                              options=raw["options"], note=raw["note"])
    return Status(201, quote_out(q))


@router.get("/job-quotes/{quote_id}", response={200: QuoteOut, **_ERRORS})
def quote_get(request: HttpRequest, quote_id: str):  # type: ignore[no-untyped-def]
    q, _side = selectors.quote_for(user=me(request), quote_id=quote_id)
    return quote_out(q)


@router.get("/job-quotes/{quote_id}/pdf", response={200: None, **_ERRORS},
            openapi_extra={"responses": {"200": {"description": "the quote as a PDF (A4)",
                                                 "content": {"application/pdf": {"schema": {"type": "string",
                                                                                            "format": "binary"}}}}}})
def quote_pdf(request: HttpRequest, quote_id: str):  # type: ignore[no-untyped-def]
    """The quote as an A4 PDF in the reader's language (Accept-Language), Chinese set in Noto CJK."""
    from django.http import HttpResponse

    from o2o.jobs.pdf import quote_pdf as render

    q, _side = selectors.quote_for(user=me(request), quote_id=quote_id)
    response = HttpResponse(render(q), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="quote-{q.pk}.pdf"'
    return response


@router.post("/job-quotes/{quote_id}/accept", response={201: JobOut, **_ERRORS})
def quote_accept(request: HttpRequest, quote_id: str, body: AcceptIn):  # type: ignore[no-untyped-def]
    """The customer accepts one option before the quote expires: the job, awaiting its deposit."""
    job = services.quote_accept(customer=me(request), quote_id=quote_id, option_id=body.option_id)
    return Status(201, job_out(job))


# --- the job, its money ----------------------------------------------------------------------------------

@router.get("/jobs/{job_id}", response={200: JobOut, **_ERRORS})
def job_get(request: HttpRequest, job_id: str):  # type: ignore[no-untyped-def]
    job, _side = selectors.job_for(user=me(request), job_id=job_id)
    return job_out(job)


@router.post("/jobs/{job_id}/deposit", response={200: JobOut, **_ERRORS})
def deposit_pay(request: HttpRequest, job_id: str, body: JobPayIn):  # type: ignore[no-untyped-def]
    """Pay the deposit (sandbox); it is held in escrow and the job starts. Idempotency-Key honoured."""
    selectors.job_for(user=me(request), job_id=job_id)  # 404 before anything else

    def work():  # type: ignore[no-untyped-def]
        job = escrow.deposit_pay(customer=me(request), job_id=job_id, provider=body.provider, details=_details(body))
        return 200, json_safe(job_out(job))

    status, out = idempotency.run(request, endpoint=f"jobs.deposit:{job_id}", body=_fingerprint(body), work=work)
    return Status(status, out)


@router.post("/job-milestones/{milestone_id}/pay", response={200: JobOut, **_ERRORS})
def milestone_pay(request: HttpRequest, milestone_id: str, body: JobPayIn):  # type: ignore[no-untyped-def]
    """Pay in what the milestone still needs (its `due`), held in escrow until sign-off."""
    selectors.milestone_for(user=me(request), milestone_id=milestone_id)

    def work():  # type: ignore[no-untyped-def]
        job = escrow.milestone_pay(customer=me(request), milestone_id=milestone_id, provider=body.provider,
                                   details=_details(body))
        return 200, json_safe(job_out(job))

    status, out = idempotency.run(request, endpoint=f"jobs.milestone_pay:{milestone_id}", body=_fingerprint(body),
                                  work=work)
    return Status(status, out)


def _job_of(m: Milestone) -> dict[str, Any]:
    return job_out(Job.objects.get(pk=m.job_id))


@router.post("/job-milestones/{milestone_id}/start", response={200: JobOut, **_ERRORS})
def milestone_start(request: HttpRequest, milestone_id: str):  # type: ignore[no-untyped-def]
    """Staff start a milestone; printing only after an approved proof (409 proof_not_approved)."""
    return _job_of(escrow.milestone_start(staff=me(request), milestone_id=milestone_id))


@router.post("/job-milestones/{milestone_id}/done", response={200: JobOut, **_ERRORS})
def milestone_done(request: HttpRequest, milestone_id: str):  # type: ignore[no-untyped-def]
    return _job_of(escrow.milestone_done(staff=me(request), milestone_id=milestone_id))


@router.post("/job-milestones/{milestone_id}/sign-off", response={200: JobOut, **_ERRORS})
def milestone_sign_off(request: HttpRequest, milestone_id: str):  # type: ignore[no-untyped-def]
    """The customer signs done work off: its share is released from escrow to the merchant."""
    return _job_of(escrow.milestone_sign_off(customer=me(request), milestone_id=milestone_id))


@router.post("/job-milestones/{milestone_id}/dispute", response={201: DisputeOut, **_ERRORS})
def milestone_dispute(request: HttpRequest, milestone_id: str, body: CommentIn):  # type: ignore[no-untyped-def]
    d = escrow.milestone_dispute(customer=me(request), milestone_id=milestone_id, comment=body.comment,
                                 photo_ids=body.photo_ids)
    return Status(201, {"id": d.pk, "milestone_id": d.milestone_id, "comment": d.comment, "answer": d.answer,
                        "decision": d.decision})


@router.post("/job-milestones/{milestone_id}/answer", response={200: DisputeOut, **_ERRORS})
def dispute_answer(request: HttpRequest, milestone_id: str, body: AnswerIn):  # type: ignore[no-untyped-def]
    d = escrow.dispute_answer(staff=me(request), milestone_id=milestone_id, answer=body.answer)
    return {"id": d.pk, "milestone_id": d.milestone_id, "comment": d.comment, "answer": d.answer,
            "decision": d.decision}


# --- change orders -------------------------------------------------------------------------------------

@router.post("/jobs/{job_id}/change-orders", response={201: ChangeOrderOut, **_ERRORS})
def change_order_propose(request: HttpRequest, job_id: str, body: ChangeOrderIn):  # type: ignore[no-untyped-def]
    raw = body.dict()
    co = escrow.change_order_propose(staff=me(request), job_id=job_id, price=raw["price"],
                                     milestones=raw["milestones"], reason=raw["reason"])
    return Status(201, change_order_out(co))


@router.post("/job-change-orders/{change_order_id}/accept", response={200: ChangeOrderOut, **_ERRORS})
def change_order_accept(request: HttpRequest, change_order_id: str):  # type: ignore[no-untyped-def]
    return change_order_out(escrow.change_order_decide(customer=me(request), change_order_id=change_order_id,
                                                       accept=True))


@router.post("/job-change-orders/{change_order_id}/decline", response={200: ChangeOrderOut, **_ERRORS})
def change_order_decline(request: HttpRequest, change_order_id: str):  # type: ignore[no-untyped-def]
    return change_order_out(escrow.change_order_decide(customer=me(request), change_order_id=change_order_id,
                                                       accept=False))


# --- on site --------------------------------------------------------------------------------------------

@router.post("/job-milestones/{milestone_id}/check-ins", response={201: CheckInOut, **_ERRORS})
def check_in(request: HttpRequest, milestone_id: str, body: CheckInIn):  # type: ignore[no-untyped-def]
    """A technician (staff of the merchant) checks in at the site with the phone's position and time and a
    photo: 422 `too_far` beyond the form's radius, `bad_time` for a time in the future (or 12 h old)."""
    c = site.check_in(technician=me(request), milestone_id=milestone_id, lat=body.lat, lng=body.lng, at=body.at,
                      photo_id=body.photo_id)
    return Status(201, check_in_out(c))


@router.post("/job-check-ins/{check_in_id}/check-out", response={200: CheckInOut, **_ERRORS})
def check_out(request: HttpRequest, check_in_id: str, body: CheckOutIn):  # type: ignore[no-untyped-def]
    return check_in_out(site.check_out(technician=me(request), check_in_id=check_in_id, note=body.note, at=body.at))


# --- print proofs ----------------------------------------------------------------------------------------

@router.post("/jobs/{job_id}/proofs", response={201: ProofOut, **_ERRORS}, openapi_extra=_FILE_BODY)
def proof_upload(request: HttpRequest, job_id: str):  # type: ignore[no-untyped-def]
    """Multipart `file`: the proof PDF (staff); rendered to a PNG preview of its first page."""
    selectors.job_for_staff(user=me(request), job_id=job_id)
    f = request.FILES.get("file")
    if f is None:
        raise Invalid(_("Send the PDF as multipart field “file”."), fields={"file": _("required")})
    data = read_limited(f, MAX_BYTES["pdf"], field="file")
    return Status(201, proof_out(site.proof_upload(staff=me(request), job_id=job_id, data=data)))


@router.post("/job-proofs/{proof_id}/approve", response={200: ProofOut, **_ERRORS})
def proof_approve(request: HttpRequest, proof_id: str, body: ProofDecisionIn | None = None):  # type: ignore[no-untyped-def]
    return proof_out(site.proof_decide(customer=me(request), proof_id=proof_id, approve=True,
                                       comment=body.comment if body else ""))


@router.post("/job-proofs/{proof_id}/request-changes", response={200: ProofOut, **_ERRORS})
def proof_changes(request: HttpRequest, proof_id: str, body: ProofDecisionIn):  # type: ignore[no-untyped-def]
    return proof_out(site.proof_decide(customer=me(request), proof_id=proof_id, approve=False, comment=body.comment))
