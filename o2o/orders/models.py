from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from o2o.core.models import BaseModel, StatusEventBase
from o2o.core.money import Money
from o2o.orders.enums import AdjustmentKind, Channel, FulfilmentKind, OrderStatus


class Order(BaseModel):
    """total_amount == sum(lines' line_total) + sum(adjustments) (orders.totals.order_total);
    paid_amount == captured - refunded in the payments ledger; refunded_amount == sum(lines' refunded)."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="orders")
    store = models.ForeignKey("merchants.Store", on_delete=models.PROTECT, related_name="orders",
                              null=True, blank=True, verbose_name=_("store"))
    status = models.CharField(_("status"), max_length=24, choices=OrderStatus.choices, db_index=True)
    fulfilment = models.CharField(_("fulfilment"), max_length=16, choices=FulfilmentKind.choices,
                                  default=FulfilmentKind.VOUCHER)
    fulfilment_status = models.CharField(_("fulfilment status"), max_length=24, default="pending")
    source_channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    # The campaign placement (a flyer, a QR poster) that brought the order; the campaigns app comes later.
    source_placement = models.UUIDField(_("placement"), null=True, blank=True)
    source_referrer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="referred_orders", verbose_name=_("referrer"))
    currency = models.CharField(max_length=3)
    total_amount = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    paid_amount = models.DecimalField(_("paid"), max_digits=14, decimal_places=2, default=0)
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

    @property
    def paid(self) -> Money:
        return Money(self.paid_amount, self.currency)


class OrderLine(BaseModel):
    """A snapshot of what was bought: title, unit price and chosen options as they were at checkout."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    offering = models.ForeignKey("catalogue.Offering", on_delete=models.PROTECT, related_name="order_lines")
    title = models.CharField(max_length=140)
    quantity = models.PositiveIntegerField()
    unit_price_amount = models.DecimalField(max_digits=14, decimal_places=2)
    # [{"name": "Size", "choice": "Large", "price_delta": "3.00"}]; unit_price includes the deltas.
    options = models.JSONField(default=list, blank=True)
    line_total_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    refunded_quantity = models.PositiveIntegerField(default=0)
    refunded_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(max_length=3)

    @property
    def unit_price(self) -> Money:
        return Money(self.unit_price_amount, self.currency)

    @property
    def total(self) -> Money:
        return Money(self.line_total_amount, self.currency)


class OrderAdjustment(BaseModel):
    """A signed amount on the order (a coupon -5.00, a delivery fee +6.00), optionally against one line."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="adjustments")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="adjustments")
    kind = models.CharField(max_length=16, choices=AdjustmentKind.choices)
    label = models.CharField(max_length=140, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    reference = models.CharField(max_length=64, blank=True)  # the coupon code, the points transaction ...

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class OrderEvent(StatusEventBase):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events")


class FulfilmentEvent(StatusEventBase):
    """A move of Order.fulfilment_status (orders.services.order_fulfilment_move)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="fulfilment_events")
