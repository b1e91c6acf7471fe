from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.accounts.models import ApiToken, User
from o2o.core.errors import Conflict, DomainError, Invalid


class InvalidCredentials(DomainError):
    code, status, default_message = "invalid_credentials", 401, "Wrong email or password."


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


def user_authenticate(*, email: str, password: str) -> User:
    user = authenticate(username=(email or "").strip().lower(), password=password or "")
    if user is None:
        raise InvalidCredentials(_("Wrong email or password."))
    return user  # type: ignore[return-value]


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
