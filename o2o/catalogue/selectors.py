from typing import Any

from django.db.models import Case, OuterRef, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from o2o.catalogue.enums import OfferingKind, OfferingStatus
from o2o.catalogue.models import Offering, StockBucket, StoreStock
from o2o.core.errors import NotFound
from o2o.merchants.access import as_uuid
from o2o.merchants.enums import MerchantStatus

# What an unlimited store's stock of a product counts for in quantity_left (only ever compared with 0).
UNLIMITED_AT_A_STORE = 1_000_000


def with_quantity_left(qs: QuerySet[Offering]) -> QuerySet[Offering]:
    """Preload quantity_left in the same query: a deal's is the sum of its stock buckets; a product's
    what its stores can still sell (counted stock of stores not switched sold out, an unlimited store
    counting UNLIMITED_AT_A_STORE), so that "still for sale" (> 0) means the same for both."""
    left = (StockBucket.objects.filter(offering=OuterRef("pk")).values("offering")
            .annotate(n=Sum("left")).values("n"))
    sellable = (StoreStock.objects.filter(offering=OuterRef("pk"), sold_out=False).values("offering")
                .annotate(n=Sum(Coalesce("quantity_left", Value(UNLIMITED_AT_A_STORE)))).values("n"))
    return qs.annotate(_quantity_left=Case(  # type: ignore[no-redef]
        When(kind=OfferingKind.PRODUCT, then=Coalesce(Subquery(sellable), 0)),
        default=Coalesce(Subquery(left), 0)))


def public_offerings() -> QuerySet[Offering]:
    return with_quantity_left(
        Offering.objects.filter(status=OfferingStatus.LIVE, merchant__status=MerchantStatus.ACTIVE))


def public_offering(offering_id: Any) -> Offering:
    offering = (
        public_offerings().select_related("merchant").prefetch_related("photos", "redeemable_stores")
        .filter(pk=as_uuid(offering_id)).first()
    )
    if offering is None:
        raise NotFound()
    return offering
