"""The community pages: the micro-site (stores on the map, deals, menu, posts with their <video>, reviews, the
follow button, Open Graph tags with an absolute image URL), its share card PNG, the feed marking what it
shows read with the nav's unread badge, the console's Posts tab publishing and refusing bad files."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from o2o.community.models import Notification, Post
from o2o.community.services import merchant_follow, post_publish
from tests.community.media import mp4_bytes, png_bytes
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


def _meta(html: str, key: str) -> str:
    m = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', html)
    assert m, key
    return m.group(1)


def test_microsite_shows_the_merchant_and_its_open_graph_card(w):
    post_publish(user=w["owner"], merchant_id=w["merchant"].pk, kind="video", title="Behind the kitchen",
                 video=mp4_bytes())
    html = Client().get(reverse("web:microsite", args=[w["merchant"].pk])).content.decode()
    assert w["merchant"].name in html and w["store"].name in html and w["deal"].title in html
    assert 'id="map"' in html and w["store"].address in html
    assert re.search(r'<video class="post-video" src="/media/posts/videos/[^"]+\.mp4" controls', html)
    assert _meta(html, "og:title") == w["merchant"].name
    assert _meta(html, "og:image") == f"http://testserver/m/{w['merchant'].pk}/card.png"
    assert _meta(html, "og:url") == f"http://testserver/m/{w['merchant'].pk}/"
    assert _meta(html, "twitter:card") == "summary_large_image"
    assert w["deal"].title in _meta(html, "og:description")
    assert 'data-follow="off"' in html


def test_store_and_deal_pages_link_to_the_microsite(w):
    url = reverse("web:microsite", args=[w["merchant"].pk])
    for page in (reverse("web:store", args=[w["store"].pk]), reverse("web:deal", args=[w["deal"].pk])):
        assert f'href="{url}" data-microsite' in Client().get(page).content.decode(), page


def test_the_share_card_is_a_1200_by_630_png_with_the_chinese_name(w):
    w["merchant"].name = "蜀香火锅"
    w["merchant"].save(update_fields=["name"])
    r = Client().get(reverse("web:microsite_card", args=[w["merchant"].pk]))
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    img = Image.open(io.BytesIO(r.content))
    assert img.size == (1200, 630)
    # the name is drawn as glyphs: the title band holds many dark pixels (tofu boxes would be few outlines)
    band = img.convert("L").crop((64, 150, 700, 260))
    dark = sum(1 for p in band.getdata() if p < 80)
    assert dark > 4000, dark


def test_follow_button_follows_and_unfollows(w):
    c = client_for(w["customer"])
    url = reverse("web:microsite_follow", args=[w["merchant"].pk])
    r = c.post(url, {"action": "follow", "email": "on"})
    assert r.status_code == 302 and r["Location"] == reverse("web:microsite", args=[w["merchant"].pk])
    assert w["customer"].follows.get().email is True
    assert 'data-follow="on"' in c.get(r["Location"]).content.decode()
    c.post(url, {"action": "unfollow"})
    assert not w["customer"].follows.exists()
    anon = Client().post(url, {"action": "follow"})
    assert anon.status_code == 302 and "/login/" in anon["Location"]


def test_feed_shows_followed_posts_newest_first_and_marks_them_read(w):
    merchant_follow(customer=w["customer"], merchant_id=w["merchant"].pk)
    post_publish(user=w["owner"], merchant_id=w["merchant"].pk, kind="news", title="First news")
    post_publish(user=w["owner"], merchant_id=w["merchant"].pk, kind="photos", title="Second, with photos",
                 photos=[png_bytes()])
    post_publish(user=w["other_owner"], merchant_id=w["other_merchant"].pk, kind="news", title="Not followed")
    c = client_for(w["customer"])
    home = c.get(reverse("web:home")).content.decode()
    assert 'data-unread="2"' in home
    html = c.get(reverse("web:feed")).content.decode()
    assert html.index("Second, with photos") < html.index("First news") and "Not followed" not in html
    assert html.count("post-new") == 2
    assert not Notification.objects.filter(user=w["customer"], read_at__isnull=True).exists()
    again = c.get(reverse("web:feed")).content.decode()
    assert "post-new" not in again and "data-unread" not in again


def _publish(c, w, **extra):  # type: ignore[no-untyped-def]
    data = {"kind": "news", "title": "Tasting night", "body": "Come early.", **extra}
    return c.post(reverse("web:merchant_posts", args=[w["merchant"].pk]), data)


def test_console_posts_tab_publishes(w):
    merchant_follow(customer=w["customer"], merchant_id=w["merchant"].pk)
    c = client_for(w["owner"])
    page = c.get(reverse("web:merchant_posts", args=[w["merchant"].pk])).content.decode()
    assert 'data-tab="merchant_posts" aria-current="page"' in page
    r = _publish(c, w, kind="video", video=SimpleUploadedFile("v.mp4", mp4_bytes(), "video/mp4"))
    assert r.status_code == 302, r.content.decode()[:3000]
    assert Post.objects.get().video_type == "video/mp4"
    assert Notification.objects.filter(user=w["customer"]).count() == 1


def test_console_refuses_a_video_that_is_not_one_and_keeps_nothing(w):
    c = client_for(w["owner"])
    r = _publish(c, w, kind="video", video=SimpleUploadedFile("v.mp4", b"MZ\x90\x00 an exe", "video/mp4"))
    assert r.status_code == 200
    assert "This file is not an MP4 or WebM video." in r.content.decode()
    r = _publish(c, w, kind="photos", photos=SimpleUploadedFile("p.jpg", b"<svg onload=alert(1)>", "image/jpeg"))
    assert r.status_code == 200 and "alert-error" in r.content.decode()
    assert not Post.objects.exists()


def test_a_clerk_may_not_publish(w):
    assert client_for(w["clerk"]).get(reverse("web:merchant_posts", args=[w["merchant"].pk])).status_code == 403
    assert _publish(client_for(w["clerk"]), w).status_code == 403
    assert not Post.objects.exists()


def test_console_event_time_is_24_hour_text_at_the_store_s_time(w):
    from datetime import UTC, datetime

    from o2o.merchants.models import Store

    c = client_for(w["owner"])
    page = c.get(reverse("web:merchant_posts", args=[w["merchant"].pk])).content.decode()
    assert 'type="datetime-local"' not in page and 'placeholder="YYYY-MM-DD HH:MM"' in page
    Store.objects.filter(pk=w["store"].pk).update(timezone="Europe/Berlin")  # not the server's Asia/Shanghai
    assert _publish(c, w, kind="event", event_at="2030-05-01 19:00").status_code == 302
    assert Post.objects.get().event_at == datetime(2030, 5, 1, 17, 0, tzinfo=UTC)  # 19:00 in Berlin (CEST)
