"""The operator's view of jobs, and where disputes are decided (actions on disputed milestones)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from o2o.core.admin import EventInline, ReadOnlyAdminMixin, ReadOnlyTabularInline
from o2o.core.errors import DomainError
from o2o.jobs.escrow import dispute_decide
from o2o.jobs.models import (
    Dispute,
    EscrowEntry,
    Job,
    JobRequest,
    Milestone,
    MilestoneEvent,
    Quote,
    RequestForm,
)


class MilestoneEventInline(EventInline):
    model = MilestoneEvent


class DisputeInline(ReadOnlyTabularInline):
    model = Dispute
    fields = ("created_at", "comment", "answer", "answered_at", "decision", "decided_by", "decided_at")
    readonly_fields = fields


class EscrowInline(ReadOnlyTabularInline):
    model = EscrowEntry
    fields = ("created_at", "kind", "amount", "currency", "milestone", "payment", "memo")
    readonly_fields = fields


def _decide(modeladmin: Any, request: Any, queryset: Any, decision: str) -> None:
    done = 0
    for m in queryset:
        try:
            dispute_decide(operator=request.user, milestone_id=m.pk, decision=decision)
            done += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"{m.title}: {exc.message}", messages.ERROR)
    if done:
        modeladmin.message_user(request, ngettext("%(n)d dispute decided.", "%(n)d disputes decided.", done)
                                % {"n": done}, messages.SUCCESS)


@admin.action(description=_("Decide the dispute: release the share to the merchant"))
def release_to_merchant(modeladmin: Any, request: Any, queryset: Any) -> None:
    _decide(modeladmin, request, queryset, "release")


@admin.action(description=_("Decide the dispute: refund the share to the customer"))
def refund_to_customer(modeladmin: Any, request: Any, queryset: Any) -> None:
    _decide(modeladmin, request, queryset, "refund")


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    ordering = ("-created_at", "-id")  # newest first
    list_display = ("job", "position", "title", "kind", "share", "amount", "currency", "status")
    list_filter = ("status", "kind")
    actions = (release_to_merchant, refund_to_customer)
    inlines = (DisputeInline, MilestoneEventInline)


@admin.register(Job)
class JobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    ordering = ("-created_at", "-id")  # newest first
    list_display = ("id", "merchant", "customer", "status", "price_amount", "deposit_amount", "currency", "created_at")
    list_filter = ("status",)
    inlines = (EscrowInline,)


@admin.register(JobRequest)
class JobRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    ordering = ("-created_at", "-id")  # newest first
    list_display = ("id", "form", "merchant", "customer", "status", "created_at")
    list_filter = ("status",)


@admin.register(RequestForm)
class RequestFormAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    ordering = ("-created_at", "-id")  # newest first
    list_display = ("title", "merchant", "trade", "checkin_radius_m", "active")


@admin.register(Quote)
class QuoteAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    ordering = ("-created_at", "-id")  # newest first
    list_display = ("id", "request", "status", "valid_until", "deposit_share", "created_at")


@admin.register(EscrowEntry)
class EscrowEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    ordering = ("-created_at", "-id")  # newest first
    list_display = ("job", "kind", "amount", "currency", "milestone", "payment", "created_at")
    list_filter = ("kind",)
