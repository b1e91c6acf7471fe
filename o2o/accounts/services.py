"""Accounts: sign-up, sign-in with a lockout per email and address (lockout.py), API tokens."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from uuid import UUID

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from o2o.accounts import lockout
from o2o.accounts.models import ApiToken, LoginFailure, LoginGate, User
from o2o.accounts.validators import validate_email
from o2o.audit import context as audit_context
from o2o.audit.services import audit_record
from o2o.core import ratelimit
from o2o.core.errors import Conflict, DomainError, Invalid, NotFound


class InvalidCredentials(DomainError):
    code, status, default_message = "invalid_credentials", 401, gettext_lazy("Wrong email or password.")


class LoginSlowedDown(DomainError):
    """Many failed sign-ins for one email from many addresses: this address waits `retry_after` seconds."""

    code, status, default_message = "login_slowed_down", 429, gettext_lazy("Too many sign-in attempts; wait a moment.")

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(
            ngettext("This account is getting many wrong passwords. Wait %(n)d second and try again.",
                     "This account is getting many wrong passwords. Wait %(n)d seconds and try again.",
                     self.retry_after) % {"n": self.retry_after},
            fields={"retry_after_seconds": self.retry_after})


class AccountLocked(DomainError):
    """Too many failed sign-ins for one email from this address: refused (even with the right password)
    until `retry_at`."""

    code, status, default_message = "account_locked", 429, gettext_lazy("Too many failed sign-ins; try again later.")

    def __init__(self, retry_at: datetime, now: datetime | None = None) -> None:
        now = now or timezone.now()
        self.retry_at = retry_at
        self.retry_after = max(1, math.ceil((retry_at - now).total_seconds()))
        minutes = max(1, math.ceil(self.retry_after / 60))
        super().__init__(
            _("Too many failed sign-ins for this account. Try again in %(minutes)d minutes, after %(time)s UTC.")
            % {"minutes": minutes, "time": retry_at.astimezone(UTC).strftime("%H:%M")},
            fields={"retry_at": retry_at.isoformat(), "retry_after_seconds": self.retry_after},
        )


def user_register(*, email: str, password: str, display_name: str) -> User:
    email = (email or "").strip().lower()
    display_name = (display_name or "").strip()
    fields: dict[str, str] = {}
    try:
        validate_email(email)
    except ValidationError:
        fields["email"] = _("Enter a valid email address.")
    if not display_name:
        fields["display_name"] = _("Tell us what to call you.")
    elif len(display_name) > 80:
        fields["display_name"] = _("At most 80 characters.")
    try:
        validate_password(password or "", User(email=email, display_name=display_name))
    except ValidationError as exc:
        fields["password"] = " ".join(str(m) for m in exc.messages)
    if fields:
        raise Invalid(_("Some fields are not valid."), fields=fields)
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(_("An account with this email already exists."), code="email_taken", fields={"email": "taken"})
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, password=password, display_name=display_name)
    except IntegrityError:
        raise Conflict(_("An account with this email already exists."), code="email_taken") from None


def _normal_email(email: object) -> str:
    return (email if isinstance(email, str) else "").strip().lower()[:254]


def login_check(*, email: str, password: str, ip: str | None = None) -> User | None:
    """One sign-in: the user, or None after storing the failure. AccountLocked when this email is locked
    for this address, LoginSlowedDown while the account-wide slow-down holds this address back.

    The one place a password is checked, for the API, the pages and, through
    ``o2o.accounts.backends.LockoutBackend``, the operator admin. See o2o/accounts/lockout.py.
    """
    email = _normal_email(email)
    ip = ip or audit_context.client_ip()
    address = ratelimit.address_key(ip)  # an IPv6 client counts as its /64
    now = timezone.now()
    until = lockout.reserve(email=email, address=address, now=now)
    if until is not None:
        raise AccountLocked(until, now)
    wait = lockout.slowdown_wait(email=email, address=address, now=now)
    if wait:
        lockout.release(email=email, address=address)
        raise LoginSlowedDown(wait)
    user = ModelBackend().authenticate(None, username=email, password=password if isinstance(password, str) else "")
    if user is None:
        locked_now = lockout.failed(email=email, address=address, ip=ip, now=timezone.now())
        if locked_now is not None:
            audit_record(actor=User.objects.filter(email=email).first(), action="login.locked",
                         summary=_("Sign-in locked for %(email)s from %(ip)s until %(time)s UTC.") % {
                             "email": email, "ip": address or "?",
                             "time": locked_now.astimezone(UTC).strftime("%Y-%m-%d %H:%M")},
                         data={"email": email, "ip": address, "until": locked_now.isoformat()}, ip=ip)
        return None
    lockout.succeeded(email=email, address=address, now=timezone.now())
    audit_record(actor=user, action="login.success", obj=user, summary=_("Signed in."), ip=ip)
    return user  # type: ignore[return-value]


def user_authenticate(*, email: str, password: str, ip: str | None = None) -> User:
    """The user with this email and password.

    Wrong -> InvalidCredentials (401), and the failure is stored. After `login_max_failures` failures
    from one address within `login_lockout`, that email is locked for that address for `login_lockout`:
    AccountLocked (429), whatever the password. Under an account-wide slow-down: LoginSlowedDown (429).
    Known and unknown emails behave alike, so the answer tells nothing about who has an account.
    """
    user = login_check(email=email, password=password, ip=ip)
    if user is None:
        raise InvalidCredentials(_("Wrong email or password."))
    return user


def login_failures_prune(*, older_than: datetime) -> int:
    """Drop failure rows older than `older_than` (they no longer count towards any lockout), and the
    sign-in gates idle since then that hold no lock and no recent success (lockout.KNOWN_ADDRESS_FOR)."""
    from django.db.models import Q

    deleted, _counts = LoginFailure.objects.filter(at__lt=older_than).delete()
    now = timezone.now()
    LoginGate.objects.filter(window_start__lt=older_than).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now)).filter(
        Q(next_check_at__isnull=True) | Q(next_check_at__lt=now)).filter(
        Q(succeeded_at__isnull=True) | Q(succeeded_at__lt=now - lockout.KNOWN_ADDRESS_FOR)).delete()
    return deleted


def token_issue(*, user: User, name: str = "") -> str:
    clear = ApiToken.new_clear_token()
    ApiToken.objects.create(user=user, prefix=clear[:12], digest=ApiToken.digest_of(clear), name=name[:80])
    return clear


def token_revoke(*, user: User, token_id: str | None = None, clear_token: str | None = None) -> int:
    qs = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if token_id:
        qs = qs.filter(pk=token_id)
    elif clear_token:
        qs = qs.filter(digest=ApiToken.digest_of(clear_token))
    return qs.update(revoked_at=timezone.now())


def token_revoke_by_id(*, user: User, token_id: object) -> ApiToken:
    """Revoke one of `user`'s tokens by id (already revoked: unchanged). Another user's token -> NotFound."""
    try:
        pk = token_id if isinstance(token_id, UUID) else UUID(str(token_id))
    except (ValueError, TypeError, AttributeError):
        raise NotFound() from None
    tok = ApiToken.objects.filter(pk=pk, user=user).first()
    if tok is None:
        raise NotFound()
    if tok.revoked_at is None:
        now = timezone.now()
        ApiToken.objects.filter(pk=tok.pk, revoked_at__isnull=True).update(revoked_at=now, updated_at=now)
        tok.refresh_from_db()
        audit_record(actor=user, action="token.revoke", obj=tok, summary=_("API token %(p)s… revoked.") % {
            "p": tok.prefix})
    return tok


def user_from_token(*, clear_token: str) -> User | None:
    if not clear_token or len(clear_token) > 200:
        return None
    tok = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(clear_token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if tok is None:
        return None
    tok.touch()
    return tok.user
