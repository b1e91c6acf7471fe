"""The fields API.md fixes, by name and kind: objects may gain fields, these keep theirs."""

import re
import uuid
from datetime import datetime

import pytest

from tests.helpers import PASSWORD, world

pytestmark = pytest.mark.django_db

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def is_uuid(value: object) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


def is_time(value: object) -> bool:
    return isinstance(value, str) and bool(ISO_WITH_OFFSET.match(value)) and datetime.fromisoformat(value).tzinfo


def is_money(value: object, currency: str = "CNY", places: int = 2) -> bool:
    return (isinstance(value, dict) and value.get("currency") == currency and isinstance(value.get("amount"), str)
            and re.fullmatch(rf"-?\d+\.\d{{{places}}}", value["amount"]) is not None)


def has(obj: dict, *keys: str) -> None:
    missing = set(keys) - set(obj)
    assert not missing, f"missing {missing} in {sorted(obj)}"


def test_the_fixed_fields(api_client):
    api = api_client
    r = api.post("/auth/register", {"email": "shape@example.com", "password": PASSWORD, "display_name": "Shape"})
    has(r.json(), "user", "token")
    has(r.json()["user"], "id", "email", "display_name")
    assert is_uuid(r.json()["user"]["id"])
    has(api.post("/auth/token", {"email": "shape@example.com", "password": PASSWORD}).json(), "token")
    me = api.get("/me", r.json()["token"]).json()
    has(me, "id", "email", "display_name", "memberships")

    w = world(api)
    merchant = w["merchant"]
    has(merchant, "id", "name", "category", "status")
    assert merchant["status"] == "active" and is_uuid(merchant["id"])
    has(w["store"], "id", "name", "address", "lat", "lng", "timezone", "opening_hours")
    assert isinstance(w["store"]["lat"], float)
    deal = api.get(f"/offerings/{w['deal']['id']}").json()
    has(deal, "id", "kind", "title", "price", "list_price", "quantity_left")
    assert deal["kind"] == "deal" and is_money(deal["price"]) and is_money(deal["list_price"])
    assert isinstance(deal["quantity_left"], int)
    me = api.get("/me", w["clerk"]["token"]).json()
    assert me["memberships"] == [{"merchant_id": merchant["id"], "role": "clerk"}]

    near = api.get("/stores/nearby", lat=w["store"]["lat"], lng=w["store"]["lng"]).json()
    has(near, "results")
    row = near["results"][0]
    has(row, "id", "name", "merchant", "lat", "lng", "distance_m", "rating", "review_count", "open_now")
    has(row["merchant"], "id", "name", "category")
    assert isinstance(row["distance_m"], int | float) and isinstance(row["open_now"], bool)
    store = api.get(f"/stores/{w['store']['id']}").json()
    has(store, "offerings")
    assert [o["id"] for o in store["offerings"]] == [w["deal"]["id"]]

    order = api.post("/orders", {"lines": [{"offering_id": w["deal"]["id"], "quantity": 2}]}, w["customer"]["token"])
    assert order.status_code == 201
    order = order.json()
    has(order, "id", "number", "status", "total", "lines")
    assert order["status"] == "awaiting_payment" and is_money(order["total"]) and order["total"]["amount"] == "198.00"
    paid = api.post(f"/orders/{order['id']}/pay", {"provider": "sandbox", "card_number": "4242424242424242"},
                    w["customer"]["token"]).json()
    assert paid["status"] == "paid"
    got = api.get(f"/orders/{order['id']}", w["customer"]["token"]).json()
    has(got, "vouchers")
    for v in got["vouchers"]:
        has(v, "id", "code", "status", "valid_until", "qr_payload")
        assert is_uuid(v["id"]) and is_time(v["valid_until"]) and v["status"] == "issued"
        assert v["qr_payload"].startswith("O2O1.") and v["qr_payload"].count(".") == 2

    red = api.post("/redemptions", {"store_id": w["store"]["id"], "code": got["vouchers"][0]["code"]},
                   w["clerk"]["token"]).json()
    has(red, "voucher_id", "status", "redeemed_at", "store_id")
    assert red["status"] == "redeemed" and is_time(red["redeemed_at"]) and red["store_id"] == w["store"]["id"]

    keys = api.get("/keys/vouchers").json()
    has(keys, "keys")
    for k in keys["keys"]:
        has(k, "kid", "alg", "public_key")
        assert k["alg"] == "Ed25519" and "=" not in k["public_key"]

    review = api.post("/reviews", {"order_id": order["id"], "rating": 5, "text": "good"}, w["customer"]["token"])
    assert review.status_code == 201
    listed = api.get(f"/stores/{w['store']['id']}/reviews").json()
    has(listed, "results", "rating", "review_count")
    has(listed["results"][0], "rating", "text", "created_at", "verified")
    assert listed["results"][0]["verified"] is True and is_time(listed["results"][0]["created_at"])

    staff = api.post(f"/merchants/{merchant['id']}/staff", {"email": "mgr@example.com", "role": "manager",
                                                             "store_ids": []}, w["owner"]["token"])
    assert staff.status_code == 201


@pytest.mark.parametrize("currency, amount, places", [("JPY", "1500", 0), ("USD", "12.50", 2)])
def test_amounts_carry_their_currencys_decimals(api_client, currency, amount, places):
    w = world(api_client)
    r = api_client.post(f"/merchants/{w['merchant']['id']}/offerings", {
        "kind": "deal", "title": "Priced", "price": {"amount": amount, "currency": currency}, "quantity_total": 3,
        "redeemable_store_ids": [w["store"]["id"]], "status": "live"}, w["owner"]["token"])
    assert r.status_code == 201, r.content
    price = api_client.get(f"/offerings/{r.json()['id']}").json()["price"]
    assert price["amount"] == amount and price["currency"] == currency
    order = api_client.buy(w["customer"], r.json()["id"], 2)
    expected = {"JPY": "3000", "USD": "25.00"}[currency]
    assert order["total"]["amount"] == expected


def test_openapi_document_declares_the_error_shape(api_client):
    doc = api_client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "ErrorOut" in doc["components"]["schemas"]
    paths = doc["paths"]
    for path in ("/api/v1/orders", "/api/v1/redemptions", "/api/v1/reviews", "/api/v1/auth/register"):
        responses = paths[path]["post"]["responses"]
        assert any(code.startswith("4") for code in responses), (path, responses)
