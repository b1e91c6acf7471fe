"""Uploads are judged by their bytes: decompression bombs, disguised HTML/SVG, polyglots and
oversized files are refused or defused; served uploads can never run script."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from o2o.catalogue.images import clean_image
from o2o.catalogue.models import Offering
from o2o.core.errors import Invalid
from o2o.core.uploads import check_upload, sniff
from tests.web import builders

ROOT = Path(settings.BASE_DIR)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(side: int = 20000) -> bytes:
    """A valid side x side 8-bit greyscale PNG of zeros: a few hundred KB on disk, side² bytes decoded."""
    comp = zlib.compressobj(9)
    row = b"\x00" * (side + 1)  # filter byte + pixels
    idat = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
            + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b""))


def _image(fmt: str, size: tuple[int, int] = (64, 48), **kw: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, format=fmt, **kw)
    return out.getvalue()


def polyglot_jpeg() -> bytes:
    """A real JPEG with HTML+script in a COM segment and after its end: valid to an image decoder,
    a page to a browser that sniffs."""
    jpeg = _image("JPEG")
    payload = b"<html><body><script>alert(document.cookie)</script></body></html>"
    com = b"\xff\xfe" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + com + jpeg[2:] + payload


def test_decompression_bomb_is_refused_without_allocating_it(tmp_path):
    bomb = png_bomb()
    assert len(bomb) < 1024 * 1024  # small on disk: 400 million pixels inside
    path = tmp_path / "bomb.png"
    path.write_bytes(bomb)
    script = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (600 * 1024 * 1024, 600 * 1024 * 1024))
        import django
        django.setup()
        from o2o.catalogue.images import clean_image
        from o2o.core.errors import Invalid
        data = open({str(path)!r}, "rb").read()
        try:
            clean_image(data)
            print("ACCEPTED")
        except Invalid as exc:
            print("REFUSED", exc.fields)
        # VmHWM: this process's own peak (ru_maxrss would start from the parent's size at fork)
        hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")][0]
        print("MAXRSS_KB", hwm.split()[1])
        # control: decoding it naively does not fit in this process (so the refusal above is what saved it)
        from PIL import Image
        import io
        Image.MAX_IMAGE_PIXELS = None
        try:
            Image.open(io.BytesIO(data)).convert("RGB")  # what a naive re-encoder does first
            print("CONTROL decoded")
        except MemoryError:
            print("CONTROL MemoryError")
    """)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = dict(line.split(" ", 1) for line in out.stdout.strip().splitlines())
    assert lines["REFUSED"] == "{'photo': 'too many pixels'}", out.stdout
    assert lines["CONTROL"] == "MemoryError", out.stdout
    assert int(lines["MAXRSS_KB"]) < 150 * 1024  # far below the 400 MB the pixels would need


def test_bombs_just_over_the_limit_and_odd_shapes_are_refused():
    for side in (6400, 9000, 10000):  # 41, 81 and 100 million pixels (Pillow itself only warns at 89)
        with pytest.raises(Invalid) as exc:
            clean_image(png_bomb(side))
        assert exc.value.fields == {"photo": "too many pixels"}
    with pytest.raises(Invalid):
        clean_image(_image("PNG", (8001, 10)))


@pytest.mark.parametrize("payload", [
    b"<!DOCTYPE html><html><script>alert(1)</script></html>",
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    b"MZ\x90\x00" + b"\x00" * 200,  # a Windows program
    b"PK\x03\x04" + b"\x00" * 200,  # a zip
    b"",
    b"\xff\xd8\xff\xe0" + b"\x00" * 100,  # a JPEG header with nothing readable after it
])
def test_files_that_are_not_images_are_refused_whatever_their_name(payload):
    with pytest.raises(Invalid):
        clean_image(payload)


def test_polyglot_jpeg_is_reencoded_without_its_script():
    data = polyglot_jpeg()
    assert b"<script" in data and Image.open(io.BytesIO(data)).format == "JPEG"
    content, w, h = clean_image(data)
    stored = content.read()
    assert b"<script" not in stored and b"<html" not in stored
    assert stored.startswith(b"\xff\xd8\xff") and (w, h) == (64, 48)
    assert content.name.endswith(".jpg")


def test_exif_is_dropped():
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # Make
    data = _image("JPEG", exif=exif.tobytes())
    assert b"SecretCamera" in data
    content, _w, _h = clean_image(data)
    assert b"SecretCamera" not in content.read()


def test_six_megabyte_image_is_refused():
    noise = Image.frombytes("RGB", (1450, 1450), os.urandom(1450 * 1450 * 3))
    out = io.BytesIO()
    noise.save(out, format="PNG", compress_level=0)
    data = out.getvalue()
    assert len(data) > 6 * 1024 * 1024
    with pytest.raises(Invalid) as exc:
        clean_image(data)
    assert exc.value.fields == {"photo": "too large"}


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "PNG", "JPEG"])
def test_gif_webp_png_jpeg_are_accepted_as_jpeg(fmt):
    content, w, h = clean_image(_image(fmt, (320, 200)))
    stored = content.read()
    assert Image.open(io.BytesIO(stored)).format == "JPEG"
    assert (w, h) == (320, 200)


def test_transparent_png_becomes_white_not_black():
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, format="PNG")
    content, _w, _h = clean_image(out.getvalue())
    assert Image.open(content).convert("RGB").getpixel((5, 5))[0] > 240


def test_sniffing_pdf_and_video_by_magic_bytes():
    pdf = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    mp4 = struct.pack(">I", 24) + b"ftypisom" + b"\x00\x00\x02\x00isomiso2" + b"\x00" * 40
    webm = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"
    assert (sniff(pdf), sniff(mp4), sniff(webm)) == ("pdf", "mp4", "webm")
    assert check_upload(pdf, allowed={"pdf"}) == "pdf"
    assert check_upload(mp4, allowed={"mp4", "webm"}) == "mp4"
    assert check_upload(webm, allowed={"mp4", "webm"}) == "webm"
    heic = struct.pack(">I", 24) + b"ftypheic" + b"\x00" * 40
    for bad, allowed in ((b"<html>%PDF-1.7", {"pdf"}), (heic, {"mp4"}), (pdf, {"mp4", "webm"}),
                         (b"%PDF-1.7 no end", {"pdf"}), (_image("PNG"), {"pdf"}),
                         (b"\x1a\x45\xdf\xa3 matroska", {"webm"})):
        with pytest.raises(Invalid):
            check_upload(bad, allowed=allowed)
    with pytest.raises(Invalid) as exc:
        check_upload(b"%PDF-1.7" + b"\x00" * (20 * 1024 * 1024) + b"%%EOF", allowed={"pdf"})
    assert exc.value.fields == {"file": "too large"}


@pytest.mark.django_db
def test_uploads_through_the_deal_page_and_served_media_cannot_run_script(settings):
    settings.ROOT_URLCONF = "tests.security.media_urls"
    w = builders.world()
    c = Client()
    c.force_login(w["owner"])
    files = [SimpleUploadedFile("poly.jpg", polyglot_jpeg(), content_type="image/jpeg"),
             SimpleUploadedFile("page.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg"),
             SimpleUploadedFile("logo.svg.jpg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>',
                                content_type="image/jpeg")]
    r = c.post(f"/merchant/{w['merchant'].pk}/deals/new/", {
        "title": "Upload test", "description": "", "price": "10.00", "list_price": "20.00", "quantity_total": "5",
        "per_customer_limit": "1", "valid_days": "30", "stores": [str(w["store"].pk)], "publish": "live",
        "photos": files}, follow=True)
    assert r.status_code == 200
    deal = Offering.objects.get(title="Upload test")
    photos = list(deal.photos.all())
    assert len(photos) == 1  # the HTML and the SVG were refused
    stored = Path(photos[0].image.path).read_bytes()
    assert b"<script" not in stored and stored.startswith(b"\xff\xd8\xff")
    assert photos[0].image.url.startswith(settings.MEDIA_URL)

    served = Client().get(photos[0].image.url)
    assert served.status_code == 200
    assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == stored

    # even a hostile file that reached the media folder by some other way is served sandboxed
    hostile = Path(settings.MEDIA_ROOT) / "evil.html"
    hostile.write_bytes(b"<html><script>alert(document.cookie)</script></html>")
    served = Client().get(settings.MEDIA_URL + "evil.html")
    assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert served["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_oversized_requests_are_refused_before_anything_reads_them(settings):
    big = b"x" * (settings.MAX_REQUEST_BYTES + 1)
    r = Client().post("/api/v1/auth/token", big, content_type="application/json")
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "too_large"
    r = Client().post("/login/", big, content_type="application/octet-stream")
    assert r.status_code == 413
