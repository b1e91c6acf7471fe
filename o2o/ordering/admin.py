from django.contrib import admin

from o2o.ordering.models import Tab, Table, Ticket


@admin.register(Table)
class TableAdmin(admin.ModelAdmin):
    list_display = ("label", "store", "seats", "active")
    list_filter = ("active",)
    search_fields = ("label", "store__name")
    readonly_fields = ("token",)
    ordering = ("-created_at",)


@admin.register(Tab)
class TabAdmin(admin.ModelAdmin):
    list_display = ("table", "store", "status", "created_at", "closed_at")
    list_filter = ("status",)
    ordering = ("-created_at",)


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("order", "store", "kind", "pickup_code", "slot_start", "queued_at", "done_at")
    list_filter = ("kind",)
    search_fields = ("order__number", "pickup_code")
    ordering = ("-created_at",)
    readonly_fields = [f.name for f in Ticket._meta.fields]
