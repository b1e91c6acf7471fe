from collections.abc import Sequence
from typing import Any
from uuid import UUID

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from o2o.accounts.models import User
from o2o.audit.services import audit_record
from o2o.catalogue.images import clean_image
from o2o.core.errors import Conflict, Invalid, NotFound
from o2o.core.events import EventKind, event_append, order_offering
from o2o.merchants.access import as_uuid
from o2o.merchants.models import Store
from o2o.orders.enums import SERVED_STATUSES, FulfilmentKind
from o2o.orders.models import Order
from o2o.reviews.models import Review, ReviewPhoto
from o2o.vouchers.enums import VoucherStatus


class NotFulfilled(Conflict):
    code, default_message = "not_fulfilled", gettext_lazy("You can review once you have used a voucher of this order.")


class AlreadyReviewed(Conflict):
    code, default_message = "already_reviewed", gettext_lazy("You have already reviewed this order.")


MAX_PHOTOS = 6  # per review
_UNSET: Any = object()


def _clean_rating(rating: Any) -> int:
    if rating is None or rating == "":
        raise Invalid(_("Choose a rating from 1 to 5 stars."), fields={"rating": _("required")})
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise Invalid(_("Give 1 to 5 stars."), fields={"rating": _("whole number from 1 to 5")})
    return rating


def _clean_text(text: Any) -> str:
    if text is None:
        text = ""
    if not isinstance(text, str) or len(text) > 4000:
        raise Invalid(_("At most 4000 characters."), fields={"text": _("at most 4000 characters")})
    return text.strip()


def _clean_photos(photos: Sequence[bytes], *, already: int = 0) -> list[tuple[ContentFile, int, int]]:
    """Every photo checked (content, size, pixels) and re-encoded before anything is written."""
    photos = list(photos or ())
    if already + len(photos) > MAX_PHOTOS:
        raise Invalid(_("At most %(n)d photos per review.") % {"n": MAX_PHOTOS},
                      fields={"photos": _("at most %(n)d") % {"n": MAX_PHOTOS}})
    cleaned = []
    for i, data in enumerate(photos):
        try:
            cleaned.append(clean_image(data, field="photos"))
        except Invalid as exc:
            raise Invalid(_("Photo %(i)d: %(why)s") % {"i": i + 1, "why": exc.message},
                          fields={"photos": exc.fields.get("photos", "not an image"), "photo_index": i}) from None
    return cleaned


def _save_photos(review: Review, cleaned: list[tuple[ContentFile, int, int]], start: int) -> None:
    for i, (content, w, h) in enumerate(cleaned):
        photo = ReviewPhoto(review=review, width=w, height=h, position=start + i)
        photo.image.save(content.name or "photo.jpg", content, save=False)
        photo.save()


def _served_store(order: Order) -> Any:
    """Where the order was served offline: the store of its first redeemed voucher, or for a pickup, a
    table, a delivery, a booking or a job the order's store once its fulfilment got that far."""
    if order.fulfilment not in (FulfilmentKind.VOUCHER, FulfilmentKind.TEAM):  # a team's units are vouchers too
        return order.store_id if order.fulfilment_status in SERVED_STATUSES.get(order.fulfilment, ()) else None
    redeemed = order.vouchers.filter(status=VoucherStatus.REDEEMED).order_by("redeemed_at").first()
    return redeemed.redeemed_store_id if redeemed is not None else None


def review_create(*, customer: User, order_id: Any, rating: Any, text: Any = "",
                  photos: Sequence[bytes] = ()) -> Review:
    rating = _clean_rating(rating)
    text = _clean_text(text)
    cleaned = _clean_photos(photos)
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=as_uuid(order_id), customer=customer).first()
        if order is None:
            raise NotFound()
        served_at = _served_store(order)
        if served_at is None:
            raise NotFulfilled(None if order.fulfilment in (FulfilmentKind.VOUCHER, FulfilmentKind.TEAM)
                               else _("You can review once your order has been served."))
        if Review.objects.filter(order=order).exists():
            raise AlreadyReviewed()
        try:
            with transaction.atomic():
                review = Review.objects.create(order=order, customer=customer, merchant_id=order.merchant_id,
                                               store_id=served_at, rating=rating, text=text)
        except IntegrityError:
            raise AlreadyReviewed() from None
        _save_photos(review, cleaned, 0)
        Store.objects.filter(pk=served_at).update(
            rating_sum=F("rating_sum") + rating, review_count=F("review_count") + 1)
        event_append(kind=EventKind.REVIEWED, merchant_id=order.merchant_id, store_id=served_at,
                     placement_id=order.source_placement, customer_id=customer.pk, order_id=order.pk,
                     offering_id=order_offering(order.lines.values_list("offering_id", flat=True)),
                     data={"rating": rating})
    return review


def review_update(*, customer: User, review_id: Any, rating: Any = _UNSET, text: Any = _UNSET,
                  add_photos: Sequence[bytes] = (), remove_photo_ids: Sequence[Any] = ()) -> Review:
    """The author changes their review: rating, text, photos added or taken away.

    Only the author may (anyone else: NotFound). The merchant's reply stays as it is; the store's
    rating follows the new stars. edited_at says when it last changed."""
    new_rating = _clean_rating(rating) if rating is not _UNSET else None
    new_text = _clean_text(text) if text is not _UNSET else None
    if not isinstance(remove_photo_ids, list | tuple):
        raise Invalid(_("Some fields are not valid."), fields={"remove_photo_ids": _("list of ids")})
    try:
        remove = [UUID(str(x)) for x in remove_photo_ids]
    except ValueError:
        raise Invalid(_("Some fields are not valid."), fields={"remove_photo_ids": _("list of ids")}) from None
    with transaction.atomic():
        review = Review.objects.select_for_update().filter(pk=as_uuid(review_id), customer=customer).first()
        if review is None:
            raise NotFound()
        photos = list(review.photos.all())
        unknown = set(remove) - {p.pk for p in photos}
        if unknown:
            raise Invalid(_("This photo is not part of the review."), fields={"remove_photo_ids": _("unknown photo")})
        kept = [p for p in photos if p.pk not in set(remove)]
        cleaned = _clean_photos(add_photos, already=len(kept))
        changed = False
        if new_rating is not None and new_rating != review.rating:
            Store.objects.filter(pk=review.store_id).update(rating_sum=F("rating_sum") + (new_rating - review.rating))
            review.rating = new_rating
            changed = True
        if new_text is not None and new_text != review.text:
            review.text = new_text
            changed = True
        if remove:
            ReviewPhoto.objects.filter(review=review, pk__in=remove).delete()
            changed = True
        if cleaned:
            _save_photos(review, cleaned, max((p.position for p in kept), default=-1) + 1)
            changed = True
        if changed:
            review.edited_at = timezone.now()
            review.save(update_fields=["rating", "text", "edited_at", "updated_at"])
    return review


def review_reply(*, review: Review, actor: User, text: Any) -> Review:
    if not isinstance(text, str) or not text.strip() or len(text) > 4000:
        raise Invalid(_("Write a reply of at most 4000 characters."), fields={"text": _("1 to 4000 characters")})
    Review.objects.filter(pk=review.pk).update(reply=text.strip(), replied_at=timezone.now(), replied_by=actor)
    review.refresh_from_db()
    audit_record(actor=actor, action="review.reply", obj=review, summary=f"Reply to a {review.rating}-star review")
    return review
