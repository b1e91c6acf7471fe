"""Verified reviews through the HTTP API, and the merchant's reply."""

import pytest

from tests.helpers import add_staff, assert_error, quick_user, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(api_client):
    w = world(api_client)
    w["order"] = api_client.buy(w["customer"], w["deal"]["id"], 2)
    return w


def _redeem(api, w, voucher):  # type: ignore[no-untyped-def]
    r = api.post("/redemptions", {"store_id": w["store"]["id"], "code": voucher["code"]}, w["clerk"]["token"])
    assert r.status_code == 201, r.content


def _review(api, who, order_id, rating=5, text="Lovely"):  # type: ignore[no-untyped-def]
    return api.post("/reviews", {"order_id": order_id, "rating": rating, "text": text}, who["token"])


def test_review_needs_fulfilment_and_happens_once(api_client, w):
    assert_error(_review(api_client, w["customer"], w["order"]["id"]), 409, "not_fulfilled")
    _redeem(api_client, w, w["order"]["vouchers"][0])
    r = _review(api_client, w["customer"], w["order"]["id"], 4, "  Spicy!  ")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["rating"] == 4 and body["text"] == "Spicy!" and body["verified"] is True and body["created_at"]
    assert_error(_review(api_client, w["customer"], w["order"]["id"], 1), 409, "already_reviewed")
    # the second voucher being redeemed does not open a second review
    _redeem(api_client, w, w["order"]["vouchers"][1])
    assert_error(_review(api_client, w["customer"], w["order"]["id"], 1), 409, "already_reviewed")
    assert api_client.get(f"/orders/{w['order']['id']}", w["customer"]["token"]).json()["reviewed"] is True


def test_unpaid_or_refunded_orders_cannot_be_reviewed(api_client, w):
    unpaid = api_client.buy(w["customer"], w["deal"]["id"], 1, pay=False)
    assert_error(_review(api_client, w["customer"], unpaid["id"]), 409, "not_fulfilled")
    assert api_client.post(f"/orders/{w['order']['id']}/refund", {}, w["customer"]["token"]).status_code == 200
    assert_error(_review(api_client, w["customer"], w["order"]["id"]), 409, "not_fulfilled")


def test_someone_elses_order_is_404(api_client, w):
    _redeem(api_client, w, w["order"]["vouchers"][0])
    for who in (quick_user("stranger"), w["owner"], w["clerk"]):
        assert_error(_review(api_client, who, w["order"]["id"]), 404, "not_found")
    assert_error(_review(api_client, w["customer"], "f" * 8 + "-0000-0000-0000-" + "0" * 12), 404)
    assert api_client.get(f"/stores/{w['store']['id']}/reviews").json()["review_count"] == 0


@pytest.mark.parametrize("rating", [0, 6, -1, 100, 4.5, "5", None, True])
def test_rating_out_of_range_is_422(api_client, w, rating):
    _redeem(api_client, w, w["order"]["vouchers"][0])
    err = assert_error(_review(api_client, w["customer"], w["order"]["id"], rating), 422)
    assert "rating" in err["fields"]
    assert _review(api_client, w["customer"], w["order"]["id"], 5).status_code == 201


def test_too_long_text_is_422(api_client, w):
    _redeem(api_client, w, w["order"]["vouchers"][0])
    assert_error(_review(api_client, w["customer"], w["order"]["id"], 5, "x" * 4001), 422)


def test_store_reviews_are_verified_and_rating_updates(api_client, w):
    _redeem(api_client, w, w["order"]["vouchers"][0])
    assert _review(api_client, w["customer"], w["order"]["id"], 5, "Great").status_code == 201
    second = api_client.register("second")
    order2 = api_client.buy(second, w["deal"]["id"], 1)
    _redeem(api_client, w, order2["vouchers"][0])
    assert _review(api_client, second, order2["id"], 2, "Too spicy").status_code == 201
    r = api_client.get(f"/stores/{w['store']['id']}/reviews")
    assert r.status_code == 200
    body = r.json()
    assert body["review_count"] == 2 and body["rating"] == 3.5
    assert len(body["results"]) == 2
    for item in body["results"]:
        assert {"rating", "text", "created_at", "verified"} <= set(item) and item["verified"] is True
    assert {i["text"] for i in body["results"]} == {"Great", "Too spicy"}
    store = api_client.get(f"/stores/{w['store']['id']}").json()
    assert store["rating"] == 3.5 and store["review_count"] == 2
    near = api_client.get("/stores/nearby", lat=w["store"]["lat"], lng=w["store"]["lng"], radius_m=1000).json()
    row = next(s for s in near["results"] if s["id"] == w["store"]["id"])
    assert row["rating"] == 3.5 and row["review_count"] == 2


def test_merchant_reply(api_client, w):
    _redeem(api_client, w, w["order"]["vouchers"][0])
    review = _review(api_client, w["customer"], w["order"]["id"], 3).json()
    r = api_client.post(f"/reviews/{review['id']}/reply", {"text": "Thank you, come again"}, w["owner"]["token"])
    assert r.status_code == 200, r.content
    assert r.json()["reply"] == "Thank you, come again" and r.json()["replied_at"]
    manager = add_staff(api_client, w["owner"], w["merchant"]["id"], "manager", [])
    assert api_client.post(f"/reviews/{review['id']}/reply", {"text": "Edited"}, manager["token"]).status_code == 200
    assert_error(api_client.post(f"/reviews/{review['id']}/reply", {"text": "hi"}, w["clerk"]["token"]), 403,
                 "forbidden")
    owner2 = api_client.register("owner2")
    api_client.merchant_with_store(owner2, name="Rival")
    assert_error(api_client.post(f"/reviews/{review['id']}/reply", {"text": "ha"}, owner2["token"]), 404)
    assert_error(api_client.post(f"/reviews/{review['id']}/reply", {"text": "me"}, w["customer"]["token"]), 404)
    assert_error(api_client.post(f"/reviews/{review['id']}/reply", {"text": "   "}, w["owner"]["token"]), 422)
    assert_error(api_client.post(f"/reviews/{review['id']}/reply", {"text": "anon"}), 401)
    listed = api_client.get(f"/stores/{w['store']['id']}/reviews").json()["results"][0]
    assert listed["reply"] == "Edited"


# --- a rating must be chosen; the author edits; photos -------------------------------------------------

def _png(colour=(200, 80, 40), size=(64, 48)) -> bytes:  # type: ignore[no-untyped-def]
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def _patch(api, who, review_id, body):  # type: ignore[no-untyped-def]
    return api.call("PATCH", f"/reviews/{review_id}", body, who["token"])


def _upload(api, who, review_id, files):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"photos": [SimpleUploadedFile(name, content, content_type=ctype) for name, content, ctype in files]}
    return api.client.post(f"/api/v1/reviews/{review_id}/photos", data, HTTP_AUTHORIZATION=f"Bearer {who['token']}")


def test_a_missing_rating_is_a_field_error_and_nothing_is_written(api_client, w):
    _redeem(api_client, w, w["order"]["vouchers"][0])
    r = api_client.post("/reviews", {"order_id": w["order"]["id"], "text": "No stars given"}, w["customer"]["token"])
    err = assert_error(r, 422)
    assert "rating" in err["fields"]
    body = api_client.get(f"/stores/{w['store']['id']}/reviews").json()
    assert body["review_count"] == 0 and body["results"] == []
    created = _review(api_client, w["customer"], w["order"]["id"], 3, "Fine").json()
    assert created["edited_at"] is None and created["photos"] == []


def test_the_author_edits_the_review_and_the_reply_stays(api_client, w):
    _redeem(api_client, w, w["order"]["vouchers"][0])
    review = _review(api_client, w["customer"], w["order"]["id"], 2, "Slow").json()
    assert api_client.post(f"/reviews/{review['id']}/reply", {"text": "Sorry about the wait"},
                           w["owner"]["token"]).status_code == 200
    r = _patch(api_client, w["customer"], review["id"], {"rating": 4, "text": "  Better the second time  "})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["rating"] == 4 and body["text"] == "Better the second time" and body["edited_at"]
    assert body["reply"] == "Sorry about the wait" and body["replied_at"]
    assert body["created_at"] == review["created_at"]
    listed = api_client.get(f"/stores/{w['store']['id']}/reviews").json()
    assert listed["rating"] == 4 and listed["review_count"] == 1
    assert listed["results"][0]["text"] == "Better the second time" and listed["results"][0]["edited_at"]
    # only what is sent changes
    assert _patch(api_client, w["customer"], review["id"], {"text": "Good"}).json()["rating"] == 4
    # a bad rating is a field error and changes nothing
    for bad in (0, 6, None, "5", 4.5):
        err = assert_error(_patch(api_client, w["customer"], review["id"], {"rating": bad}), 422)
        assert "rating" in err["fields"]
    assert api_client.get(f"/stores/{w['store']['id']}/reviews").json()["rating"] == 4
    assert_error(_patch(api_client, w["customer"], review["id"], {"text": "x" * 4001}), 422)


def test_only_the_author_may_edit(api_client, w):
    _redeem(api_client, w, w["order"]["vouchers"][0])
    review = _review(api_client, w["customer"], w["order"]["id"], 5, "Mine").json()
    for who in (quick_user("stranger"), w["owner"], w["clerk"]):
        assert_error(_patch(api_client, who, review["id"], {"rating": 1, "text": "hacked"}), 404, "not_found")
        assert_error(_upload(api_client, who, review["id"], [("a.png", _png(), "image/png")]), 404, "not_found")
    assert_error(api_client.call("PATCH", f"/reviews/{review['id']}", {"rating": 1}), 401)
    assert_error(_patch(api_client, w["customer"], "not-an-id", {"rating": 1}), 404)
    listed = api_client.get(f"/stores/{w['store']['id']}/reviews").json()
    assert listed["results"][0]["text"] == "Mine" and listed["rating"] == 5


def test_photos_are_checked_by_content_and_shown_on_the_store_s_reviews(api_client, w, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    _redeem(api_client, w, w["order"]["vouchers"][0])
    review = _review(api_client, w["customer"], w["order"]["id"], 5, "Look at this").json()
    r = _upload(api_client, w["customer"], review["id"], [("a.png", _png(), "image/png"),
                                                          ("b.png", _png((10, 200, 90)), "image/png")])
    assert r.status_code == 201, r.content
    photos = r.json()["photos"]
    assert len(photos) == 2 and all(p["url"].endswith(".jpg") and p["width"] == 64 for p in photos)
    listed = api_client.get(f"/stores/{w['store']['id']}/reviews").json()["results"][0]
    assert [p["id"] for p in listed["photos"]] == [p["id"] for p in photos]
    # HTML named .png, an SVG, a truncated image: refused by content, and nothing is added
    for name, content, ctype in (("x.png", b"<html><script>alert(1)</script></html>", "image/png"),
                                 ("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"),
                                 ("t.png", _png()[:40], "image/png")):
        err = assert_error(_upload(api_client, w["customer"], review["id"],
                                   [("ok.png", _png(), "image/png"), (name, content, ctype)]), 422)
        assert "photos" in err["fields"]
    assert len(api_client.get(f"/stores/{w['store']['id']}/reviews").json()["results"][0]["photos"]) == 2
    # too large (over 5 MB) is refused before it is decoded
    big = _png() + b"\0" * (5 * 1024 * 1024)
    assert "photos" in assert_error(_upload(api_client, w["customer"], review["id"],
                                            [("big.png", big, "image/png")]), 422)["fields"]
    # at most 6 per review
    err = assert_error(_upload(api_client, w["customer"], review["id"],
                               [(f"{i}.png", _png(), "image/png") for i in range(5)]), 422)
    assert "photos" in err["fields"]
    # the author removes one; an unknown id is a field error
    r = _patch(api_client, w["customer"], review["id"], {"remove_photo_ids": [photos[0]["id"]]})
    assert r.status_code == 200 and [p["id"] for p in r.json()["photos"]] == [photos[1]["id"]]
    err = assert_error(_patch(api_client, w["customer"], review["id"], {"remove_photo_ids": [photos[0]["id"]]}), 422)
    assert "remove_photo_ids" in err["fields"]
