import pytest

from tests.helpers import DECLINED_CARD, GOOD_CARD, world

pytestmark = pytest.mark.django_db(transaction=True)


def test_whole_loop_buy_two_redeem_review(api_client):
    w = world(api_client)
    api = api_client
    # discover
    r = api.get("/stores/nearby", lat=30.658, lng=104.066, radius_m=3000)
    assert r.status_code == 200
    ids = [s["id"] for s in r.json()["results"]]
    assert w["store"]["id"] in ids
    store = api.get(f"/stores/{w['store']['id']}").json()
    assert [o["id"] for o in store["offerings"]] == [w["deal"]["id"]]
    # buy two
    r = api.post("/orders", {"lines": [{"offering_id": w["deal"]["id"], "quantity": 2}]}, w["customer"]["token"],
                 headers={"Idempotency-Key": "k1"})
    assert r.status_code == 201, r.content
    order = r.json()
    assert order["status"] == "awaiting_payment"
    assert order["total"]["amount"] == "198.00"
    # declined card: nothing issued
    r = api.post(f"/orders/{order['id']}/pay", {"provider": "sandbox", "card_number": DECLINED_CARD},
                 w["customer"]["token"])
    assert r.status_code == 402 and r.json()["error"]["code"] == "payment_declined"
    assert api.get(f"/orders/{order['id']}", w["customer"]["token"]).json()["vouchers"] == []
    r = api.post(f"/orders/{order['id']}/pay", {"provider": "sandbox", "card_number": GOOD_CARD},
                 w["customer"]["token"])
    assert r.status_code == 200, r.content
    paid = r.json()
    assert paid["status"] == "paid" and len(paid["vouchers"]) == 2
    assert api.get(f"/offerings/{w['deal']['id']}").json()["quantity_left"] == 8
    v1, v2 = paid["vouchers"]
    # review before redemption refused
    r = api.post("/reviews", {"order_id": order["id"], "rating": 5, "text": "great"}, w["customer"]["token"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_fulfilled"
    # clerk redeems by QR, then again
    r = api.post("/redemptions", {"store_id": w["store"]["id"], "qr_payload": v1["qr_payload"]}, w["clerk"]["token"])
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "redeemed"
    r = api.post("/redemptions", {"store_id": w["store"]["id"], "code": v1["code"]}, w["clerk"]["token"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_redeemed"
    assert w["store"]["name"] in r.json()["error"]["message"]
    # review now allowed, once
    r = api.post("/reviews", {"order_id": order["id"], "rating": 4, "text": "spicy!"}, w["customer"]["token"])
    assert r.status_code == 201, r.content
    r = api.post("/reviews", {"order_id": order["id"], "rating": 4, "text": "again"}, w["customer"]["token"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_reviewed"
    reviews = api.get(f"/stores/{w['store']['id']}/reviews").json()
    assert reviews["review_count"] == 1 and reviews["rating"] == 4.0 and reviews["results"][0]["verified"] is True
    # refund the other voucher: stock returns
    r = api.post(f"/orders/{order['id']}/refund", {}, w["customer"]["token"])
    assert r.status_code == 200, r.content
    statuses = {v["id"]: v["status"] for v in r.json()["vouchers"]}
    assert statuses == {v1["id"]: "redeemed", v2["id"]: "refunded"}
    assert r.json()["status"] == "partially_refunded"
    assert api.get(f"/offerings/{w['deal']['id']}").json()["quantity_left"] == 9
