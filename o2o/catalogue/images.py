"""Uploaded images are checked by content, size and dimensions, then re-encoded (no script survives)."""

import io
import uuid

from django.core.files.base import ContentFile
from PIL import Image, UnidentifiedImageError

from o2o.core.errors import Invalid

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 8000
ALLOWED = {"JPEG", "PNG", "WEBP", "GIF"}


def clean_image(data: bytes, *, field: str = "photo") -> tuple[ContentFile, int, int]:
    if len(data) > MAX_BYTES:
        raise Invalid("The image is larger than 5 MB.", fields={field: "too large"})
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            w, h = probe.size
            if fmt not in ALLOWED:
                raise Invalid("Only JPEG, PNG, WebP or GIF images.", fields={field: "unsupported type"})
            if w * h > MAX_PIXELS or w > MAX_SIDE or h > MAX_SIDE:
                raise Invalid("The image is too large in pixels.", fields={field: "too many pixels"})
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img = img.convert("RGB")
            img.thumbnail((1600, 1600))
            out = io.BytesIO()
            img.save(out, format="JPEG", quality=85, optimize=True)
            w, h = img.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError):
        raise Invalid("This file is not a readable image.", fields={field: "not an image"}) from None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg"), w, h
