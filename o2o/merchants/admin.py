from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from o2o.core.admin import EventAdmin, EventInline, NoDeleteAdminMixin
from o2o.core.errors import DomainError
from o2o.merchants.enums import MerchantStatus
from o2o.merchants.hours import validate_hours, validate_timezone
from o2o.merchants.models import Merchant, MerchantEvent, StaffMembership, Store
from o2o.merchants.services import h3_cells, merchant_set_status, validate_lat_lng


class StoreInline(admin.TabularInline):
    model = Store
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("name", "address", "phone", "is_active", "review_count")
    readonly_fields = ("name", "address", "phone", "review_count")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a store needs coordinates and hours: add it on the store page


class StaffInline(admin.TabularInline):
    model = StaffMembership
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("user", "role", "is_active", "created_at")
    readonly_fields = ("user", "role", "created_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MerchantEventInline(EventInline):
    model = MerchantEvent


def _move(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Merchant], *,
          status: str, reason: str) -> None:
    moved, refused = 0, []
    for merchant in queryset:
        try:
            merchant_set_status(merchant=merchant, status=status, actor=request.user, reason=reason)  # type: ignore[arg-type]
            moved += 1
        except DomainError as exc:
            refused.append(f"{merchant.name}: {exc.message}")
    if moved:
        modeladmin.message_user(request, ngettext("%(n)d merchant is now %(s)s.", "%(n)d merchants are now %(s)s.", moved) % {
            "n": moved, "s": MerchantStatus(status).label}, messages.SUCCESS)
    for line in refused:
        modeladmin.message_user(request, line, messages.WARNING)


@admin.register(Merchant)
class MerchantAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    list_display = ("name", "category", "status", "owner", "store_count", "created_at")
    list_filter = ("status", "category")
    search_fields = ("name", "owner__email", "owner__display_name")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")  # newest first
    list_select_related = ("owner",)
    autocomplete_fields = ("owner",)
    readonly_fields = ("status", "created_at", "updated_at")
    fields = ("name", "category", "status", "description", "owner", "created_at", "updated_at")
    inlines = (StoreInline, StaffInline, MerchantEventInline)
    actions = ("approve", "suspend", "reactivate")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Merchant]:
        return super().get_queryset(request).annotate(_stores=Count("stores", distinct=True))

    @admin.display(description=_("stores"), ordering="_stores")
    def store_count(self, obj: Merchant) -> int:
        return getattr(obj, "_stores", 0)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # merchants are opened by their owners (API or pages), which also makes the owner staff

    @admin.action(description=_("Approve the selected pending merchants"))
    def approve(self, request: HttpRequest, queryset: QuerySet[Merchant]) -> None:
        pending = queryset.filter(status=MerchantStatus.PENDING)
        skipped = queryset.count() - pending.count()
        _move(self, request, pending, status=MerchantStatus.ACTIVE, reason="approved by operator")
        if skipped:
            self.message_user(request, ngettext("%(n)d selected merchant was not pending and was left as it is.",
                                       "%(n)d selected merchants were not pending and were left as they are.",
                                       skipped) % {"n": skipped}, messages.INFO)

    @admin.action(description=_("Suspend the selected merchants (hidden, no sales)"))
    def suspend(self, request: HttpRequest, queryset: QuerySet[Merchant]) -> None:
        _move(self, request, queryset.exclude(status=MerchantStatus.SUSPENDED), status=MerchantStatus.SUSPENDED,
              reason="suspended by operator")

    @admin.action(description=_("Reactivate the selected suspended merchants"))
    def reactivate(self, request: HttpRequest, queryset: QuerySet[Merchant]) -> None:
        _move(self, request, queryset.filter(status=MerchantStatus.SUSPENDED), status=MerchantStatus.ACTIVE,
              reason="reactivated by operator")


class StoreForm(forms.ModelForm):
    class Meta:
        model = Store
        fields = ("merchant", "name", "address", "phone", "lat", "lng", "timezone", "opening_hours",
                  "closed_dates", "is_active")

    def clean_opening_hours(self) -> Any:
        try:
            return validate_hours(self.cleaned_data.get("opening_hours"))
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_timezone(self) -> str:
        try:
            return validate_timezone(self.cleaned_data.get("timezone") or "")
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("lat") is not None and data.get("lng") is not None:
            try:
                validate_lat_lng(data["lat"], data["lng"])
            except DomainError as exc:
                raise forms.ValidationError(exc.message) from None
        return data


class StoreStaffInline(admin.TabularInline):
    """Who works at this store (clerks and couriers are assigned per store)."""

    model = StaffMembership.stores.through
    extra = 0
    autocomplete_fields = ("staffmembership",)
    verbose_name = _("staff member")
    verbose_name_plural = _("store staff")


@admin.register(Store)
class StoreAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    form = StoreForm
    list_display = ("name", "merchant", "address", "is_active", "rating", "review_count", "created_at")
    list_filter = ("is_active", "merchant__category", "merchant__status", "timezone")
    search_fields = ("name", "address", "phone", "merchant__name")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")  # newest first
    list_select_related = ("merchant",)
    autocomplete_fields = ("merchant",)
    readonly_fields = ("h3_r6", "h3_r8", "rating_sum", "review_count", "created_at", "updated_at")
    inlines = (StoreStaffInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: Store | None = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "merchant") if obj is not None else fields  # a store never moves to another merchant

    def save_model(self, request: HttpRequest, obj: Store, form: Any, change: bool) -> None:
        # The form checked hours, timezone and position as store_create/store_update do; keep the H3
        # columns true, as those services do (saving re-indexes the store: merchants.models).
        for key, value in h3_cells(obj.lat, obj.lng).items():
            setattr(obj, key, value)
        super().save_model(request, obj, form, change)


@admin.register(StaffMembership)
class StaffMembershipAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    list_display = ("user", "merchant", "role", "is_active", "created_at")
    list_filter = ("role", "is_active")
    search_fields = ("user__email", "user__display_name", "merchant__name")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")  # newest first
    list_select_related = ("user", "merchant")
    autocomplete_fields = ("merchant", "user", "stores")
    exclude = ("invite_token",)


@admin.register(MerchantEvent)
class MerchantEventAdmin(EventAdmin):
    subject_field = "merchant"
    list_select_related = ("actor", "merchant")
    search_fields = ("reason", "actor__email", "merchant__name")
