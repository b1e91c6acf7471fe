from django.db import models
from django.utils.translation import gettext_lazy as _


class OfferingKind(models.TextChoices):
    DEAL = "deal", _("Group-buy deal")
    PRODUCT = "product", _("Product")
    SERVICE = "service", _("Bookable service")
    JOB = "job", _("Quote-based job")


class OfferingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LIVE = "live", _("Live")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


OFFERING_TRANSITIONS = {
    "draft": frozenset({"live", "ended"}),
    "live": frozenset({"paused", "ended"}),
    "paused": frozenset({"live", "ended"}),
    "ended": frozenset(),
}
