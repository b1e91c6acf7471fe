from django.db import models
from django.utils.translation import gettext_lazy as _


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
