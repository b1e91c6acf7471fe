"""The merchant console's Campaigns page: the funnel from scan to review, each placement's figures and
sheets, a new campaign made from the form, a code switched off, and only for the merchant's managers."""

from __future__ import annotations

import re

from django.test import Client

from o2o.campaigns.models import Campaign, Placement
from tests.campaigns.conftest import scan
from tests.helpers import ApiClient, quick_user


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _funnel(html: str) -> dict[str, int]:
    return {k: int(n) for k, n in re.findall(
        r'data-step="(\w+)">.*?class="funnel-num">(\d+)</span>', html, flags=re.S)}


def test_the_page_shows_the_funnel_and_each_placements_sheets(shop):
    phone = ApiClient()
    buyer = quick_user("buyer")
    for _ in range(3):
        scan(phone, shop["flyer"]["code"])
    phone.buy(buyer, shop["deal"]["id"])
    r = _client(shop["owner"]["user"]).get(f"/merchant/{shop['merchant']['id']}/campaigns/")
    assert r.status_code == 200
    html = r.content.decode()
    assert _funnel(html) == {"scans": 3, "visitors": 1, "orders": 1, "paid": 1, "redemptions": 0, "reviews": 0,
                            "repeat": 0}
    for p in (shop["flyer"], shop["poster"], shop["window"]):
        assert f'data-placement="{p["id"]}"' in html and p["short_url"] in html
        assert f"/merchant/{shop['merchant']['id']}/placements/{p['id']}/flyer.pdf" in html
        assert f"/merchant/{shop['merchant']['id']}/placements/{p['id']}/table-tent.pdf" in html
    assert 'aria-current="page">Campaigns</a>' in html


def test_the_funnel_in_chinese(shop):
    r = _client(shop["owner"]["user"]).get(f"/merchant/{shop['merchant']['id']}/campaigns/",
                                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = r.content.decode()
    assert "营销活动" in html and "扫码" in html and "新建营销活动" in html


def test_a_backwards_range_says_so_on_the_page(shop):
    r = _client(shop["owner"]["user"]).get(f"/merchant/{shop['merchant']['id']}/campaigns/",
                                           {"from": "2026-05-10", "to": "2026-05-01"})
    assert r.status_code == 422
    assert "The range ends before it starts." in r.content.decode()


def test_a_new_campaign_from_the_form(shop):
    c = _client(shop["owner"]["user"])
    url = f"/merchant/{shop['merchant']['id']}/campaigns/"
    r = c.post(url, {"name": "Autumn", "placement_name": "Bus stop poster", "kind": "poster", "cost": "80.00",
                     "target": f"offering:{shop['deal']['id']}"})
    assert r.status_code == 302
    p = Placement.objects.get(name="Bus stop poster")
    assert (p.kind, str(p.cost_amount), str(p.target_offering_id), p.campaign.name) == (
        "poster", "80.00", shop["deal"]["id"], "Autumn")
    r = c.post(url, {"name": "Bad", "placement_name": "X", "kind": "poster", "cost": "-5",
                     "target": f"store:{shop['store']['id']}"})
    assert r.status_code == 422 and "Enter an amount such as 39.00." in r.content.decode()
    assert not Campaign.objects.filter(name="Bad").exists()


def test_switching_a_code_off_and_on(shop):
    c = _client(shop["owner"]["user"])
    base = f"/merchant/{shop['merchant']['id']}/placements/{shop['flyer']['id']}/active/"
    assert c.post(base, {"active": "0"}).status_code == 302
    assert scan(ApiClient(), shop["flyer"]["code"]).status_code == 404
    assert c.post(base, {"active": "1"}).status_code == 302
    assert scan(ApiClient(), shop["flyer"]["code"]).status_code == 302


def test_only_the_merchants_managers_see_it(shop, rival):
    url = f"/merchant/{shop['merchant']['id']}/campaigns/"
    assert _client(rival["owner"]["user"]).get(url).status_code == 404
    assert _client(shop["clerk"]["user"]).get(url).status_code == 403
    toggle = f"/merchant/{shop['merchant']['id']}/placements/{shop['flyer']['id']}/active/"
    assert _client(rival["owner"]["user"]).post(toggle, {"active": "0"}).status_code == 404
    assert Placement.objects.get(pk=shop["flyer"]["id"]).is_active
