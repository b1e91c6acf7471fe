"""Reads of jobs, each through one access check: the customer of a request (or its job) or staff of its
merchant (merchants.access); anyone else gets NotFound (404), never the data."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from o2o.core.errors import Forbidden, NotFound
from o2o.jobs.enums import EscrowKind
from o2o.jobs.models import (
    ChangeOrder,
    CheckIn,
    EscrowEntry,
    Job,
    JobRequest,
    Milestone,
    Proof,
    Quote,
    RequestForm,
)
from o2o.merchants.access import as_uuid, membership_of, merchant_for_staff
from o2o.merchants.models import StaffMembership

ZERO = Decimal("0.00")


def _side(user: Any, *, customer_id: Any, merchant_id: Any, manage: bool = False) -> tuple[str, StaffMembership | None]:
    """'customer' or 'merchant' (with the membership), or NotFound; manage=True: owner/manager only (403)."""
    if getattr(user, "is_authenticated", False) and customer_id == user.pk:
        return "customer", None
    _merchant, membership = merchant_for_staff(user=user, merchant_id=merchant_id, manage=manage)
    return "merchant", membership


def form_public(form_id: Any) -> RequestForm:
    form = RequestForm.objects.select_related("merchant").filter(pk=as_uuid(form_id), active=True).first()
    if form is None or form.merchant.status != "active":
        raise NotFound()
    return form


def request_for(*, user: Any, request_id: Any) -> tuple[JobRequest, str]:
    req = JobRequest.objects.select_related("form").filter(pk=as_uuid(request_id)).first()
    if req is None:
        raise NotFound()
    side, _m = _side(user, customer_id=req.customer_id, merchant_id=req.merchant_id)
    return req, side


def request_for_staff(*, user: Any, request_id: Any, manage: bool = False) -> JobRequest:
    req = JobRequest.objects.select_related("form").filter(pk=as_uuid(request_id)).first()
    if req is None:
        raise NotFound()
    merchant_for_staff(user=user, merchant_id=req.merchant_id, manage=manage)  # NotFound, or Forbidden to clerks
    return req


def quote_for(*, user: Any, quote_id: Any) -> tuple[Quote, str]:
    quote = Quote.objects.select_related("request").filter(pk=as_uuid(quote_id)).first()
    if quote is None:
        raise NotFound()
    side, _m = _side(user, customer_id=quote.request.customer_id, merchant_id=quote.request.merchant_id)
    return quote, side


def job_for(*, user: Any, job_id: Any, manage: bool = False) -> tuple[Job, str]:
    job = Job.objects.select_related("request", "request__form").filter(pk=as_uuid(job_id)).first()
    if job is None:
        raise NotFound()
    side, _m = _side(user, customer_id=job.customer_id, merchant_id=job.merchant_id, manage=manage)
    return job, side


def job_for_staff(*, user: Any, job_id: Any, manage: bool = False) -> Job:
    job, side = job_for(user=user, job_id=job_id, manage=manage)
    if side != "merchant":
        raise NotFound() if membership_of(user, job.merchant_id) is None else Forbidden()
    return job


def milestone_of(job: Job, milestone_id: Any) -> Milestone:
    m = Milestone.objects.filter(pk=as_uuid(milestone_id), job=job).first()
    if m is None:
        raise NotFound()
    return m


def milestone_for(*, user: Any, milestone_id: Any) -> tuple[Milestone, str]:
    m = Milestone.objects.select_related("job").filter(pk=as_uuid(milestone_id)).first()
    if m is None:
        raise NotFound()
    side, _m = _side(user, customer_id=m.job.customer_id, merchant_id=m.job.merchant_id)
    return m, side


def proof_for(*, user: Any, proof_id: Any) -> tuple[Proof, str]:
    p = Proof.objects.select_related("job").filter(pk=as_uuid(proof_id)).first()
    if p is None:
        raise NotFound()
    side, _m = _side(user, customer_id=p.job.customer_id, merchant_id=p.job.merchant_id)
    return p, side


def change_order_for(*, user: Any, change_order_id: Any) -> tuple[ChangeOrder, str]:
    co = ChangeOrder.objects.select_related("job").filter(pk=as_uuid(change_order_id)).first()
    if co is None:
        raise NotFound()
    side, _m = _side(user, customer_id=co.job.customer_id, merchant_id=co.job.merchant_id)
    return co, side


def check_in_for(*, user: Any, check_in_id: Any) -> CheckIn:
    c = CheckIn.objects.select_related("milestone__job").filter(pk=as_uuid(check_in_id)).first()
    if c is None or membership_of(user, c.milestone.job.merchant_id) is None:
        raise NotFound()
    return c


def requests_of_customer(user: Any) -> QuerySet[JobRequest]:
    return JobRequest.objects.filter(customer=user).order_by("-created_at")


def requests_of_merchant(merchant_id: Any) -> QuerySet[JobRequest]:
    return JobRequest.objects.filter(merchant_id=merchant_id).order_by("-created_at")


def escrow_sums(job_id: Any) -> dict[str, Decimal]:
    """The job's escrow ledger per kind, and `held` (sums in Decimal in Python: SQLite adds floats)."""
    by = {k: ZERO for k in EscrowKind.values}
    for kind, amount in EscrowEntry.objects.filter(job_id=job_id).values_list("kind", "amount"):
        by[kind] += amount
    by["held"] = by["deposit"] + by["payment"] - by["release"] - by["refund"]
    return by
