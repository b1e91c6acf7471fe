"""Attribution: an order counts for the placement the model picks among the buyer's scans before it
(last touch or first touch) within the merchant's window; a browser's scans follow the account that
registers or signs in with its visitor cookie; GET /merchants/{id}/analytics/placements adds it up."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from o2o.campaigns.models import Scan, Visitor
from o2o.campaigns.selectors import VISITOR_COOKIE
from o2o.orders.models import Order
from tests.campaigns.conftest import figures, scan
from tests.helpers import GOOD_CARD, PASSWORD, ApiClient, assert_error, quick_user


def _age_scans(placement_id: str, days: float) -> None:
    """What time passing does to the scans of one placement: they happened `days` ago."""
    Scan.objects.filter(placement_id=placement_id).update(at=timezone.now() - timedelta(days=days))


def _buy(phone: ApiClient, who: dict, offering_id: str, pay: bool = True) -> dict:  # type: ignore[type-arg]
    return phone.buy(who, offering_id, pay=pay)


def test_a_visitor_who_registers_keeps_their_scans_and_their_order_counts(shop):
    phone = ApiClient()
    scan(phone, shop["flyer"]["code"])
    scan(phone, shop["flyer"]["code"])
    key = phone.client.cookies[VISITOR_COOKIE].value
    assert Visitor.objects.get(key=key).user_id is None
    me = phone.register("scanner")  # the app signs up from the same browser (the cookie goes along)
    assert phone.get("/me", me["token"]).status_code == 200
    assert str(Visitor.objects.get(key=key).user_id) == me["id"]
    assert {str(u) for u in Scan.objects.values_list("user_id", flat=True)} == {me["id"]}
    order = _buy(ApiClient(), me, shop["deal"]["id"])  # later, from a laptop without the cookie
    assert str(Order.objects.get(pk=order["id"]).source_placement) == shop["flyer"]["id"]
    row = figures(shop["api"], shop["owner"], shop["merchant"]["id"])[shop["flyer"]["id"]]
    assert (row["scans"], row["visitors"], row["orders"], row["paid"]) == (2, 1, 1, 1)
    assert row["revenue"]["amount"] == "99.00" and row["revenue"]["currency"] == "CNY"
    assert row["cost"]["amount"] == "50.00"


def test_signing_up_on_the_web_page_keeps_the_scans(shop):
    phone = Client()
    phone.get(f"/q/{shop['flyer']['code']}")
    key = phone.cookies[VISITOR_COOKIE].value
    r = phone.post("/signup/", {"email": "new-scanner@example.com", "display_name": "Scanner", "password": PASSWORD})
    assert r.status_code == 302, r.content[:300]
    visitor = Visitor.objects.select_related("user").get(key=key)
    assert visitor.user is not None and visitor.user.email == "new-scanner@example.com"
    assert Scan.objects.get().user_id == visitor.user_id


def test_signing_in_on_the_phone_links_the_scans_to_the_account(shop):
    someone = quick_user("regular")
    phone = Client()
    phone.get(f"/q/{shop['poster']['code']}")
    r = phone.post("/login/", {"email": someone["email"], "password": PASSWORD})
    assert r.status_code == 302
    assert Scan.objects.get().user_id == someone["user"].pk
    # the first account wins: another one signing in on the same phone does not take the scans
    other = quick_user("other")
    phone.post("/logout/")
    phone.post("/login/", {"email": other["email"], "password": PASSWORD})
    assert Scan.objects.get().user_id == someone["user"].pk


def test_a_signed_in_scan_is_the_accounts_at_once(shop):
    someone = quick_user("regular")
    phone = Client()
    phone.force_login(someone["user"])
    phone.get(f"/q/{shop['flyer']['code']}")
    assert Scan.objects.get().user_id == someone["user"].pk


def test_first_touch_and_last_touch_pick_different_placements(shop):
    phone = ApiClient()
    buyer = quick_user("buyer")
    scan(phone, shop["flyer"]["code"])
    _age_scans(shop["flyer"]["id"], 3)
    scan(phone, shop["poster"]["code"])
    _age_scans(shop["poster"]["id"], 1)
    order = _buy(phone, buyer, shop["deal"]["id"])  # the cookie goes with the checkout
    assert str(Order.objects.get(pk=order["id"]).source_placement) == shop["poster"]["id"]  # last touch
    m = shop["merchant"]["id"]
    last = figures(shop["api"], shop["owner"], m, model="last_touch")
    first = figures(shop["api"], shop["owner"], m, model="first_touch")
    assert (last[shop["poster"]["id"]]["orders"], last[shop["flyer"]["id"]]["orders"]) == (1, 0)
    assert (first[shop["poster"]["id"]]["orders"], first[shop["flyer"]["id"]]["orders"]) == (0, 1)
    default = figures(shop["api"], shop["owner"], m)
    assert default[shop["poster"]["id"]]["orders"] == 1
    r = shop["api"].get(f"/merchants/{m}/analytics/placements", shop["owner"]["token"], model="first_touch")
    assert r.json()["model"] == "first_touch" and r.json()["window_days"] == 30


def test_scans_after_the_order_do_not_count_for_it(shop):
    phone = ApiClient()
    buyer = quick_user("buyer")
    _buy(phone, buyer, shop["deal"]["id"])
    scan(phone, shop["flyer"]["code"])
    phone.get("/me", buyer["token"])  # links the browser now
    row = figures(shop["api"], shop["owner"], shop["merchant"]["id"])[shop["flyer"]["id"]]
    assert (row["scans"], row["orders"]) == (1, 0)


def test_the_merchants_window_decides_how_old_a_scan_may_be(shop):
    phone = ApiClient()
    buyer = quick_user("buyer")
    scan(phone, shop["flyer"]["code"])
    _age_scans(shop["flyer"]["id"], 40)
    order = _buy(phone, buyer, shop["deal"]["id"])
    assert Order.objects.get(pk=order["id"]).source_placement is None  # 40 days > the default 30
    m = shop["merchant"]["id"]
    assert figures(shop["api"], shop["owner"], m)[shop["flyer"]["id"]]["orders"] == 0
    r = shop["api"].call("PUT", f"/merchants/{m}/attribution", {"window_days": 60}, shop["owner"]["token"])
    assert r.status_code == 200
    assert figures(shop["api"], shop["owner"], m)[shop["flyer"]["id"]]["orders"] == 1


def test_another_merchants_scans_never_count_for_this_merchants_orders(shop, rival):
    phone = ApiClient()
    buyer = quick_user("buyer")
    scan(phone, rival["poster"]["code"])
    order = _buy(phone, buyer, shop["deal"]["id"])
    assert Order.objects.get(pk=order["id"]).source_placement is None
    assert all(row["orders"] == 0 for row in figures(shop["api"], shop["owner"], shop["merchant"]["id"]).values())
    rows = figures(rival["api"], rival["owner"], rival["merchant"]["id"])
    assert set(rows) == {rival["poster"]["id"]}  # only the rival's own placements
    assert (rows[rival["poster"]["id"]]["scans"], rows[rival["poster"]["id"]]["orders"]) == (1, 0)


def test_redemptions_reviews_revenue_and_roi_follow_the_order(shop):
    phone = ApiClient()
    buyer = quick_user("buyer")
    scan(phone, shop["flyer"]["code"])
    order = _buy(phone, buyer, shop["deal"]["id"])
    unpaid = _buy(phone, buyer, shop["deal"]["id"], pay=False)
    code = order["vouchers"][0]["code"]
    r = phone.post("/redemptions", {"store_id": shop["store"]["id"], "code": code}, shop["clerk"]["token"])
    assert r.status_code == 201, r.content
    r = phone.post("/reviews", {"order_id": order["id"], "rating": 5, "text": "好吃 great"}, buyer["token"])
    assert r.status_code == 201, r.content
    row = figures(shop["api"], shop["owner"], shop["merchant"]["id"])[shop["flyer"]["id"]]
    assert (row["orders"], row["paid"], row["redemptions"], row["reviews"]) == (2, 1, 1, 1)
    assert row["revenue"] == {**row["revenue"], "amount": "99.00", "currency": "CNY"}
    assert row["roi"] == "0.98"  # (99 - 50) / 50
    assert unpaid["status"] == "awaiting_payment"
    window = figures(shop["api"], shop["owner"], shop["merchant"]["id"])[shop["window"]["id"]]
    assert window["roi"] is None and window["cost"]["amount"] == "0.00"  # it cost nothing


def test_a_refund_takes_the_revenue_back(shop):
    phone = ApiClient()
    buyer = quick_user("buyer")
    scan(phone, shop["flyer"]["code"])
    order = _buy(phone, buyer, shop["deal"]["id"])
    r = phone.post(f"/orders/{order['id']}/refund", {}, buyer["token"])
    assert r.status_code == 200, r.content
    row = figures(shop["api"], shop["owner"], shop["merchant"]["id"])[shop["flyer"]["id"]]
    assert (row["orders"], row["paid"], row["revenue"]["amount"], row["roi"]) == (1, 1, "0.00", "-1.00")


def test_an_explicit_placement_id_of_the_app_is_kept(shop):
    phone = ApiClient()
    buyer = quick_user("buyer")
    scan(phone, shop["flyer"]["code"])
    r = phone.post("/orders", {"lines": [{"offering_id": shop["deal"]["id"], "quantity": 1}],
                               "placement_id": shop["poster"]["id"]}, buyer["token"])
    assert r.status_code == 201, r.content
    assert str(Order.objects.get(pk=r.json()["id"]).source_placement) == shop["poster"]["id"]
    r = phone.post(f"/orders/{r.json()['id']}/pay", {"provider": "sandbox", "card_number": GOOD_CARD}, buyer["token"])
    assert r.status_code == 200


def test_the_web_checkout_records_the_placement(shop):
    buyer = quick_user("buyer")
    phone = Client()
    phone.get(f"/q/{shop['flyer']['code']}")
    phone.force_login(buyer["user"])
    r = phone.post(f"/deals/{shop['deal']['id']}/buy/", {"quantity": 1})
    assert r.status_code == 302, r.content[:300]
    assert str(Order.objects.get(customer=buyer["user"]).source_placement) == shop["flyer"]["id"]


def test_the_range_counts_scans_by_their_day(shop):
    phone = ApiClient()
    scan(phone, shop["flyer"]["code"])
    _age_scans(shop["flyer"]["id"], 10)
    today = timezone.localdate()
    m = shop["merchant"]["id"]
    assert figures(shop["api"], shop["owner"], m)[shop["flyer"]["id"]]["scans"] == 1
    recent = figures(shop["api"], shop["owner"], m, **{"from": str(today - timedelta(days=3)), "to": str(today)})
    assert recent[shop["flyer"]["id"]]["scans"] == 0


def test_bad_ranges_and_models_are_refused(shop):
    api, owner, m = shop["api"], shop["owner"], shop["merchant"]["id"]
    path = f"/merchants/{m}/analytics/placements"
    err = assert_error(api.get(path, owner["token"], **{"from": "2026-05-10", "to": "2026-05-01"}), 422,
                       "invalid_range")
    assert "to" in err["fields"]
    assert_error(api.get(path, owner["token"], **{"from": "2016-01-01", "to": "2026-01-01"}), 422, "invalid_range")
    err = assert_error(api.get(path, owner["token"], **{"from": "yesterday"}), 422)
    assert "from" in err["fields"]
    err = assert_error(api.get(path, owner["token"], model="linear"), 422)
    assert "model" in err["fields"]
    assert api.get(path, owner["token"], **{"from": "2026-01-01", "to": "2026-12-31"}).status_code == 200


def test_a_second_purchase_counts_as_a_repeat(shop):
    phone = ApiClient()
    buyer = quick_user("buyer")
    scan(phone, shop["flyer"]["code"])
    phone.buy(buyer, shop["deal"]["id"])
    phone.buy(buyer, shop["deal"]["id"])
    phone.buy(buyer, shop["deal"]["id"], pay=False)
    row = figures(shop["api"], shop["owner"], shop["merchant"]["id"])[shop["flyer"]["id"]]
    assert (row["orders"], row["paid"], row["repeat"]) == (3, 2, 1)
