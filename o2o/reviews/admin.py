from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from o2o.core.admin import NoDeleteAdminMixin
from o2o.reviews.models import Review


@admin.register(Review)
class ReviewAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    """Verified reviews. The operator can hide one (moderation); rating and text stay the customer's."""

    list_display = ("store", "merchant", "customer", "rating", "short_text", "is_hidden", "replied", "created_at")
    list_filter = ("rating", "is_hidden", ("replied_at", admin.EmptyFieldListFilter), "merchant__category")
    search_fields = ("text", "reply", "store__name", "merchant__name", "customer__email", "order__number")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")  # newest first
    list_select_related = ("store", "merchant", "customer")
    fields = ("order", "customer", "merchant", "store", "rating", "text", "reply", "replied_at", "replied_by",
              "is_hidden", "created_at")
    readonly_fields = ("order", "customer", "merchant", "store", "rating", "text", "reply", "replied_at",
                       "replied_by", "created_at")
    actions = ("hide", "show")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # only a customer with a redeemed voucher can review (review_create)

    @admin.display(description=_("text"))
    def short_text(self, obj: Review) -> str:
        return obj.text[:60] + ("…" if len(obj.text) > 60 else "")

    @admin.display(description=_("replied"), boolean=True)
    def replied(self, obj: Review) -> bool:
        return bool(obj.replied_at)

    def _set_hidden(self, request: HttpRequest, queryset: QuerySet[Review], hidden: bool) -> Any:
        n = queryset.update(is_hidden=hidden)
        self.message_user(request, ngettext("%(n)d review updated.", "%(n)d reviews updated.", n) % {"n": n}, messages.SUCCESS)

    @admin.action(description=_("Hide the selected reviews"))
    def hide(self, request: HttpRequest, queryset: QuerySet[Review]) -> None:
        self._set_hidden(request, queryset, True)

    @admin.action(description=_("Show the selected reviews again"))
    def show(self, request: HttpRequest, queryset: QuerySet[Review]) -> None:
        self._set_hidden(request, queryset, False)
