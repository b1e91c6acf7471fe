from __future__ import annotations

from django.contrib import admin

from o2o.audit.models import AuditEntry
from o2o.core.admin import ReadOnlyAdminMixin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The operator searches staff actions here; nothing can be added, changed or deleted."""

    list_display = ("at", "action", "actor_email", "merchant", "object_type", "object_id", "summary", "ip")
    list_filter = ("action", ("merchant", admin.RelatedOnlyFieldListFilter), "at")
    search_fields = ("actor_email", "=object_id", "summary")
    date_hierarchy = "at"
    list_select_related = ("merchant",)
    fields = ("at", "action", "actor", "actor_email", "merchant", "object_type", "object_id", "summary", "data",
              "ip")
    readonly_fields = fields
    actions = None
    ordering = ("-at", "-id")
    show_full_result_count = False

