"""What an uploaded file really is, decided by its bytes (never by its name or declared type).

``sniff`` names the kind from magic bytes; ``check_upload`` refuses anything that is not one of the
kinds a caller allows or is over its size limit. Images are then decoded and re-encoded by
``o2o.catalogue.images.clean_image``; PDFs and videos are stored as they are but only ever served
from /media/ with ``Content-Security-Policy: default-src 'none'; sandbox`` and ``nosniff``
(o2o.core.middleware), so even a hostile file cannot run script on our origin.
"""

from __future__ import annotations

from typing import IO

from django.utils.translation import gettext as _

from o2o.core.errors import Invalid

MB = 1024 * 1024
# Largest accepted file per kind.
LIMITS = {"jpeg": 5 * MB, "png": 5 * MB, "gif": 5 * MB, "webp": 5 * MB, "pdf": 20 * MB, "mp4": 100 * MB,
          "webm": 100 * MB}
IMAGE_KINDS = frozenset({"jpeg", "png", "gif", "webp"})
VIDEO_KINDS = frozenset({"mp4", "webm"})
EXTENSIONS = {"jpeg": "jpg", "png": "png", "gif": "gif", "webp": "webp", "pdf": "pdf", "mp4": "mp4", "webm": "webm"}
# ISO base media brands that are MP4 video (not HEIC stills, not 3GP oddities we do not play).
MP4_BRANDS = frozenset({b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash",
                        b"MSNV", b"mmp4"})


def sniff(head: bytes) -> str | None:
    """The kind of file these first bytes begin (at least 16 bytes, 64 is plenty), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in MP4_BRANDS:
        box = int.from_bytes(head[:4], "big")
        if 8 <= box <= 4096:
            return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:64]:
        return "webm"
    return None


def check_upload(data: bytes, *, allowed: frozenset[str] | set[str], field: str = "file",
                 max_bytes: int | None = None) -> str:
    """The kind of `data` if it is one of `allowed` and within its size limit; otherwise Invalid (422)."""
    kind = sniff(data[:64])
    if kind is None or kind not in allowed:
        names = ", ".join(sorted(allowed))
        raise Invalid(_("This type of file is not accepted (only %(kinds)s).") % {"kinds": names},
                      fields={field: _("unsupported type")})
    limit = min(LIMITS[kind], max_bytes) if max_bytes else LIMITS[kind]
    if len(data) > limit:
        raise Invalid(_("The file is larger than %(mb)s MB.") % {"mb": f"{limit / MB:g}"}, fields={field: _("too large")})
    if kind == "pdf" and b"%%EOF" not in data[-2048:]:
        raise Invalid(_("This PDF is incomplete."), fields={field: _("not a complete PDF")})
    return kind


def read_limited(upload: IO[bytes], max_bytes: int, *, field: str = "file") -> bytes:
    """Read an uploaded file without ever holding more than `max_bytes` + 1 of it in memory."""
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > max_bytes:
        raise Invalid(_("The file is larger than %(mb)s MB.") % {"mb": f"{max_bytes / MB:g}"},
                      fields={field: _("too large")})
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise Invalid(_("The file is larger than %(mb)s MB.") % {"mb": f"{max_bytes / MB:g}"},
                      fields={field: _("too large")})
    return data
