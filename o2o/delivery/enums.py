from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ZoneKind(models.TextChoices):
    RADIUS = "radius", _("Radius")
    POLYGON = "polygon", _("Polygon")


class FailedRefund(models.TextChoices):
    """What a customer gets back when a delivery failed and went back to the store (the merchant's rule)."""

    FULL = "full", _("Refund in full")
    NONE = "none", _("No refund")


class DeliveryStatus(models.TextChoices):
    """The courier's side of a delivery order (Order.fulfilment_status is the kitchen's and the customer's)."""

    PENDING = "pending", pgettext_lazy("delivery", "Awaiting payment")
    OPEN = "open", pgettext_lazy("delivery", "Waiting for a courier")
    ASSIGNED = "assigned", pgettext_lazy("delivery", "Courier assigned")
    PICKED_UP = "picked_up", pgettext_lazy("delivery", "On the way")
    FAILED = "failed", pgettext_lazy("delivery", "Delivery failed")
    DELIVERED = "delivered", pgettext_lazy("delivery", "Delivered")
    RETURNED = "returned", pgettext_lazy("delivery", "Returned to the store")
    CANCELLED = "cancelled", pgettext_lazy("delivery", "Cancelled")


DELIVERY_TRANSITIONS = {
    "pending": frozenset({"open", "cancelled"}),
    "open": frozenset({"assigned", "picked_up", "cancelled"}),  # a courier may take an open one at the store
    "assigned": frozenset({"open", "assigned", "picked_up", "cancelled"}),  # re-dispatched before pickup
    "picked_up": frozenset({"delivered", "failed"}),  # never pulled from its courier any more
    "failed": frozenset({"picked_up", "returned"}),  # retry, or back to the store
    "delivered": frozenset(), "returned": frozenset(), "cancelled": frozenset(),
}

# Tasks the dispatcher may still (re)assign, and those a courier carries.
DISPATCHABLE = ("open", "assigned")
CARRIED = ("picked_up", "failed")


class CourierStatus(models.TextChoices):
    OFF = "off", pgettext_lazy("shift", "Off shift")
    ON = "on", pgettext_lazy("shift", "On shift")


COURIER_TRANSITIONS = {"off": frozenset({"on"}), "on": frozenset({"off"})}
