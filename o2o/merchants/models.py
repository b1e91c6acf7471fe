from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from o2o.core.conf import default_store_timezone
from o2o.core.models import BaseModel, StatusEventBase
from o2o.merchants.enums import Category, MerchantStatus, Role

# --- the discovery index follows every write ------------------------------------------------------------
# o2o.discovery.services.place_row copies these fields into each store's index row. Whoever writes one of
# them (a service, the admin, a seed, a shell, queryset.update, bulk_update, bulk_create), the store's row
# is rewritten in the same transaction: the write and the re-index commit together or not at all.
# Raw SQL is the one way past this; `manage.py discovery_check` finds (and with --fix repairs) what it left.
STORE_INDEXED_FIELDS = frozenset({"merchant", "merchant_id", "name", "address", "lat", "lng", "timezone",
                                  "opening_hours", "closed_dates", "is_active"})
MERCHANT_INDEXED_FIELDS = frozenset({"name", "category", "status"})


def _touches(fields: Iterable[str] | None, indexed: frozenset[str]) -> bool:
    return fields is None or not indexed.isdisjoint(fields)


# The index lives in o2o.discovery, a higher app: it registers its writer here when it loads (a hook the
# lower app offers, not a signal), so merchants never imports discovery.
_store_indexers: list[Callable[..., Any]] = []


def register_store_indexer(indexer: Callable[..., Any]) -> None:
    """`indexer(store_ids=[...])` is called inside the writer's transaction after any indexed field changed."""
    if indexer not in _store_indexers:
        _store_indexers.append(indexer)


def _reindex_stores(store_ids: Sequence[Any]) -> None:
    for indexer in _store_indexers:
        indexer(store_ids=store_ids)


class _IndexedQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """update and bulk_update that re-index the affected stores in the same transaction when they write a
    field the index copies. Subclasses say which fields those are and which stores rows stand for."""

    indexed_fields: frozenset[str] = frozenset()

    def _store_ids(self, pks: list[Any]) -> list[Any]:
        """The stores the given rows stand for: the rows themselves (stores); merchants say otherwise."""
        return pks

    def update(self, **kwargs: Any) -> int:
        if not _touches(kwargs, self.indexed_fields):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            ids = list(self.values_list("pk", flat=True))
            n = super().update(**kwargs)
            _reindex_stores(self._store_ids(ids))
        return n

    update.alters_data = True  # type: ignore[attr-defined]

    def bulk_update(self, objs: Iterable[Any], fields: Iterable[str], batch_size: int | None = None) -> int:
        objs, fields = list(objs), list(fields)
        with transaction.atomic(using=self.db):
            n = super().bulk_update(objs, fields, batch_size=batch_size)
            if _touches(fields, self.indexed_fields):
                _reindex_stores(self._store_ids([o.pk for o in objs]))
        return n


class MerchantQuerySet(_IndexedQuerySet):
    indexed_fields = MERCHANT_INDEXED_FIELDS

    def _store_ids(self, pks: list[Any]) -> list[Any]:
        return list(Store.objects.filter(merchant_id__in=pks).values_list("pk", flat=True))


class StoreQuerySet(_IndexedQuerySet):
    indexed_fields = STORE_INDEXED_FIELDS

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        with transaction.atomic(using=self.db):
            made = super().bulk_create(objs, *args, **kwargs)
            _reindex_stores([o.pk for o in made])
        return made


class Merchant(BaseModel):
    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=MerchantStatus.choices, db_index=True)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_merchants")

    objects = MerchantQuerySet.as_manager()

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not _touches(kwargs.get("update_fields"), MERCHANT_INDEXED_FIELDS):
            return super().save(*args, **kwargs)
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            _reindex_stores(list(Store.objects.filter(merchant_id=self.pk).values_list("pk", flat=True)))


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

    objects = StoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not _touches(kwargs.get("update_fields"), STORE_INDEXED_FIELDS):
            return super().save(*args, **kwargs)
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            _reindex_stores([self.pk])

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
