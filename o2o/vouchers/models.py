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
        return self.code

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
