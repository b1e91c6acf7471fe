from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from o2o.accounts.models import ApiToken, LoginFailure, User
from o2o.core.admin import NoDeleteAdminMixin, ReadOnlyAdminMixin


class UserCreateForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "display_name")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = ("email", "password", "display_name", "language", "is_active", "is_staff", "is_superuser",
                  "groups", "user_permissions")


class ApiTokenInline(admin.TabularInline):
    model = ApiToken
    extra = 0
    can_delete = False
    fields = ("prefix", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(NoDeleteAdminMixin, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    list_display = ("email", "display_name", "is_staff", "is_superuser", "is_active", "created_at", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "language")
    search_fields = ("email", "display_name")
    ordering = ("-created_at", "-id")  # newest accounts first
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "updated_at", "last_login")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "created_at", "updated_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",),
                "fields": ("email", "display_name", "usable_password", "password1", "password2")}),
    )
    inlines = (ApiTokenInline,)
    actions = ("deactivate",)

    @admin.action(description=_("Deactivate the selected users (they can no longer sign in)"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        n = queryset.exclude(pk=str(request.user.pk)).update(is_active=False, updated_at=timezone.now())
        self.message_user(request, ngettext("%(n)d user deactivated.", "%(n)d users deactivated.", n) % {"n": n}, messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    """Only the token's SHA-256 is stored; the admin shows its prefix and can revoke it."""

    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("prefix", "user__email", "name")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    list_select_related = ("user",)
    fields = ("user", "prefix", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are issued by signing in through the API

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        n = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", n) % {"n": n}, messages.SUCCESS)


@admin.register(LoginFailure)
class LoginFailureAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Failed sign-ins: what the lockout counts. Old rows go with `manage.py prune_login_failures`."""

    list_display = ("at", "email", "ip")
    search_fields = ("email", "ip")
    date_hierarchy = "at"
    ordering = ("-at", "-id")


def _rate_limited_login(view):  # type: ignore[no-untyped-def]
    """The operator admin's log-in counts against the same per-address auth rate as the API and the pages."""
    from django.http import HttpResponse

    from o2o.core import ratelimit

    def login(request: HttpRequest, extra_context=None):  # type: ignore[no-untyped-def]
        if request.method == "POST":
            try:
                ratelimit.check_auth(request)
            except ratelimit.RateLimited as exc:
                resp = HttpResponse(exc.message, status=429, content_type="text/plain; charset=utf-8")
                resp["Retry-After"] = str(exc.retry_after)
                return resp
        return view(request, extra_context)

    return login


admin.site.login = _rate_limited_login(admin.site.login)  # type: ignore[method-assign]
