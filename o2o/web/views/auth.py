"""Sign up, log in, log out and accepting a staff invitation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from o2o.accounts.services import InvalidCredentials, user_authenticate, user_register
from o2o.core.errors import DomainError
from o2o.merchants.models import StaffMembership
from o2o.merchants.services import staff_accept_invite
from o2o.web.forms import InviteForm, LoginForm, SignupForm
from o2o.web.views.common import apply_error, error_text

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next_url(request: HttpRequest, default: str = "web:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    from django.urls import reverse

    return reverse(default)


def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_register(email=form.cleaned_data["email"], password=form.cleaned_data["password"],
                                 display_name=form.cleaned_data["display_name"])
        except DomainError as exc:
            apply_error(form, exc)
        else:
            login(request, user, backend=BACKEND)
            messages.success(request, _("Welcome to o2o, %(name)s!") % {"name": user.display_name})
            return redirect(_next_url(request))
    return render(request, "web/auth/signup.html", {"form": form, "next": request.GET.get("next", "")})


def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_authenticate(email=form.cleaned_data["email"], password=form.cleaned_data["password"],
                                     ip=request.META.get("REMOTE_ADDR"))
        except InvalidCredentials:
            form.add_error(None, _("Wrong email or password."))
        except DomainError as exc:  # locked after too many failures: say so, and until when
            form.add_error(None, error_text(exc))
        else:
            login(request, user, backend=BACKEND)
            return redirect(_next_url(request))
    return render(request, "web/auth/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("web:home")


def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    membership = (StaffMembership.objects.select_related("merchant", "user")
                  .filter(invite_token=token).first() if token else None)
    if membership is None:
        return render(request, "web/auth/invite.html", {"invalid": True}, status=404)
    form = InviteForm(request.POST or None, initial={"display_name": membership.user.display_name})
    if request.method == "POST" and form.is_valid():
        try:
            user = staff_accept_invite(token=token, password=form.cleaned_data["password"],
                                       display_name=form.cleaned_data["display_name"])
        except DomainError as exc:
            apply_error(form, exc)
        else:
            login(request, user, backend=BACKEND)
            messages.success(request, _("Welcome to the team at %(m)s.") % {"m": membership.merchant.name})
            return redirect("web:console")
    return render(request, "web/auth/invite.html", {"form": form, "membership": membership})
