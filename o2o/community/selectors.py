"""Reads of community: a customer's feed and notifications, a merchant's public posts and followers."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from o2o.community.models import Follow, Notification, Post
from o2o.merchants.access import public_merchant
from o2o.merchants.enums import MerchantStatus


def _posts() -> QuerySet[Post]:
    return (Post.objects.filter(merchant__status=MerchantStatus.ACTIVE).select_related("merchant", "offering")
            .prefetch_related("photos").order_by("-created_at"))


def feed_of(*, user: Any) -> QuerySet[Post]:
    """Posts of the merchants `user` follows, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Post.objects.none()
    return _posts().filter(merchant__followers__customer=user)


def posts_of_merchant(*, merchant_id: Any) -> QuerySet[Post]:
    """A public merchant's posts, newest first (NotFound for a merchant nobody may see)."""
    return _posts().filter(merchant=public_merchant(merchant_id))


def notifications_of(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user=user).select_related("post", "merchant").order_by("-created_at")
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def follow_of(*, user: Any, merchant_id: Any) -> Follow | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Follow.objects.filter(customer=user, merchant_id=merchant_id).first()


def follower_count(*, merchant_id: Any) -> int:
    return Follow.objects.filter(merchant_id=merchant_id).count()


def follows_of(*, user: Any) -> QuerySet[Follow]:
    return Follow.objects.filter(customer=user, merchant__status=MerchantStatus.ACTIVE).select_related(
        "merchant").order_by("-created_at")
