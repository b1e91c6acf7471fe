from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from o2o.core.admin import EventAdmin, EventInline, ReadOnlyAdminMixin
from o2o.vouchers.models import SigningKey, Voucher, VoucherEvent
from o2o.vouchers.signing import key_rotate


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Public halves only: the private seed never appears in the admin."""

    list_display = ("kid", "is_active", "public_key", "created_at", "retired_at")
    list_filter = ("is_active",)
    search_fields = ("kid", "public_key")
    fields = ("kid", "public_key", "is_active", "created_at", "retired_at")
    readonly_fields = fields
    exclude = ("private_seed",)
    actions = ("rotate",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[SigningKey]:
        return super().get_queryset(request).defer("private_seed")

    @admin.action(description=_("Rotate: make a new active key (old keys keep verifying their vouchers)"))
    def rotate(self, request: HttpRequest, queryset: QuerySet[SigningKey]) -> None:
        key = key_rotate()
        self.message_user(request, _("New active key %(kid)s.") % {"kid": key.kid}, messages.SUCCESS)


class VoucherEventInline(EventInline):
    model = VoucherEvent
    fields = ("at", "from_status", "to_status", "actor", "store", "reason", "data")
    readonly_fields = fields


@admin.register(Voucher)
class VoucherAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("code", "status", "offering", "merchant", "customer", "valid_until", "redeemed_at",
                    "redeemed_store")
    list_filter = ("status", "merchant__category")
    search_fields = ("code", "order__number", "customer__email", "merchant__name", "offering__title")
    date_hierarchy = "created_at"
    list_select_related = ("offering", "merchant", "customer", "redeemed_store")
    exclude = ("qr_payload",)
    inlines = (VoucherEventInline,)


@admin.register(VoucherEvent)
class VoucherEventAdmin(EventAdmin):
    subject_field = "voucher"
    list_display = ("at", "subject", "from_status", "to_status", "actor", "store", "reason")
    list_select_related = ("actor", "voucher", "store")
    search_fields = ("reason", "actor__email", "voucher__code")
