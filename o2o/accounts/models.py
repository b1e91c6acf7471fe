import hashlib
import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from o2o.accounts.validators import EmailAddressField
from o2o.core.models import BaseModel


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):  # type: ignore[no-untyped-def]
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):  # type: ignore[no-untyped-def]
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(BaseModel, AbstractBaseUser, PermissionsMixin):
    email = EmailAddressField(_("email"), unique=True)
    display_name = models.CharField(_("display name"), max_length=80)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("operator"), default=False, help_text=_("Can use the operator admin."))
    language = models.CharField(_("language"), max_length=10, blank=True)

    objects = UserManager()
    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email


class ApiToken(BaseModel):
    """A bearer token. Only its SHA-256 is stored; the clear token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=80, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_clear_token() -> str:
        return "o2o_" + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def touch(self) -> None:
        now = timezone.now()
        if not self.last_used_at or (now - self.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)


class LoginFailure(models.Model):
    """One failed sign-in for an email (known or not). The lockout counts these rows, so it holds across
    every server process. The sign-in flow only adds rows; `prune_login_failures` drops old ones."""

    id = models.BigAutoField(primary_key=True)
    email = models.CharField(_("email"), max_length=254)
    at = models.DateTimeField(_("at"), default=timezone.now)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        indexes = [models.Index(fields=["email", "at"], name="login_failure_email_at"),
                   models.Index(fields=["at"], name="login_failure_at")]

    def __str__(self) -> str:
        return f"{self.email} {self.at:%Y-%m-%d %H:%M:%S}"


class LoginGate(models.Model):
    """The sign-in state of one email from one client address, changed only by conditional UPDATEs
    (o2o/accounts/lockout.py): failures in the current window, the lock, the last success. The row with
    address "*" holds the account-wide slow-down (when the next password check from an unknown address
    may run)."""

    ACCOUNT = "*"

    id = models.BigAutoField(primary_key=True)
    email = models.CharField(_("email"), max_length=254)
    address = models.CharField(_("address"), max_length=64, blank=True)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    window_start = models.DateTimeField(_("window start"), default=timezone.now)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    next_check_at = models.DateTimeField(_("next check at"), null=True, blank=True)
    succeeded_at = models.DateTimeField(_("last success"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in gate")
        verbose_name_plural = _("sign-in gates")
        constraints = [models.UniqueConstraint(fields=["email", "address"], name="login_gate_email_address")]

    def __str__(self) -> str:
        return f"{self.email} from {self.address or '?'}: {self.failures}"
