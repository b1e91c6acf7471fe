from typing import Any

from django.db.models import QuerySet

from o2o.catalogue.enums import OfferingStatus
from o2o.catalogue.models import Offering
from o2o.core.errors import NotFound
from o2o.merchants.access import as_uuid
from o2o.merchants.enums import MerchantStatus


def public_offerings() -> QuerySet[Offering]:
    return Offering.objects.filter(status=OfferingStatus.LIVE, merchant__status=MerchantStatus.ACTIVE)


def public_offering(offering_id: Any) -> Offering:
    offering = (
        public_offerings().select_related("merchant").prefetch_related("photos", "redeemable_stores")
        .filter(pk=as_uuid(offering_id)).first()
    )
    if offering is None:
        raise NotFound()
    return offering
