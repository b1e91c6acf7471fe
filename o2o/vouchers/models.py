from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from o2o.core.models import BaseModel, StatusEventBase
from o2o.vouchers.enums import VoucherStatus


class SigningKey(models.Model):
    """Ed25519 voucher signing keys. Old keys stay to verify vouchers signed before a rotation."""

    kid = models.CharField(max_length=32, primary_key=True)
    private_seed = models.CharField(max_length=64)  # base64url of the 32-byte seed
    public_key = models.CharField(max_length=64)  # base64url of the 32 raw bytes
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("voucher signing key")
        verbose_name_plural = _("voucher signing keys")

    def __str__(self) -> str:
        return self.kid


class Voucher(BaseModel):
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="vouchers")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="vouchers")
    offering = models.ForeignKey("catalogue.Offering", on_delete=models.PROTECT, related_name="vouchers")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="vouchers")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="vouchers")
    code = models.CharField(_("code"), max_length=16, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=VoucherStatus.choices, db_index=True)
    valid_until = models.DateTimeField(_("valid until"))
    kid = models.CharField(max_length=32)
    qr_payload = models.TextField()
    redeemed_at = models.DateTimeField(_("redeemed at"), null=True, blank=True)
    redeemed_store = models.ForeignKey(
        "merchants.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="redeemed_vouchers"
    )
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")

    def __str__(self) -> str:
        # the last 4 digits only: str() reaches admin titles, breadcrumbs, logs; the whole code redeems
        return f"…{self.code[-4:]}"

    @property
    def display_status(self) -> str:
        if self.status == VoucherStatus.ISSUED and self.valid_until <= timezone.now():
            return "expired"
        return self.status

    @property
    def code_display(self) -> str:
        return " ".join(self.code[i:i + 4] for i in range(0, len(self.code), 4))


class VoucherEvent(StatusEventBase):
    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="events")
    store = models.ForeignKey("merchants.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+")


class OfflineOutcome(models.TextChoices):
    REDEEMED = "redeemed", _("Redeemed")
    CONFLICT = "conflict", _("Conflict")
    REJECTED = "rejected", _("Refused")


class OfflineRedemption(BaseModel):
    """A redemption a counter made without network, as it reached the server when the counter synced.

    One row per voucher and device: a device re-sending the same item gets the recorded outcome back.
    ``device_time`` is the device's clock, bounded to [voucher issued, time of sync].
    """

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="offline_redemptions")
    store = models.ForeignKey("merchants.Store", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    device_id = models.CharField(_("device"), max_length=64)
    device_name = models.CharField(_("device name"), max_length=80, blank=True)
    device_time = models.DateTimeField(_("redeemed at (device clock)"))
    reported_time = models.CharField(max_length=64, blank=True)  # what the device sent, unbounded
    outcome = models.CharField(_("outcome"), max_length=16, choices=OfflineOutcome.choices)
    code = models.CharField(max_length=32, blank=True)
    message = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("offline redemption")
        verbose_name_plural = _("offline redemptions")
        constraints = [models.UniqueConstraint(fields=["voucher", "device_id"],
                                               name="one_offline_redemption_per_device")]

    def __str__(self) -> str:
        return f"{self.voucher_id} @ {self.device_id}"


class RedemptionConflict(BaseModel):
    """The same voucher redeemed twice, at least once offline: the first (by time) stands, the other is
    reported to the merchant. ``first_*`` describe the redemption that stands, ``second_*`` the refused one;
    an empty device id means a redemption made online."""

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="conflicts")
    first_store = models.ForeignKey("merchants.Store", null=True, on_delete=models.PROTECT, related_name="+")
    first_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    first_at = models.DateTimeField(_("first redeemed at"))
    first_device_id = models.CharField(max_length=64, blank=True)
    first_device_name = models.CharField(max_length=80, blank=True)
    second_store = models.ForeignKey("merchants.Store", null=True, on_delete=models.PROTECT, related_name="+")
    second_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    second_at = models.DateTimeField(_("also redeemed at"))
    second_device_id = models.CharField(max_length=64, blank=True, db_index=True)
    second_device_name = models.CharField(max_length=80, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = _("redemption conflict")
        verbose_name_plural = _("redemption conflicts")
        indexes = [models.Index(fields=["merchant", "created_at"], name="conflict_merchant_created")]

    def __str__(self) -> str:
        return f"{self.voucher_id}: {self.first_device_id or 'online'} / {self.second_device_id or 'online'}"

    @property
    def resolved(self) -> bool:
        return self.resolved_at is not None
