from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from o2o.core.conf import default_store_timezone
from o2o.core.models import BaseModel, StatusEventBase
from o2o.merchants.enums import Category, MerchantStatus, Role


class Merchant(BaseModel):
    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=MerchantStatus.choices, db_index=True)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_merchants")

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")

    def __str__(self) -> str:
        return self.name


class MerchantEvent(StatusEventBase):
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="events")


def star_rating(rating_sum: int, review_count: int) -> float | None:
    """Average star rating for display (one decimal); not money."""
    if not review_count:
        return None
    return round(rating_sum / review_count, 1)


class Store(BaseModel):
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="stores")
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=255)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    # H3 cells of the position at a few resolutions: plain B-tree indexes serve nearby search
    # on SQLite and PostgreSQL alike.
    h3_r6 = models.BigIntegerField(db_index=True, default=0)
    h3_r8 = models.BigIntegerField(db_index=True, default=0)
    timezone = models.CharField(_("timezone"), max_length=64, default=default_store_timezone)
    opening_hours = models.JSONField(_("opening hours"), default=dict)
    closed_dates = models.JSONField(_("closed on"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    rating_sum = models.PositiveIntegerField(default=0)
    review_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")

    def __str__(self) -> str:
        return self.name

    @property
    def rating(self) -> float | None:
        return star_rating(self.rating_sum, self.review_count)


class StaffMembership(BaseModel):
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    stores = models.ManyToManyField(Store, blank=True, related_name="staff", verbose_name=_("stores"))
    is_active = models.BooleanField(_("active"), default=True)
    invite_token = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [models.UniqueConstraint(fields=["merchant", "user"], name="one_membership_per_merchant")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.merchant} ({self.role})"
