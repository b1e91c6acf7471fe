"""Member cards through the HTTP API: the customer's signed QR, the clerk's scan (offline-checkable with
the voucher keys), walk-in sales that earn and spend points, and every forged or wrong QR refused."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.utils import timezone

from o2o.members.models import Membership
from o2o.members.services import points_earn
from o2o.orders.models import Order
from o2o.vouchers import signing
from tests.helpers import DECLINED_CARD, GOOD_CARD, assert_error
from tests.ordering.conftest import product

pytestmark = pytest.mark.django_db


def _unb64(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def _join(shop, customer):  # type: ignore[no-untyped-def]
    r = shop["api"].post("/me/member-cards", {"merchant_id": shop["merchant"]["id"]}, customer["token"])
    assert r.status_code in (200, 201), r.content
    return r.json()


def _cola(shop):  # type: ignore[no-untyped-def]
    return product(shop["api"], shop["owner"], shop["merchant"]["id"], title="Cola", price="5.00",
                   stock=[{"store_id": shop["store"]["id"], "quantity": 50}])


def test_join_and_the_qr_verifies_offline_with_the_published_keys(shop):
    api, c = shop["api"], shop["customer"]
    r = api.post("/me/member-cards", {"merchant_id": shop["merchant"]["id"]}, c["token"])
    assert r.status_code == 201, r.content
    card = r.json()
    assert card["points"] == 0 and card["merchant"]["id"] == shop["merchant"]["id"]
    again = api.post("/me/member-cards", {"merchant_id": shop["merchant"]["id"]}, c["token"])
    assert again.status_code == 200 and again.json()["id"] == card["id"]
    assert [x["id"] for x in api.get("/me/member-cards", c["token"]).json()["results"]] == [card["id"]]
    assert_error(api.post("/me/member-cards", {"merchant_id": "nope"}, c["token"]), 404)
    # what a counter with no network does: the keys of GET /keys/vouchers verify the card's QR
    keys = {k["kid"]: k["public_key"] for k in api.get("/keys/vouchers").json()["keys"]}
    prefix, body, sig = card["qr_payload"].split(".")
    payload = json.loads(_unb64(body))
    assert prefix == "O2O1" and payload["typ"] == "card" and payload["card"] == card["id"]
    assert payload["mid"] == shop["merchant"]["id"] and payload["exp"] == card["qr_expires_at"]
    Ed25519PublicKey.from_public_bytes(_unb64(keys[payload["kid"]])).verify(_unb64(sig), _unb64(body))


def test_clerk_scans_the_card(shop):
    api, c, sid = shop["api"], shop["customer"], shop["store"]["id"]
    card = _join(shop, c)
    r = api.post(f"/stores/{sid}/member-cards/scan", {"qr_payload": card["qr_payload"]}, shop["clerk"]["token"])
    assert r.status_code == 200, r.content
    assert r.json() == {"card_id": card["id"], "merchant_id": shop["merchant"]["id"], "customer_name": "customer",
                        "points": 0}
    assert_error(api.post(f"/stores/{sid}/member-cards/scan", {"qr_payload": card["qr_payload"]}, c["token"]), 404)


def test_forged_and_wrong_qr_refused(shop):
    api, c, sid, tok = shop["api"], shop["customer"], shop["store"]["id"], shop["clerk"]["token"]
    card = _join(shop, c)
    prefix, body, sig = card["qr_payload"].split(".")
    payload = json.loads(_unb64(body))
    # altered: more points are not in a card, but another card id is
    altered = signing.b64u(json.dumps({**payload, "card": str(Membership.objects.exclude(pk=card["id"]).values_list(
        "pk", flat=True).first() or "00000000-0000-0000-0000-000000000000")}).encode())
    for bad in (f"{prefix}.{altered}.{sig}", "O2O1.xx.yy", "hello", card["qr_payload"][:-4] + "AAAA"):
        assert_error(api.post(f"/stores/{sid}/member-cards/scan", {"qr_payload": bad}, tok), 400, "invalid_signature")
    # signed by a key that is not ours
    rogue = Ed25519PrivateKey.generate()
    raw = json.dumps(payload, separators=(",", ":")).encode()
    forged = f"O2O1.{signing.b64u(raw)}.{signing.b64u(rogue.sign(raw))}"
    assert_error(api.post(f"/stores/{sid}/member-cards/scan", {"qr_payload": forged}, tok), 400, "invalid_signature")
    # a genuine voucher QR is not a member card, and a card is not a voucher
    o = shop["api"].post("/orders", {"lines": [{"offering_id": shop["deal"]["id"], "quantity": 1}]}, c["token"]).json()
    paid = api.post(f"/orders/{o['id']}/pay", {"provider": "sandbox", "card_number": GOOD_CARD}, c["token"]).json()
    voucher_qr = paid["vouchers"][0]["qr_payload"]
    assert_error(api.post(f"/stores/{sid}/member-cards/scan", {"qr_payload": voucher_qr}, tok), 400,
                 "invalid_member_card")
    r = api.post("/redemptions", {"store_id": sid, "qr_payload": card["qr_payload"]}, tok)
    assert_error(r, 404, "not_found")  # no voucher has a card's id: nothing is redeemed
    # another merchant's card, an old QR
    other = api.post("/me/member-cards", {"merchant_id": shop["other"]["merchant"]["id"]}, c["token"]).json()
    assert_error(api.post(f"/stores/{sid}/member-cards/scan", {"qr_payload": other["qr_payload"]}, tok), 409,
                 "wrong_merchant")
    old = signing.sign({"typ": "card", "card": card["id"], "mid": shop["merchant"]["id"],
                        "exp": int((timezone.now() - timedelta(minutes=1)).timestamp())})
    assert_error(api.post(f"/stores/{sid}/member-cards/scan", {"qr_payload": old}, tok), 409, "card_expired")


def test_walk_in_sale_earns_and_spends_points(shop):
    api, c, sid, tok = shop["api"], shop["customer"], shop["store"]["id"], shop["clerk"]["token"]
    cola = _cola(shop)
    card = _join(shop, c)
    r = api.post(f"/stores/{sid}/sales", {"lines": [{"offering_id": cola["id"], "quantity": 4}],
                                          "payment": {"method": "cash"}, "member_card": card["qr_payload"]}, tok)
    assert r.status_code == 201, r.content
    sale = r.json()
    assert sale["total"]["amount"] == "20.00" and sale["member"]["earned"] == 20 and sale["member"]["points"] == 20
    points_earn(merchant=shop["merchant"]["id"], customer=c["user"], points=480)
    r = api.post(f"/stores/{sid}/sales", {"lines": [{"offering_id": cola["id"], "quantity": 2}],
                                          "payment": {"method": "card", "card_number": GOOD_CARD},
                                          "member_card": card["qr_payload"], "points": 300}, tok,
                 headers={"Idempotency-Key": "till-7"})
    assert r.status_code == 201, r.content
    sale = r.json()
    assert sale["total"]["amount"] == "7.00" and sale["paid"]["amount"] == "7.00"
    assert [(a["kind"], a["amount"]["amount"]) for a in sale["adjustments"]] == [("points", "-3.00")]
    assert sale["member"] == {"card_id": card["id"], "points": 500 - 300 + 7, "earned": 7}
    again = api.post(f"/stores/{sid}/sales", {"lines": [{"offering_id": cola["id"], "quantity": 2}],
                                              "payment": {"method": "card", "card_number": GOOD_CARD},
                                              "member_card": card["qr_payload"], "points": 300}, tok,
                     headers={"Idempotency-Key": "till-7"})
    assert again.status_code == 200 and again.json()["id"] == sale["id"]  # a double tap spends once
    assert Membership.objects.get(pk=card["id"]).balance == 207
    from o2o.payments.books import books_problems

    assert books_problems() == []


def test_walk_in_sale_refusals_spend_nothing(shop):
    api, c, sid, tok = shop["api"], shop["customer"], shop["store"]["id"], shop["clerk"]["token"]
    cola = _cola(shop)
    card = _join(shop, c)
    points_earn(merchant=shop["merchant"]["id"], customer=c["user"], points=100)
    line = [{"offering_id": cola["id"], "quantity": 1}]
    assert_error(api.post(f"/stores/{sid}/sales", {"lines": line, "payment": {"method": "cash"},
                                                   "member_card": card["qr_payload"], "points": 200}, tok),
                 409, "not_enough_points")
    assert_error(api.post(f"/stores/{sid}/sales", {"lines": line, "payment": {"method": "cash"},
                                                   "member_card": card["qr_payload"], "points": 600}, tok),
                 422, "points_too_many")
    assert_error(api.post(f"/stores/{sid}/sales", {"lines": line, "payment": {"method": "cash"}, "points": 50}, tok),
                 422)
    assert_error(api.post(f"/stores/{sid}/sales", {"lines": line, "payment": {"method": "cash"},
                                                   "member_card": "O2O1.forged.qr"}, tok), 400, "invalid_signature")
    # a declined card cancels the sale and gives the points back
    assert_error(api.post(f"/stores/{sid}/sales", {"lines": line, "payment": {"method": "card", "card_number": DECLINED_CARD},
                                                   "member_card": card["qr_payload"], "points": 100}, tok), 402)
    assert Membership.objects.get(pk=card["id"]).balance == 100
    assert set(Order.objects.filter(source_channel="counter").values_list("status", flat=True)) == {"cancelled"}
    from o2o.members.models import PointsEntry

    assert sorted(PointsEntry.objects.filter(membership_id=card["id"]).values_list("kind", "points")) == [
        ("earn", 100), ("reverse", 100), ("spend", -100)]
