from django.http import HttpRequest
from ninja import Router, Status

from o2o.api.auth import AUTH, me
from o2o.api.errors import ErrorOut
from o2o.api.schemas import ReplyIn, ReviewIn, ReviewListOut, ReviewOut
from o2o.api.serializers import review_out
from o2o.merchants.access import public_store
from o2o.reviews import services as reviews
from o2o.reviews.selectors import review_for_merchant_staff, reviews_of_store

router = Router(tags=["reviews"])
_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.post("/reviews", response={201: ReviewOut, **_ERRORS}, auth=AUTH)
def review_create(request: HttpRequest, body: ReviewIn):  # type: ignore[no-untyped-def]
    r = reviews.review_create(customer=me(request), order_id=body.order_id, rating=body.rating, text=body.text)
    return Status(201, review_out(r))


@router.post("/reviews/{review_id}/reply", response={200: ReviewOut, **_ERRORS}, auth=AUTH)
def review_reply(request: HttpRequest, review_id: str, body: ReplyIn):  # type: ignore[no-untyped-def]
    r = review_for_merchant_staff(user=request.user, review_id=review_id)
    return review_out(reviews.review_reply(review=r, actor=me(request), text=body.text))


@router.get("/stores/{store_id}/reviews", response={200: ReviewListOut, 404: ErrorOut}, auth=None)
def store_reviews(request: HttpRequest, store_id: str):  # type: ignore[no-untyped-def]
    store = public_store(store_id)
    return {"results": [review_out(r) for r in reviews_of_store(store_id=store.pk)[:100]],
            "rating": store.rating, "review_count": store.review_count}
