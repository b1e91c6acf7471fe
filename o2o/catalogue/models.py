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
    # Products and menu items (kind "product"): where the item sits on the menu and how long it takes.
    section = models.ForeignKey("catalogue.MenuSection", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="items", verbose_name=_("menu section"))
    position = models.PositiveIntegerField(_("position"), default=0)
    prep_minutes = models.PositiveSmallIntegerField(_("preparation (minutes)"), default=0)

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


class MenuSection(BaseModel):
    """A section of a merchant's menu (noodles, drinks); merchants set the order (position)."""

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="menu_sections")
    title = models.CharField(_("title"), max_length=80)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "created_at"]
        verbose_name = _("menu section")
        verbose_name_plural = _("menu sections")

    def __str__(self) -> str:
        return self.title


class OptionGroup(BaseModel):
    """A choice on a product (size, spice, extras): required or not, at most max_choices picks."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="option_groups")
    name = models.CharField(_("name"), max_length=60)
    required = models.BooleanField(_("required"), default=False)
    max_choices = models.PositiveSmallIntegerField(_("most choices"), default=1)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "created_at"]
        constraints = [models.UniqueConstraint(fields=["offering", "name"], name="option_group_name_unique")]


class OptionChoice(BaseModel):
    group = models.ForeignKey(OptionGroup, on_delete=models.CASCADE, related_name="choices")
    name = models.CharField(_("name"), max_length=60)
    price_delta_amount = models.DecimalField(_("price change"), max_digits=14, decimal_places=2, default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "created_at"]
        constraints = [models.UniqueConstraint(fields=["group", "name"], name="option_choice_name_unique")]


class StoreStock(models.Model):
    """A product's stock at one store: quantity_left NULL means unlimited (a dish made to order); a store
    with no row does not sell the product. Changed only by conditional updates (catalogue.stock)."""

    id = models.BigAutoField(primary_key=True)
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="store_stock")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="stock")
    quantity_left = models.PositiveIntegerField(_("left"), null=True, blank=True)
    sold_out = models.BooleanField(_("sold out"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["offering", "store"], name="store_stock_unique"),
            models.CheckConstraint(condition=models.Q(quantity_left__gte=0) | models.Q(quantity_left__isnull=True),
                                   name="store_stock_not_negative"),
        ]

    @property
    def available(self) -> bool:
        return not self.sold_out and (self.quantity_left is None or self.quantity_left > 0)
