"""Writes of community: follow and unfollow a merchant, publish a post (its followers notified in the same
transaction, emails sent after commit by a task), mark notifications read. Keyword-only, typed; every
merchant is reached through o2o.merchants.access."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from o2o.catalogue.models import Offering
from o2o.community.enums import KIND_NEEDS, MAX_BODY, MAX_TITLE, PostKind
from o2o.community.media import check_video, clean_photos
from o2o.community.models import Follow, Notification, Post, PostPhoto
from o2o.core.errors import Invalid, NotFound
from o2o.merchants.access import as_uuid, merchant_for_staff, public_merchant

log = logging.getLogger(__name__)


def merchant_follow(*, customer: Any, merchant_id: Any, email: bool | None = None) -> tuple[Follow, bool]:
    """`customer` follows the (public) merchant; again changes nothing but `email` when given. Answers the
    follow and whether it is new."""
    merchant = public_merchant(merchant_id)
    try:
        with transaction.atomic():
            follow, created = Follow.objects.get_or_create(customer=customer, merchant=merchant,
                                                           defaults={"email": bool(email)})
    except IntegrityError:  # a double tap raced: the other request made it
        follow, created = Follow.objects.get(customer=customer, merchant=merchant), False
    if not created and email is not None and follow.email != email:
        follow.email = email
        follow.save(update_fields=["email", "updated_at"])
    return follow, created


def merchant_unfollow(*, customer: Any, merchant_id: Any) -> bool:
    """No longer follows; answers whether there was a follow. Unknown merchant -> NotFound."""
    merchant_pk = as_uuid(merchant_id)
    deleted, _rows = Follow.objects.filter(customer=customer, merchant_id=merchant_pk).delete()
    if not deleted:
        public_merchant(merchant_pk)  # 404 for no such merchant, else just "was not following"
    return bool(deleted)


def _clean_text(value: Any, *, field: str, limit: int, required: bool) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        raise Invalid(fields={field: _("text")})
    if "\x00" in text:
        raise Invalid(fields={field: _("text")})
    if required and not text:
        raise Invalid(_("A post needs a title."), fields={field: _("required")})
    if len(text) > limit:
        raise Invalid(_("At most %(n)d characters.") % {"n": limit}, fields={field: _("too long")})
    return text


def _clean_when(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    when = value if isinstance(value, datetime) else parse_datetime(str(value)) if isinstance(value, str) else None
    if when is None or timezone.is_naive(when):
        raise Invalid(_("Give the event's time as ISO 8601 with its offset."), fields={"event_at": _("date and time")})
    return when


def _clean_kind(value: Any) -> str:
    if value not in PostKind.values:
        raise Invalid(_("Choose what kind of post this is."),
                      fields={"kind": ", ".join(PostKind.values)})
    return str(value)


def post_publish(*, user: Any, merchant_id: Any, kind: Any, title: Any, body: Any = "", offering_id: Any = None,
                 event_at: Any = None, photos: Sequence[bytes] = (), video: bytes | None = None) -> Post:
    """The owner or a manager publishes a post (clerk -> Forbidden, not staff -> NotFound). Every field and
    file is checked before anything is written; then the post, its photos and one notification per follower
    are written in one transaction, and the emails to followers who chose them are sent after it commits."""
    merchant, _membership = merchant_for_staff(user=user, merchant_id=merchant_id, manage=True)
    kind = _clean_kind(kind)
    title = _clean_text(title, field="title", limit=MAX_TITLE, required=True)
    body = _clean_text(body, field="body", limit=MAX_BODY, required=False)
    when = _clean_when(event_at)
    offering = None
    if offering_id not in (None, ""):
        try:
            offering = Offering.objects.filter(pk=as_uuid(offering_id), merchant=merchant).first()
        except NotFound:
            offering = None
        if offering is None:
            raise Invalid(_("No such deal of this merchant."), fields={"offering_id": _("unknown deal")})
    video_type = check_video(video) if video else ""
    cleaned = clean_photos(photos)
    given = {"offering_id": offering, "event_at": when, "photos": cleaned, "video": video_type}
    missing = {f: _("required") for f in KIND_NEEDS[PostKind(kind)] if not given[f]}
    if missing:
        raise Invalid(_("This kind of post needs more: %(fields)s.") % {"fields": ", ".join(missing)},
                      fields=missing)
    with transaction.atomic():
        post = Post(merchant=merchant, author=user, kind=kind, title=title, body=body, offering=offering,
                    event_at=when, video_type=video_type, video_size=len(video or b""))
        if video:
            ext = "mp4" if video_type == "video/mp4" else "webm"
            post.video.save(f"{post.pk.hex}.{ext}", ContentFile(video), save=False)
        post.save()
        for i, (content, w, h) in enumerate(cleaned):
            photo = PostPhoto(post=post, width=w, height=h, position=i)
            photo.image.save(content.name or "photo.jpg", content, save=False)
            photo.save()
        emails = _notify_followers(post)
    if emails:
        transaction.on_commit(partial(_enqueue_emails, str(post.pk)))
    return post


def _notify_followers(post: Post) -> int:
    """One notification per follower, in bulk; answers how many of them chose email."""
    follows = list(Follow.objects.filter(merchant_id=post.merchant_id).exclude(customer_id=post.author_id)
                   .values_list("customer_id", "email"))
    Notification.objects.bulk_create(
        [Notification(user_id=uid, post=post, merchant_id=post.merchant_id, by_email=email) for uid, email in follows],
        batch_size=500)
    return sum(1 for _uid, email in follows if email)


def _enqueue_emails(post_id: str) -> None:
    from o2o.community.tasks import post_emails_task

    try:
        post_emails_task.enqueue(post_id)
    except Exception:  # a queue outage: the worker's periodic sweep (tasks.py) sends them a little later
        log.exception("could not enqueue the emails of post %s", post_id)


def notifications_mark_read(*, user: Any, ids: Sequence[Any] | None = None) -> int:
    """Marks the user's unread notifications read (those of `ids`, or all); answers how many changed.
    Ids of someone else's notifications change nothing."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        if not isinstance(ids, list | tuple):
            raise Invalid(fields={"ids": _("list of ids")})
        try:
            qs = qs.filter(pk__in=[as_uuid(i) for i in ids])
        except NotFound:
            raise Invalid(fields={"ids": _("list of ids")}) from None
    return qs.update(read_at=timezone.now())


def notifications_mark_read_for_posts(*, user: Any, post_ids: Sequence[Any]) -> int:
    """Marks read the user's notifications of these posts (the feed page shows them)."""
    return Notification.objects.filter(user=user, post_id__in=list(post_ids), read_at__isnull=True).update(
        read_at=timezone.now())
