from django.contrib import admin

from o2o.core.admin import ReadOnlyAdminMixin
from o2o.demo.models import SeedRecord


@admin.register(SeedRecord)
class SeedRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "version", "merchants", "seed", "seconds")
    ordering = ("-created_at",)
    readonly_fields = ("created_at", "version", "merchants", "seed", "seconds", "summary")
