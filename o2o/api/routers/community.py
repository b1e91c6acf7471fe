"""Community: follow a merchant, a customer's feed and notifications, a merchant's posts (public) and
publishing one (owner and managers, multipart with photos and a short video judged by their bytes)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from o2o.api.auth import AUTH, me
from o2o.api.errors import ErrorOut
from o2o.api.serializers import merchant_ref
from o2o.catalogue.images import MAX_BYTES as PHOTO_MAX_BYTES
from o2o.community import selectors, services
from o2o.community.enums import MAX_PHOTOS
from o2o.community.media import video_max_bytes, video_too_large
from o2o.community.models import Follow, Notification, Post
from o2o.community.selectors import follower_count
from o2o.core.errors import Invalid
from o2o.core.uploads import read_limited
from o2o.merchants.access import merchant_for_staff, public_merchant

router = Router(tags=["community"])
_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class FollowIn(Schema):
    email: bool | None = Field(None, description="also email me this merchant's new posts (left out: unchanged; "
                                                 "a new follow: no email)")


class FollowOut(Schema):
    merchant: dict[str, Any]
    following: bool
    email: bool
    followers: int


class FollowListOut(Schema):
    results: list[FollowOut]


class PhotoOut(Schema):
    url: str
    width: int
    height: int


class VideoOut(Schema):
    url: str
    type: str = Field(..., examples=["video/mp4", "video/webm"])
    size: int


class PostOut(Schema):
    id: UUID
    merchant: dict[str, Any]
    kind: str = Field(..., examples=["news", "deal", "event", "photos", "video"])
    title: str
    body: str
    offering_id: UUID | None = None
    event_at: datetime | None = None
    photos: list[PhotoOut]
    video: VideoOut | None = None
    created_at: datetime


class PostListOut(Schema):
    results: list[PostOut]


class NotificationOut(Schema):
    id: UUID
    post: PostOut
    read: bool
    created_at: datetime


class NotificationListOut(Schema):
    results: list[NotificationOut]
    unread: int


class ReadIn(Schema):
    ids: list[str] | None = Field(None, description="the notifications to mark read; left out: all of them")


class ReadOut(Schema):
    marked: int
    unread: int


def post_out(p: Post) -> dict[str, Any]:
    return {"id": p.pk, "merchant": merchant_ref(p.merchant), "kind": p.kind, "title": p.title, "body": p.body,
            "offering_id": p.offering_id, "event_at": p.event_at,
            "photos": [{"url": ph.image.url, "width": ph.width, "height": ph.height} for ph in p.photos.all()],
            "video": {"url": p.video.url, "type": p.video_type, "size": p.video_size} if p.video else None,
            "created_at": p.created_at}


def follow_out(f: Follow | None, merchant: Any) -> dict[str, Any]:
    return {"merchant": merchant_ref(merchant), "following": f is not None, "email": bool(f and f.email),
            "followers": follower_count(merchant_id=merchant.pk)}


def _limit(limit: int) -> int:
    if not 1 <= limit <= 100:
        raise Invalid(_("Some fields are not valid."), fields={"limit": _("1 to 100")})
    return limit


@router.post("/merchants/{merchant_id}/follow", response={200: FollowOut, 201: FollowOut, **_ERRORS}, auth=AUTH)
def follow(request: HttpRequest, merchant_id: str, body: FollowIn | None = None):  # type: ignore[no-untyped-def]
    """Follow a merchant (201; again: 200, `email` changed when sent). Its new posts come to `GET /me/feed`
    and `GET /me/notifications`, and by email with `email: true`."""
    f, created = services.merchant_follow(customer=me(request), merchant_id=merchant_id,
                                          email=body.email if body else None)
    return Status(201 if created else 200, follow_out(f, f.merchant))


@router.delete("/merchants/{merchant_id}/follow", response={200: FollowOut, **_ERRORS}, auth=AUTH)
def unfollow(request: HttpRequest, merchant_id: str):  # type: ignore[no-untyped-def]
    """Stop following (200 also when not following); an unknown merchant -> 404."""
    services.merchant_unfollow(customer=me(request), merchant_id=merchant_id)
    return follow_out(None, public_merchant(merchant_id))


@router.get("/me/follows", response={200: FollowListOut, **_ERRORS}, auth=AUTH)
def my_follows(request: HttpRequest):  # type: ignore[no-untyped-def]
    return {"results": [follow_out(f, f.merchant) for f in selectors.follows_of(user=me(request))[:200]]}


@router.get("/me/feed", response={200: PostListOut, **_ERRORS}, auth=AUTH)
def my_feed(request: HttpRequest, limit: int = 20):  # type: ignore[no-untyped-def]
    """Posts of the merchants I follow, newest first."""
    return {"results": [post_out(p) for p in selectors.feed_of(user=me(request))[:_limit(limit)]]}


@router.get("/me/notifications", response={200: NotificationListOut, **_ERRORS}, auth=AUTH)
def my_notifications(request: HttpRequest, unread: bool = False, limit: int = 50):  # type: ignore[no-untyped-def]
    """My notifications of new posts, newest first (`unread=true`: only unread); `unread` counts them all."""
    user = me(request)
    rows: list[Notification] = list(selectors.notifications_of(user=user, unread_only=unread)
                                    .prefetch_related("post__photos")[:_limit(limit)])
    return {"results": [{"id": n.pk, "post": post_out(n.post), "read": n.read_at is not None,
                         "created_at": n.created_at} for n in rows],
            "unread": selectors.unread_count(user=user)}


@router.post("/me/notifications/read", response={200: ReadOut, **_ERRORS}, auth=AUTH)
def notifications_read(request: HttpRequest, body: ReadIn):  # type: ignore[no-untyped-def]
    """Mark notifications read: those of `ids` (someone else's ids change nothing), or all."""
    user = me(request)
    n = services.notifications_mark_read(user=user, ids=body.ids)
    return {"marked": n, "unread": selectors.unread_count(user=user)}


@router.get("/merchants/{merchant_id}/posts", response={200: PostListOut, **_ERRORS})
def merchant_posts(request: HttpRequest, merchant_id: str, limit: int = 20):  # type: ignore[no-untyped-def]
    """A merchant's posts, newest first; public (a merchant nobody may see -> 404)."""
    return {"results": [post_out(p) for p in selectors.posts_of_merchant(merchant_id=merchant_id)[:_limit(limit)]]}


_POST_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["kind", "title"],
    "properties": {
        "kind": {"type": "string", "enum": ["news", "deal", "event", "photos", "video"],
                 "description": "deal needs offering_id, event needs event_at, photos needs photos, video needs video"},
        "title": {"type": "string", "maxLength": 120},
        "body": {"type": "string", "maxLength": 2000},
        "offering_id": {"type": "string", "format": "uuid", "description": "one of the merchant's deals"},
        "event_at": {"type": "string", "format": "date-time", "description": "ISO 8601 with offset"},
        "photos": {"type": "array", "maxItems": MAX_PHOTOS, "items": {"type": "string", "format": "binary"},
                   "description": "JPEG, PNG, WebP or GIF, at most 5 MB each; re-encoded"},
        "video": {"type": "string", "format": "binary",
                  "description": "MP4 or WebM judged by its bytes, at most O2O_POST_VIDEO_MAX_MB (default 20 MB)"},
    }}}}}}


@router.post("/merchants/{merchant_id}/posts", response={201: PostOut, **_ERRORS}, auth=AUTH,
             openapi_extra=_POST_BODY)
def post_publish(request: HttpRequest, merchant_id: str):  # type: ignore[no-untyped-def]
    """Publish a post (owner and managers; a clerk -> 403, anyone else -> 404 before any file is read). A
    photo that is not an image -> 422 `invalid_photo`; a video that is not MP4/WebM -> 422 `invalid_video`,
    over the limit -> 422 `video_too_large`; nothing is written then. Followers are notified in the app, and
    by email those who chose it."""
    merchant_for_staff(user=me(request), merchant_id=merchant_id, manage=True)
    photos = [read_limited(f, PHOTO_MAX_BYTES, field="photos")
              for f in request.FILES.getlist("photos")[:MAX_PHOTOS + 1]]
    upload = request.FILES.get("video")
    video = None
    if upload is not None:
        limit = video_max_bytes()
        if (upload.size or 0) > limit:
            raise video_too_large(limit, "video")
        video = upload.read(limit + 1)  # never more than the limit and a byte: check_video refuses that
    data = request.POST
    p = services.post_publish(user=me(request), merchant_id=merchant_id, kind=data.get("kind"),
                              title=data.get("title"), body=data.get("body", ""),
                              offering_id=data.get("offering_id") or None, event_at=data.get("event_at") or None,
                              photos=photos, video=video)
    return Status(201, post_out(p))
