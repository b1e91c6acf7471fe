"""Small files for the community tests: a structurally valid MP4 and WebM (no codec data is needed: the
server judges the container by its bytes), and a photo."""

from __future__ import annotations

import io

from PIL import Image


def _box(name: bytes, payload: bytes) -> bytes:
    return (8 + len(payload)).to_bytes(4, "big") + name + payload


def mp4_bytes(padding: int = 64) -> bytes:
    ftyp = _box(b"ftyp", b"isom" + b"\0\0\2\0" + b"isomiso2avc1mp41")
    moov = _box(b"moov", _box(b"mvhd", b"\0" * 100))
    return ftyp + moov + _box(b"mdat", b"\0" * padding)


def webm_bytes() -> bytes:
    doctype = b"\x42\x82\x84webm"
    header = b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(doctype)]) + doctype
    return header + b"\x18\x53\x80\x67" + b"\x01\xff\xff\xff\xff\xff\xff\xff" + b"\0" * 32


def png_bytes(colour: tuple[int, int, int] = (255, 90, 31)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, format="PNG")
    return out.getvalue()
