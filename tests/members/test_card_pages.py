"""The member card on the phone: the cards page, one card with its QR (the payload the counter scans)
and its ledger, opening a card; someone else's card is never shown."""

from __future__ import annotations

import pytest
from django.test import Client

from o2o.members.models import Membership
from o2o.members.services import points_earn
from tests.members.conftest import make_coupon

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def test_cards_page_card_page_and_open(shop):
    c = shop["customer"]
    page = _client(c["user"])
    mid = shop["merchant"]["id"]
    r = page.get("/me/cards/")
    assert r.status_code == 200 and "No member cards yet" in r.content.decode()
    r = page.post(f"/me/cards/{mid}/open/")
    assert r.status_code == 302 and r["Location"] == f"/me/cards/{mid}/"
    points_earn(merchant=mid, customer=c["user"], points=120)
    coupon = make_coupon(shop, code="WELCOME")
    shop["api"].post(f"/coupons/{coupon['id']}/claim", None, c["token"])
    html = page.get("/me/cards/").content.decode()
    assert "Hotpot House" in html and "120 points" in html and "WELCOME" in html
    r = page.get(f"/me/cards/{mid}/")
    html = r.content.decode()
    assert r.status_code == 200 and 'id="card-qr"' in html and "<svg" in html and "120 points" in html
    assert "no-store" in r.get("Cache-Control", "")
    zh = page.get(f"/me/cards/{mid}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "会员卡" in zh
    # another customer has no card here: back to their own list, nothing of this one shown
    other = _client(shop["other_owner"]["user"])
    r = other.get(f"/me/cards/{mid}/")
    assert r.status_code == 302 and r["Location"] == "/me/cards/"
    assert Membership.objects.filter(customer=c["user"]).count() == 1
    assert page.get("/me/cards/00000000-0000-0000-0000-000000000000/").status_code == 302
