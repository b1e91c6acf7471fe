"""Bookable services, their resources, the slot holds and the bookings.

Seats are not counted here: a slot's seats are the capacity calendar's row ("service:<offering>:<store>",
start) and a resource's time its rows ("resource:<id>", 5-minute cells). The rows here say who holds what.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from o2o.bookings.enums import BookingStatus, Prepay, ResourceKind, WaitlistStatus
from o2o.catalogue.models import Offering
from o2o.core.models import BaseModel, StatusEventBase
from o2o.core.money import Money
from o2o.merchants.models import Merchant, Store
from o2o.orders.models import Order


def seat_key(offering_id: Any, store_id: Any) -> str:
    """The capacity calendar's resource name for a service's seats at one store."""
    return f"service:{offering_id.hex}:{store_id.hex}"


class Resource(BaseModel):
    """Someone or something booked with a service that can be in one place only (a teacher, a room, a
    stylist, an agent). Never in two bookings' times at once, across all the merchant's services."""

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="booking_resources")
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=16, choices=ResourceKind.choices, default=ResourceKind.OTHER)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["name", "created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def capacity_key(self) -> str:
        return f"resource:{self.pk.hex}"


class Service(models.Model):
    """The booking side of an offering of kind "service": one row per such offering.

    `schedule` is API.md's opening-hours format in each store's own timezone; a slot starts every
    `duration_minutes` inside each window. `exceptions` maps an ISO date (store calendar) to that day's
    windows instead ([] = closed, e.g. a holiday); the store's own closed_dates close it too.
    """

    offering = models.OneToOneField(Offering, on_delete=models.CASCADE, primary_key=True, related_name="service")
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    capacity = models.PositiveIntegerField(_("seats per slot"))
    schedule = models.JSONField(_("weekly schedule"), default=dict)
    exceptions = models.JSONField(_("exceptions"), default=dict, blank=True)
    lead_minutes = models.PositiveIntegerField(_("notice (minutes)"), default=60)
    horizon_days = models.PositiveIntegerField(_("bookable ahead (days)"), default=60)
    cancel_minutes = models.PositiveIntegerField(_("cancel until (minutes before)"), default=120)
    resources = models.ManyToManyField(Resource, blank=True, related_name="services", verbose_name=_("resources"))
    # Payment (bookings.payment): "none" = paid at the store; "deposit" = deposit_amount online, the rest at
    # the store; "full" = the price online. A cancellation after cancel_until is refused unless
    # late_cancel_keep_percent is set (then that share of what was paid is kept); a no-show keeps
    # no_show_fee_amount of what was paid (all of it when null) and refunds the rest.
    prepay = models.CharField(_("paid online"), max_length=8, choices=Prepay.choices, default=Prepay.NONE)
    deposit_amount = models.DecimalField(_("deposit"), max_digits=14, decimal_places=2, null=True, blank=True)
    late_cancel_keep_percent = models.PositiveSmallIntegerField(_("kept on a late cancellation (%)"), null=True,
                                                                blank=True)
    no_show_fee_amount = models.DecimalField(_("no-show fee"), max_digits=14, decimal_places=2, null=True,
                                             blank=True)

    class Meta:
        verbose_name = _("bookable service")
        verbose_name_plural = _("bookable services")

    def __str__(self) -> str:
        return str(self.offering)

    def seat_key(self, store_id: Any) -> str:
        return seat_key(self.offering_id, store_id)


class SlotHold(BaseModel):
    """One row per (service, store, slot start) once someone booked it: the slot's resources are held
    (capacity_take_span) while `resources_held`. Bookings of the same slot serialise on this row."""

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="slot_holds")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="slot_holds")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    resources_held = models.BooleanField(default=False)
    resource_keys = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["offering", "store", "start"], name="slot_hold_once")]


class Booking(BaseModel):
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="bookings")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="bookings")
    hold = models.ForeignKey(SlotHold, on_delete=models.PROTECT, related_name="bookings")
    start = models.DateTimeField(_("start"), db_index=True)
    end = models.DateTimeField(_("end"))
    status = models.CharField(_("status"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.BOOKED,
                              db_index=True)
    title = models.CharField(_("title"), max_length=140)
    price_amount = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    cancel_until = models.DateTimeField(_("cancel until"))
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # Paid online (the service's prepay when booked): its order (fulfilment "booking") and the rules the
    # customer booked under, kept as they were then (bookings.payment).
    order = models.OneToOneField(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="booking")
    prepay = models.CharField(_("paid online"), max_length=8, choices=Prepay.choices, default=Prepay.NONE)
    late_cancel_keep_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    no_show_fee_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    no_show_at = models.DateTimeField(_("marked no-show"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)  # bookings.reminders, once

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["start", "created_at"]
        indexes = [models.Index(fields=["customer", "start"], name="booking_customer_start")]

    def __str__(self) -> str:
        return f"{self.title} {self.start:%Y-%m-%d %H:%M}Z"

    @property
    def price(self) -> Money:
        return Money(self.price_amount, self.currency)


class BookingEvent(StatusEventBase):
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="events")


class WaitlistEntry(BaseModel):
    """A customer waiting for a seat of a full slot. A freed seat is offered to the first waiting entry
    and stays taken in the capacity calendar for them until `offered_until`; then it goes to the next."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="waitlist_entries")
    hold = models.ForeignKey(SlotHold, on_delete=models.PROTECT, related_name="waitlist")
    status = models.CharField(_("status"), max_length=16, choices=WaitlistStatus.choices,
                              default=WaitlistStatus.WAITING, db_index=True)
    offered_until = models.DateTimeField(_("offer open until"), null=True, blank=True)
    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="waitlist_entry")

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(
            fields=["hold", "customer"], condition=models.Q(status__in=["waiting", "offered"]),
            name="waitlist_once_per_customer_and_slot")]


class WaitlistEvent(StatusEventBase):
    entry = models.ForeignKey(WaitlistEntry, on_delete=models.PROTECT, related_name="events")
