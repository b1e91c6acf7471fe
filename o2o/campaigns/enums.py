from django.db import models
from django.utils.translation import gettext_lazy as _


class PlacementKind(models.TextChoices):
    """Where a placement's QR and short link are put in front of people."""

    FLYER = "flyer", _("Flyer")
    POSTER = "poster", _("Poster")
    TABLE_TENT = "table_tent", _("Table tent")
    WINDOW = "window", _("Shop window")
    SOCIAL = "social", _("Social post")
    VIDEO = "video", _("Short video")
    PARTNER = "partner", _("Partner shop")


class AttributionModel(models.TextChoices):
    """Which of a buyer's scans before an order the order counts for."""

    LAST_TOUCH = "last_touch", _("Last touch")
    FIRST_TOUCH = "first_touch", _("First touch")
