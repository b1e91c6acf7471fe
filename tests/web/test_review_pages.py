"""Reviews on the pages: no star is chosen for the customer, the author edits, photos are shown."""

import os
import re

import pytest
from django.test import Client

from o2o.reviews.models import Review
from o2o.reviews.services import review_reply
from o2o.vouchers.services import voucher_redeem
from tests.browser import log_in
from tests.web import builders
from tests.web.conftest import client_for

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _redeemed_order(w):  # type: ignore[no-untyped-def]
    order = builders.buy(w["customer"], w["deal"], 1)
    voucher_redeem(actor=w["clerk"], store_id=w["store"].pk, code=order.vouchers.get().code)
    return order


def _upload(name="p.png", colour=(200, 90, 40)):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, builders.photo_bytes(colour, (120, 90)), content_type="image/png")


@pytest.mark.django_db
def test_no_star_is_chosen_and_an_empty_form_posts_nothing(w):
    order = _redeemed_order(w)
    c = client_for(w["customer"])
    html = c.get(f"/orders/{order.pk}/").content.decode()
    stars = re.findall(r'<input type="radio"[^>]*name="rating"[^>]*>', html)
    assert len(stars) == 5 and not any("checked" in s for s in stars) and all("required" in s for s in stars)
    r = c.post(f"/orders/{order.pk}/review/", {"text": "I pressed Post without stars"})
    assert r.status_code == 422
    body = r.content.decode()
    assert "Choose a rating from 1 to 5 stars." in body and "I pressed Post without stars" in body  # text kept
    assert not Review.objects.filter(order=order).exists()
    w["store"].refresh_from_db()
    assert w["store"].review_count == 0


@pytest.mark.django_db
def test_review_with_photos_then_edit_keeps_the_reply(w):
    order = _redeemed_order(w)
    c = client_for(w["customer"])
    r = c.post(f"/orders/{order.pk}/review/", {"rating": "2", "text": "Slow", "photos": [_upload(), _upload("q.png")]})
    assert r.status_code == 302
    review = Review.objects.get(order=order)
    assert review.rating == 2 and review.photos.count() == 2
    review_reply(review=review, actor=w["owner"], text="Sorry about the wait")
    store_html = Client().get(f"/stores/{w['store'].pk}/").content.decode()
    urls = [p.image.url for p in review.photos.all()]
    assert all(f'src="{u}"' in store_html for u in urls)
    # the order page shows the review with an Edit link; the edit form starts from the review
    assert f"/reviews/{review.pk}/edit/" in c.get(f"/orders/{order.pk}/").content.decode()
    edit = c.get(f"/reviews/{review.pk}/edit/").content.decode()
    assert re.search(r'value="2" required checked', edit) and "Slow" in edit
    first = review.photos.first()
    r = c.post(f"/reviews/{review.pk}/edit/", {"rating": "4", "text": "Much better the next day",
                                               "remove_photo": [str(first.pk)], "photos": [_upload("r.png")]})
    assert r.status_code == 302
    review.refresh_from_db()
    assert review.rating == 4 and review.text == "Much better the next day" and review.edited_at
    assert review.reply == "Sorry about the wait" and review.replied_at
    assert review.photos.count() == 2 and not review.photos.filter(pk=first.pk).exists()
    w["store"].refresh_from_db()
    assert w["store"].rating_sum == 4 and w["store"].review_count == 1
    store_html = Client().get(f"/stores/{w['store'].pk}/").content.decode()
    assert "Much better the next day" in store_html and "Edited" in store_html
    # a file that is not an image is refused by its content, and the review stays as it was
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg")
    r = c.post(f"/reviews/{review.pk}/edit/", {"rating": "1", "text": "x", "photos": [fake]})
    assert r.status_code == 422
    review.refresh_from_db()
    assert review.rating == 4 and review.photos.count() == 2


@pytest.mark.django_db
def test_only_the_author_opens_or_posts_the_edit(w):
    order = _redeemed_order(w)
    c = client_for(w["customer"])
    c.post(f"/orders/{order.pk}/review/", {"rating": "5", "text": "Mine"})
    review = Review.objects.get(order=order)
    for who in (w["owner"], w["clerk"], builders.user("Stranger")):
        other = client_for(who)
        assert other.get(f"/reviews/{review.pk}/edit/").status_code == 404
        assert other.post(f"/reviews/{review.pk}/edit/", {"rating": "1", "text": "hacked"}).status_code == 404
    assert Client().get(f"/reviews/{review.pk}/edit/").status_code == 302  # to the login page
    review.refresh_from_db()
    assert review.rating == 5 and review.text == "Mine"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_in_the_browser_post_needs_a_star_and_the_photo_shows(chromium_browser, live_server, tmp_path):
    w = builders.world()
    order = _redeemed_order(w)
    photo = tmp_path / "dish.png"
    photo.write_bytes(builders.photo_bytes((40, 160, 90), (300, 200)))
    ctx = chromium_browser.new_context(viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    log_in(page, live_server.url, w["customer"].email, builders.PASSWORD)
    page.goto(live_server.url + f"/orders/{order.pk}/")
    page.fill("#id_text", "Tapped Post straight away")
    page.click(".review-form .btn-primary")
    page.wait_for_timeout(300)
    assert page.url.endswith(f"/orders/{order.pk}/")  # the browser keeps the form: no star chosen
    assert not Review.objects.filter(order=order).exists()
    page.click('label[for="star4"]')
    page.set_input_files("#id_photos", str(photo))
    page.click(".review-form .btn-primary")
    page.wait_for_selector(".review-done .review-photos img")
    assert page.evaluate("document.querySelector('.review-done .review-photos img').naturalWidth") > 0
    assert Review.objects.get(order=order).rating == 4
    page.goto(live_server.url + f"/stores/{w['store'].pk}/")
    img = page.locator(".review .review-photos img").first
    img.scroll_into_view_if_needed()
    for _ in range(100):
        if page.evaluate("document.querySelector('.review .review-photos img').complete"):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("document.querySelector('.review .review-photos img').naturalWidth") > 0
    ctx.close()
