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
    # Units still for sale live in StockBucket rows (see stock.py); quantity_left sums them.
    per_customer_limit = models.PositiveIntegerField(_("per-customer limit"), default=0, help_text=_("0 = no limit"))
    valid_days = models.PositiveIntegerField(_("valid for (days)"), default=90)
    status = models.CharField(_("status"), max_length=16, choices=OfferingStatus.choices, db_index=True)
    redeemable_stores = models.ManyToManyField(Store, related_name="offerings", verbose_name=_("redeemable at"))

    class Meta:
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")
        constraints = [
            models.CheckConstraint(condition=models.Q(price_amount__gte=Decimal(0)), name="offering_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title

    def refresh_from_db(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.__dict__.pop("_quantity_left", None)  # a reload must not keep a stale stock figure
        super().refresh_from_db(*args, **kwargs)

    @property
    def quantity_left(self) -> int:
        """Units still for sale. Selectors may preload it (with_quantity_left) to spare a query per row."""
        cached = getattr(self, "_quantity_left", None)
        if cached is None:
            cached = self.stock_buckets.aggregate(n=models.Sum("left"))["n"] or 0
            self._quantity_left = cached
        return int(cached)

    @property
    def price(self) -> Money:
        return Money(self.price_amount, self.currency)

    @property
    def list_price(self) -> Money:
        return Money(self.list_price_amount, self.currency)


class StockBucket(models.Model):
    """A share of an offering's units; see o2o.catalogue.stock."""

    id = models.BigAutoField(primary_key=True)
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="stock_buckets")
    slot = models.PositiveSmallIntegerField()
    left = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["offering", "slot"], name="stock_bucket_slot_unique"),
            models.CheckConstraint(condition=models.Q(left__gte=0), name="stock_bucket_not_negative"),
        ]


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
