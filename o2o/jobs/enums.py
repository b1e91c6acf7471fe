from django.db import models
from django.utils.translation import gettext_lazy as _


class Trade(models.TextChoices):
    RENOVATION = "renovation", _("Renovation")
    PRINTING = "printing", _("Printing")
    PACKAGING = "packaging", _("Packaging")
    OTHER = "other", _("Other")


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    CHOICE = "choice", _("Choice")
    AREA = "area", _("Area (m²)")
    DATE = "date", _("Date")
    PHOTOS = "photos", _("Photos")
    FILE = "file", _("File")


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    QUOTED = "quoted", _("Quoted")
    ACCEPTED = "accepted", _("Accepted")
    CANCELLED = "cancelled", _("Cancelled")


REQUEST_TRANSITIONS = {
    "submitted": frozenset({"quoted", "cancelled"}),
    "quoted": frozenset({"quoted", "accepted", "cancelled"}),
    "accepted": frozenset(),
    "cancelled": frozenset(),
}


class QuoteStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    SUPERSEDED = "superseded", _("Superseded")  # another quote of the request was accepted


QUOTE_TRANSITIONS = {
    "sent": frozenset({"accepted", "superseded"}),
    "accepted": frozenset(),
    "superseded": frozenset(),
}


class Tier(models.TextChoices):
    GOOD = "good", _("Good")
    BETTER = "better", _("Better")
    BEST = "best", _("Best")


class JobStatus(models.TextChoices):
    AWAITING_DEPOSIT = "awaiting_deposit", _("Awaiting deposit")
    ACTIVE = "active", _("In progress")
    COMPLETED = "completed", _("Completed")


JOB_TRANSITIONS = {
    "awaiting_deposit": frozenset({"active"}),
    "active": frozenset({"completed"}),
    "completed": frozenset(),
}


class MilestoneKind(models.TextChoices):
    WORK = "work", _("Work")
    PROOF = "proof", _("Proof approval")
    PRINTING = "printing", _("Printing")  # cannot start before a proof of the job is approved


class MilestoneStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done, awaiting sign-off")
    DISPUTED = "disputed", _("Disputed")
    ANSWERED = "answered", _("Answered by the merchant")
    SIGNED_OFF = "signed_off", _("Signed off (released)")
    REFUNDED = "refunded", _("Refunded to the customer")
    REPLACED = "replaced", _("Replaced by a change order")


MILESTONE_TRANSITIONS = {
    "pending": frozenset({"in_progress", "done", "replaced"}),
    "in_progress": frozenset({"done"}),
    "done": frozenset({"signed_off", "disputed", "in_progress"}),
    # A dispute holds the share until the merchant answers and the customer signs off, or the
    # operator decides (release: signed_off, or refund).
    "disputed": frozenset({"answered", "signed_off", "refunded"}),
    "answered": frozenset({"signed_off", "disputed", "refunded"}),
    "signed_off": frozenset(),
    "refunded": frozenset(),
    "replaced": frozenset(),
}
OPEN_MILESTONES = frozenset({"pending"})  # what a change order may replace
CLOSED_MILESTONES = frozenset({"signed_off", "refunded", "replaced"})


class EscrowKind(models.TextChoices):
    DEPOSIT = "deposit", _("Deposit held")
    PAYMENT = "payment", _("Payment held")
    RELEASE = "release", _("Released to the merchant")
    REFUND = "refund", _("Refunded to the customer")


class ChangeOrderStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


CHANGE_ORDER_TRANSITIONS = {
    "proposed": frozenset({"accepted", "declined"}),
    "accepted": frozenset(),
    "declined": frozenset(),
}


class ProofStatus(models.TextChoices):
    AWAITING = "awaiting_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    CHANGES = "changes_requested", _("Changes requested")


PROOF_TRANSITIONS = {
    "awaiting_approval": frozenset({"approved", "changes_requested"}),
    "approved": frozenset(),
    "changes_requested": frozenset(),
}
