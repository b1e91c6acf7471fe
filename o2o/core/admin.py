"""The operator admin: site titles, and the read-only building blocks every app's admin uses.

Event rows and ledgers are never added, changed or deleted by hand; money, stock and statuses move
only through the services, so the admin shows them read-only and offers actions that call services.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from o2o.core.models import IdempotencyRecord

admin.site.site_header = _("o2o operator")
admin.site.site_title = _("o2o operator")
admin.site.index_title = _("Platform")


class ReadOnlyAdminMixin:
    """View only: no add, no change, no delete (the changelist and change pages still open)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NoDeleteAdminMixin:
    """Rows that other rows (orders, events, ledgers) point at: never deleted from the admin."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyTabularInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True


class EventInline(ReadOnlyTabularInline):
    """The status timeline of an object: who, when, from, to, why."""

    fields: ClassVar[tuple[str, ...]] = ("at", "from_status", "to_status", "actor", "reason", "data")
    readonly_fields: ClassVar[tuple[str, ...]] = fields
    ordering = ("at", "id")
    show_change_link = False
    verbose_name = _("event")
    verbose_name_plural = _("timeline")


class EventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A status event table: one row per transition, never edited."""

    list_display: tuple[str, ...] = ("at", "subject", "from_status", "to_status", "actor", "reason")
    list_filter = ("to_status",)
    search_fields: ClassVar[tuple[str, ...]] = ("reason", "actor__email")
    date_hierarchy = "at"
    ordering = ("-at", "-id")  # newest first
    list_select_related: ClassVar[tuple[str, ...]] = ("actor",)
    subject_field = ""

    @admin.display(description=_("of"))
    def subject(self, obj: Any) -> Any:
        return getattr(obj, self.subject_field) if self.subject_field else ""


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "user", "endpoint", "key", "status_code")
    list_filter = ("endpoint", "status_code")
    search_fields = ("key", "endpoint", "user__email")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")  # newest first
    list_select_related = ("user",)
