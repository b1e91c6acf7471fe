"""Uploaded images are checked by content, size and dimensions, then re-encoded (no script survives).

1. The bytes must begin like a JPEG, PNG, GIF or WebP (o2o.core.uploads.sniff): an HTML or SVG file
   named .jpg is refused before any decoder sees it.
2. At most 5 MB; the dimensions are read from the header and a picture over 40 million pixels (or
   8000 px a side) is refused before a single pixel is decoded, so a decompression bomb (a 20000 x 20000
   PNG of a few hundred KB) never allocates its gigabytes.
3. The picture is decoded and written anew as a JPEG of at most 1600 px: comments, EXIF (GPS position
   included), trailing bytes and anything smuggled in them are gone.
"""

import io
import uuid
import warnings

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from o2o.core.errors import Invalid
from o2o.core.uploads import IMAGE_KINDS, check_upload

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 8000
MAX_OUT_SIDE = 1600
ALLOWED = {"JPEG", "PNG", "WEBP", "GIF"}


def clean_image(data: bytes, *, field: str = "photo") -> tuple[ContentFile, int, int]:
    if not isinstance(data, bytes | bytearray) or not data:
        raise Invalid(_("This file is not a readable image."), fields={field: "not an image"})
    if len(data) > MAX_BYTES:
        raise Invalid(_("The image is larger than 5 MB."), fields={field: "too large"})
    try:
        check_upload(bytes(data[:64]) if len(data) > 64 else bytes(data), allowed=IMAGE_KINDS, field=field)
    except Invalid:
        raise Invalid(_("Only JPEG, PNG, WebP or GIF images."), fields={field: "unsupported type"}) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
        with probe:
            fmt = probe.format
            w, h = probe.size
            if fmt not in ALLOWED:
                raise Invalid(_("Only JPEG, PNG, WebP or GIF images."), fields={field: "unsupported type"})
            if w < 1 or h < 1 or w * h > MAX_PIXELS or w > MAX_SIDE or h > MAX_SIDE:
                raise Invalid(_("The image is too large in pixels."), fields={field: "too many pixels"})
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            if img.format == "JPEG":
                img.draft("RGB", (MAX_OUT_SIDE, MAX_OUT_SIDE))  # decode at a reduced scale: less memory
            img.seek(0)
            picture = ImageOps.exif_transpose(img) or img
            if picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info):
                rgba = picture.convert("RGBA")
                flat = Image.new("RGB", rgba.size, (255, 255, 255))
                flat.paste(rgba, mask=rgba.getchannel("A"))
                picture = flat
            else:
                picture = picture.convert("RGB")
            picture.thumbnail((MAX_OUT_SIDE, MAX_OUT_SIDE))
            # Pillow would copy the source's comment, EXIF, ICC profile and XMP into the new JPEG: drop
            # them all, so only freshly encoded pixels are stored.
            picture.info = {}
            out = io.BytesIO()
            picture.save(out, format="JPEG", quality=85, optimize=True)
            w, h = picture.size
    except Invalid:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Invalid(_("The image is too large in pixels."), fields={field: "too many pixels"}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, MemoryError):
        raise Invalid(_("This file is not a readable image."), fields={field: "not an image"}) from None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg"), w, h
