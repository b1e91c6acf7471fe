"""PATCH /merchants/{id}/offerings/{oid}: the rules of creation, the stock never below what is sold or
held, orders already placed untouched, owner/manager only."""

from decimal import Decimal

import pytest

from o2o.orders.models import Order
from o2o.payments.books import books_problems
from o2o.vouchers.models import Voucher
from tests.helpers import GOOD_CARD, add_staff, assert_error, quantity_left, quick_user, world

pytestmark = pytest.mark.django_db


def _patch(api, w, body, token=None, offering_id=None):  # type: ignore[no-untyped-def]
    return api.call("PATCH", f"/merchants/{w['merchant']['id']}/offerings/{offering_id or w['deal']['id']}", body,
                    token or w["owner"]["token"])


def test_every_field_can_be_edited_and_the_answer_shows_it(api_client):
    w = world(api_client)
    second = api_client.post(f"/merchants/{w['merchant']['id']}/stores", {
        "name": "Second", "address": "2 Road", "lat": 30.66, "lng": 104.07}, w["owner"]["token"]).json()
    r = _patch(api_client, w, {"title": "Hotpot for three", "description": "Bigger", "price": {"amount": "129.00"},
                               "list_price": {"amount": "199.00", "currency": "CNY"}, "quantity_total": 25,
                               "per_customer_limit": 3, "valid_days": 60, "redeemable_store_ids": [second["id"]]})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["title"], body["description"], body["price"]["amount"], body["list_price"]["amount"]) == (
        "Hotpot for three", "Bigger", "129.00", "199.00")
    assert (body["quantity_total"], body["quantity_left"], body["per_customer_limit"], body["valid_days"]) == (
        25, 25, 3, 60)
    assert body["redeemable_store_ids"] == [second["id"]]
    public = api_client.get(f"/offerings/{w['deal']['id']}").json()
    assert public["title"] == "Hotpot for three" and public["price"]["amount"] == "129.00"
    assert books_problems() == []


def test_only_the_fields_sent_change(api_client):
    w = world(api_client)
    r = _patch(api_client, w, {"per_customer_limit": 1})
    assert r.status_code == 200
    body = r.json()
    assert body["per_customer_limit"] == 1 and body["title"] == w["deal"]["title"]
    assert body["price"] == w["deal"]["price"] and body["quantity_total"] == w["deal"]["quantity_total"]


@pytest.mark.parametrize(("body", "field"), [
    ({"list_price": {"amount": "10.00"}}, "list_price"),  # below the price
    ({"price": {"amount": "500.00"}}, "list_price"),  # above the list price it keeps
    ({"price": {"amount": "-1.00"}}, "price"),
    ({"price": {"amount": "twelve"}}, "price"),
    ({"price": {"amount": "12.345"}}, "price"),
    ({"price": {"amount": "99.00", "currency": "USD"}, "list_price": {"amount": "158.00", "currency": "USD"}}, "price"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 141}, "title"),
    ({"quantity_total": 0}, "quantity_total"),
    ({"per_customer_limit": 1001}, "per_customer_limit"),
    ({"valid_days": 0}, "valid_days"),
    ({"redeemable_store_ids": []}, "redeemable_store_ids"),
    ({"redeemable_store_ids": ["00000000-0000-0000-0000-000000000000"]}, "redeemable_store_ids"),
])
def test_bad_edits_answer_422_with_a_sentence_and_change_nothing(api_client, body, field):
    w = world(api_client)
    r = _patch(api_client, w, body)
    err = assert_error(r, 422)
    assert field in err["fields"], err
    message = err["fields"][field]
    assert message[0].isupper() and message.rstrip().endswith("."), message  # a sentence, not a code
    after = api_client.get(f"/offerings/{w['deal']['id']}").json()
    for key in ("title", "price", "list_price", "quantity_total", "per_customer_limit", "valid_days"):
        assert after[key] == w["deal"][key], key


def test_quantity_never_below_sold_and_reserved(api_client):
    w = world(api_client)  # 10 units
    api_client.buy(w["customer"], w["deal"]["id"], 3)  # sold
    api_client.buy(w["customer"], w["deal"]["id"], 2, pay=False)  # held by an unpaid order
    err = assert_error(_patch(api_client, w, {"quantity_total": 4}), 422)
    assert "5" in err["fields"]["quantity_total"]
    assert quantity_left(w["deal"]["id"]) == 5
    r = _patch(api_client, w, {"quantity_total": 5})
    assert r.status_code == 200 and r.json()["quantity_left"] == 0
    r = _patch(api_client, w, {"quantity_total": 12})
    assert r.status_code == 200 and r.json()["quantity_left"] == 7
    assert books_problems() == []


def test_a_price_change_never_touches_orders_already_placed(api_client):
    w = world(api_client)
    paid = api_client.buy(w["customer"], w["deal"]["id"], 1)
    unpaid = api_client.buy(w["customer"], w["deal"]["id"], 2, pay=False)
    valid_until = Voucher.objects.get(order_id=paid["id"]).valid_until
    assert _patch(api_client, w, {"price": {"amount": "49.00"}, "title": "Renamed", "valid_days": 1}).status_code == 200
    r = api_client.post(f"/orders/{unpaid['id']}/pay", {"provider": "sandbox", "card_number": GOOD_CARD},
                        w["customer"]["token"])
    assert r.status_code == 200 and r.json()["total"]["amount"] == "198.00"  # the price it was ordered at
    assert Order.objects.get(pk=paid["id"]).total_amount == Decimal("99.00")
    assert Order.objects.get(pk=paid["id"]).lines.get().title == "Hotpot for two"
    assert Voucher.objects.get(order_id=paid["id"]).valid_until == valid_until
    new = api_client.buy(w["customer"], w["deal"]["id"], 1)
    assert new["total"]["amount"] == "49.00"


def test_who_may_edit(api_client):
    w = world(api_client)
    manager = add_staff(api_client, w["owner"], w["merchant"]["id"], "manager", [])
    assert _patch(api_client, w, {"title": "By the manager"}, manager["token"]).status_code == 200
    assert_error(_patch(api_client, w, {"title": "By the clerk"}, w["clerk"]["token"]), 403, "forbidden")
    rival = quick_user("rival")
    rival_m = api_client.merchant_with_store(rival, name="Rival")
    # another merchant's offering under one's own merchant, and one's offering under another's: 404
    assert_error(_patch(api_client, {"merchant": rival_m["merchant"], "deal": w["deal"]}, {"title": "Mine"},
                        rival["token"]), 404)
    assert_error(_patch(api_client, w, {"title": "Mine"}, rival["token"]), 404)
    assert_error(_patch(api_client, w, {"title": "Mine"}, w["customer"]["token"]), 404)
    assert api_client.get(f"/offerings/{w['deal']['id']}").json()["title"] == "By the manager"


def test_the_endpoint_is_in_the_openapi_document(api_client):
    doc = api_client.client.get("/api/v1/openapi.json").json()
    op = doc["paths"]["/api/v1/merchants/{merchant_id}/offerings/{offering_id}"]["patch"]
    assert {"200", "403", "404", "422"} <= set(op["responses"])
    assert "requestBody" in op
