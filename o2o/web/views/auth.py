"""Sign up, log in, log out, forgotten passwords and accepting a staff invitation.

Every POST of sign-up, log-in and password reset counts against the per-address auth rate of
o2o.core.ratelimit (shared with the API's /auth/register and /auth/token)."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from o2o.accounts import lockout
from o2o.accounts.services import InvalidCredentials, user_authenticate, user_register
from o2o.accounts.validators import EmailAddressFormField
from o2o.core import ratelimit
from o2o.core.errors import DomainError
from o2o.merchants.models import StaffMembership
from o2o.merchants.services import staff_accept_invite
from o2o.web.forms import InviteForm, LoginForm, SignupForm
from o2o.web.views.common import apply_error, error_text

BACKEND = "django.contrib.auth.backends.ModelBackend"
RESET_MAILS_PER_ADDRESS = "3/h"  # reset mails to one email address, whoever asks (no mail-bombing)


def _too_many(template: str, form_class: type) -> Callable[[HttpRequest, ratelimit.RateLimited], HttpResponse]:
    """Over the auth rate: the same page again with the reason, answered 429 with Retry-After."""

    def answer(request: HttpRequest, exc: ratelimit.RateLimited) -> HttpResponse:
        form = form_class(request.POST)
        form.full_clean()  # keeps what was typed; the reason goes on top
        form.add_error(None, error_text(exc))
        resp = render(request, template, {"form": form, "next": request.GET.get("next", "")}, status=429)
        resp["Retry-After"] = str(exc.retry_after)
        return resp

    return answer


def _next_url(request: HttpRequest, default: str = "web:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    from django.urls import reverse

    return reverse(default)


@ratelimit.auth_limited(_too_many("web/auth/signup.html", SignupForm))
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


@ratelimit.auth_limited(_too_many("web/auth/login.html", LoginForm))
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_authenticate(email=form.cleaned_data["email"], password=form.cleaned_data["password"],
                                     ip=ratelimit.client_address(request))
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


class _ResetForm(PasswordResetForm):
    """Django's reset form, sending at most RESET_MAILS_PER_ADDRESS to one address; the page says the
    same whether or not the address has an account (or got its mail), so it tells nobody who signed up."""

    email = EmailAddressFormField(label=_("Email"), max_length=254,
                                  widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))

    def send_mail(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        to_email = args[4] if len(args) > 4 else kwargs["to_email"]
        try:
            ratelimit.hit("reset-mail", str(to_email).lower(), RESET_MAILS_PER_ADDRESS)
        except ratelimit.RateLimited:
            return
        super().send_mail(*args, **kwargs)


class _SetPasswordForm(SetPasswordForm):
    def save(self, commit: bool = True):  # type: ignore[no-untyped-def]
        user = super().save(commit)
        lockout.clear(email=user.email)  # the owner proved the address: no lock holds them back
        return user


_limited = method_decorator(ratelimit.auth_limited(_too_many("web/auth/password_reset_form.html", _ResetForm)),
                            name="dispatch")


@_limited
class PasswordResetView(auth_views.PasswordResetView):
    form_class = _ResetForm
    template_name = "web/auth/password_reset_form.html"
    email_template_name = "web/auth/password_reset_email.txt"
    subject_template_name = "web/auth/password_reset_subject.txt"
    success_url = reverse_lazy("web:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/auth/password_reset_done.html"


@method_decorator(ratelimit.auth_limited(_too_many("web/auth/password_reset_form.html", _ResetForm)),
                  name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = _SetPasswordForm
    template_name = "web/auth/password_reset_confirm.html"
    success_url = reverse_lazy("web:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/auth/password_reset_complete.html"
