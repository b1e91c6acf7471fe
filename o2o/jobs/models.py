from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from o2o.core.models import BaseModel, StatusEventBase
from o2o.core.money import Money
from o2o.jobs.enums import (
    ChangeOrderStatus,
    EscrowKind,
    JobStatus,
    MilestoneKind,
    MilestoneStatus,
    ProofStatus,
    QuoteStatus,
    RequestStatus,
    Tier,
    Trade,
)

USER = settings.AUTH_USER_MODEL


class RequestForm(BaseModel):
    """A merchant's request form for one trade: fields built from FieldType (jobs.forms checks them).
    `offering` is the merchant's hidden `job` offering the job's order lines point at."""

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="job_forms")
    store = models.ForeignKey("merchants.Store", on_delete=models.PROTECT, related_name="job_forms", null=True,
                              blank=True)
    offering = models.ForeignKey("catalogue.Offering", on_delete=models.PROTECT, related_name="job_forms")
    trade = models.CharField(_("trade"), max_length=16, choices=Trade.choices)
    title = models.CharField(_("title"), max_length=140)
    fields = models.JSONField(default=list)  # [{key, label, type, required, choices?, min?, max?, max_files?}]
    checkin_radius_m = models.PositiveIntegerField(_("check-in radius (m)"), default=500)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("request form")

    def __str__(self) -> str:
        return self.title


class JobRequest(BaseModel):
    form = models.ForeignKey(RequestForm, on_delete=models.PROTECT, related_name="requests")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="job_requests")
    customer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="job_requests")
    status = models.CharField(_("status"), max_length=16, choices=RequestStatus.choices,
                              default=RequestStatus.SUBMITTED, db_index=True)
    answers = models.JSONField(default=dict)
    site_address = models.CharField(_("site address"), max_length=200, blank=True)
    site_lat = models.FloatField(null=True, blank=True)
    site_lng = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("job request")


class RequestEvent(StatusEventBase):
    request = models.ForeignKey(JobRequest, on_delete=models.PROTECT, related_name="events")


class Upload(BaseModel):
    """A file a person sent (checked by its bytes, jobs.files), attached later to a request answer,
    a message, a check-in or a proof."""

    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="job_uploads")
    kind = models.CharField(max_length=8)  # jpeg, png, webp, gif, pdf
    size = models.PositiveIntegerField()
    name = models.CharField(max_length=120, blank=True)
    content = models.FileField(upload_to="jobs/%Y/%m/")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    request = models.ForeignKey(JobRequest, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="uploads")
    attached_as = models.CharField(max_length=64, blank=True)  # "answers.<key>", "message", "check_in" ...


class Message(BaseModel):
    request = models.ForeignKey(JobRequest, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    from_merchant = models.BooleanField(default=False)
    text = models.TextField(max_length=4000)
    photos = models.ManyToManyField(Upload, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]


class Quote(BaseModel):
    request = models.ForeignKey(JobRequest, on_delete=models.PROTECT, related_name="quotes")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=QuoteStatus.choices, default=QuoteStatus.SENT, db_index=True)
    currency = models.CharField(max_length=3)
    valid_until = models.DateTimeField()
    deposit_share = models.DecimalField(max_digits=5, decimal_places=2)  # percent of the price
    milestones = models.JSONField(default=list)  # [{title, share, kind}], shares sum to 100.00
    note = models.TextField(blank=True, max_length=4000)
    accepted_option = models.ForeignKey("jobs.QuoteOption", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+")


class QuoteEvent(StatusEventBase):
    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="events")


class QuoteOption(BaseModel):
    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="options")
    tier = models.CharField(max_length=8, choices=Tier.choices)
    title = models.CharField(max_length=140)
    total_amount = models.DecimalField(max_digits=14, decimal_places=2)  # == sum of its lines
    currency = models.CharField(max_length=3)

    class Meta:
        ordering = ["quote", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["quote", "tier"], name="quote_option_tier_once")]

    @property
    def total(self) -> Money:
        return Money(self.total_amount, self.currency)


class QuoteLine(BaseModel):
    option = models.ForeignKey(QuoteOption, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=10, decimal_places=2)
    unit_price_amount = models.DecimalField(max_digits=14, decimal_places=2)
    line_total_amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["option", "position"]


class Job(BaseModel):
    """An accepted option of a quote: the work, its price, its deposit, its milestones and its order."""

    request = models.OneToOneField(JobRequest, on_delete=models.PROTECT, related_name="job")
    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="+")
    option = models.ForeignKey(QuoteOption, on_delete=models.PROTECT, related_name="+")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="jobs")
    customer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="jobs")
    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.AWAITING_DEPOSIT,
                              db_index=True)
    currency = models.CharField(max_length=3)
    price_amount = models.DecimalField(max_digits=14, decimal_places=2)
    deposit_amount = models.DecimalField(max_digits=14, decimal_places=2)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    @property
    def price(self) -> Money:
        return Money(self.price_amount, self.currency)


class JobEvent(StatusEventBase):
    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="events")


class Milestone(BaseModel):
    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="milestones")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=140)
    kind = models.CharField(max_length=16, choices=MilestoneKind.choices, default=MilestoneKind.WORK)
    share = models.DecimalField(max_digits=5, decimal_places=2)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=MilestoneStatus.choices, default=MilestoneStatus.PENDING,
                              db_index=True)
    change_order = models.ForeignKey("jobs.ChangeOrder", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="new_milestones")

    class Meta:
        ordering = ["job", "position", "created_at"]


class MilestoneEvent(StatusEventBase):
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="events")


class Dispute(BaseModel):
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="disputes")
    comment = models.TextField(max_length=4000)
    photos = models.ManyToManyField(Upload, blank=True, related_name="+")
    answer = models.TextField(blank=True, max_length=4000)
    answered_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=16, blank=True)  # signed_off (customer), release / refund (operator)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)


class ChangeOrder(BaseModel):
    """A proposed new price and new open milestones; applied only when the customer accepts it."""

    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="change_orders")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=ChangeOrderStatus.choices, default=ChangeOrderStatus.PROPOSED)
    reason = models.TextField(max_length=2000)
    old_price_amount = models.DecimalField(max_digits=14, decimal_places=2)
    new_price_amount = models.DecimalField(max_digits=14, decimal_places=2)
    milestones = models.JSONField(default=list)  # the new open milestones: [{title, share, kind}]


class ChangeOrderEvent(StatusEventBase):
    change_order = models.ForeignKey(ChangeOrder, on_delete=models.PROTECT, related_name="events")


class EscrowEntry(models.Model):
    """The job's escrow ledger: amounts are never negative, the kind says the direction.
    held = deposits + payments - releases - refunds, never negative; each deposit or payment is one
    captured Payment of the job's order (held in the payments ledger too), each release or refund moves
    a milestone's share out of it."""

    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(auto_now_add=True)
    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="escrow")
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    payment = models.ForeignKey("payments.Payment", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    kind = models.CharField(max_length=8, choices=EscrowKind.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    memo = models.CharField(max_length=140, blank=True)

    class Meta:
        verbose_name = _("escrow entry")
        verbose_name_plural = _("escrow entries")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=Decimal(0)), name="escrow_amount_positive"),
            # a payment is held once; a milestone's share leaves escrow once
            models.UniqueConstraint(fields=["payment"], condition=models.Q(kind__in=["deposit", "payment"]),
                                    name="escrow_payment_held_once"),
            models.UniqueConstraint(fields=["milestone"], condition=models.Q(kind__in=["release", "refund"]),
                                    name="escrow_milestone_out_once"),
        ]


class CheckIn(BaseModel):
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="check_ins")
    technician = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    lat = models.FloatField()
    lng = models.FloatField()
    at = models.DateTimeField()  # the phone's time
    distance_m = models.FloatField()
    photo = models.ForeignKey(Upload, on_delete=models.PROTECT, related_name="+")
    checked_out_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, max_length=4000)


class Proof(BaseModel):
    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="proofs")
    version = models.PositiveIntegerField()
    pdf = models.ForeignKey(Upload, on_delete=models.PROTECT, related_name="+")
    preview = models.FileField(upload_to="jobs/proofs/%Y/%m/")
    pages = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=20, choices=ProofStatus.choices, default=ProofStatus.AWAITING)
    comment = models.TextField(blank=True, max_length=4000)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "version"], name="proof_version_once")]


class ProofEvent(StatusEventBase):
    proof = models.ForeignKey(Proof, on_delete=models.PROTECT, related_name="events")


class Visit(BaseModel):
    """A technician's visit to a job's site for one milestone, in a time window: what the technician's day
    page lists (in the order o2o.routing.visits drives them) and where its check-in and check-out land.
    The technician is staff of the job's merchant (jobs.visits checks it through merchants.access)."""

    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="visits")
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="visits")
    technician = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="job_visits")
    window_start = models.DateTimeField(_("arrive from"), db_index=True)
    window_end = models.DateTimeField(_("arrive by"))
    service_minutes = models.PositiveIntegerField(_("minutes on site"), default=60)
    site_address = models.CharField(_("site address"), max_length=200, blank=True)
    site_lat = models.FloatField()
    site_lng = models.FloatField()
    check_in = models.OneToOneField(CheckIn, on_delete=models.PROTECT, null=True, blank=True, related_name="visit")

    class Meta:
        verbose_name = _("visit")
        ordering = ["window_start", "created_at"]
        constraints = [models.CheckConstraint(condition=models.Q(window_end__gte=models.F("window_start")),
                                              name="visit_window_ordered")]

    @property
    def state(self) -> str:
        """planned, on_site (checked in) or done (checked out)."""
        if self.check_in is None:
            return "planned"
        return "done" if self.check_in.checked_out_at else "on_site"
