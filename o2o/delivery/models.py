from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from o2o.core.models import BaseModel, StatusEventBase
from o2o.core.money import Money
from o2o.delivery.enums import CourierStatus, DeliveryStatus, FailedRefund, ZoneKind


class StoreDelivery(models.Model):
    """A store's delivery settings: the prep time quoted when the cart is not known, what a failed
    delivery brought back to the store refunds, and how many tries a courier makes."""

    store = models.OneToOneField("merchants.Store", on_delete=models.CASCADE, primary_key=True,
                                 related_name="delivery_settings")
    prep_minutes = models.PositiveSmallIntegerField(_("usual prep time (minutes)"), default=15)
    failed_refund = models.CharField(_("refund of a failed delivery"), max_length=8, choices=FailedRefund.choices,
                                     default=FailedRefund.FULL)
    max_attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=2)


class DeliveryZone(BaseModel):
    """Where a store delivers: a radius around it or a polygon ([[lng, lat], ...], GeoJSON order), a fee
    by straight-line distance band ([{"up_to_m": 2000, "fee": "4.00"}, ...], ascending) and a minimum
    order (the lines' sum). A point farther than the last band is not served by this zone."""

    store = models.ForeignKey("merchants.Store", on_delete=models.PROTECT, related_name="delivery_zones")
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=8, choices=ZoneKind.choices)
    radius_m = models.PositiveIntegerField(_("radius (m)"), null=True, blank=True)
    polygon = models.JSONField(_("polygon"), default=list, blank=True)
    fee_bands = models.JSONField(_("fee bands"), default=list)
    minimum_order_amount = models.DecimalField(_("minimum order"), max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(max_length=3)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def minimum_order(self) -> Money:
        return Money(self.minimum_order_amount, self.currency)


class Courier(BaseModel):
    """A courier's live state (one row per user with a courier membership, made at the first shift):
    on or off shift, the last position reported and when. The merchants they carry for are their
    active courier memberships (a shared fleet courier has one at each merchant)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="courier")
    status = models.CharField(_("shift"), max_length=4, choices=CourierStatus.choices, default=CourierStatus.OFF)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    position_at = models.DateTimeField(null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(_("orders at once"), default=3)

    def __str__(self) -> str:
        return str(self.user)


class CourierEvent(StatusEventBase):
    courier = models.ForeignKey(Courier, on_delete=models.PROTECT, related_name="events")


class Delivery(BaseModel):
    """The delivery side of an order: where to, the zone and fee it was priced with, the code the
    customer shows the courier (made when paid), the courier, its ETAs from the last dispatch round."""

    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="delivery")
    store = models.ForeignKey("merchants.Store", on_delete=models.PROTECT, related_name="deliveries")
    zone = models.ForeignKey(DeliveryZone, on_delete=models.PROTECT, related_name="deliveries")
    address = models.CharField(_("address"), max_length=300)
    lat = models.FloatField()
    lng = models.FloatField()
    distance_m = models.PositiveIntegerField()
    fee_amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    prep_minutes = models.PositiveSmallIntegerField(default=0)
    delivery_code = models.CharField(max_length=8, blank=True)
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING,
                              db_index=True)
    courier = models.ForeignKey(Courier, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    sequence = models.PositiveSmallIntegerField(default=0)  # the task's place in its courier's route
    ready_estimate = models.DateTimeField(null=True, blank=True)
    eta_pickup = models.DateTimeField(null=True, blank=True)
    eta_dropoff = models.DateTimeField(null=True, blank=True)
    promised_at = models.DateTimeField(null=True, blank=True)  # the ETA quoted at checkout
    assigned_at = models.DateTimeField(null=True, blank=True)
    picked_up_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)  # failed attempts so far
    # wrong delivery codes typed since the last lock (couriers.CODE_TRIES of them lock the code a while)
    code_failures = models.PositiveSmallIntegerField(default=0)
    code_locked_until = models.DateTimeField(null=True, blank=True)
    fail_reason = models.CharField(max_length=200, blank=True)
    refund_due = models.BooleanField(default=False)  # returned under a refund-in-full rule, until refunded

    class Meta:
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["courier", "status"], name="delivery_courier_status")]

    @property
    def fee(self) -> Money:
        return Money(self.fee_amount, self.currency)


class DeliveryEvent(StatusEventBase):
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="events")
