from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from o2o.catalogue.enums import OfferingStatus
from o2o.catalogue.models import Offering, StockBucket
from o2o.core.errors import NotFound
from o2o.merchants.access import as_uuid
from o2o.merchants.enums import MerchantStatus


def with_quantity_left(qs: QuerySet[Offering]) -> QuerySet[Offering]:
    """Preload quantity_left (the sum of the stock buckets) in the same query."""
    left = (StockBucket.objects.filter(offering=OuterRef("pk")).values("offering")
            .annotate(n=Sum("left")).values("n"))
    return qs.annotate(_quantity_left=Coalesce(Subquery(left), 0))  # type: ignore[no-redef]


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
