"""The operator sees services, resources and bookings read-only: they change only through the services."""

from django.contrib import admin

from o2o.bookings.models import Booking, BookingEvent, Resource, Service
from o2o.core.admin import ReadOnlyAdminMixin


@admin.register(Service)
class ServiceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("offering", "duration_minutes", "capacity", "lead_minutes", "horizon_days", "cancel_minutes")
    search_fields = ("offering__title",)
    ordering = ("-offering__created_at",)


@admin.register(Resource)
class ResourceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "merchant", "active")
    search_fields = ("name", "merchant__name")
    ordering = ("-created_at",)


class BookingEventInline(admin.TabularInline):
    model = BookingEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "from_status", "to_status", "reason", "data")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "customer", "store", "start", "status")
    list_filter = ("status",)
    search_fields = ("title", "customer__email")
    date_hierarchy = "start"
    ordering = ("-start",)
    inlines = [BookingEventInline]
