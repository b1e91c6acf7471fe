from django.db import models
from django.utils.translation import pgettext_lazy


class PostKind(models.TextChoices):
    NEWS = "news", pgettext_lazy("post kind", "News")
    DEAL = "deal", pgettext_lazy("post kind", "New deal")
    EVENT = "event", pgettext_lazy("post kind", "Event")
    PHOTOS = "photos", pgettext_lazy("post kind", "Photos")
    VIDEO = "video", pgettext_lazy("post kind", "Video")


# what each kind must carry besides its title (post_publish refuses the post otherwise)
KIND_NEEDS = {
    PostKind.NEWS: (),
    PostKind.DEAL: ("offering_id",),
    PostKind.EVENT: ("event_at",),
    PostKind.PHOTOS: ("photos",),
    PostKind.VIDEO: ("video",),
}

MAX_PHOTOS = 6
MAX_TITLE = 120
MAX_BODY = 2000
VIDEO_KINDS = {"mp4": "video/mp4", "webm": "video/webm"}
