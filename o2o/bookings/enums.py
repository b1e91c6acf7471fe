"""Booking statuses and their one transition table (moved only by services.booking_move)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


BOOKING_TRANSITIONS = {
    "booked": frozenset({"checked_in", "cancelled", "no_show"}),
    "checked_in": frozenset(),
    "cancelled": frozenset(),
    "no_show": frozenset(),
}

# Bookings that hold their seat (and, through their slot hold, the resources).
LIVE_STATUSES = frozenset({"booked", "checked_in"})


class Prepay(models.TextChoices):
    """What a customer pays online when booking a service (the rest, if any, at the store)."""

    NONE = "none", _("Pay at the store")
    DEPOSIT = "deposit", _("Deposit")
    FULL = "full", _("Full prepayment")


class ResourceKind(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    ROOM = "room", _("Room")
    STYLIST = "stylist", _("Stylist")
    AGENT = "agent", _("Agent")
    OTHER = "other", _("Other")


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Seat offered")
    BOOKED = "booked", _("Booked")
    EXPIRED = "expired", _("Offer expired")
    LEFT = "left", _("Left the waitlist")


WAITLIST_TRANSITIONS = {
    "waiting": frozenset({"offered", "left"}),
    "offered": frozenset({"booked", "expired", "left"}),
    "booked": frozenset(),
    "expired": frozenset(),
    "left": frozenset(),
}

# Entries still in the queue for their slot (one per customer and slot).
WAITLIST_LIVE = frozenset({"waiting", "offered"})
