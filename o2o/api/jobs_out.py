"""The jobs API's request and answer shapes, and the answers built from the jobs models (o2o/api/routers/jobs.py
holds the endpoints)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from o2o.api.serializers import money
from o2o.core.money import Money
from o2o.jobs import escrow, selectors, services
from o2o.jobs.models import (
    ChangeOrder,
    CheckIn,
    Job,
    JobRequest,
    Message,
    Milestone,
    Proof,
    Quote,
    RequestForm,
    Upload,
)


def _m(amount: Any, currency: str) -> dict[str, str]:
    return money(Money(amount, currency))


# --- schemas -------------------------------------------------------------------------------------------

class FieldDef(Schema):
    key: str = Field(..., max_length=40, description="lower-case letters, digits and _")
    label: str = Field(..., max_length=140)
    type: str = Field(..., description="text, number, choice, area (m²), date, photos or file")
    required: bool = False
    choices: list[str] | None = Field(None, description="for choice")
    min: str | int | None = Field(None, description="for number and area")
    max: str | int | None = None
    max_files: int | None = Field(None, description="for photos (1-12, default 6)")


class FormIn(Schema):
    trade: str = Field(..., description="renovation, printing, packaging or other")
    title: str = Field(..., max_length=140)
    fields: list[dict[str, Any]] = Field(..., description="FieldDef objects, at most 40")
    checkin_radius_m: int = Field(500, description="how far from the site a technician may check in (20-20000)")
    store_id: str | None = Field(None, max_length=64)
    currency: str = Field("CNY", max_length=3)


class FormOut(Schema):
    id: Any
    merchant_id: Any
    trade: str
    title: str
    fields: list[FieldDef]
    checkin_radius_m: int
    currency: str


def form_out(f: RequestForm) -> dict[str, Any]:
    return {"id": f.pk, "merchant_id": f.merchant_id, "trade": f.trade, "title": f.title, "fields": f.fields,
            "checkin_radius_m": f.checkin_radius_m, "currency": f.offering.currency}


class FormListOut(Schema):
    results: list[FormOut]


class UploadOut(Schema):
    id: Any
    kind: str = Field(..., description="what the bytes are: jpeg, png, webp or pdf")
    size: int
    width: int | None = None
    height: int | None = None
    url: str


def upload_out(u: Upload) -> dict[str, Any]:
    return {"id": u.pk, "kind": u.kind, "size": u.size, "width": u.width, "height": u.height, "url": u.content.url}


class SiteIn(Schema):
    address: str = Field("", max_length=200)
    lat: float | None = None
    lng: float | None = None


class RequestIn(Schema):
    answers: dict[str, Any] = Field(..., description="field key -> answer; photos: a list of upload ids, "
                                                     "file: an upload id (POST /job-uploads first)")
    site: SiteIn | None = None


class MessageIn(Schema):
    text: str = Field(..., max_length=4000)
    photo_ids: list[str] = Field([], max_length=6)


class MessageOut(Schema):
    id: Any
    author_id: Any
    from_merchant: bool
    text: str
    photos: list[UploadOut]
    created_at: datetime


def message_out(msg: Message) -> dict[str, Any]:
    return {"id": msg.pk, "author_id": msg.author_id, "from_merchant": msg.from_merchant, "text": msg.text,
            "photos": [upload_out(u) for u in msg.photos.all()], "created_at": msg.created_at}


class MessageListOut(Schema):
    results: list[MessageOut]


class LineIn(Schema):
    description: str = Field(..., max_length=200)
    quantity: str = Field("1", max_length=16, description="up to 2 decimals (square metres, hours ...)")
    unit_price: dict[str, Any] = Field(..., description='{"amount": "120.00", "currency": "CNY"}')


class OptionIn(Schema):
    tier: str = Field(..., description="good, better or best")
    title: str = Field(..., max_length=140)
    lines: list[LineIn] = Field(..., max_length=50)


class MilestoneIn(Schema):
    title: str = Field(..., max_length=140)
    share: str = Field(..., max_length=8, description="percent of the price, e.g. \"30.00\"; all sum to 100")
    kind: str = Field("work", description="work, proof (approval of a print proof) or printing")


class QuoteIn(Schema):
    valid_until: datetime
    deposit_share: str = Field(..., max_length=8, description="percent of the price paid up front (1-100)")
    milestones: list[MilestoneIn] = Field(..., max_length=20)
    options: list[OptionIn] = Field(..., max_length=3)
    note: str = Field("", max_length=4000)


class LineOut(Schema):
    description: str
    quantity: str
    unit_price: dict[str, str]
    line_total: dict[str, str]


class OptionOut(Schema):
    id: Any
    tier: str
    title: str
    total: dict[str, str]
    deposit: dict[str, str]
    lines: list[LineOut]


class QuoteOut(Schema):
    id: Any
    request_id: Any
    status: str = Field(..., description="sent, accepted or superseded")
    valid_until: datetime
    expired: bool
    deposit_share: str
    milestones: list[MilestoneIn]
    options: list[OptionOut]
    accepted_option_id: Any = None
    note: str


def quote_out(q: Quote) -> dict[str, Any]:
    from django.utils import timezone

    opts = []
    for o in q.options.all().order_by("created_at"):
        deposit = services.split(o.total_amount, [q.deposit_share, services.HUNDRED - q.deposit_share])[0] \
            if q.deposit_share < services.HUNDRED else o.total_amount
        opts.append({"id": o.pk, "tier": o.tier, "title": o.title, "total": _m(o.total_amount, o.currency),
                     "deposit": _m(deposit, o.currency),
                     "lines": [{"description": ln.description, "quantity": str(ln.quantity),
                                "unit_price": _m(ln.unit_price_amount, o.currency),
                                "line_total": _m(ln.line_total_amount, o.currency)} for ln in o.lines.all()]})
    return {"id": q.pk, "request_id": q.request_id, "status": q.status, "valid_until": q.valid_until,
            "expired": q.status == "sent" and q.valid_until <= timezone.now(), "deposit_share": str(q.deposit_share),
            "milestones": q.milestones, "options": opts, "accepted_option_id": q.accepted_option_id, "note": q.note}


class RequestOut(Schema):
    id: Any
    form_id: Any
    merchant_id: Any
    customer_id: Any
    status: str = Field(..., description="submitted, quoted, accepted or cancelled")
    answers: dict[str, Any]
    site: SiteIn
    quotes: list[QuoteOut]
    job_id: Any = None
    created_at: datetime


def request_out(r: JobRequest) -> dict[str, Any]:
    job_id = Job.objects.filter(request=r).values_list("pk", flat=True).first()
    return {"id": r.pk, "form_id": r.form_id, "merchant_id": r.merchant_id, "customer_id": r.customer_id,
            "status": r.status, "answers": r.answers,
            "site": {"address": r.site_address, "lat": r.site_lat, "lng": r.site_lng},
            "quotes": [quote_out(q) for q in r.quotes.all().order_by("created_at")], "job_id": job_id,
            "created_at": r.created_at}


class RequestListOut(Schema):
    results: list[RequestOut]


class MilestoneOut(Schema):
    id: Any
    position: int
    title: str
    kind: str
    share: str
    amount: dict[str, str]
    due: dict[str, str] = Field(..., description="what the customer still has to pay in before sign-off")
    status: str = Field(..., description="pending, in_progress, done, disputed, answered, signed_off, refunded, replaced")


class EscrowOut(Schema):
    held: dict[str, str]
    deposits: dict[str, str]
    payments: dict[str, str]
    releases: dict[str, str]
    refunds: dict[str, str]


class JobOut(Schema):
    id: Any
    request_id: Any
    status: str = Field(..., description="awaiting_deposit, active or completed")
    price: dict[str, str]
    deposit: dict[str, str]
    order_id: Any = None
    escrow: EscrowOut
    milestones: list[MilestoneOut]


def job_out(job: Job) -> dict[str, Any]:
    job.refresh_from_db()
    sums = selectors.escrow_sums(job.pk)
    c = job.currency
    return {"id": job.pk, "request_id": job.request_id, "status": job.status, "price": _m(job.price_amount, c),
            "deposit": _m(job.deposit_amount, c), "order_id": job.order_id,
            "escrow": {"held": _m(sums["held"], c), "deposits": _m(sums["deposit"], c),
                       "payments": _m(sums["payment"], c), "releases": _m(sums["release"], c),
                       "refunds": _m(sums["refund"], c)},
            "milestones": [milestone_out(m, job) for m in job.milestones.all().order_by("position", "created_at")]}


def milestone_out(m: Milestone, job: Job) -> dict[str, Any]:
    return {"id": m.pk, "position": m.position, "title": m.title, "kind": m.kind, "share": str(m.share),
            "amount": _m(m.amount, m.currency), "due": _m(escrow.milestone_due(job, m), m.currency), "status": m.status}


class JobPayIn(Schema):
    """Sandbox test cards as for orders: 4242424242424242 succeeds, 4000000000000002 -> 402 payment_declined."""

    provider: str = Field("sandbox", max_length=32)
    card_number: str = Field("", max_length=32, examples=["4242424242424242"])
    exp_month: int | str | None = None
    exp_year: int | str | None = None
    cvc: str | None = Field(None, max_length=8)


def _details(body: JobPayIn) -> dict[str, Any]:
    raw = body.dict()
    return {k: raw[k] for k in ("card_number", "exp_month", "exp_year", "cvc") if raw.get(k) is not None}


def _fingerprint(body: JobPayIn) -> dict[str, Any]:
    raw = body.dict()
    return {"provider": raw["provider"], "card": raw["card_number"][-4:]}


class AcceptIn(Schema):
    option_id: str = Field(..., max_length=64)


class CommentIn(Schema):
    comment: str = Field(..., max_length=4000)
    photo_ids: list[str] = Field([], max_length=6)


class AnswerIn(Schema):
    answer: str = Field(..., max_length=4000)


class DisputeOut(Schema):
    id: Any
    milestone_id: Any
    comment: str
    answer: str
    decision: str


class ChangeOrderIn(Schema):
    price: dict[str, Any] = Field(..., description="the job's new total price")
    milestones: list[MilestoneIn] = Field(..., max_length=20, description=(
        "replace the pending milestones; shares of what the new price leaves after the others, summing to 100"))
    reason: str = Field(..., max_length=2000)


class ChangeOrderOut(Schema):
    id: Any
    job_id: Any
    status: str = Field(..., description="proposed, accepted or declined")
    old_price: dict[str, str]
    new_price: dict[str, str]
    milestones: list[MilestoneIn]
    reason: str


def change_order_out(co: ChangeOrder) -> dict[str, Any]:
    c = co.job.currency
    return {"id": co.pk, "job_id": co.job_id, "status": co.status, "old_price": _m(co.old_price_amount, c),
            "new_price": _m(co.new_price_amount, c), "milestones": co.milestones, "reason": co.reason}


class CheckInIn(Schema):
    lat: float
    lng: float
    at: datetime = Field(..., description="the phone's time, ISO 8601 with offset")
    photo_id: str = Field(..., max_length=64, description="a photo uploaded with POST /job-uploads")


class CheckOutIn(Schema):
    note: str = Field("", max_length=4000)
    at: datetime | None = None


class CheckInOut(Schema):
    id: Any
    milestone_id: Any
    technician_id: Any
    lat: float
    lng: float
    at: datetime
    distance_m: float
    photo: UploadOut
    checked_out_at: datetime | None = None
    note: str


def check_in_out(c: CheckIn) -> dict[str, Any]:
    return {"id": c.pk, "milestone_id": c.milestone_id, "technician_id": c.technician_id, "lat": c.lat, "lng": c.lng,
            "at": c.at, "distance_m": c.distance_m, "photo": upload_out(c.photo), "checked_out_at": c.checked_out_at,
            "note": c.note}


class ProofOut(Schema):
    id: Any
    job_id: Any
    version: int
    status: str = Field(..., description="awaiting_approval, approved or changes_requested")
    pages: int
    pdf_url: str
    preview_url: str = Field(..., description="a PNG of the first page")
    comment: str


def proof_out(p: Proof) -> dict[str, Any]:
    return {"id": p.pk, "job_id": p.job_id, "version": p.version, "status": p.status, "pages": p.pages,
            "pdf_url": p.pdf.content.url, "preview_url": p.preview.url, "comment": p.comment}


class ProofDecisionIn(Schema):
    comment: str = Field("", max_length=4000)
