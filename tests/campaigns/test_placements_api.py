"""POST /merchants/{id}/campaigns and its placements (API.md "Campaigns and attribution"): the answer's
shape, each placement's short code, link and QR PNG, every refusal, and tenancy."""

from __future__ import annotations

from django.test import Client

from o2o.campaigns.services import CODE_ALPHABET, CODE_LENGTH
from tests.campaigns.conftest import make_campaign, money, placement
from tests.helpers import ApiClient, add_staff, assert_error, quick_user
from tests.qr import decode_all_qr

KINDS = ["flyer", "poster", "table_tent", "window", "social", "video", "partner"]


def test_a_campaign_answers_its_placements_with_code_short_url_and_qr(shop):
    c = shop["campaign"]
    assert set(c) >= {"id", "name", "placements"} and c["name"] == "Spring flyers"
    assert [p["kind"] for p in c["placements"]] == ["flyer", "poster", "window"]
    for p in c["placements"]:
        assert set(p) >= {"id", "kind", "name", "code", "short_url", "qr_png_url"}
        assert len(p["code"]) == CODE_LENGTH and set(p["code"]) <= set(CODE_ALPHABET)
        assert p["short_url"] == f"http://testserver/q/{p['code']}"
        assert p["qr_png_url"] == f"http://testserver/q/{p['code']}/qr.png"
    assert c["placements"][1]["cost"]["amount"] == "120.00" and c["placements"][1]["cost"]["currency"] == "CNY"
    assert c["placements"][2]["target"] == {"offering_id": None, "store_id": shop["store"]["id"]}
    assert len({p["code"] for p in c["placements"]}) == 3


def test_the_qr_png_decodes_to_the_short_url(shop):
    p = shop["flyer"]
    r = Client().get(p["qr_png_url"].removeprefix("http://testserver"))
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert decode_all_qr(r.content) == [p["short_url"]]
    assert Client().get("/q/zzzzzzzz/qr.png").status_code == 404


def test_every_kind_is_accepted_and_codes_are_distinct(shop):
    api, owner, m = shop["api"], shop["owner"], shop["merchant"]
    c = make_campaign(api, owner, m["id"], [placement(k, name=f"{k} {i}", offering_id=shop["deal"]["id"])
                                            for i, k in enumerate(KINDS * 4)])
    assert [p["kind"] for p in c["placements"]] == KINDS * 4
    assert len({p["code"] for p in c["placements"]}) == len(KINDS) * 4


def test_list_and_get_campaigns(shop):
    api, owner, m = shop["api"], shop["owner"], shop["merchant"]
    r = api.get(f"/merchants/{m['id']}/campaigns", owner["token"])
    assert r.status_code == 200 and [c["id"] for c in r.json()["results"]] == [shop["campaign"]["id"]]
    r = api.get(f"/merchants/{m['id']}/campaigns/{shop['campaign']['id']}", owner["token"])
    assert r.status_code == 200 and r.json()["placements"][0]["code"] == shop["flyer"]["code"]


def _post(shop, body):  # type: ignore[no-untyped-def]
    return shop["api"].post(f"/merchants/{shop['merchant']['id']}/campaigns", body, shop["owner"]["token"])


def test_bad_placements_are_refused_with_fields(shop):
    deal = shop["deal"]["id"]
    err = assert_error(_post(shop, {"name": "X", "placements": [placement("billboard", offering_id=deal)]}), 422)
    assert "placements.0.kind" in err["fields"]
    bad = placement(offering_id=deal)
    bad["cost"] = money("10.00", "USD")
    err = assert_error(_post(shop, {"name": "X", "placements": [bad]}), 422, "wrong_currency")
    assert "placements.0.cost" in err["fields"]
    for amount in ("-1.00", "abc", "1.234"):
        bad["cost"] = money(amount)
        err = assert_error(_post(shop, {"name": "X", "placements": [bad]}), 422)
        assert "placements.0.cost" in err["fields"], amount
    both = placement(offering_id=deal)
    both["target"]["store_id"] = shop["store"]["id"]
    for target in ({}, both["target"]):
        err = assert_error(_post(shop, {"name": "X", "placements": [{**both, "target": target}]}), 422)
        assert "placements.0.target" in err["fields"]
    err = assert_error(_post(shop, {"name": "X", "placements": []}), 422)
    assert "placements" in err["fields"]
    err = assert_error(_post(shop, {"name": "  ", "placements": [placement(offering_id=deal)]}), 422)
    assert "name" in err["fields"]
    err = assert_error(_post(shop, {"name": "a\x00b", "placements": [placement(offering_id=deal)]}), 422)
    assert "name" in err["fields"]  # a NUL is refused, not a server error on PostgreSQL
    assert_error(_post(shop, {"name": "X"}), 422, "validation_error")


def test_another_merchants_target_is_not_a_target(shop, rival):
    err = assert_error(_post(shop, {"name": "X", "placements": [placement(offering_id=rival["deal"]["id"])]}), 422)
    assert "placements.0.target" in err["fields"]
    err = assert_error(_post(shop, {"name": "X", "placements": [placement(store_id=rival["store"]["id"])]}), 422)
    assert "placements.0.target" in err["fields"]
    err = assert_error(_post(shop, {"name": "X", "placements": [placement(offering_id="not-a-uuid")]}), 422)
    assert "placements.0.target" in err["fields"]


def test_tenancy_another_merchants_campaign_is_404_a_clerk_403_no_token_401(shop, rival):
    api, m = shop["api"], shop["merchant"]
    stranger = rival["owner"]
    body = {"name": "X", "placements": [placement(offering_id=shop["deal"]["id"])]}
    assert_error(api.post(f"/merchants/{m['id']}/campaigns", body, stranger["token"]), 404, "not_found")
    assert_error(api.get(f"/merchants/{m['id']}/campaigns", stranger["token"]), 404)
    assert_error(api.get(f"/merchants/{m['id']}/campaigns/{shop['campaign']['id']}", stranger["token"]), 404)
    # the rival's own merchant id with our campaign's id: still 404, never our data
    assert_error(api.get(f"/merchants/{rival['merchant']['id']}/campaigns/{shop['campaign']['id']}",
                         stranger["token"]), 404)
    assert_error(api.call("PATCH", f"/merchants/{rival['merchant']['id']}/placements/{shop['flyer']['id']}",
                          {"active": False}, stranger["token"]), 404)
    assert_error(api.get(f"/merchants/{m['id']}/analytics/placements", stranger["token"]), 404)
    assert_error(api.get(f"/merchants/{m['id']}/attribution", stranger["token"]), 404)
    assert_error(api.get(f"/merchants/{m['id']}/campaigns/not-a-uuid", shop["owner"]["token"]), 404)
    assert_error(api.post(f"/merchants/{m['id']}/campaigns", body, shop["clerk"]["token"]), 403, "forbidden")
    assert_error(api.call("PATCH", f"/merchants/{m['id']}/placements/{shop['flyer']['id']}", {"active": False},
                          shop["clerk"]["token"]), 403)
    assert_error(ApiClient().post(f"/merchants/{m['id']}/campaigns", body), 401)
    # a manager may; a clerk may read the figures (staff), not change the window
    manager = add_staff(api, shop["owner"], m["id"], "manager", [])
    assert api.post(f"/merchants/{m['id']}/campaigns", body, manager["token"]).status_code == 201
    assert api.get(f"/merchants/{m['id']}/analytics/placements", shop["clerk"]["token"]).status_code == 200
    assert_error(api.call("PUT", f"/merchants/{m['id']}/attribution", {"window_days": 7}, shop["clerk"]["token"]), 403)
    assert_error(api.get(f"/merchants/{m['id']}/campaigns", quick_user("nobody")["token"]), 404)


def test_the_attribution_window_is_the_merchants_to_set(shop):
    api, owner, m = shop["api"], shop["owner"], shop["merchant"]
    assert api.get(f"/merchants/{m['id']}/attribution", owner["token"]).json() == {"window_days": 30}
    r = api.call("PUT", f"/merchants/{m['id']}/attribution", {"window_days": 7}, owner["token"])
    assert r.status_code == 200 and r.json() == {"window_days": 7}
    assert api.get(f"/merchants/{m['id']}/attribution", owner["token"]).json() == {"window_days": 7}
    for bad in (0, 366, "7", True):
        assert_error(api.call("PUT", f"/merchants/{m['id']}/attribution", {"window_days": bad}, owner["token"]), 422)
