"""Vouchers at the counter through the HTTP API, and offline verification with only the public key."""

import base64
import json
from datetime import timedelta

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.utils import timezone

from o2o.vouchers.models import Voucher, VoucherEvent
from tests.helpers import add_staff, assert_error, world

pytestmark = pytest.mark.django_db


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture
def w(api_client):
    w = world(api_client)
    w["order"] = api_client.buy(w["customer"], w["deal"]["id"], 2)
    w["v1"], w["v2"] = w["order"]["vouchers"]
    return w


def _names_time(message: str, when) -> bool:  # type: ignore[no-untyped-def]
    """The message shows this wall-clock time, whatever the locale's format (19:40, 7:40 p.m., noon)."""
    if when.minute == 0 and when.hour in (0, 12) and ("noon" in message or "midnight" in message):
        return True
    return when.strftime("%H:%M") in message or f"{when.strftime('%-I:%M')} {'p.m.' if when.hour >= 12 else 'a.m.'}" in message


def _redeem(api, who, store_id, **how):  # type: ignore[no-untyped-def]
    return api.post("/redemptions", {"store_id": store_id, **how}, who["token"])


def test_redeem_by_code_then_again_names_store_and_time(api_client, w):
    r = _redeem(api_client, w["clerk"], w["store"]["id"], code=w["v1"]["code"])
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["voucher_id"] == w["v1"]["id"] and body["status"] == "redeemed"
    assert body["store_id"] == w["store"]["id"] and body["redeemed_at"]
    err = assert_error(_redeem(api_client, w["clerk"], w["store"]["id"], code=w["v1"]["code"]), 409,
                       "already_redeemed")
    assert w["store"]["name"] in err["message"]
    v = Voucher.objects.get(pk=w["v1"]["id"])
    local = timezone.localtime(v.redeemed_at)
    assert str(local.year) in err["message"]
    assert _names_time(err["message"], local)
    assert err["fields"]["store_id"] == w["store"]["id"]
    # the other voucher of the order is untouched
    assert Voucher.objects.get(pk=w["v2"]["id"]).status == "issued"
    order = api_client.get(f"/orders/{w['order']['id']}", w["customer"]["token"]).json()
    assert {v["id"]: v["status"] for v in order["vouchers"]} == {w["v1"]["id"]: "redeemed", w["v2"]["id"]: "issued"}


def test_code_with_spaces_and_dashes_is_accepted(api_client, w):
    code = w["v1"]["code"]
    spaced = f"{code[:4]} {code[4:8]}-{code[8:]}"
    assert _redeem(api_client, w["clerk"], w["store"]["id"], code=spaced).status_code == 201


def test_redeem_by_qr_payload(api_client, w):
    r = _redeem(api_client, w["clerk"], w["store"]["id"], qr_payload=w["v2"]["qr_payload"])
    assert r.status_code == 201, r.content
    assert r.json()["voucher_id"] == w["v2"]["id"]
    assert_error(_redeem(api_client, w["clerk"], w["store"]["id"], qr_payload=w["v2"]["qr_payload"]), 409,
                 "already_redeemed")
    assert_error(_redeem(api_client, w["clerk"], w["store"]["id"], code=w["v2"]["code"]), 409, "already_redeemed")
    assert VoucherEvent.objects.filter(voucher_id=w["v2"]["id"], to_status="redeemed").count() == 1


def test_unknown_or_malformed_code(api_client, w):
    assert_error(_redeem(api_client, w["clerk"], w["store"]["id"], code="000000000000"), 404)
    assert "code" in assert_error(_redeem(api_client, w["clerk"], w["store"]["id"], code="12ab"), 422)["fields"]
    assert_error(_redeem(api_client, w["clerk"], w["store"]["id"]), 422)


def test_expired_voucher(api_client, w):
    Voucher.objects.filter(pk=w["v1"]["id"]).update(valid_until=timezone.now() - timedelta(minutes=1))
    assert_error(_redeem(api_client, w["clerk"], w["store"]["id"], code=w["v1"]["code"]), 409, "expired")
    assert_error(_redeem(api_client, w["clerk"], w["store"]["id"], qr_payload=w["v1"]["qr_payload"]), 409, "expired")
    assert Voucher.objects.get(pk=w["v1"]["id"]).status == "issued"
    order = api_client.get(f"/orders/{w['order']['id']}", w["customer"]["token"]).json()
    assert [v["status"] for v in order["vouchers"] if v["id"] == w["v1"]["id"]] == ["expired"]


def test_refunded_voucher(api_client, w):
    r = api_client.post(f"/orders/{w['order']['id']}/refund", {"voucher_ids": [w["v1"]["id"]]}, w["customer"]["token"])
    assert r.status_code == 200
    assert_error(_redeem(api_client, w["clerk"], w["store"]["id"], code=w["v1"]["code"]), 409, "refunded")
    assert _redeem(api_client, w["clerk"], w["store"]["id"], code=w["v2"]["code"]).status_code == 201


def test_store_not_redeemable_is_wrong_store(api_client, w):
    other_store = api_client.post(f"/merchants/{w['merchant']['id']}/stores", {
        "name": "Second shop", "address": "2 Road", "lat": 30.66, "lng": 104.07, "timezone": "Asia/Shanghai"},
        w["owner"]["token"]).json()
    err = assert_error(_redeem(api_client, w["owner"], other_store["id"], code=w["v1"]["code"]), 409, "wrong_store")
    assert err["message"]
    assert Voucher.objects.get(pk=w["v1"]["id"]).status == "issued"


def test_qr_of_another_merchant_at_own_store(api_client, w):
    """Staff scanning another merchant's genuine QR at their own store are told whose it is (409
    wrong_merchant); a typed code of another merchant stays vague (404), as does anything at a store
    they are not staff of."""
    owner2 = api_client.register("owner2")
    ms = api_client.merchant_with_store(owner2, name="Tea House")
    clerk2 = api_client.clerk(owner2, ms["merchant"]["id"], [ms["store"]["id"]])
    for who in (owner2, clerk2):
        for path in ("/redemptions/check", "/redemptions"):
            r = api_client.post(path, {"store_id": ms["store"]["id"], "qr_payload": w["v1"]["qr_payload"]},
                                who["token"])
            err = assert_error(r, 409, "wrong_merchant")
            assert err["message"] == f"This voucher belongs to another merchant ({w['merchant']['name']})."
            assert err["fields"] == {"merchant_name": w["merchant"]["name"]}
    assert_error(_redeem(api_client, owner2, ms["store"]["id"], code=w["v1"]["code"]), 404)
    assert_error(_redeem(api_client, owner2, w["store"]["id"], code=w["v1"]["code"]), 404)
    # not staff of the store given (nor of the voucher's merchant): 404, nothing said
    assert_error(_redeem(api_client, owner2, w["store"]["id"], qr_payload=w["v1"]["qr_payload"]), 404)
    assert_error(_redeem(api_client, w["customer"], w["store"]["id"], qr_payload=w["v1"]["qr_payload"]), 404)
    assert_error(_redeem(api_client, w["customer"], ms["store"]["id"], qr_payload=w["v1"]["qr_payload"]), 404)
    # a forged QR stays invalid_signature
    prefix, body, sig = w["v1"]["qr_payload"].split(".")
    assert_error(_redeem(api_client, clerk2, ms["store"]["id"], qr_payload=f"{prefix}.{body}.{_flip(sig, 3)}"),
                 400, "invalid_signature")
    assert Voucher.objects.get(pk=w["v1"]["id"]).status == "issued"


def _flip(text: str, index: int) -> str:
    ch = text[index]
    return text[:index] + ("A" if ch != "A" else "B") + text[index + 1:]


def test_forged_payloads_are_invalid_signature(api_client, w):
    qr = w["v1"]["qr_payload"]
    prefix, body, sig = qr.split(".")
    raw = unb64u(body)
    payload = json.loads(raw)
    other_vid = {**payload, "vid": w["v2"]["id"]}
    forged = [
        f"{prefix}.{_flip(body, 5)}.{sig}",  # a byte of the payload
        f"{prefix}.{body}.{_flip(sig, 3)}",  # a byte of the signature
        f"{prefix}.{b64u(json.dumps(other_vid).encode())}.{sig}",  # another voucher, same signature
        f"{prefix}.{b64u(raw + b' ')}.{sig}",  # one byte more
        f"O2O2.{body}.{sig}",  # other prefix
        f"o2o1.{body}.{sig}",
        f"{body}.{sig}",
        f"{qr}.extra",
        "garbage",
        "O2O1..",
        "O2O1.!!!.???",
        "O2O1." + b64u(b"not json") + "." + sig,
        "O2O1." + b64u(b"[1,2]") + "." + sig,
        f"{prefix}.{body}.",
    ]
    for bad in forged:
        assert_error(_redeem(api_client, w["clerk"], w["store"]["id"], qr_payload=bad), 400, "invalid_signature")
    assert Voucher.objects.filter(status="redeemed").count() == 0


def test_payload_signed_with_unknown_key_is_refused(api_client, w):
    stranger = Ed25519PrivateKey.generate()
    payload = {**json.loads(unb64u(w["v1"]["qr_payload"].split(".")[1])), "kid": "kunknown0000000"}
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    forged = f"O2O1.{b64u(raw)}.{b64u(stranger.sign(raw))}"
    assert_error(_redeem(api_client, w["clerk"], w["store"]["id"], qr_payload=forged), 400, "invalid_signature")
    # the same forger claiming the real kid fails too
    real_kid = json.loads(unb64u(w["v1"]["qr_payload"].split(".")[1]))["kid"]
    raw = json.dumps({**payload, "kid": real_kid}, separators=(",", ":"), sort_keys=True).encode()
    forged = f"O2O1.{b64u(raw)}.{b64u(stranger.sign(raw))}"
    assert_error(_redeem(api_client, w["clerk"], w["store"]["id"], qr_payload=forged), 400, "invalid_signature")
    assert Voucher.objects.get(pk=w["v1"]["id"]).status == "issued"


def test_stranger_and_other_merchants_clerk_get_404(api_client, w):
    stranger = api_client.register("stranger")
    owner2 = api_client.register("owner2")
    ms2 = api_client.merchant_with_store(owner2, name="Tea House")
    clerk2 = api_client.clerk(owner2, ms2["merchant"]["id"], [ms2["store"]["id"]])
    for who in (stranger, clerk2, w["customer"]):
        assert_error(_redeem(api_client, who, w["store"]["id"], code=w["v1"]["code"]), 404)
        assert_error(_redeem(api_client, who, w["store"]["id"], qr_payload=w["v1"]["qr_payload"]), 404)
        assert_error(api_client.post("/redemptions/check", {"store_id": w["store"]["id"], "code": w["v1"]["code"]},
                                     who["token"]), 404)
    assert_error(api_client.post("/redemptions", {"store_id": w["store"]["id"], "code": w["v1"]["code"]}), 401)
    assert Voucher.objects.get(pk=w["v1"]["id"]).status == "issued"


def test_clerk_at_unassigned_store_is_403(api_client, w):
    store2 = api_client.post(f"/merchants/{w['merchant']['id']}/stores", {
        "name": "Second shop", "address": "2 Road", "lat": 30.66, "lng": 104.07}, w["owner"]["token"]).json()
    # make the deal redeemable there too, through a new deal for clarity
    deal2 = api_client.deal(w["owner"], w["merchant"]["id"], [w["store"]["id"], store2["id"]], title="Both shops")
    v = api_client.buy(w["customer"], deal2["id"], 1)["vouchers"][0]
    assert_error(_redeem(api_client, w["clerk"], store2["id"], code=v["code"]), 403, "forbidden")
    assert Voucher.objects.get(pk=v["id"]).status == "issued"
    assert _redeem(api_client, w["clerk"], w["store"]["id"], code=v["code"]).status_code == 201


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owner_and_manager_redeem_at_any_store(api_client, w, role):
    store2 = api_client.post(f"/merchants/{w['merchant']['id']}/stores", {
        "name": "Second shop", "address": "2 Road", "lat": 30.66, "lng": 104.07}, w["owner"]["token"]).json()
    deal2 = api_client.deal(w["owner"], w["merchant"]["id"], [store2["id"]], title="Second shop only")
    v = api_client.buy(w["customer"], deal2["id"], 1)["vouchers"][0]
    who = w["owner"] if role == "owner" else add_staff(api_client, w["owner"], w["merchant"]["id"], "manager", [])
    r = _redeem(api_client, who, store2["id"], qr_payload=v["qr_payload"])
    assert r.status_code == 201, r.content
    assert r.json()["store_id"] == store2["id"]


def test_check_answers_what_redeem_would_without_redeeming(api_client, w):
    r = api_client.post("/redemptions/check", {"store_id": w["store"]["id"], "code": w["v1"]["code"]},
                        w["clerk"]["token"])
    assert r.status_code == 200 and r.json()["voucher_id"] == w["v1"]["id"]
    assert Voucher.objects.get(pk=w["v1"]["id"]).status == "issued"


def _verify_offline(qr_payload: str, keys: list[dict]) -> dict:
    """What a counter with no network does: only the published public keys and `cryptography`."""
    prefix, body_b64, sig_b64 = qr_payload.split(".")
    assert prefix == "O2O1"
    assert "=" not in body_b64 and "=" not in sig_b64
    raw = unb64u(body_b64)
    payload = json.loads(raw)
    key = next(k for k in keys if k["kid"] == payload["kid"])
    assert key["alg"] == "Ed25519"
    public_raw = unb64u(key["public_key"])
    assert len(public_raw) == 32
    Ed25519PublicKey.from_public_bytes(public_raw).verify(unb64u(sig_b64), raw)
    return payload


def test_offline_verification_with_public_key_only(api_client, w):
    r = api_client.get("/keys/vouchers")
    assert r.status_code == 200
    keys = r.json()["keys"]
    assert keys and all(k["alg"] == "Ed25519" for k in keys)
    payload = _verify_offline(w["v1"]["qr_payload"], keys)
    assert {"kid", "vid", "mid", "oid", "exp"} <= set(payload)
    assert payload["vid"] == w["v1"]["id"] and payload["mid"] == w["merchant"]["id"]
    assert payload["oid"] == w["deal"]["id"]
    assert isinstance(payload["exp"], int)
    valid_until = Voucher.objects.get(pk=w["v1"]["id"]).valid_until
    assert abs(payload["exp"] - valid_until.timestamp()) < 1
    # one flipped byte and the offline check fails too
    prefix, body, sig = w["v1"]["qr_payload"].split(".")
    with pytest.raises(InvalidSignature):
        _verify_offline(f"{prefix}.{body}.{_flip(sig, 10)}", keys)


def test_key_rotation_keeps_old_vouchers_valid(api_client, w):
    from o2o.vouchers.signing import key_rotate

    old_kid = json.loads(unb64u(w["v1"]["qr_payload"].split(".")[1]))["kid"]
    new_key = key_rotate()
    assert new_key.kid != old_kid
    keys = api_client.get("/keys/vouchers").json()["keys"]
    kids = {k["kid"]: k for k in keys}
    assert {old_kid, new_key.kid} <= set(kids)
    assert kids[new_key.kid]["active"] is True and kids[old_kid]["active"] is False
    # a voucher issued after the rotation is signed with the new key
    fresh = api_client.buy(w["customer"], w["deal"]["id"], 1)["vouchers"][0]
    assert _verify_offline(fresh["qr_payload"], keys)["kid"] == new_key.kid
    assert _verify_offline(w["v1"]["qr_payload"], keys)["kid"] == old_kid
    # both redeem online
    assert _redeem(api_client, w["clerk"], w["store"]["id"], qr_payload=w["v1"]["qr_payload"]).status_code == 201
    assert _redeem(api_client, w["clerk"], w["store"]["id"], qr_payload=fresh["qr_payload"]).status_code == 201


def test_already_redeemed_names_the_time_in_the_stores_own_timezone(api_client):
    from zoneinfo import ZoneInfo

    owner = api_client.register("nyowner")
    r = api_client.post("/merchants", {"name": "Bagels", "category": "restaurant"}, owner["token"])
    merchant = r.json()
    store = api_client.post(f"/merchants/{merchant['id']}/stores", {
        "name": "Bagels Broadway", "address": "1 Broadway", "lat": 40.7, "lng": -74.0,
        "timezone": "America/New_York"}, owner["token"]).json()
    deal = api_client.deal(owner, merchant["id"], [store["id"]], title="Bagel box")
    customer = api_client.register("nycustomer")
    v = api_client.buy(customer, deal["id"], 1)["vouchers"][0]
    assert _redeem(api_client, owner, store["id"], code=v["code"]).status_code == 201
    err = assert_error(_redeem(api_client, owner, store["id"], code=v["code"]), 409, "already_redeemed")
    redeemed_at = Voucher.objects.get(pk=v["id"]).redeemed_at
    there = redeemed_at.astimezone(ZoneInfo("America/New_York"))
    server = timezone.localtime(redeemed_at)
    assert there.hour != server.hour
    assert _names_time(err["message"], there), err["message"]
    assert not _names_time(err["message"], server), err["message"]


@pytest.mark.parametrize("make_unusable, code", [
    (lambda v, w: Voucher.objects.filter(pk=v["id"]).update(status="refunded"), "refunded"),
    (lambda v, w: Voucher.objects.filter(pk=v["id"]).update(valid_until=timezone.now() - timedelta(days=1)),
     "expired"),
    (lambda v, w: Voucher.objects.get(pk=v["id"]).offering.redeemable_stores.clear(), "wrong_store"),
])
def test_online_and_offline_counters_refuse_with_the_same_rule(api_client, w, make_unusable, code):
    """One function (vouchers.rules.redeem_refusal) decides for both paths: same code, same message."""
    v = w["v1"]
    make_unusable(v, w)
    online = assert_error(_redeem(api_client, w["clerk"], w["store"]["id"], qr_payload=v["qr_payload"]), 409, code)
    r = api_client.post("/redemptions/sync", {
        "store_id": w["store"]["id"], "device_id": "dev-parity", "items": [
            {"qr_payload": v["qr_payload"], "redeemed_at": timezone.now().isoformat()}]}, w["clerk"]["token"])
    item = r.json()["results"][0]
    assert (item["status"], item["code"], item["message"]) == ("rejected", code, online["message"])
