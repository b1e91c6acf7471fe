"""What an uploaded file of a job really is: decided by its bytes (o2o.core.uploads.sniff), then opened
by the library that reads that kind. Images are decoded (Pillow, with a pixel limit so a decompression
bomb is refused before it is decoded), PDFs are parsed (pypdf) and refused when they carry JavaScript
or cannot be read. Nothing is ever judged by its name or its declared content type."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from o2o.core.errors import Invalid
from o2o.core.uploads import MB, sniff

IMAGE_KINDS = frozenset({"jpeg", "png", "webp"})
FILE_KINDS = frozenset({"pdf", "png", "jpeg"})  # artwork: PDF, PNG or JPEG
ACCEPTED = IMAGE_KINDS | FILE_KINDS
MAX_BYTES = {"jpeg": 10 * MB, "png": 10 * MB, "webp": 10 * MB, "pdf": 20 * MB}
MAX_PIXELS = 50_000_000  # about 7000 x 7000: a site photo or print artwork at 300 dpi on A3
MAX_PDF_PAGES = 200
_JS_KEYS = ("/JS", "/JavaScript")


@dataclass(frozen=True)
class Checked:
    kind: str
    size: int
    width: int | None = None
    height: int | None = None
    pages: int | None = None


def _refuse(message: str, reason: str, field: str) -> Invalid:
    return Invalid(message, fields={field: reason}, code="invalid_file")


def check_image(data: bytes, kind: str, *, field: str) -> Checked:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                w, h = probe.size
                fmt = (probe.format or "").lower()
                if w * h > MAX_PIXELS:
                    raise _refuse(_("The image has too many pixels (at most %(n)d million).")
                                  % {"n": MAX_PIXELS // 1_000_000}, "too many pixels", field)
                if {"jpeg": "jpeg", "png": "png", "webp": "webp"}.get(fmt) != kind:
                    raise _refuse(_("This file is not the image it claims to be."), "not an image", field)
                probe.load()  # decode it all: a truncated or corrupt image fails here
    except Invalid:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _refuse(_("The image has too many pixels (at most %(n)d million).")
                      % {"n": MAX_PIXELS // 1_000_000}, "too many pixels", field) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _refuse(_("This file is not a readable image."), "not an image", field) from None
    return Checked(kind=kind, size=len(data), width=w, height=h)


def _has_javascript(obj: object, seen: set[tuple[int, int]], depth: int = 0) -> bool:
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    if depth > 60:
        return False
    if isinstance(obj, IndirectObject):
        key = (obj.idnum, obj.generation)
        if key in seen:
            return False
        seen.add(key)
        try:
            obj = obj.get_object()
        except Exception:  # noqa: BLE001 - a dangling reference is no JavaScript
            return False
    if isinstance(obj, DictionaryObject):
        if any(k in obj for k in _JS_KEYS) or obj.get("/S") == "/JavaScript":
            return True
        return any(_has_javascript(v, seen, depth + 1) for k, v in obj.items() if k not in ("/Parent",))
    if isinstance(obj, ArrayObject):
        return any(_has_javascript(v, seen, depth + 1) for v in obj)
    return False


def check_pdf(data: bytes, *, field: str) -> Checked:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _refuse(_("Encrypted PDFs are not accepted."), "encrypted", field)
        pages = len(reader.pages)
        if pages < 1 or pages > MAX_PDF_PAGES:
            raise _refuse(_("The PDF must have 1 to %(n)d pages.") % {"n": MAX_PDF_PAGES}, "page count", field)
        if _has_javascript(reader.trailer, set()):
            raise _refuse(_("PDFs with JavaScript are not accepted."), "javascript", field)
    except Invalid:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError, AttributeError):
        raise _refuse(_("This file is not a readable PDF."), "not a pdf", field) from None
    # Raw bytes too: JavaScript named in a stream pypdf could not reach still refuses the file.
    if b"/JavaScript" in data or b"/JS " in data or b"/JS(" in data or b"/JS<" in data:
        raise _refuse(_("PDFs with JavaScript are not accepted."), "javascript", field)
    return Checked(kind="pdf", size=len(data), pages=pages)


def check_file(data: bytes, *, allowed: frozenset[str] = ACCEPTED, field: str = "file") -> Checked:
    """The checked kind of `data`, or Invalid (422 invalid_file, naming `field`): not an accepted kind
    by its bytes, larger than its kind's limit, an image bomb, a corrupt file, a PDF with JavaScript."""
    if not data:
        raise _refuse(_("The file is empty."), "empty", field)
    kind = sniff(data[:64])
    if kind is None or kind not in allowed:
        raise _refuse(_("This type of file is not accepted (only %(kinds)s).")
                      % {"kinds": ", ".join(sorted(k.upper() for k in allowed))}, "unsupported type", field)
    if len(data) > MAX_BYTES[kind]:
        raise _refuse(_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES[kind] // MB}, "too large", field)
    if kind == "pdf":
        return check_pdf(data, field=field)
    return check_image(data, kind, field=field)
