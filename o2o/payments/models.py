from django.db import models
from django.utils.translation import gettext_lazy as _

from o2o.core.models import BaseModel, StatusEventBase
from o2o.core.money import Money
from o2o.payments.enums import LedgerKind, PaymentPurpose, PaymentStatus, RefundStatus


class Payment(BaseModel):
    """One attempt to take money for a payable: an order, with a purpose (full, deposit, balance,
    milestone) and, for a milestone, the reference of what it pays (issue 15's milestone id)."""

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments")
    purpose = models.CharField(_("purpose"), max_length=16, choices=PaymentPurpose.choices,
                               default=PaymentPurpose.FULL)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
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
    """A refund of one payment: booked (pending, with its ledger entry) before the gateway is called,
    marked succeeded with the gateway's reference after; reconcile_payments sends the pending ones."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    status = models.CharField(max_length=16, choices=RefundStatus.choices, default=RefundStatus.SUCCEEDED,
                              db_index=True)
    provider_ref = models.CharField(max_length=64, blank=True)
    voucher_ids = models.JSONField(default=list)
    lines = models.JSONField(default=dict)  # order line id -> amount given back for it
    # A charge given back whole (a duplicate, a charge after the order expired or was given up), not a
    # refund of what the order sold: revenue figures leave these out.
    returned = models.BooleanField(default=False)


class LedgerEntry(BaseModel):
    """The payments ledger: amounts are never negative, the kind says the direction. For every order:
    paid_amount == captures - refunds; for every payment: escrow held == holds - releases."""

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="ledger")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="ledger")
    refund = models.OneToOneField(Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="entry")
    kind = models.CharField(max_length=16, choices=LedgerKind.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    memo = models.CharField(max_length=140, blank=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [models.Index(fields=["order", "kind"], name="ledger_order_kind")]


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


class SandboxRefund(BaseModel):
    """The sandbox gateway's refunds, one per merchant reference (a retried refund is not paid twice)."""

    reference = models.CharField(max_length=64, unique=True)
    charge_reference = models.CharField(max_length=64, db_index=True)
    merchant_reference = models.CharField(max_length=64, unique=True, null=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)


class CashReceipt(models.Model):
    """The till: cash taken at a counter (the cash provider's own record, as SandboxCharge is the
    sandbox's), and cash handed back for a refund."""

    id = models.BigAutoField(primary_key=True)
    reference = models.CharField(max_length=40, unique=True)
    merchant_reference = models.CharField(max_length=64, db_index=True)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    refunded = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    clerk = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
