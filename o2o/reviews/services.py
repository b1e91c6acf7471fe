from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from o2o.accounts.models import User
from o2o.audit.services import audit_record
from o2o.core.errors import Conflict, Invalid, NotFound
from o2o.merchants.access import as_uuid
from o2o.merchants.models import Store
from o2o.orders.models import Order
from o2o.reviews.models import Review
from o2o.vouchers.enums import VoucherStatus


class NotFulfilled(Conflict):
    code, default_message = "not_fulfilled", gettext_lazy("You can review once you have used a voucher of this order.")


class AlreadyReviewed(Conflict):
    code, default_message = "already_reviewed", gettext_lazy("You have already reviewed this order.")


def review_create(*, customer: User, order_id: Any, rating: Any, text: Any = "") -> Review:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise Invalid(_("Give 1 to 5 stars."), fields={"rating": _("whole number from 1 to 5")})
    if text is None:
        text = ""
    if not isinstance(text, str) or len(text) > 4000:
        raise Invalid(_("At most 4000 characters."), fields={"text": _("at most 4000 characters")})
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=as_uuid(order_id), customer=customer).first()
        if order is None:
            raise NotFound()
        redeemed = order.vouchers.filter(status=VoucherStatus.REDEEMED).order_by("redeemed_at").first()
        if redeemed is None or redeemed.redeemed_store_id is None:
            raise NotFulfilled()
        if Review.objects.filter(order=order).exists():
            raise AlreadyReviewed()
        try:
            with transaction.atomic():
                review = Review.objects.create(order=order, customer=customer, merchant_id=order.merchant_id,
                                               store_id=redeemed.redeemed_store_id, rating=rating, text=text.strip())
        except IntegrityError:
            raise AlreadyReviewed() from None
        Store.objects.filter(pk=redeemed.redeemed_store_id).update(
            rating_sum=F("rating_sum") + rating, review_count=F("review_count") + 1)
    return review


def review_reply(*, review: Review, actor: User, text: Any) -> Review:
    if not isinstance(text, str) or not text.strip() or len(text) > 4000:
        raise Invalid(_("Write a reply of at most 4000 characters."), fields={"text": _("1 to 4000 characters")})
    Review.objects.filter(pk=review.pk).update(reply=text.strip(), replied_at=timezone.now(), replied_by=actor)
    review.refresh_from_db()
    audit_record(actor=actor, action="review.reply", obj=review, summary=f"Reply to a {review.rating}-star review")
    return review
