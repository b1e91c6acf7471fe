from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from o2o.campaigns.enums import PlacementKind
from o2o.core.models import BaseModel
from o2o.core.money import Money

DEFAULT_WINDOW_DAYS = 30
MAX_WINDOW_DAYS = 365  # the longest attribution window a merchant may set


class Campaign(BaseModel):
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name


class Placement(BaseModel):
    """One printed or posted thing of a campaign: its short code is what its QR and short link carry.

    Exactly one target: an offering (its deal page) or a store (the store's page)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="placements")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="placements")
    kind = models.CharField(_("kind"), max_length=16, choices=PlacementKind.choices)
    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(_("code"), max_length=16, unique=True)
    cost_amount = models.DecimalField(_("cost"), max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    target_offering = models.ForeignKey("catalogue.Offering", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", verbose_name=_("offering"))
    target_store = models.ForeignKey("merchants.Store", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("store"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [models.CheckConstraint(
            condition=models.Q(target_offering__isnull=False, target_store__isnull=True)
            | models.Q(target_offering__isnull=True, target_store__isnull=False), name="placement_one_target")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def cost(self) -> Money:
        return Money(self.cost_amount, self.currency)


class AttributionSetting(models.Model):
    """The merchant's attribution window: a scan counts for an order placed at most this many days later."""

    merchant = models.OneToOneField("merchants.Merchant", on_delete=models.CASCADE, primary_key=True,
                                    related_name="attribution_setting")
    window_days = models.PositiveIntegerField(_("attribution window (days)"), default=DEFAULT_WINDOW_DAYS)


class Visitor(models.Model):
    """One browser, known by the first-party cookie it got at its first scan; linked to an account once
    that browser signs up or signs in (first link wins: a shared phone keeps its first owner's scans)."""

    id = models.BigAutoField(primary_key=True)
    key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="visitors")
    created_at = models.DateTimeField(auto_now_add=True)
    linked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.key[:8]


class Scan(models.Model):
    """One counted scan of a placement's code (rate-limited hammering is not counted). Append-only; `user`
    is filled in when the scan's visitor is linked to an account."""

    id = models.BigAutoField(primary_key=True)
    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="scans")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    visitor = models.ForeignKey(Visitor, on_delete=models.PROTECT, related_name="scans")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["placement", "at"], name="scan_placement_at"),
                   models.Index(fields=["merchant", "user", "at"], name="scan_merchant_user_at")]
