from django.contrib import admin

from o2o.delivery.models import Courier, Delivery, DeliveryZone


@admin.register(DeliveryZone)
class DeliveryZoneAdmin(admin.ModelAdmin):
    ordering = ("-created_at",)
    list_display = ("name", "store", "kind", "radius_m", "minimum_order_amount", "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "store__name")
    ordering = ("-created_at",)


@admin.register(Courier)
class CourierAdmin(admin.ModelAdmin):
    ordering = ("-created_at",)
    list_display = ("user", "status", "position_at", "capacity")
    list_filter = ("status",)
    search_fields = ("user__email",)
    readonly_fields = ("lat", "lng", "position_at", "status")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    ordering = ("-created_at",)
    list_display = ("order", "store", "status", "courier", "eta_dropoff", "attempts")
    list_filter = ("status",)
    search_fields = ("order__number", "address")
    ordering = ("-created_at",)
    readonly_fields = [f.name for f in Delivery._meta.fields]
