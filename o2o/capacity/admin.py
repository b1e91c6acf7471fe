"""The operator sees the capacity calendar read-only: places change only through the services."""

from django.contrib import admin

from o2o.capacity.models import CapacitySlot
from o2o.core.admin import ReadOnlyAdminMixin


@admin.register(CapacitySlot)
class CapacitySlotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("resource", "start", "end", "taken", "capacity", "updated_at")
    search_fields = ("resource",)
    date_hierarchy = "start"
    ordering = ("-start", "resource")
