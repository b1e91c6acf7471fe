from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from o2o.catalogue.enums import OfferingKind, OfferingStatus
from o2o.core.models import BaseModel, StatusEventBase
from o2o.core.money import Money
from o2o.merchants.models import Merchant, Store


class Offering(BaseModel):
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="offerings")
    kind = models.CharField(_("kind"), max_length=16, choices=OfferingKind.choices)
    title = models.CharField(_("title"), max_length=140)
    description = models.TextField(_("description"), blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    price_amount = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    list_price_amount = models.DecimalField(_("list price"), max_digits=14, decimal_places=2)
    quantity_total = models.PositiveIntegerField(_("total quantity"))
    # Units still for sale. Changes only by conditional UPDATE (never read-modify-write).
    quantity_left = models.PositiveIntegerField(_("quantity left"))
    per_customer_limit = models.PositiveIntegerField(_("per-customer limit"), default=0, help_text=_("0 = no limit"))
    valid_days = models.PositiveIntegerField(_("valid for (days)"), default=90)
    status = models.CharField(_("status"), max_length=16, choices=OfferingStatus.choices, db_index=True)
    redeemable_stores = models.ManyToManyField(Store, related_name="offerings", verbose_name=_("redeemable at"))

    class Meta:
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity_left__lte=models.F("quantity_total")),
                                   name="offering_left_within_total"),
            models.CheckConstraint(condition=models.Q(price_amount__gte=Decimal(0)), name="offering_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def price(self) -> Money:
        return Money(self.price_amount, self.currency)

    @property
    def list_price(self) -> Money:
        return Money(self.list_price_amount, self.currency)


class OfferingEvent(StatusEventBase):
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="events")


class OfferingPhoto(BaseModel):
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="offerings/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "created_at"]
