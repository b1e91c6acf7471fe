from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from o2o.core.admin import EventAdmin, EventInline, ReadOnlyAdminMixin
from o2o.vouchers.models import SigningKey, Voucher, VoucherEvent
from o2o.vouchers.services import normalise_code
from o2o.vouchers.signing import key_rotate


def mask_code(code: str) -> str:
    """A voucher code as operators see it: its last 4 digits ("•••• •••• 1234"). The whole code (or its
    signed QR payload) is a bearer credential: whoever reads it off a screen can redeem the voucher."""
    if not code:
        return ""
    tail = code[-4:]
    hidden = "".join("•" if ch.isalnum() else ch for ch in code[:-4])
    return " ".join(hidden[i:i + 4] for i in range(0, len(hidden), 4)) + " " + tail


class VoucherCodeSearchMixin:
    """Search finds a voucher by its whole code (spaces and dashes allowed) or its whole signed QR payload,
    never by a part of one: a partial match would let the search box reveal codes digit by digit."""

    code_lookup = "code"
    payload_lookup = "qr_payload"

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Any], search_term: str) -> Any:
        term = search_term.strip()
        code = normalise_code(term)
        if code:
            return queryset.filter(**{self.code_lookup: code}), False
        if term.count(".") >= 1 and len(term) > 40 and " " not in term:  # a pasted QR payload
            found = queryset.filter(**{self.payload_lookup: term})
            if found.exists():
                return found, False
        return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Public halves only: the private seed never appears in the admin."""

    list_display = ("kid", "is_active", "public_key", "created_at", "retired_at")
    list_filter = ("is_active",)
    search_fields = ("kid", "public_key")
    fields = ("kid", "public_key", "is_active", "created_at", "retired_at")
    readonly_fields = fields
    ordering = ("-created_at",)  # the active (newest) key first
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
class VoucherAdmin(VoucherCodeSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Codes and QR payloads are masked everywhere here (list, page, search results); see mask_code."""

    list_display = ("masked_code", "status", "offering", "merchant", "customer", "valid_until", "redeemed_at",
                    "redeemed_store")
    list_filter = ("status", "merchant__category")
    search_fields = ("order__number", "customer__email", "merchant__name", "offering__title")  # + whole codes
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")  # newest first
    list_select_related = ("offering", "merchant", "customer", "redeemed_store")
    exclude = ("code", "qr_payload")
    readonly_fields = ("masked_code",)
    inlines = (VoucherEventInline,)

    @admin.display(description=_("code"), ordering="code")
    def masked_code(self, obj: Voucher) -> str:
        return mask_code(obj.code)


@admin.register(VoucherEvent)
class VoucherEventAdmin(VoucherCodeSearchMixin, EventAdmin):
    code_lookup = "voucher__code"
    payload_lookup = "voucher__qr_payload"
    subject_field = "voucher"
    list_display = ("at", "subject", "from_status", "to_status", "actor", "store", "reason")
    list_select_related = ("actor", "voucher", "store")
    search_fields = ("reason", "actor__email")  # + whole voucher codes (VoucherCodeSearchMixin)

    @admin.display(description=_("of"))
    def subject(self, obj: Any) -> Any:
        return mask_code(obj.voucher.code)
