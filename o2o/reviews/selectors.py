from typing import Any

from django.db.models import QuerySet

from o2o.core.errors import NotFound
from o2o.merchants.access import as_uuid, merchant_for_staff
from o2o.reviews.models import Review


def reviews_of_store(*, store_id: Any) -> QuerySet[Review]:
    return (Review.objects.filter(store_id=as_uuid(store_id), is_hidden=False).select_related("customer")
            .prefetch_related("photos"))


def review_of_order(*, order: Any) -> Review | None:
    return Review.objects.filter(order=order).prefetch_related("photos").first()


def review_for_author(*, user: Any, review_id: Any) -> Review:
    """The user's own review; anyone else's answers NotFound."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound()
    review = (Review.objects.filter(pk=as_uuid(review_id), customer=user).select_related("store", "order")
              .prefetch_related("photos").first())
    if review is None:
        raise NotFound()
    return review


def review_for_merchant_staff(*, user: Any, review_id: Any) -> Review:
    review = Review.objects.filter(pk=as_uuid(review_id)).first()
    if review is None:
        raise NotFound()
    merchant_for_staff(user=user, merchant_id=review.merchant_id, manage=True)
    return review
