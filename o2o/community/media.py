"""What a post's files really are, decided by their bytes (never their name or declared type).

A video is an MP4 (ISO base media: an `ftyp` box of a video brand first, then boxes whose sizes add up to
the file, a `moov` among them) or a WebM (an EBML header whose DocType is `webm`, then a Segment), no larger
than the setting O2O_POST_VIDEO_MAX_MB (read here through o2o.core.conf, nowhere else). Photos go through
o2o.catalogue.images.clean_image: decoded, bounded in pixels and re-encoded. Everything is checked before
anything is written, so a bad file never leaves half a post behind.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from o2o.catalogue.images import clean_image
from o2o.community.enums import MAX_PHOTOS, VIDEO_KINDS
from o2o.community.errors import InvalidPhoto, InvalidVideo, VideoTooLarge
from o2o.core import conf
from o2o.core.errors import Invalid
from o2o.core.uploads import MB, sniff

_EBML_SEGMENT = b"\x18\x53\x80\x67"


def video_max_bytes() -> int:
    """The largest video a post may carry (settings O2O["POST_VIDEO_MAX_MB"])."""
    return conf.get().post_video_max_bytes


def video_too_large(limit: int, field: str) -> VideoTooLarge:
    return VideoTooLarge(_("The video is larger than %(mb)s MB.") % {"mb": f"{limit / MB:g}"},
                         fields={field: "too large"})


def _mp4_boxes_ok(data: bytes) -> bool:
    """The top-level boxes of an ISO base media file cover it exactly, and one of them is `moov`."""
    at, seen = 0, set()
    while at < len(data):
        if len(data) - at < 8:
            return False
        size, name = int.from_bytes(data[at:at + 4], "big"), data[at + 4:at + 8]
        if size == 1:  # a 64-bit size follows the name
            if len(data) - at < 16:
                return False
            size = int.from_bytes(data[at + 8:at + 16], "big")
        elif size == 0:  # the last box runs to the end of the file
            size = len(data) - at
        if size < 8 or at + size > len(data) or not name.isascii():
            return False
        seen.add(name)
        at += size
    return b"moov" in seen


def _webm_ok(data: bytes) -> bool:
    """An EBML header of DocType webm, followed by the Segment element."""
    if not data.startswith(b"\x1a\x45\xdf\xa3") or len(data) < 12:
        return False
    first = data[4]
    width = 1
    while width <= 8 and not first & (0x80 >> (width - 1)):
        width += 1
    if width > 8:
        return False
    size = (first & (0xFF >> width))
    for b in data[5:4 + width]:
        size = (size << 8) | b
    header_end = 4 + width + size
    return b"webm" in data[4 + width:header_end] and data[header_end:header_end + 4] == _EBML_SEGMENT


def check_video(data: bytes, *, field: str = "video") -> str:
    """The MIME type of `data` if it is an MP4 or WebM video within the size limit; else InvalidVideo or
    VideoTooLarge (422, naming `field`)."""
    limit = video_max_bytes()
    if len(data) > limit:
        raise video_too_large(limit, field)
    kind = sniff(data[:64]) if data else None
    if kind not in VIDEO_KINDS or not (_mp4_boxes_ok(data) if kind == "mp4" else _webm_ok(data)):
        raise InvalidVideo(_("This file is not an MP4 or WebM video."), fields={field: "not a video"})
    return VIDEO_KINDS[kind]


def clean_photos(photos: Sequence[bytes]) -> list[tuple[ContentFile, int, int]]:
    """Every photo checked and re-encoded (nothing written yet); InvalidPhoto names the first bad one."""
    photos = list(photos or ())
    if len(photos) > MAX_PHOTOS:
        raise Invalid(_("At most %(n)d photos per post.") % {"n": MAX_PHOTOS},
                      fields={"photos": "too many"})
    cleaned = []
    for i, data in enumerate(photos):
        try:
            cleaned.append(clean_image(data, field="photos"))
        except Invalid as exc:
            raise InvalidPhoto(exc.message, fields={"photos": exc.fields.get("photos", "not an image"),
                                                    "photo_index": i}) from None
    return cleaned
