from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from o2o.catalogue.enums import OfferingStatus
from o2o.catalogue.models import Offering, OfferingEvent, OfferingPhoto
from o2o.catalogue.selectors import with_quantity_left
from o2o.catalogue.services import offering_set_status
from o2o.core.admin import EventAdmin, EventInline, NoDeleteAdminMixin, ReadOnlyAdminMixin
from o2o.core.errors import DomainError


class OfferingPhotoInline(admin.TabularInline):
    model = OfferingPhoto
    extra = 0
    fields = ("preview", "image", "width", "height", "position")
    readonly_fields = ("preview", "image", "width", "height")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # photos are checked and re-encoded by offering_photo_add (merchant pages and API)

    @admin.display(description=_("photo"))
    def preview(self, obj: OfferingPhoto) -> str:
        if not obj.image:
            return ""
        return format_html('<img src="{}" alt="" style="max-height:90px">', obj.image.url)


class OfferingEventInline(EventInline):
    model = OfferingEvent


@admin.register(Offering)
class OfferingAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    list_display = ("title", "merchant", "kind", "status", "price_amount", "list_price_amount", "currency",
                    "left", "quantity_total", "created_at")
    list_filter = ("status", "kind", "currency", "merchant__category")
    search_fields = ("title", "description", "merchant__name")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")  # newest first
    list_select_related = ("merchant",)
    autocomplete_fields = ("redeemable_stores",)
    # Stock, status and currency move only through the services (conditional updates, event rows).
    readonly_fields = ("merchant", "kind", "status", "currency", "quantity_total", "left", "created_at",
                       "updated_at")
    fields = ("merchant", "kind", "status", "title", "description", "currency", "price_amount",
              "list_price_amount", "quantity_total", "left", "per_customer_limit", "valid_days",
              "redeemable_stores", "created_at", "updated_at")
    inlines = (OfferingPhotoInline, OfferingEventInline)
    actions = ("pause", "end")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # offerings are made by merchants (stock buckets, photos and events come with them)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Offering]:
        return with_quantity_left(super().get_queryset(request))  # units left in the same query

    @admin.display(description=_("left"))
    def left(self, obj: Offering) -> int:
        return obj.quantity_left

    def _move(self, request: HttpRequest, queryset: QuerySet[Offering], status: str) -> None:
        moved = 0
        for offering in queryset:
            try:
                offering_set_status(offering=offering, status=status, actor=request.user,  # type: ignore[arg-type]
                                    reason="by operator")
                moved += 1
            except DomainError as exc:
                self.message_user(request, f"{offering.title}: {exc.message}", messages.WARNING)
        if moved:
            self.message_user(request, ngettext("%(n)d offering is now %(s)s.", "%(n)d offerings are now %(s)s.", moved) % {
                "n": moved, "s": OfferingStatus(status).label}, messages.SUCCESS)

    @admin.action(description=_("Pause the selected offerings (off sale, can go live again)"))
    def pause(self, request: HttpRequest, queryset: QuerySet[Offering]) -> None:
        self._move(request, queryset.filter(status=OfferingStatus.LIVE), OfferingStatus.PAUSED)

    @admin.action(description=_("End the selected offerings (off sale for good)"))
    def end(self, request: HttpRequest, queryset: QuerySet[Offering]) -> None:
        self._move(request, queryset.exclude(status=OfferingStatus.ENDED), OfferingStatus.ENDED)


@admin.register(OfferingPhoto)
class OfferingPhotoAdmin(admin.ModelAdmin):
    list_display = ("offering", "position", "width", "height", "created_at")
    search_fields = ("offering__title",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")  # newest first
    list_select_related = ("offering",)
    raw_id_fields = ("offering",)
    readonly_fields = ("offering", "image", "width", "height")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(OfferingEvent)
class OfferingEventAdmin(EventAdmin):
    subject_field = "offering"
    list_select_related = ("actor", "offering")
    search_fields = ("reason", "actor__email", "offering__title")


# Stock buckets (the ledger of units left, see catalogue.stock), when this version of the models has them.
_bucket = next((m for m in apps.get_app_config("catalogue").get_models() if m.__name__ == "StockBucket"), None)
if _bucket is not None:

    @admin.register(_bucket)
    class StockBucketAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
        list_display = ("offering", "slot", "left")
        search_fields = ("offering__title",)
        list_select_related = ("offering",)
