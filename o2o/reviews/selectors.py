from typing import Any

from django.db.models import QuerySet

from o2o.core.errors import NotFound
from o2o.merchants.access import as_uuid, merchant_for_staff
from o2o.reviews.models import Review


def reviews_of_store(*, store_id: Any) -> QuerySet[Review]:
    return Review.objects.filter(store_id=as_uuid(store_id), is_hidden=False).select_related("customer")


def review_for_merchant_staff(*, user: Any, review_id: Any) -> Review:
    review = Review.objects.filter(pk=as_uuid(review_id)).first()
    if review is None:
        raise NotFound()
    merchant_for_staff(user=user, merchant_id=review.merchant_id, manage=True)
    return review
