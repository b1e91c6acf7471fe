from django.db import models
from django.utils.translation import gettext_lazy as _

from o2o.core.models import BaseModel, StatusEventBase
from o2o.core.money import Money
from o2o.payments.enums import PaymentStatus


class Payment(BaseModel):
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(_("provider"), max_length=32)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    refunded_amount = models.DecimalField(_("refunded"), max_digits=14, decimal_places=2, default=0)
    status = models.CharField(_("status"), max_length=24, choices=PaymentStatus.choices, db_index=True)
    provider_ref = models.CharField(_("provider reference"), max_length=64, blank=True, db_index=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    decline_code = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class PaymentEvent(StatusEventBase):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="events")


class Refund(BaseModel):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    provider_ref = models.CharField(max_length=64)
    voucher_ids = models.JSONField(default=list)


class SandboxCharge(BaseModel):
    """The sandbox provider's own ledger: what a gateway would hold on its side."""

    reference = models.CharField(max_length=64, unique=True)
    merchant_reference = models.CharField(max_length=64, db_index=True)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    refunded = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    card_last4 = models.CharField(max_length=4)
    succeeded = models.BooleanField()
    decline_code = models.CharField(max_length=32, blank=True)
