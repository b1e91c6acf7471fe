from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TicketKind(models.TextChoices):
    PICKUP = "pickup", _("Pickup")
    DINE_IN = "dine_in", _("Table")
    COUNTER = "counter", pgettext_lazy("ticket kind", "Walk-in")
    DELIVERY = "delivery", pgettext_lazy("ticket kind", "Delivery")  # o2o.delivery's orders in the kitchen queue


class TabStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("tab", "Open")
    CLOSED = "closed", pgettext_lazy("tab", "Settled")


TAB_TRANSITIONS = {"open": frozenset({"closed"}), "closed": frozenset()}

# Fulfilment statuses the kitchen screen shows (orders.enums.FULFILMENT_TRANSITIONS for pickup/dine_in).
QUEUE_STATUSES = ("pending", "accepted", "preparing", "ready")
