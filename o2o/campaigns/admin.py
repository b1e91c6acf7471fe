from django.contrib import admin

from o2o.campaigns.models import Campaign, Placement, Scan


class PlacementInline(admin.TabularInline):
    model = Placement
    fields = ("kind", "name", "code", "cost_amount", "currency", "target_offering", "target_store", "is_active")
    readonly_fields = ("code",)
    raw_id_fields = ("target_offering", "target_store")
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "merchant", "created_at")
    search_fields = ("name", "merchant__name")
    raw_id_fields = ("merchant",)
    ordering = ("-created_at",)
    inlines = [PlacementInline]


@admin.register(Scan)
class ScanAdmin(admin.ModelAdmin):
    list_display = ("at", "placement", "merchant", "visitor", "user")
    list_select_related = ("placement", "merchant", "visitor", "user")
    raw_id_fields = ("placement", "merchant", "visitor", "user")
    ordering = ("-at", "-id")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # append-only

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
