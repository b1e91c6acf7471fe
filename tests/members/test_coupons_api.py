"""Coupons through the HTTP API: made by the merchant, claimed by customers, used at checkout as an
adjustment line, refused with a clear code, given back by the merchant's rule."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from o2o.members.models import CouponClaim
from o2o.orders.models import Order
from o2o.payments.books import books_problems
from tests.helpers import assert_error, expire_hold, quick_user
from tests.members.conftest import cny, iso, make_coupon, order, pay

pytestmark = pytest.mark.django_db


def test_merchant_creates_and_lists_coupons(shop):
    api, mid = shop["api"], shop["merchant"]["id"]
    c = make_coupon(shop, code="spring10", total_limit=50, per_customer_limit=2, min_spend=cny("50.00"))
    assert c["code"] == "SPRING10" and c["amount"]["amount"] == "10.00" and c["left"] == 50
    assert c["min_spend"]["amount"] == "50.00" and c["refund_rule"] == "return"
    p = make_coupon(shop, title="20%", kind="percent", percent=20, max_discount=cny("15.00"),
                    offering_ids=[shop["tea"]["id"]])
    assert p["percent"] == 20 and p["offering_ids"] == [shop["tea"]["id"]]
    r = api.get(f"/merchants/{mid}/coupons", shop["owner"]["token"])
    assert r.status_code == 200 and [x["id"] for x in r.json()["results"]] == [p["id"], c["id"]]
    assert api.get(f"/merchants/{mid}/coupons", shop["clerk"]["token"]).status_code == 200  # staff read


def test_coupon_create_refusals(shop):
    api, mid, tok = shop["api"], shop["merchant"]["id"], shop["owner"]["token"]
    base = {"title": "x", "kind": "fixed", "amount": cny("5.00"), "valid_until": iso(timedelta(days=1))}
    assert_error(api.post(f"/merchants/{mid}/coupons", base, shop["clerk"]["token"]), 403, "forbidden")
    assert_error(api.post(f"/merchants/{mid}/coupons", base, shop["customer"]["token"]), 404)
    assert_error(api.post(f"/merchants/{mid}/coupons", base, shop["other_owner"]["token"]), 404)
    for bad, field in [({"kind": "bogo"}, "kind"), ({"amount": cny("0")}, "amount"),
                       ({"kind": "percent", "percent": 120}, "percent"),
                       ({"valid_until": iso(timedelta(days=-1))}, "valid_until"),
                       ({"total_limit": 0}, "total_limit"), ({"refund_rule": "maybe"}, "refund_rule"),
                       ({"offering_ids": [shop["other_deal"]["id"]]}, "offering_ids"),
                       ({"store_ids": [shop["other"]["store"]["id"]]}, "store_ids"),
                       ({"code": "no spaces"}, "code")]:
        err = assert_error(api.post(f"/merchants/{mid}/coupons", {**base, **bad}, tok), 422)
        assert field in err["fields"], (bad, err)
    make_coupon(shop, code="ONCE")
    assert_error(api.post(f"/merchants/{mid}/coupons", {**base, "code": "once"}, tok), 422, "coupon_code_taken")


def test_claim_list_and_use_at_checkout(shop):
    api, c = shop["api"], shop["customer"]
    coupon = make_coupon(shop, per_customer_limit=1)
    r = api.post(f"/coupons/{coupon['id']}/claim", None, c["token"])
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "available"
    assert_error(api.post(f"/coupons/{coupon['id']}/claim", None, c["token"]), 409, "coupon_limit_reached")
    mine = api.get("/me/coupons", c["token"]).json()["results"]
    assert [m["coupon"]["id"] for m in mine] == [coupon["id"]]
    r = order(shop, c, shop["deal"]["id"], 2, coupon=coupon["id"])
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["total"]["amount"] == "188.00"  # 2 x 99.00 - 10.00
    assert [(a["kind"], a["amount"]["amount"]) for a in body["adjustments"]] == [("coupon", "-10.00")]
    assert api.get("/me/coupons", c["token"]).json()["results"][0]["status"] == "used"
    # the same coupon again: the one allowed claim is used
    assert_error(order(shop, c, shop["deal"]["id"], 1, coupon=coupon["id"]), 409, "coupon_already_used")
    paid = pay(shop, c, body["id"])
    assert paid["status"] == "paid" and paid["paid"]["amount"] == "188.00"
    assert books_problems() == []


def test_code_typed_at_checkout_claims_and_uses(shop):
    c = shop["customer"]
    make_coupon(shop, code="HOTPOT", kind="percent", percent=15)
    r = order(shop, c, shop["deal"]["id"], 1, coupon="hotpot")
    assert r.status_code == 201, r.content
    assert r.json()["total"]["amount"] == "84.15"  # 99.00 - 14.85
    assert CouponClaim.objects.get().status == "used"


def test_coupon_for_one_offering_is_a_line_adjustment(shop):
    c = shop["customer"]
    coupon = make_coupon(shop, kind="percent", percent=50, max_discount=cny("20.00"), offering_ids=[shop["tea"]["id"]])
    r = shop["api"].post("/orders", {"coupon": coupon["id"], "lines": [
        {"offering_id": shop["deal"]["id"], "quantity": 1}, {"offering_id": shop["tea"]["id"], "quantity": 1}]},
        c["token"])
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["total"]["amount"] == "114.00"  # 99 + 30 - 15 (half the tea)
    assert [(a["offering_id"], a["amount"]["amount"]) for a in body["adjustments"]] == [(shop["tea"]["id"], "-15.00")]
    assert_error(order(shop, quick_user("x"), shop["deal"]["id"], 1, coupon=coupon["id"]), 409,
                 "coupon_not_applicable")


def test_refusals_at_checkout_write_nothing(shop):
    api, c = shop["api"], shop["customer"]
    before = Order.objects.count()
    assert_error(order(shop, c, shop["deal"]["id"], 1, coupon="NOPE"), 404, "coupon_not_found")
    min_spend = make_coupon(shop, min_spend=cny("100.00"))
    err = assert_error(order(shop, c, shop["deal"]["id"], 1, coupon=min_spend["id"]), 409, "coupon_min_spend")
    assert err["fields"]["min_spend"] == "100.00"
    later = make_coupon(shop, valid_from=iso(timedelta(days=1)), valid_until=iso(timedelta(days=2)))
    assert_error(order(shop, c, shop["deal"]["id"], 1, coupon=later["id"]), 409, "coupon_not_yet_valid")
    assert_error(api.post(f"/coupons/{later['id']}/claim", None, c["token"]), 409, "coupon_not_yet_valid")
    other = shop["api"].post(f"/merchants/{shop['other']['merchant']['id']}/coupons",
                             {"title": "o", "kind": "fixed", "amount": cny("5.00"), "valid_until": iso(timedelta(days=1))},
                             shop["other_owner"]["token"]).json()
    assert_error(order(shop, c, shop["deal"]["id"], 1, coupon=other["id"]), 409, "coupon_not_applicable")
    store_only = make_coupon(shop, store_ids=[shop["store"]["id"]])
    assert order(shop, quick_user("y"), shop["deal"]["id"], 1, coupon=store_only["id"]).status_code == 201
    paused = make_coupon(shop, status="paused")
    assert_error(order(shop, c, shop["deal"]["id"], 1, coupon=paused["id"]), 409, "coupon_not_applicable")
    no_points = make_coupon(shop, stacks_with_points=False)
    assert_error(order(shop, c, shop["deal"]["id"], 1, coupon=no_points["id"], points=100), 409,
                 "coupon_not_stackable")
    assert_error(shop["api"].post("/orders", {"lines": [{"offering_id": shop["deal"]["id"], "quantity": 1}],
                                              "coupon": no_points["id"],
                                              "fulfilment": {"type": "pickup", "store_id": shop["store"]["id"],
                                                             "slot_start": iso(timedelta(hours=1))}}, c["token"]),
                 409, "coupon_not_applicable")
    assert Order.objects.count() == before + 1  # only the store_only order
    assert not CouponClaim.objects.filter(customer_id=c["id"]).exists()


def test_expired_and_used_up(shop):
    from o2o.members.models import Coupon

    api = shop["api"]
    coupon = make_coupon(shop, total_limit=1)
    assert api.post(f"/coupons/{coupon['id']}/claim", None, quick_user("a")["token"]).status_code == 201
    assert_error(api.post(f"/coupons/{coupon['id']}/claim", None, quick_user("b")["token"]), 409, "coupon_used_up")
    assert_error(order(shop, quick_user("c"), shop["deal"]["id"], 1, coupon=coupon["code"]), 409, "coupon_used_up")
    from django.utils import timezone

    Coupon.objects.filter(pk=coupon["id"]).update(valid_from=timezone.now() - timedelta(days=2),
                                                  valid_until=timezone.now() - timedelta(days=1))
    assert_error(api.post(f"/coupons/{coupon['id']}/claim", None, quick_user("d")["token"]), 409, "coupon_expired")
    assert_error(api.post("/coupons/not-an-id/claim", None, quick_user("e")["token"]), 404, "coupon_not_found")
    assert api.post(f"/coupons/{coupon['id']}/claim", None).status_code == 401


def test_given_back_when_unpaid_order_expires_and_on_full_refund_by_rule(shop):
    api, c = shop["api"], shop["customer"]
    back = make_coupon(shop, code="BACK")
    keep = make_coupon(shop, code="KEEP", refund_rule="forfeit")
    first = order(shop, c, shop["deal"]["id"], 1, coupon="BACK").json()
    expire_hold(first["id"])
    from o2o.orders.holds import orders_expire_due

    orders_expire_due()
    claim = CouponClaim.objects.get(coupon_id=back["id"])
    assert claim.status == "available" and claim.order_id is None  # the unpaid order gave it back
    second = order(shop, c, shop["deal"]["id"], 1, coupon="BACK")
    assert second.status_code == 201, second.content
    pay(shop, c, second.json()["id"])
    r = api.post(f"/orders/{second.json()['id']}/refund", None, c["token"])
    assert r.status_code == 200 and r.json()["refunded"]["amount"] == "89.00"
    assert CouponClaim.objects.get(coupon_id=back["id"]).status == "available"  # rule: return
    third = order(shop, c, shop["tea"]["id"], 1, coupon="KEEP").json()
    pay(shop, c, third["id"])
    api.post(f"/orders/{third['id']}/refund", None, c["token"])
    assert CouponClaim.objects.get(coupon_id=keep["id"]).status == "used"  # rule: forfeit
    assert Decimal(Order.objects.get(pk=third["id"]).refunded_amount) == Decimal("20.00")
    assert books_problems() == []


def test_refusals_read_in_chinese_and_openapi_documents_the_endpoints(shop):
    c = shop["customer"]
    coupon = make_coupon(shop, min_spend=cny("500.00"))
    r = shop["api"].call("POST", "/orders", {"lines": [{"offering_id": shop["deal"]["id"], "quantity": 1}],
                                             "coupon": coupon["id"]}, c["token"], headers={"Accept-Language": "zh-hans"})
    err = assert_error(r, 409, "coupon_min_spend")
    assert "才能使用这张优惠券" in err["message"]
    doc = shop["api"].get("/openapi.json").json()
    for path in ("/api/v1/merchants/{merchant_id}/coupons", "/api/v1/coupons/{coupon_id}/claim", "/api/v1/me/coupons",
                 "/api/v1/me/member-cards", "/api/v1/stores/{store_id}/member-cards/scan"):
        assert path in doc["paths"], path
    order_in = doc["components"]["schemas"]["OrderIn"]["properties"]
    assert {"coupon", "points"} <= set(order_in) and "coupon_min_spend" in order_in["coupon"]["description"]


def test_order_paid_after_its_hold_ran_out_takes_its_coupon_again(shop):
    """payments pays an expired order when the charge completed as the hold ran out (units re-reserved):
    the claim the expiry gave back is taken again, so one claim never pays for two orders."""
    from o2o.members.hooks import on_paid
    from o2o.orders.holds import orders_expire_due

    c = shop["customer"]
    coupon = make_coupon(shop, code="LATE", per_customer_limit=1)
    first = order(shop, c, shop["deal"]["id"], 1, coupon="LATE").json()
    expire_hold(first["id"])
    orders_expire_due()
    assert CouponClaim.objects.get(coupon_id=coupon["id"]).status == "available"
    on_paid(order=Order.objects.get(pk=first["id"]))  # what order_mark_paid fires for the late payment
    claim = CouponClaim.objects.get(coupon_id=coupon["id"])
    assert claim.status == "used" and str(claim.order_id) == first["id"]
    assert_error(order(shop, c, shop["deal"]["id"], 1, coupon="LATE"), 409, "coupon_already_used")
