from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from o2o.core.models import BaseModel, StatusEventBase
from o2o.core.money import Money
from o2o.orders.enums import OrderStatus


class Order(BaseModel):
    number = models.CharField(_("number"), max_length=20, unique=True)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(_("status"), max_length=24, choices=OrderStatus.choices, db_index=True)
    currency = models.CharField(max_length=3)
    total_amount = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    refunded_amount = models.DecimalField(_("refunded"), max_digits=14, decimal_places=2, default=0)
    expires_at = models.DateTimeField(_("hold expires"), db_index=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [models.Index(fields=["status", "expires_at"], name="order_status_expiry")]

    def __str__(self) -> str:
        return self.number

    @property
    def total(self) -> Money:
        return Money(self.total_amount, self.currency)


class OrderLine(BaseModel):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    offering = models.ForeignKey("catalogue.Offering", on_delete=models.PROTECT, related_name="order_lines")
    title = models.CharField(max_length=140)
    quantity = models.PositiveIntegerField()
    unit_price_amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)

    @property
    def unit_price(self) -> Money:
        return Money(self.unit_price_amount, self.currency)

    @property
    def total(self) -> Money:
        return self.unit_price * self.quantity


class OrderEvent(StatusEventBase):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events")
