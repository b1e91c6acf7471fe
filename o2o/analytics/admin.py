from django.contrib import admin

from o2o.analytics.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The event stream across merchants, for the operator: read-only (rows are never changed)."""

    list_display = ("at", "kind", "merchant_id", "store_id", "placement_id", "customer_id", "amount", "currency")
    list_filter = ("kind",)
    search_fields = ("=merchant_id", "=order_id", "=placement_id")
    date_hierarchy = "at"
    ordering = ("-at", "-id")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
