"""In a real browser (Debian's Chromium): a customer on a phone opens a merchant's micro-site and taps
Follow; the owner publishes a post with a photo from the console's Posts tab; the customer's nav shows the
unread badge, and the feed shows the post marked new, after which the badge is gone."""

from __future__ import annotations

import pytest

from o2o.community.models import Follow, Post
from tests.browser import watch_problems
from tests.helpers import PASSWORD
from tests.qr import login_state
from tests.web import builders

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_follow_on_the_microsite_then_the_post_reaches_the_feed(chromium_browser, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    w = builders.world()
    customer = login_state(chromium_browser, live_server.url, w["customer"].email, PASSWORD)
    owner = login_state(chromium_browser, live_server.url, w["owner"].email, PASSWORD)
    phone = chromium_browser.new_context(viewport={"width": 390, "height": 844}, storage_state=customer,
                                         is_mobile=True, has_touch=True, locale="en-GB")
    pc = chromium_browser.new_context(viewport={"width": 1280, "height": 900}, storage_state=owner, locale="en-GB")
    try:
        page = phone.new_page()
        problems = watch_problems(page)
        page.goto(f"{live_server.url}/m/{w['merchant'].pk}/")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
        assert page.locator("#map .leaflet-interactive").count() >= 1  # the store on the offline map
        with page.expect_navigation():
            page.get_by_role("button", name="Follow").tap()
        assert page.locator('[data-follow="on"]').is_visible()
        assert Follow.objects.filter(customer=w["customer"], merchant=w["merchant"]).exists()
        assert page.locator(".nav-badge").count() == 0

        console = pc.new_page()
        console.goto(f"{live_server.url}/merchant/{w['merchant'].pk}/posts/")
        console.select_option("#id_kind", "photos")
        console.fill("#id_title", "Spring tasting menu")
        console.fill("#id_body", "Six courses, this weekend only.")
        photo = tmp_path / "dish.png"
        photo.write_bytes(builders.photo_bytes())
        console.set_input_files("#photos", str(photo))
        with console.expect_navigation():
            console.get_by_role("button", name="Publish").click()
        assert "Published" in console.inner_text(".messages")
        assert Post.objects.get().photos.count() == 1

        page.reload()
        badge = page.locator('[data-nav="feed"] .nav-badge')
        assert badge.inner_text() == "1"
        with page.expect_navigation():
            page.locator('[data-nav="feed"]').tap()
        post = page.locator(".post").first
        assert "Spring tasting menu" in post.inner_text() and post.locator(".badge-new").is_visible()
        assert post.locator(".post-photos img").evaluate("i => i.complete && i.naturalWidth > 0")
        assert page.locator(".nav-badge").count() == 0  # seen: read
        assert problems == []
    finally:
        phone.close()
        pc.close()
