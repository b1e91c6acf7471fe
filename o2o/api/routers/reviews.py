from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from o2o.api.auth import AUTH, me
from o2o.api.errors import ErrorOut
from o2o.api.schemas import ReplyIn, ReviewIn, ReviewListOut, ReviewOut, ReviewPatchIn
from o2o.api.serializers import review_out
from o2o.catalogue.images import MAX_BYTES
from o2o.core.errors import Invalid
from o2o.core.uploads import read_limited
from o2o.merchants.access import public_store
from o2o.reviews import services as reviews
from o2o.reviews.selectors import review_for_author, review_for_merchant_staff, reviews_of_store
from o2o.reviews.services import MAX_PHOTOS

router = Router(tags=["reviews"])
_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.post("/reviews", response={201: ReviewOut, **_ERRORS}, auth=AUTH)
def review_create(request: HttpRequest, body: ReviewIn):  # type: ignore[no-untyped-def]
    r = reviews.review_create(customer=me(request), order_id=body.order_id, rating=body.rating, text=body.text)
    return Status(201, review_out(r))


@router.patch("/reviews/{review_id}", response={200: ReviewOut, **_ERRORS}, auth=AUTH)
def review_update(request: HttpRequest, review_id: str, body: ReviewPatchIn):  # type: ignore[no-untyped-def]
    """The author edits their review (rating, text, remove_photo_ids); anyone else gets 404."""
    sent = body.model_dump(exclude_unset=True)
    r = reviews.review_update(customer=me(request), review_id=review_id,
                              **{k: sent[k] for k in ("rating", "text") if k in sent},
                              remove_photo_ids=sent.get("remove_photo_ids", []))
    return review_out(review_for_author(user=me(request), review_id=r.pk))


_PHOTOS_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["photos"],
    "properties": {"photos": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}}}


@router.post("/reviews/{review_id}/photos", response={201: ReviewOut, **_ERRORS}, auth=AUTH,
             openapi_extra=_PHOTOS_BODY)
def review_photos_add(request: HttpRequest, review_id: str):  # type: ignore[no-untyped-def]
    """Multipart `photos`: one or more JPEG, PNG, WebP or GIF images of at most 5 MB, 6 per review.
    Only the author (anyone else: 404, before any file is read); checked by content, re-encoded."""
    review = review_for_author(user=me(request), review_id=review_id)
    files = request.FILES.getlist("photos")[:MAX_PHOTOS + 1]
    if not files:
        raise Invalid(_("Send one or more image files as multipart field “photos”."), fields={"photos": _("required")})
    data = [read_limited(f, MAX_BYTES, field="photos") for f in files]
    r = reviews.review_update(customer=me(request), review_id=review.pk, add_photos=data)
    return Status(201, review_out(review_for_author(user=me(request), review_id=r.pk)))


@router.post("/reviews/{review_id}/reply", response={200: ReviewOut, **_ERRORS}, auth=AUTH)
def review_reply(request: HttpRequest, review_id: str, body: ReplyIn):  # type: ignore[no-untyped-def]
    r = review_for_merchant_staff(user=request.user, review_id=review_id)
    return review_out(reviews.review_reply(review=r, actor=me(request), text=body.text))


@router.get("/stores/{store_id}/reviews", response={200: ReviewListOut, 404: ErrorOut}, auth=None)
def store_reviews(request: HttpRequest, store_id: str):  # type: ignore[no-untyped-def]
    store = public_store(store_id)
    return {"results": [review_out(r) for r in reviews_of_store(store_id=store.pk)[:100]],
            "rating": store.rating, "review_count": store.review_count}
