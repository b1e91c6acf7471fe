"""Products, option groups, menu sections and per-store stock through the API."""

from __future__ import annotations

import pytest

from tests.helpers import assert_error, quick_user
from tests.ordering.conftest import NOODLE_OPTIONS, money, product

pytestmark = pytest.mark.django_db


def test_product_shows_its_stock_per_store_and_its_options(bar):
    api = bar["api"]
    r = api.get(f"/offerings/{bar['beef']['id']}")
    assert r.status_code == 200
    body = r.json()
    assert body["kind"] == "product"
    assert {s["store_id"]: s["quantity_left"] for s in body["stock"]} == {bar["store"]["id"]: 5, bar["store2"]["id"]: 2}
    noodles = api.get(f"/offerings/{bar['noodles']['id']}").json()
    assert [s["quantity_left"] for s in noodles["stock"]] == [None, None]  # made to order: unlimited
    assert [g["name"] for g in noodles["options"]] == ["Size", "Spice", "Extras"]
    extras = noodles["options"][2]
    assert extras["max_choices"] == 2 and extras["required"] is False
    assert [(c["name"], c["price_delta"]["amount"]) for c in extras["choices"]] == [
        ("Egg", "2.00"), ("Beef", "8.00"), ("Greens", "1.50")]


def test_menu_in_the_merchants_section_order_with_that_stores_stock(bar):
    api, owner, mid = bar["api"], bar["owner"], bar["merchant"]["id"]
    menu = api.get(f"/stores/{bar['store']['id']}/menu").json()
    assert [s["title"] for s in menu["sections"]] == ["Noodles", "Drinks"]
    assert [i["title"] for i in menu["sections"][0]["items"]] == ["Beef noodle soup", "Braised beef"]
    # the second store does not sell cola and has its own count of beef
    menu2 = api.get(f"/stores/{bar['store2']['id']}/menu").json()
    titles2 = [i["title"] for s in menu2["sections"] for i in s["items"]]
    assert "Cola" not in titles2
    beef2 = next(i for s in menu2["sections"] for i in s["items"] if i["title"] == "Braised beef")
    assert beef2["store_quantity_left"] == 2
    drinks, noodles = bar["sections"][1]["id"], bar["sections"][0]["id"]
    r = api.call("PUT", f"/merchants/{mid}/menu-sections/order", {"section_ids": [drinks, noodles]}, owner["token"])
    assert r.status_code == 200, r.content
    menu = api.get(f"/stores/{bar['store']['id']}/menu").json()
    assert [s["title"] for s in menu["sections"]] == ["Drinks", "Noodles"]
    assert_error(api.call("PUT", f"/merchants/{mid}/menu-sections/order", {"section_ids": [drinks]}, owner["token"]),
                 422)


def test_sold_out_switch_per_store_and_clerk_may_set_it(bar):
    api, clerk = bar["api"], bar["clerk"]
    r = api.call("PATCH", f"/stores/{bar['store']['id']}/stock/{bar['noodles']['id']}", {"sold_out": True},
                 clerk["token"])
    assert r.status_code == 200, r.content
    menu = api.get(f"/stores/{bar['store']['id']}/menu").json()
    item = next(i for s in menu["sections"] for i in s["items"] if i["title"] == "Beef noodle soup")
    assert item["sold_out"] is True
    menu2 = api.get(f"/stores/{bar['store2']['id']}/menu").json()  # the other store still sells it
    assert next(i for s in menu2["sections"] for i in s["items"] if i["title"] == "Beef noodle soup")["sold_out"] is False
    # the clerk works only at the first store
    assert_error(api.call("PATCH", f"/stores/{bar['store2']['id']}/stock/{bar['noodles']['id']}", {"sold_out": True},
                          clerk["token"]), 403, "forbidden")
    stranger = quick_user("stranger")
    assert_error(api.call("PATCH", f"/stores/{bar['store']['id']}/stock/{bar['noodles']['id']}", {"quantity": 3},
                          stranger["token"]), 404)
    assert_error(api.call("PATCH", f"/stores/{bar['store']['id']}/stock/{bar['noodles']['id']}", {"quantity": -1},
                          clerk["token"]), 422)


@pytest.mark.parametrize("options,field", [
    ([{"name": "Size", "required": True, "max_choices": 3, "choices": [{"name": "S", "price_delta": money("0")}]}],
     "options.0.max_choices"),
    ([{"name": "Size", "choices": []}], "options.0.choices"),
    ([{"name": "Size", "choices": [{"name": "S", "price_delta": money("-1.00")}]}], "options.0.choices.0.price_delta"),
    ([{"name": "Size", "choices": [{"name": "S"}, {"name": "S"}]}], "options.0.choices.1.name"),
    ([{"name": "Size", "choices": [{"name": "S"}]}, {"name": "Size", "choices": [{"name": "L"}]}], "options.1.name"),
])
def test_bad_option_groups_are_refused_with_the_field(bar, options, field):
    api, owner, mid = bar["api"], bar["owner"], bar["merchant"]["id"]
    body = {"kind": "product", "title": "Tea", "price": money("6.00"), "status": "live",
            "stock": [{"store_id": bar["store"]["id"], "quantity": None}], "options": options}
    err = assert_error(api.post(f"/merchants/{mid}/offerings", body, owner["token"]), 422)
    assert field in err["fields"], err


def test_stock_of_another_merchants_store_is_refused(bar, api_client):
    other = quick_user("other")
    ms = api_client.merchant_with_store(other, name="Other")
    body = {"kind": "product", "title": "Tea", "price": money("6.00"), "status": "live",
            "stock": [{"store_id": ms["store"]["id"], "quantity": 3}]}
    err = assert_error(bar["api"].post(f"/merchants/{bar['merchant']['id']}/offerings", body, bar["owner"]["token"]), 422)
    assert "stock" in err["fields"]


def test_product_options_can_be_changed_and_old_orders_keep_their_snapshot(bar):
    from tests.ordering.conftest import first_slot, pickup_body

    api, owner, c = bar["api"], bar["owner"], bar["customer"]
    slot = first_slot(api, bar["store"]["id"], c["token"])
    r = api.post("/orders", pickup_body(bar["store"]["id"], slot, [
        {"offering_id": bar["noodles"]["id"], "quantity": 1, "options": [{"name": "Size", "choice": "Large"}]}]),
        c["token"])
    assert r.status_code == 201, r.content
    order_id = r.json()["id"]
    new_options = [{**NOODLE_OPTIONS[0], "choices": [{"name": "Regular", "price_delta": money("0")},
                                                     {"name": "Large", "price_delta": money("4.00")}]}]
    r = api.call("PATCH", f"/merchants/{bar['merchant']['id']}/products/{bar['noodles']['id']}",
                 {"options": new_options, "prep_minutes": 12}, owner["token"])
    assert r.status_code == 200, r.content
    assert r.json()["prep_minutes"] == 12
    assert r.json()["options"][0]["choices"][1]["price_delta"]["amount"] == "4.00"
    order = api.get(f"/orders/{order_id}", c["token"]).json()
    assert order["lines"][0]["unit_price"]["amount"] == "21.00"  # 18 + 3, as it was when ordered
    assert order["lines"][0]["options"] == [{"name": "Size", "choice": "Large", "price_delta": "3.00"}]


def test_deal_path_refuses_a_product_without_a_fulfilment(bar):
    err = assert_error(bar["api"].post("/orders", {"lines": [{"offering_id": bar["cola"]["id"], "quantity": 1}]},
                                       bar["customer"]["token"]), 422)
    assert "fulfilment" in err["fields"]


def test_product_made_for_one_store_lists_it(bar):
    api, owner, mid = bar["api"], bar["owner"], bar["merchant"]["id"]
    tea = product(api, owner, mid, title="Tea", price="6.00", stock=[{"store_id": bar["store2"]["id"], "quantity": 9}])
    assert tea["stock"] == [{"store_id": bar["store2"]["id"], "quantity_left": 9, "sold_out": False}]


def test_products_are_found_nearby_where_a_store_can_still_sell_them(bar):
    from tests.helpers import CENTRE

    api, clerk = bar["api"], bar["clerk"]

    def nearby() -> set[str]:
        r = api.get("/offerings/nearby", lat=CENTRE[0], lng=CENTRE[1], radius_m=5000, kind="product")
        assert r.status_code == 200, r.content
        return {x["id"] for x in r.json()["results"]}

    assert nearby() == {bar["noodles"]["id"], bar["beef"]["id"], bar["cola"]["id"]}  # unlimited ones too
    # cola is sold at the first store only: switched sold out there, it is not for sale anywhere near
    r = api.call("PATCH", f"/stores/{bar['store']['id']}/stock/{bar['cola']['id']}", {"sold_out": True}, clerk["token"])
    assert r.status_code == 200
    assert nearby() == {bar["noodles"]["id"], bar["beef"]["id"]}
    r = api.call("PATCH", f"/stores/{bar['store']['id']}/stock/{bar['cola']['id']}", {"sold_out": False, "quantity": 0},
                 clerk["token"])
    assert nearby() == {bar["noodles"]["id"], bar["beef"]["id"]}  # none left counts as sold out
