from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CouponKind(models.TextChoices):
    FIXED = "fixed", _("Fixed amount off")
    PERCENT = "percent", _("Percent off")


class CouponStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")


class RefundRule(models.TextChoices):
    """What a refund does to the coupon an order used (the merchant's rule)."""

    RETURN = "return", _("Given back when the order is refunded in full")
    FORFEIT = "forfeit", _("Used up even if the order is refunded")


class ClaimStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    USED = "used", _("Used")


# A claimed coupon is used by one order; an order that expires unpaid, is cancelled or (by the rule)
# refunded in full gives it back.
CLAIM_TRANSITIONS = {
    "available": frozenset({"used"}),
    "used": frozenset({"available"}),
}


class TierBasis(models.TextChoices):
    SPEND = "spend", _("Money spent")
    POINTS = "points", _("Points earned")


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the first order")
    REWARDED = "rewarded", pgettext_lazy("referral", "Rewarded")
    REVERSED = "reversed", _("Reversed (the first order was refunded)")


REFERRAL_TRANSITIONS = {
    "pending": frozenset({"rewarded"}),
    "rewarded": frozenset({"reversed"}),
    "reversed": frozenset(),
}


class TeamStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("team", "Open")
    COMPLETE = "complete", pgettext_lazy("team", "Complete")
    FAILED = "failed", _("Not filled in time")


TEAM_TRANSITIONS = {
    "open": frozenset({"complete", "failed"}),
    "complete": frozenset(),
    "failed": frozenset(),
}


class TeamMemberStatus(models.TextChoices):
    RESERVED = "reserved", _("Place held, not paid")
    PAID = "paid", _("Paid, waiting for the team")
    ISSUED = "issued", _("Team complete, vouchers issued")
    RELEASED = "released", _("Not paid in time")
    OVERFLOW = "overflow", _("Paid too late: refunded")
    REFUNDED = "refunded", pgettext_lazy("team member", "Refunded")


# reserved: the order awaits payment; paid: paid, the money held until the team is full; issued: the
# team completed and the order's vouchers were issued; released: the unpaid order expired or was
# cancelled (its place freed); overflow: paid after its place or the team was gone (the worker refunds
# it); refunded: refunded before the team completed (left it, or the team failed).
TEAM_MEMBER_TRANSITIONS = {
    "reserved": frozenset({"paid", "released"}),
    "paid": frozenset({"issued", "refunded"}),
    "released": frozenset({"paid", "overflow"}),
    "overflow": frozenset({"refunded"}),
    "issued": frozenset(),
    "refunded": frozenset(),
}
