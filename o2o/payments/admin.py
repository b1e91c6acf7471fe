from __future__ import annotations

from django.contrib import admin

from o2o.core.admin import EventAdmin, EventInline, ReadOnlyAdminMixin, ReadOnlyTabularInline
from o2o.payments.models import LedgerEntry, Payment, PaymentEvent, Refund, SandboxCharge, SandboxRefund


class PaymentEventInline(EventInline):
    model = PaymentEvent


class RefundInline(ReadOnlyTabularInline):
    model = Refund
    fields = ("created_at", "amount", "currency", "status", "returned", "provider_ref", "voucher_ids", "lines")
    readonly_fields = fields


class LedgerInline(ReadOnlyTabularInline):
    model = LedgerEntry
    fields = ("created_at", "kind", "amount", "currency", "memo")
    readonly_fields = fields


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("order", "provider", "purpose", "status", "amount", "refunded_amount", "currency",
                    "card_last4", "created_at")
    list_filter = ("status", "purpose", "provider", "currency")
    search_fields = ("order__number", "provider_ref", "card_last4", "order__customer__email")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")  # newest first
    list_select_related = ("order",)
    inlines = (RefundInline, LedgerInline, PaymentEventInline)


@admin.register(PaymentEvent)
class PaymentEventAdmin(EventAdmin):
    subject_field = "payment"
    list_select_related = ("actor", "payment")
    search_fields = ("reason", "payment__order__number", "payment__provider_ref")


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("payment", "amount", "currency", "status", "returned", "provider_ref", "created_at")
    search_fields = ("provider_ref", "payment__order__number")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")  # newest first
    list_select_related = ("payment",)


@admin.register(SandboxCharge)
class SandboxChargeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The sandbox gateway's own ledger."""

    list_display = ("reference", "merchant_reference", "amount", "refunded", "currency", "card_last4",
                    "succeeded", "decline_code", "created_at")
    list_filter = ("succeeded", "decline_code", "currency")
    search_fields = ("reference", "merchant_reference", "card_last4")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")  # newest first


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The payments ledger: captures, refunds, escrow holds and releases."""

    list_display = ("order", "payment", "kind", "amount", "currency", "memo", "created_at")
    list_filter = ("kind", "currency")
    search_fields = ("order__number", "memo")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")  # newest first
    list_select_related = ("order", "payment")


@admin.register(SandboxRefund)
class SandboxRefundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The sandbox gateway's refunds."""

    list_display = ("reference", "charge_reference", "merchant_reference", "amount", "created_at")
    search_fields = ("reference", "charge_reference", "merchant_reference")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")  # newest first
