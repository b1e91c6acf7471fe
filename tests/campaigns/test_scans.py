"""GET /q/{code}: a scan is counted, the browser gets a first-party visitor cookie (Path=/, HttpOnly,
SameSite=Lax, long-lived) and lands on the target's page; one phone scanning ten times is one visitor;
a client hammering a code is rate limited and not counted; unknown, malformed and disabled codes get a
friendly page (404), not an error page."""

from __future__ import annotations

from django.utils import translation

from o2o.campaigns.models import Scan, Visitor
from o2o.campaigns.selectors import VISITOR_COOKIE
from tests.campaigns.conftest import figures, scan
from tests.helpers import ApiClient, assert_error


def test_a_scan_redirects_to_the_deal_and_sets_the_visitor_cookie(shop):
    phone = ApiClient()
    r = scan(phone, shop["flyer"]["code"])
    assert r.status_code == 302 and r["Location"] == f"/deals/{shop['deal']['id']}/"
    assert "no-store" in r["Cache-Control"]
    cookie = r.cookies[VISITOR_COOKIE]
    assert cookie["path"] == "/"
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 365 * 86400
    assert not cookie["domain"]  # first party: this host only
    assert len(cookie.value) >= 32
    assert Scan.objects.filter(placement_id=shop["flyer"]["id"], visitor__key=cookie.value).count() == 1
    assert phone.client.get(r["Location"]).status_code == 200  # the deal's page is there


def test_a_store_placement_lands_on_the_store_page(shop):
    r = scan(ApiClient(), shop["window"]["code"])
    assert r.status_code == 302 and r["Location"] == f"/stores/{shop['store']['id']}/"


def test_codes_are_read_case_insensitively(shop):
    r = scan(ApiClient(), shop["flyer"]["code"].upper())
    assert r.status_code == 302


def test_one_phone_scanning_ten_times_is_one_visitor(shop):
    phone, other = ApiClient(), ApiClient()
    for _ in range(10):
        assert scan(phone, shop["flyer"]["code"]).status_code == 302
    assert scan(other, shop["flyer"]["code"]).status_code == 302
    assert Visitor.objects.count() == 2
    row = figures(shop["api"], shop["owner"], shop["merchant"]["id"])[shop["flyer"]["id"]]
    assert (row["scans"], row["visitors"]) == (11, 2)
    assert figures(shop["api"], shop["owner"], shop["merchant"]["id"])[shop["poster"]["id"]]["scans"] == 0


def test_a_client_hammering_a_code_is_rate_limited_and_not_counted(shop, settings):
    settings.O2O = {**settings.O2O, "SCAN_RATE": "5/m"}
    phone = ApiClient()
    answers = [scan(phone, shop["flyer"]["code"]) for _ in range(8)]
    assert [a.status_code for a in answers] == [302] * 5 + [429] * 3
    limited = answers[-1]
    assert int(limited["Retry-After"]) >= 1
    body = limited.content.decode()
    assert "One moment, please" in body and f"/deals/{shop['deal']['id']}/" in body  # a person can go on
    assert Scan.objects.count() == 5
    # another code from the same address is counted on its own
    assert scan(phone, shop["poster"]["code"]).status_code == 302
    # a bot without cookies from the same address gets no more counted scans either
    assert scan(ApiClient(), shop["flyer"]["code"]).status_code == 429
    assert Scan.objects.filter(placement_id=shop["flyer"]["id"]).count() == 5


def test_unknown_malformed_and_disabled_codes_get_a_friendly_page(shop):
    api, owner, m = shop["api"], shop["owner"], shop["merchant"]
    for code in ("zzzzzzzz", "0000", "abc!defg", "x" * 300):
        r = ApiClient().client.get(f"/q/{code}")
        assert r.status_code == 404, code
        body = r.content.decode()
        assert "This code has no offer right now" in body and "Deals near you" in body, code
        assert "We could not find this page" not in body
        assert VISITOR_COOKIE not in r.cookies
    r = api.call("PATCH", f"/merchants/{m['id']}/placements/{shop['flyer']['id']}", {"active": False}, owner["token"])
    assert r.status_code == 200 and r.json()["active"] is False
    r = scan(ApiClient(), shop["flyer"]["code"])
    assert r.status_code == 404 and "This code has no offer right now" in r.content.decode()
    assert Scan.objects.count() == 0
    r = api.call("PATCH", f"/merchants/{m['id']}/placements/{shop['flyer']['id']}", {"active": True}, owner["token"])
    assert r.status_code == 200 and scan(ApiClient(), shop["flyer"]["code"]).status_code == 302
    assert_error(api.call("PATCH", f"/merchants/{m['id']}/placements/{shop['flyer']['id']}", {"active": "no"},
                          owner["token"]), 422)


def test_a_code_whose_deal_ended_gets_the_friendly_page(shop):
    from o2o.catalogue.models import Offering

    Offering.objects.filter(pk=shop["deal"]["id"]).update(status="ended")
    r = scan(ApiClient(), shop["flyer"]["code"])
    assert r.status_code == 404 and "This code has no offer right now" in r.content.decode()
    assert scan(ApiClient(), shop["window"]["code"]).status_code == 302  # the store is still there


def test_the_friendly_page_speaks_chinese(shop):
    with translation.override("zh-hans"):
        r = ApiClient().client.get("/q/zzzzzzzz", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 404
    assert "这个二维码暂时没有优惠" in r.content.decode()


def test_only_get_and_head(shop):
    assert ApiClient().client.post(f"/q/{shop['flyer']['code']}").status_code == 405
    assert Scan.objects.count() == 0


def test_a_forged_visitor_cookie_is_a_new_visitor(shop):
    phone = ApiClient()
    for forged in ("a\x00b" * 10, "short", "x" * 200, "../../etc"):
        phone.client.cookies[VISITOR_COOKIE] = forged
        r = scan(phone, shop["flyer"]["code"])
        assert r.status_code == 302
        assert r.cookies[VISITOR_COOKIE].value != forged
    assert Visitor.objects.count() == 4


def test_link_previews_and_head_requests_are_redirected_but_not_counted(shop):
    code = shop["flyer"]["code"]
    for agent in ("Slackbot-LinkExpanding 1.0", "Mozilla/5.0 (compatible; Googlebot/2.1)",
                  "facebookexternalhit/1.1", "TelegramBot (like TwitterBot)", "curl/8.5.0"):
        r = ApiClient().client.get(f"/q/{code}", HTTP_USER_AGENT=agent)
        assert r.status_code == 302 and VISITOR_COOKIE not in r.cookies, agent
    r = ApiClient().client.head(f"/q/{code}")
    assert r.status_code == 302 and VISITOR_COOKIE not in r.cookies
    assert Scan.objects.count() == 0
    phone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0.40"
    assert ApiClient().client.get(f"/q/{code}", HTTP_USER_AGENT=phone).status_code == 302
    assert Scan.objects.count() == 1
