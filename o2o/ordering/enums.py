from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketKind(models.TextChoices):
    PICKUP = "pickup", _("Pickup")
    DINE_IN = "dine_in", _("Table")
    COUNTER = "counter", _("Counter")


class TabStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


TAB_TRANSITIONS = {"open": frozenset({"closed"}), "closed": frozenset()}

# Fulfilment statuses the kitchen screen shows (orders.enums.FULFILMENT_TRANSITIONS for pickup/dine_in).
QUEUE_STATUSES = ("pending", "accepted", "preparing", "ready")
