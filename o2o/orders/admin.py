from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from o2o.core.admin import EventAdmin, EventInline, ReadOnlyAdminMixin, ReadOnlyTabularInline
from o2o.orders.models import FulfilmentEvent, Order, OrderAdjustment, OrderEvent, OrderLine
from o2o.payments.models import Payment
from o2o.vouchers.admin import mask_code
from o2o.vouchers.models import Voucher


class OrderLineInline(ReadOnlyTabularInline):
    model = OrderLine
    fields = ("offering", "title", "quantity", "unit_price_amount", "options", "line_total_amount",
              "refunded_quantity", "refunded_amount", "currency")
    readonly_fields = fields
    show_change_link = False


class OrderAdjustmentInline(ReadOnlyTabularInline):
    model = OrderAdjustment
    fk_name = "order"
    fields = ("kind", "label", "amount", "currency", "line", "reference")
    readonly_fields = fields


class FulfilmentEventInline(EventInline):
    model = FulfilmentEvent


class OrderEventInline(EventInline):
    model = OrderEvent


class OrderVoucherInline(ReadOnlyTabularInline):
    model = Voucher
    fk_name = "order"
    fields = ("masked_code", "status", "valid_until", "redeemed_at", "redeemed_store")
    readonly_fields = fields
    verbose_name_plural = _("vouchers")

    @admin.display(description=_("code"))
    def masked_code(self, obj: Voucher) -> str:
        return mask_code(obj.code)  # operators never see a whole (redeemable) code


class OrderPaymentInline(ReadOnlyTabularInline):
    model = Payment
    fields = ("provider", "purpose", "status", "amount", "refunded_amount", "currency", "card_last4",
              "provider_ref", "created_at")
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Orders move only through checkout, payment and refund; the operator reads them here."""

    list_display = ("number", "customer", "merchant", "store", "status", "fulfilment", "fulfilment_status",
                    "total_amount", "paid_amount", "refunded_amount", "currency", "created_at", "paid_at")
    list_filter = ("status", "fulfilment", "source_channel", "currency", "merchant__category")
    search_fields = ("number", "customer__email", "merchant__name")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")  # newest first
    list_select_related = ("customer", "merchant", "store")
    inlines = (OrderLineInline, OrderAdjustmentInline, OrderPaymentInline, OrderVoucherInline, OrderEventInline,
               FulfilmentEventInline)


@admin.register(OrderLine)
class OrderLineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("order", "title", "quantity", "unit_price_amount", "currency", "created_at")
    search_fields = ("order__number", "title")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")  # newest first
    list_select_related = ("order",)


@admin.register(OrderEvent)
class OrderEventAdmin(EventAdmin):
    subject_field = "order"
    list_select_related = ("actor", "order")
    search_fields = ("reason", "actor__email", "order__number")


@admin.register(FulfilmentEvent)
class FulfilmentEventAdmin(EventAdmin):
    subject_field = "order"
    list_select_related = ("actor", "order")
    search_fields = ("reason", "actor__email", "order__number")
