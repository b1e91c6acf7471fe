from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from o2o.community.enums import PostKind
from o2o.core.models import BaseModel


class Follow(BaseModel):
    """A customer follows a merchant: its posts come to their feed and notifications (and by email when
    `email` is on)."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.CASCADE, related_name="followers")
    email = models.BooleanField(_("email me new posts"), default=False)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [models.UniqueConstraint(fields=["customer", "merchant"], name="one_follow_per_merchant")]


class Post(BaseModel):
    """What a merchant publishes: news, a new deal (linked), an event (its time), photos or a short video."""

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=PostKind.choices)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), blank=True)
    offering = models.ForeignKey("catalogue.Offering", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    event_at = models.DateTimeField(_("event time"), null=True, blank=True)
    video = models.FileField(upload_to="posts/videos/%Y/%m/", blank=True)
    video_type = models.CharField(max_length=16, blank=True)  # video/mp4 or video/webm, from its bytes
    video_size = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["merchant", "-created_at"], name="post_merchant_newest")]


class PostPhoto(BaseModel):
    """A picture of a post: checked by content and size, re-encoded as JPEG (o2o.catalogue.images)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="posts/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("post photo")
        verbose_name_plural = _("post photos")
        ordering = ["position", "created_at"]


class Notification(BaseModel):
    """One follower told of one post: read in the app (read_at), emailed once when they chose email."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="notifications")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(null=True, blank=True)
    by_email = models.BooleanField(default=False)  # the follower had chosen email when the post went out
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="one_notification_per_post")]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]
