"""The money of a job, through the payments core: the deposit and milestone payments are payments of
the job's order (o2o.payments.services.order_pay, the sandbox provider), each captured payment is held
in escrow (payments.ledger.escrow_hold, and an EscrowEntry here), a signed-off milestone's share is
released to the merchant (escrow_release), an operator's refund gives it back to the customer
(escrow_release + refund_book, sent to the gateway after the commit). Change orders change the price
and the open milestones only when the customer accepts them.

Invariant (jobs.books checks it): held = deposits + payments - releases - refunds >= 0, and equals what
the payments ledger holds for the job's order (holds - releases)."""

from __future__ import annotations

import copy
import logging
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.core.errors import Conflict, Forbidden, Invalid, NotFound
from o2o.core.money import Money, check_fits, parse_amount
from o2o.core.state import transition
from o2o.jobs import selectors
from o2o.jobs.enums import (
    CHANGE_ORDER_TRANSITIONS,
    CLOSED_MILESTONES,
    MILESTONE_TRANSITIONS,
    ChangeOrderStatus,
    EscrowKind,
    JobStatus,
    MilestoneKind,
    MilestoneStatus,
    ProofStatus,
)
from o2o.jobs.models import (
    ChangeOrder,
    ChangeOrderEvent,
    Dispute,
    EscrowEntry,
    Job,
    Milestone,
    MilestoneEvent,
    Proof,
)
from o2o.jobs.services import check_milestones, job_move, split
from o2o.orders.checkout import new_order_rows
from o2o.orders.enums import FULFILMENT_TRANSITIONS, AdjustmentKind, FulfilmentKind, OrderStatus
from o2o.orders.events import orders_placed_append
from o2o.orders.models import Order, OrderAdjustment, OrderLine
from o2o.orders.services import order_fulfilment_move
from o2o.payments.enums import PaymentPurpose, PaymentStatus
from o2o.payments.ledger import escrow_hold, escrow_release, ledger_sums, refund_book, refunds_send
from o2o.payments.models import Payment
from o2o.payments.services import order_pay

log = logging.getLogger(__name__)
ZERO = Decimal("0.00")
KEPT = (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED)


class InsufficientEscrow(Conflict):
    code = "insufficient_escrow"


class AlreadyFunded(Conflict):
    code = "already_funded"


class ProofNotApproved(Conflict):
    code = "proof_not_approved"


def milestone_move(m: Milestone, to: str, *, actor: Any, reason: str = "", data: dict[str, Any] | None = None) -> None:
    transition(obj=m, to=to, table=MILESTONE_TRANSITIONS, event_model=MilestoneEvent, event_fk="milestone",
               actor=actor, reason=reason, data=data)


def fulfil_towards(order: Order | None, to: str, *, actor: Any) -> None:
    """Move the job order's fulfilment status along its table towards `to` (only forward steps)."""
    if order is None:
        return
    path = {"scheduled": ["scheduled"], "in_progress": ["scheduled", "in_progress"],
            "accepted": ["scheduled", "in_progress", "done", "accepted"]}[to]
    order.refresh_from_db(fields=["fulfilment_status"])
    for step in path:
        if step in FULFILMENT_TRANSITIONS["job"].get(order.fulfilment_status, frozenset()):
            order_fulfilment_move(order=order, to=step, actor=actor)


# --- the order and its payments -----------------------------------------------------------------------

def _job_order(job: Job) -> Order:
    """The job's order awaiting its deposit (made, or made again when the last one's hold ran out)."""
    now = timezone.now()
    order = job.order
    if order is not None and (order.status != OrderStatus.AWAITING_PAYMENT or order.expires_at > now):
        return order
    form = job.request.form
    store_id = form.store_id or form.merchant.stores.order_by("created_at").values_list("pk", flat=True).first()
    # The orders package writes the rows (as every order path does); the line is the job's hidden offering
    # at the accepted option's price and title (the offering itself is priced per quote: never changed).
    priced = copy.copy(form.offering)
    priced.price_amount, priced.title, priced.currency = job.price_amount, job.option.title[:140], job.currency
    for _attempt in range(3):
        order, lines, event = new_order_rows(customer=job.customer, wanted={priced.pk: 1}, offerings={priced.pk: priced},
                                             now=now, store_id=store_id)
        order.fulfilment = FulfilmentKind.JOB
        event.reason, event.data = "job deposit", {**event.data, "job": str(job.pk)}
        try:
            with transaction.atomic():
                order.save(force_insert=True)
        except IntegrityError:  # an order-number collision: another number
            continue
        break
    else:
        raise RuntimeError("no free order number")
    OrderLine.objects.bulk_create(lines)
    event.save(force_insert=True)
    orders_placed_append([(order, [form.offering_id])])  # the analytics stream's "order", as every order path
    Job.objects.filter(pk=job.pk).update(order=order)
    job.order = order
    return order


def escrow_sync(*, job_id: Any, actor: Any = None) -> Job:
    """Hold every captured payment of the job's order that is not held yet (idempotent: a payment is held
    once, by a unique constraint), and start the job once its deposit is held. Inside or outside a
    transaction; called in the transaction that marks the order paid (jobs.fulfilment) and after each
    milestone payment."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.order_id is None:
            return job
        held = set(EscrowEntry.objects.filter(job=job, payment__isnull=False,
                                              kind__in=[EscrowKind.DEPOSIT, EscrowKind.PAYMENT])
                   .values_list("payment_id", flat=True))
        for p in Payment.objects.filter(order_id=job.order_id, status__in=KEPT).order_by("created_at", "id"):
            if p.pk in held:
                continue
            amount = p.amount - p.refunded_amount
            if amount <= 0:
                continue
            escrow_hold(payment_id=p.pk, amount=Money(amount, p.currency), memo=f"job {job.pk}")
            kind = EscrowKind.DEPOSIT if p.purpose in (PaymentPurpose.DEPOSIT, PaymentPurpose.FULL) else EscrowKind.PAYMENT
            milestone_id = None
            if p.purpose == PaymentPurpose.MILESTONE:
                milestone_id = Milestone.objects.filter(job=job, pk=_uuid_or_none(p.reference)).values_list(
                    "pk", flat=True).first()
            EscrowEntry.objects.create(job=job, payment=p, milestone_id=milestone_id, kind=kind, amount=amount,
                                       currency=p.currency, actor=actor, memo=p.purpose)
            if kind == EscrowKind.DEPOSIT and job.status == JobStatus.AWAITING_DEPOSIT:
                job_move(job, JobStatus.ACTIVE, actor=actor, reason="deposit held")
    return job


def escrows_sync_due() -> dict[str, int]:
    """escrow_sync for every job whose order has a captured payment not held yet (the worker's sweep)."""
    held = EscrowEntry.objects.filter(payment__isnull=False).values("payment_id")
    order_ids = set(Payment.objects.filter(status__in=KEPT, order__fulfilment=FulfilmentKind.JOB)
                    .exclude(pk__in=held).values_list("order_id", flat=True)[:500])
    counts = {"synced": 0, "failed": 0}
    for job_id in Job.objects.filter(order_id__in=order_ids).values_list("pk", flat=True):
        try:
            escrow_sync(job_id=job_id)
            counts["synced"] += 1
        except Exception:  # noqa: BLE001 - one bad row never stops the others; the next period retries
            log.exception("could not hold the payments of job %s in escrow", job_id)
            counts["failed"] += 1
    return counts


def _uuid_or_none(value: str) -> Any:
    from uuid import UUID

    try:
        return UUID(value)
    except (ValueError, TypeError):
        return None


def deposit_pay(*, customer: User, job_id: Any, provider: str, details: dict[str, Any]) -> Job:
    """The customer pays the job's deposit (its quote's share of the price; the whole price at 100%)."""
    job, side = selectors.job_for(user=customer, job_id=job_id)
    if side != "customer":
        raise Forbidden(_("Only the customer pays the deposit."))
    with transaction.atomic():
        # of=self: PostgreSQL locks no row of a nullable outer join (the order)
        job = (Job.objects.select_for_update(of=("self",))
               .select_related("request__form__merchant", "option", "order").get(pk=job.pk))
        if job.status != JobStatus.AWAITING_DEPOSIT:
            raise Conflict(_("The deposit of this job is paid."), code="already_paid")
        order = _job_order(job)
    full = job.deposit_amount >= job.price_amount
    order_pay(customer=customer, order_id=order.pk, provider=provider, details=details,
              purpose=PaymentPurpose.FULL if full else PaymentPurpose.DEPOSIT,
              amount=None if full else str(job.deposit_amount), reference=str(job.pk))
    return escrow_sync(job_id=job.pk, actor=customer)


def milestone_due(job: Job, milestone: Milestone) -> Decimal:
    """What the customer still has to pay in for this milestone: the deposit and earlier payments cover
    the milestones in order (position), so the due is what the milestones up to this one cost beyond it."""
    sums = selectors.escrow_sums(job.pk)
    covered = sums["deposit"] + sums["payment"] - sums["refund"]
    live = [m for m in Milestone.objects.filter(job=job).order_by("position", "created_at")
            if m.status not in (MilestoneStatus.REPLACED, MilestoneStatus.REFUNDED)]
    cumulative = ZERO
    for m in live:
        cumulative += m.amount
        if m.pk == milestone.pk:
            return max(ZERO, min(m.amount, cumulative - covered))
    return ZERO


def milestone_pay(*, customer: User, milestone_id: Any, provider: str, details: dict[str, Any]) -> Job:
    """Pay in what a milestone still needs (milestone_due): held in escrow until it is signed off."""
    m, side = selectors.milestone_for(user=customer, milestone_id=milestone_id)
    if side != "customer":
        raise Forbidden(_("Only the customer pays for a milestone."))
    job = m.job
    if job.status != JobStatus.ACTIVE:
        raise Conflict(_("Pay the deposit first."), code="deposit_unpaid")
    if m.status in CLOSED_MILESTONES:
        raise Conflict(_("This milestone is closed."), code="milestone_closed")
    due = milestone_due(job, m)
    if due <= 0:
        raise AlreadyFunded(_("This milestone is already paid for."))
    order_pay(customer=customer, order_id=job.order_id, provider=provider, details=details,
              purpose=PaymentPurpose.MILESTONE, amount=str(due), reference=str(m.pk))
    return escrow_sync(job_id=job.pk, actor=customer)


# --- out of escrow -----------------------------------------------------------------------------------------

def _out_of_escrow(*, job: Job, milestone: Milestone, kind: str, actor: Any) -> list[Any]:
    """Inside the caller's transaction (job locked): move the milestone's share out of escrow, released
    to the merchant or refunded to the customer, from the job's payments oldest first. Never more than is
    held (409 insufficient_escrow). Returns the refunds to send after the commit."""
    amount = milestone.amount
    held = selectors.escrow_sums(job.pk)["held"]
    if amount > held:
        raise InsufficientEscrow(
            _("%(a)s is more than the %(h)s held for this job: the milestone must be paid for first.")
            % {"a": amount, "h": held}, fields={"amount": str(amount), "held": str(held)})
    left, refunds = amount, []
    assert job.order_id is not None  # something is held, so the job's order was paid
    for p in Payment.objects.filter(order_id=job.order_id).order_by("created_at", "id"):
        if left <= 0:
            break
        in_escrow = ledger_sums(payment_id=p.pk).in_escrow
        part = min(left, in_escrow)
        if part <= 0:
            continue
        escrow_release(payment_id=p.pk, amount=Money(part, p.currency),
                       memo=f"{kind} milestone {milestone.pk}"[:140])
        if kind == EscrowKind.REFUND:
            refunds.append(refund_book(payment=p, amount=part, actor=actor, memo=f"job milestone refund {milestone.pk}"))
        left -= part
    if left > 0:  # the two ledgers disagree: refuse rather than write half of it
        raise InsufficientEscrow(_("The escrow of this job does not hold enough in its payments."))
    EscrowEntry.objects.create(job=job, milestone=milestone, kind=kind, amount=amount, currency=job.currency,
                               actor=actor if getattr(actor, "is_authenticated", False) else None,
                               memo=f"milestone {milestone.position}: {milestone.title}"[:140])
    return [r.pk for r in refunds]


def _maybe_complete(job: Job, actor: Any) -> None:
    if all(s in CLOSED_MILESTONES for s in Milestone.objects.filter(job=job).values_list("status", flat=True)):
        job_move(job, JobStatus.COMPLETED, actor=actor, reason="every milestone closed")
        fulfil_towards(job.order, "accepted", actor=actor)


def _locked(milestone_id: Any) -> tuple[Job, Milestone]:
    m = Milestone.objects.get(pk=milestone_id)
    job = Job.objects.select_for_update(of=("self",)).select_related("order").get(pk=m.job_id)
    return job, Milestone.objects.select_for_update().get(pk=m.pk)


def milestone_sign_off(*, customer: User, milestone_id: Any) -> Milestone:
    """The customer signs a done (or answered) milestone off: its share is released to the merchant.
    Someone else's milestone: 404; the merchant's staff: 403; not done yet: 409 invalid_transition;
    more than is held: 409 insufficient_escrow (nothing is written)."""
    m, side = selectors.milestone_for(user=customer, milestone_id=milestone_id)
    if side != "customer":
        raise Forbidden(_("Only the customer signs a milestone off."))
    with transaction.atomic():
        job, m = _locked(m.pk)
        if m.status not in (MilestoneStatus.DONE, MilestoneStatus.ANSWERED):
            raise Conflict(_("This milestone is %(s)s; only done work is signed off.") % {"s": m.get_status_display()},
                           code="invalid_transition")
        _out_of_escrow(job=job, milestone=m, kind=EscrowKind.RELEASE, actor=customer)
        milestone_move(m, MilestoneStatus.SIGNED_OFF, actor=customer, reason="signed off")
        Dispute.objects.filter(milestone=m, decided_at__isnull=True).update(
            decision="signed_off", decided_by=customer, decided_at=timezone.now())
        _maybe_complete(job, customer)
    return m


def milestone_dispute(*, customer: User, milestone_id: Any, comment: Any, photo_ids: Any = None) -> Dispute:
    """The customer disputes done (or answered) work with a comment: the share stays held."""
    from o2o.jobs import files
    from o2o.jobs.services import _take_uploads

    m, side = selectors.milestone_for(user=customer, milestone_id=milestone_id)
    if side != "customer":
        raise Forbidden(_("Only the customer disputes a milestone."))
    if not isinstance(comment, str) or not comment.strip() or len(comment) > 4000:
        raise Invalid(_("Say what is wrong."), fields={"comment": _("1 to 4000 characters")})
    ids = photo_ids or []
    if not isinstance(ids, list) or len(ids) > 6:
        raise Invalid(_("Some fields are not valid."), fields={"photo_ids": _("at most 6 upload ids")})
    with transaction.atomic():
        job, m = _locked(m.pk)
        if m.status not in (MilestoneStatus.DONE, MilestoneStatus.ANSWERED):
            raise Conflict(_("Only done work can be disputed."), code="invalid_transition")
        milestone_move(m, MilestoneStatus.DISPUTED, actor=customer, reason=comment.strip()[:200])
        d = Dispute.objects.create(milestone=m, comment=comment.strip())
        if ids:
            d.photos.set(_take_uploads(user=customer, ids=ids, allowed=files.IMAGE_KINDS, field="photo_ids",
                                       req=job.request, attached_as="dispute"))
    return d


def dispute_answer(*, staff: User, milestone_id: Any, answer: Any) -> Dispute:
    """The merchant answers a dispute; the customer then signs off or disputes again."""
    m, side = selectors.milestone_for(user=staff, milestone_id=milestone_id)
    if side != "merchant":
        raise NotFound()
    if not isinstance(answer, str) or not answer.strip() or len(answer) > 4000:
        raise Invalid(_("Some fields are not valid."), fields={"answer": _("1 to 4000 characters")})
    with transaction.atomic():
        job, m = _locked(m.pk)
        d = Dispute.objects.filter(milestone=m, decided_at__isnull=True).order_by("-created_at").first()
        if m.status != MilestoneStatus.DISPUTED or d is None:
            raise Conflict(_("This milestone is not disputed."), code="invalid_transition")
        milestone_move(m, MilestoneStatus.ANSWERED, actor=staff, reason="merchant answered")
        Dispute.objects.filter(pk=d.pk).update(answer=answer.strip(), answered_at=timezone.now())
    d.refresh_from_db()
    return d


def dispute_decide(*, operator: User, milestone_id: Any, decision: str) -> Milestone:
    """The platform operator decides a dispute (Django admin): `release` pays the share to the merchant,
    `refund` gives it back to the customer."""
    if not (operator.is_staff and operator.is_active):
        raise Forbidden()
    if decision not in ("release", "refund"):
        raise Invalid(fields={"decision": "release, refund"})
    with transaction.atomic():
        job, m = _locked(milestone_id)
        if m.status not in (MilestoneStatus.DISPUTED, MilestoneStatus.ANSWERED):
            raise Conflict(_("This milestone is not disputed."), code="invalid_transition")
        kind = EscrowKind.RELEASE if decision == "release" else EscrowKind.REFUND
        refunds = _out_of_escrow(job=job, milestone=m, kind=kind, actor=operator)
        milestone_move(m, MilestoneStatus.SIGNED_OFF if decision == "release" else MilestoneStatus.REFUNDED,
                       actor=operator, reason=f"operator: {decision}")
        Dispute.objects.filter(milestone=m, decided_at__isnull=True).update(
            decision=decision, decided_by=operator, decided_at=timezone.now())
        _maybe_complete(job, operator)
    refunds_send(refunds)  # the gateway is told after the commit (reconcile_payments resends a lost one)
    return m


# --- the merchant's moves on a milestone ---------------------------------------------------------------

def printing_allowed(job: Job) -> bool:
    return Proof.objects.filter(job=job, status=ProofStatus.APPROVED).exists()


def milestone_start(*, staff: User, milestone_id: Any, reason: str = "started") -> Milestone:
    """Work on a milestone starts (a check-in starts it too). Printing cannot start before a proof of
    the job is approved: 409 proof_not_approved."""
    m, side = selectors.milestone_for(user=staff, milestone_id=milestone_id)
    if side != "merchant":
        raise NotFound()
    with transaction.atomic():
        job, m = _locked(m.pk)
        if job.status != JobStatus.ACTIVE:
            raise Conflict(_("Work starts once the deposit is paid."), code="deposit_unpaid")
        if m.kind == MilestoneKind.PRINTING and not printing_allowed(job):
            raise ProofNotApproved(_("Printing cannot start before the customer approves a proof."))
        if m.status != MilestoneStatus.IN_PROGRESS:
            milestone_move(m, MilestoneStatus.IN_PROGRESS, actor=staff, reason=reason)
        fulfil_towards(job.order, "in_progress", actor=staff)
    return m


def milestone_done(*, staff: User, milestone_id: Any) -> Milestone:
    """The merchant says the milestone's work is done: the customer may sign it off or dispute it."""
    m, side = selectors.milestone_for(user=staff, milestone_id=milestone_id)
    if side != "merchant":
        raise NotFound()
    with transaction.atomic():
        job, m = _locked(m.pk)
        if job.status != JobStatus.ACTIVE:
            raise Conflict(_("Work starts once the deposit is paid."), code="deposit_unpaid")
        if m.kind == MilestoneKind.PRINTING and not printing_allowed(job):
            raise ProofNotApproved(_("Printing cannot start before the customer approves a proof."))
        if m.kind == MilestoneKind.PROOF and m.status == MilestoneStatus.PENDING and not printing_allowed(job):
            raise ProofNotApproved(_("The proof milestone is done when the customer approves a proof."))
        milestone_move(m, MilestoneStatus.DONE, actor=staff, reason="done")
    return m


# --- change orders -----------------------------------------------------------------------------------

def _change_plan(job: Job, new_price: Decimal, milestones: list[dict[str, str]]) -> list[Decimal]:
    kept = [m for m in Milestone.objects.filter(job=job) if m.status not in (MilestoneStatus.PENDING,
                                                                             MilestoneStatus.REPLACED)]
    kept_total = sum((m.amount for m in kept), ZERO)
    remaining = new_price - kept_total
    sums = selectors.escrow_sums(job.pk)
    paid_in = sums["deposit"] + sums["payment"] - sums["refund"]
    if remaining <= 0:
        raise Invalid(_("The new price must be more than the milestones already under way (%(k)s).") % {"k": kept_total},
                      fields={"price": _("more than %(k)s") % {"k": kept_total}})
    if new_price < paid_in:
        raise Invalid(_("The new price is less than the %(p)s already paid.") % {"p": paid_in},
                      fields={"price": _("at least %(p)s") % {"p": paid_in}})
    return split(remaining, [Decimal(m["share"]) for m in milestones])


def change_order_propose(*, staff: User, job_id: Any, price: Any, milestones: Any, reason: Any) -> ChangeOrder:
    """The merchant proposes a new price and new milestones for the work not started yet (the pending
    milestones; their shares of what the new price leaves after the others sum to 100%). Nothing changes
    until the customer accepts it."""
    job = selectors.job_for_staff(user=staff, job_id=job_id, manage=True)
    if job.status != JobStatus.ACTIVE:
        raise Conflict(_("Only a job under way can be changed."), code="job_not_active")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 2000:
        raise Invalid(_("Say why."), fields={"reason": _("1 to 2000 characters")})
    new_price = parse_amount(price.get("amount") if isinstance(price, dict) else None, job.currency, field="price")
    if isinstance(price, dict) and price.get("currency", job.currency) != job.currency:
        raise Invalid(fields={"price.currency": job.currency})
    check_fits(new_price.amount, field="price")
    ms = check_milestones(milestones)
    _change_plan(job, new_price.amount, ms)
    with transaction.atomic():
        co = ChangeOrder.objects.create(job=job, author=staff, reason=reason.strip(), old_price_amount=job.price_amount,
                                        new_price_amount=new_price.amount, milestones=ms)
        ChangeOrderEvent.objects.create(change_order=co, actor=staff, to_status=co.status, reason="proposed")
    return co


def change_order_decide(*, customer: User, change_order_id: Any, accept: bool) -> ChangeOrder:
    """The customer accepts (the price, the order's total and the open milestones change together) or
    declines a change order. Decided already: 409 invalid_transition; the job moved on so the plan no
    longer fits: 409 change_order_stale, nothing changed."""
    co, side = selectors.change_order_for(user=customer, change_order_id=change_order_id)
    if side != "customer":
        raise Forbidden(_("Only the customer accepts or declines a change order."))
    with transaction.atomic():
        job = Job.objects.select_for_update(of=("self",)).select_related("order").get(pk=co.job_id)
        co = ChangeOrder.objects.select_for_update().get(pk=co.pk)
        if co.status != ChangeOrderStatus.PROPOSED:
            raise Conflict(_("This change order was already %(s)s.") % {"s": co.get_status_display()},
                           code="invalid_transition")
        if not accept:
            transition(obj=co, to=ChangeOrderStatus.DECLINED, table=CHANGE_ORDER_TRANSITIONS,
                       event_model=ChangeOrderEvent, event_fk="change_order", actor=customer, reason="declined")
            return co
        if job.price_amount != co.old_price_amount or job.status != JobStatus.ACTIVE:
            raise Conflict(_("The job changed since this change order was proposed."), code="change_order_stale")
        try:
            amounts = _change_plan(job, co.new_price_amount, co.milestones)
        except Invalid as exc:
            raise Conflict(exc.message, code="change_order_stale", fields=exc.fields) from None
        transition(obj=co, to=ChangeOrderStatus.ACCEPTED, table=CHANGE_ORDER_TRANSITIONS,
                   event_model=ChangeOrderEvent, event_fk="change_order", actor=customer, reason="accepted")
        last = max(Milestone.objects.filter(job=job).values_list("position", flat=True), default=-1)
        for m in Milestone.objects.filter(job=job, status=MilestoneStatus.PENDING):
            milestone_move(m, MilestoneStatus.REPLACED, actor=customer, reason=f"change order {co.pk}")
        Milestone.objects.bulk_create([
            Milestone(job=job, position=last + 1 + i, title=m["title"], kind=m["kind"], share=Decimal(m["share"]),
                      amount=a, currency=job.currency, change_order=co)
            for i, (m, a) in enumerate(zip(co.milestones, amounts, strict=True))])
        delta = co.new_price_amount - job.price_amount
        Job.objects.filter(pk=job.pk).update(price_amount=co.new_price_amount)
        if delta and job.order_id:
            order = Order.objects.select_for_update().get(pk=job.order_id)
            OrderAdjustment.objects.create(order=order, kind=AdjustmentKind.CHANGE_ORDER, amount=delta,
                                           currency=order.currency, label=co.reason[:140], reference=str(co.pk))
            Order.objects.filter(pk=order.pk).update(total_amount=order.total_amount + delta)
    co.refresh_from_db()
    return co
