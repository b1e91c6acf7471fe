"""Community through the HTTP API: follow and unfollow, publish a post (photos, a video judged by its bytes),
followers' feed and notifications (bulk, with the post), emails only to those who chose them (sent once
after commit), and every bad file refused with the error shape and nothing written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.test import Client

from o2o.community.models import Follow, Notification, Post, PostPhoto
from o2o.community.tasks import post_emails_send
from tests.community.media import mp4_bytes, png_bytes, webm_bytes
from tests.helpers import assert_error, quick_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(api_client):  # type: ignore[no-untyped-def]
    owner = quick_user("owner")
    ms = api_client.merchant_with_store(owner)
    clerk = api_client.clerk(owner, ms["merchant"]["id"], [ms["store"]["id"]])
    deal = api_client.deal(owner, ms["merchant"]["id"], [ms["store"]["id"]])
    return {"api": api_client, "owner": owner, "mid": ms["merchant"]["id"], "clerk": clerk, "deal": deal,
            "fan": quick_user("fan"), "mailfan": quick_user("mailfan"), "other": quick_user("other")}


def publish(shop, token=None, files=None, **fields):  # type: ignore[no-untyped-def]
    c = Client()
    data = {"kind": "news", "title": "Spring menu is here", "body": "Twelve new dishes.", **fields, **(files or {})}
    return c.post(f"/api/v1/merchants/{shop['mid']}/posts", data=data,
                  HTTP_AUTHORIZATION=f"Bearer {token or shop['owner']['token']}")


def upload(name, data, ctype="application/octet-stream"):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=ctype)


def test_follow_twice_then_unfollow(shop):
    api = shop["api"]
    r = api.post(f"/merchants/{shop['mid']}/follow", {}, shop["fan"]["token"])
    assert r.status_code == 201 and r.json()["following"] is True and r.json()["followers"] == 1
    assert r.json()["email"] is False
    r = api.post(f"/merchants/{shop['mid']}/follow", {"email": True}, shop["fan"]["token"])
    assert r.status_code == 200 and r.json()["email"] is True and r.json()["followers"] == 1
    assert [f["merchant"]["id"] for f in api.get("/me/follows", shop["fan"]["token"]).json()["results"]] == [shop["mid"]]
    r = api.call("DELETE", f"/merchants/{shop['mid']}/follow", None, shop["fan"]["token"])
    assert r.status_code == 200 and r.json()["following"] is False and r.json()["followers"] == 0
    assert not Follow.objects.exists()


def test_following_an_unknown_merchant_is_404(shop):
    r = shop["api"].post("/merchants/00000000-0000-0000-0000-000000000000/follow", {}, shop["fan"]["token"])
    assert_error(r, 404)
    assert_error(shop["api"].post("/merchants/not-a-uuid/follow", {}, shop["fan"]["token"]), 404)


def test_publish_notifies_followers_in_bulk_and_emails_only_those_who_chose(shop, django_capture_on_commit_callbacks):
    api = shop["api"]
    api.post(f"/merchants/{shop['mid']}/follow", {}, shop["fan"]["token"])
    api.post(f"/merchants/{shop['mid']}/follow", {"email": True}, shop["mailfan"]["token"])
    with django_capture_on_commit_callbacks(execute=True):
        r = publish(shop, files={"photos": [upload("a.png", png_bytes()), upload("b.png", png_bytes((0, 90, 200)))]},
                    kind="photos")
    assert r.status_code == 201, r.content
    post = r.json()
    assert post["kind"] == "photos" and len(post["photos"]) == 2 and post["video"] is None
    assert Notification.objects.filter(post_id=post["id"]).count() == 2
    assert [m.to for m in mail.outbox] == [[shop["mailfan"]["email"]]]
    assert "Spring menu is here" in mail.outbox[0].subject
    assert post_emails_send(post_id=post["id"]) == 0  # the task again: nobody emailed twice
    assert len(mail.outbox) == 1
    for who in ("fan", "mailfan"):
        feed = api.get("/me/feed", shop[who]["token"]).json()["results"]
        assert [p["id"] for p in feed] == [post["id"]]
        notes = api.get("/me/notifications", shop[who]["token"]).json()
        assert notes["unread"] == 1 and notes["results"][0]["post"]["id"] == post["id"]
    assert api.get("/me/feed", shop["other"]["token"]).json()["results"] == []
    assert api.get("/me/notifications", shop["other"]["token"]).json()["unread"] == 0


def test_mark_read_one_or_all_and_never_someone_elses(shop):
    api = shop["api"]
    api.post(f"/merchants/{shop['mid']}/follow", {}, shop["fan"]["token"])
    api.post(f"/merchants/{shop['mid']}/follow", {}, shop["mailfan"]["token"])
    first = publish(shop, title="One").json()
    publish(shop, title="Two")
    mine = api.get("/me/notifications", shop["fan"]["token"]).json()["results"]
    theirs = api.get("/me/notifications", shop["mailfan"]["token"]).json()["results"]
    assert [n["post"]["title"] for n in mine] == ["Two", "One"]  # newest first
    r = api.post("/me/notifications/read", {"ids": [theirs[0]["id"]]}, shop["fan"]["token"])
    assert r.json() == {"marked": 0, "unread": 2}
    one = next(n["id"] for n in mine if n["post"]["id"] == first["id"])
    assert api.post("/me/notifications/read", {"ids": [one]}, shop["fan"]["token"]).json() == {"marked": 1, "unread": 1}
    unread = api.get("/me/notifications", shop["fan"]["token"], unread="true").json()["results"]
    assert [n["post"]["title"] for n in unread] == ["Two"]
    assert api.post("/me/notifications/read", {}, shop["fan"]["token"]).json() == {"marked": 1, "unread": 0}
    assert api.get("/me/notifications", shop["mailfan"]["token"]).json()["unread"] == 2
    assert_error(api.post("/me/notifications/read", {"ids": ["nope"]}, shop["fan"]["token"]), 422)


@pytest.mark.parametrize("make,ctype", [(mp4_bytes, "video/mp4"), (webm_bytes, "video/webm")])
def test_a_short_video_is_published_and_listed_publicly(shop, make, ctype):
    r = publish(shop, files={"video": upload("clip.bin", make())}, kind="video", title="Behind the kitchen")
    assert r.status_code == 201, r.content
    video = r.json()["video"]
    assert video["type"] == ctype and video["size"] == len(make()) and video["url"].startswith("/media/posts/videos/")
    listed = Client().get(f"/api/v1/merchants/{shop['mid']}/posts").json()["results"]
    assert [p["title"] for p in listed] == ["Behind the kitchen"]


def test_a_deal_post_links_the_merchants_deal_and_an_event_its_time(shop):
    r = publish(shop, kind="deal", title="New set", offering_id=shop["deal"]["id"])
    assert r.status_code == 201 and r.json()["offering_id"] == shop["deal"]["id"]
    r = publish(shop, kind="event", title="Tasting night", event_at="2030-05-01T19:00:00+08:00")
    assert r.status_code == 201
    assert datetime.fromisoformat(r.json()["event_at"]) == datetime(2030, 5, 1, 11, tzinfo=UTC)
    assert Post.objects.get(pk=r.json()["id"]).event_at == datetime(2030, 5, 1, 11, tzinfo=UTC)


def _nothing_written():  # type: ignore[no-untyped-def]
    assert Post.objects.count() == 0 and PostPhoto.objects.count() == 0 and Notification.objects.count() == 0


def test_a_video_that_is_not_a_video_is_refused_and_nothing_written(shop):
    shop["api"].post(f"/merchants/{shop['mid']}/follow", {}, shop["fan"]["token"])
    for name, data in (("clip.mp4", b"<html><script>alert(1)</script></html>" * 10), ("clip.mp4", png_bytes()),
                       ("clip.mp4", mp4_bytes()[:40]),  # an ftyp box and then nothing: no moov, cut short
                       ("clip.webm", b"\x1a\x45\xdf\xa3" + b"\x00" * 60)):
        r = publish(shop, files={"video": upload(name, data, "video/mp4")}, kind="video")
        body = assert_error(r, 422)
        assert body["code"] == "invalid_video" and body["fields"] == {"video": "not a video"}
        assert body["message"]
    _nothing_written()


def test_an_oversized_video_is_refused(shop, settings):
    settings.O2O = {**settings.O2O, "POST_VIDEO_MAX_MB": 1}
    r = publish(shop, files={"video": upload("big.mp4", mp4_bytes(padding=1024 * 1024))}, kind="video")
    body = assert_error(r, 422)
    assert body["code"] == "video_too_large" and "1 MB" in body["message"]
    _nothing_written()
    assert publish(shop, files={"video": upload("ok.mp4", mp4_bytes(padding=1000))}, kind="video").status_code == 201


def test_a_photo_that_is_not_an_image_is_refused_and_nothing_written(shop):
    r = publish(shop, files={"photos": [upload("a.png", png_bytes()), upload("b.jpg", b"GIF89a not really")]},
                kind="photos")
    body = assert_error(r, 422)
    assert body["code"] == "invalid_photo" and body["fields"]["photo_index"] == 1
    r = publish(shop, files={"photos": [upload("a.png", png_bytes())], "video": upload("v.mp4", b"not a video")},
                kind="photos")
    assert assert_error(r, 422)["code"] == "invalid_video"  # a good photo with a bad video: neither kept
    _nothing_written()


def test_fields_are_checked(shop):
    for fields, field in (({"kind": "poem"}, "kind"), ({"title": " "}, "title"), ({"title": "x" * 121}, "title"),
                          ({"kind": "deal"}, "offering_id"), ({"kind": "event"}, "event_at"),
                          ({"kind": "event", "event_at": "tomorrow"}, "event_at"), ({"kind": "photos"}, "photos"),
                          ({"kind": "video"}, "video"),
                          ({"kind": "deal", "offering_id": "00000000-0000-0000-0000-000000000000"}, "offering_id")):
        body = assert_error(publish(shop, **fields), 422)
        assert field in body["fields"], (fields, body)
    _nothing_written()


def test_only_owner_and_managers_publish(shop):
    assert_error(publish(shop, token=shop["clerk"]["token"]), 403)
    assert_error(publish(shop, token=shop["fan"]["token"]), 404)
    _nothing_written()


def test_emails_missed_by_a_queue_outage_go_out_with_the_sweep_once(shop, monkeypatch, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from o2o.community import tasks

    shop["api"].post(f"/merchants/{shop['mid']}/follow", {"email": True}, shop["mailfan"]["token"])

    class Down:
        def enqueue(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise ConnectionError("queue down")

    monkeypatch.setattr(tasks, "post_emails_task", Down())
    with django_capture_on_commit_callbacks(execute=True):
        assert publish(shop).status_code == 201  # the post is published all the same
    assert mail.outbox == []
    Notification.objects.update(created_at=Notification.objects.get().created_at - timedelta(minutes=5))
    assert tasks.sweep_emails() == 1 and tasks.sweep_emails() == 0
    assert [m.to for m in mail.outbox] == [[shop["mailfan"]["email"]]]
