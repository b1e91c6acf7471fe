from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    DECLINED = "declined", _("Declined")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")


PAYMENT_TRANSITIONS = {
    "pending": frozenset({"succeeded", "declined"}),
    "succeeded": frozenset({"partially_refunded", "refunded"}),
    "partially_refunded": frozenset({"partially_refunded", "refunded"}),
    "declined": frozenset(),
    "refunded": frozenset(),
}


class PaymentPurpose(models.TextChoices):
    """What a payment pays of its order. Only `full` payments can be duplicates of each other: a
    deposit, a balance or a milestone is planned and is kept as long as it does not pay more than is due."""

    FULL = "full", _("Full payment")
    DEPOSIT = "deposit", _("Deposit")
    BALANCE = "balance", _("Balance")
    MILESTONE = "milestone", _("Milestone")


class LedgerKind(models.TextChoices):
    CAPTURE = "capture", _("Capture")
    REFUND = "refund", _("Refund")
    HOLD = "hold", _("Held in escrow")
    RELEASE = "release", _("Released from escrow")


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # booked, the gateway not yet told (or its answer was lost)
    SUCCEEDED = "succeeded", _("Succeeded")
