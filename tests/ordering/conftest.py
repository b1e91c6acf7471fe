"""A noodle bar with two stores, a menu with option groups and stock, a clerk and a customer, all
made through the HTTP API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import HOURS_ALL_DAY, ApiClient, quick_user

CNY = "CNY"


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": CNY}


NOODLE_OPTIONS = [
    {"name": "Size", "required": True, "max_choices": 1,
     "choices": [{"name": "Regular", "price_delta": money("0.00")}, {"name": "Large", "price_delta": money("3.00")}]},
    {"name": "Spice", "required": False, "max_choices": 1,
     "choices": [{"name": "Mild", "price_delta": money("0")}, {"name": "Hot", "price_delta": money("0")}]},
    {"name": "Extras", "required": False, "max_choices": 2,
     "choices": [{"name": "Egg", "price_delta": money("2.00")}, {"name": "Beef", "price_delta": money("8.00")},
                 {"name": "Greens", "price_delta": money("1.50")}]},
]


def product(api: ApiClient, owner: dict[str, Any], merchant_id: str, *, title: str, price: str,
            stock: list[dict[str, Any]], options: list[dict[str, Any]] | None = None, prep: int = 0,
            section_id: str | None = None) -> dict[str, Any]:
    body = {"kind": "product", "title": title, "description": "", "price": money(price), "status": "live",
            "stock": stock, "options": options or [], "prep_minutes": prep, "section_id": section_id}
    r = api.post(f"/merchants/{merchant_id}/offerings", body, owner["token"])
    assert r.status_code == 201, r.content
    return r.json()


@pytest.fixture
def bar(api_client: ApiClient) -> dict[str, Any]:
    api = api_client
    owner = quick_user("owner")
    ms = api.merchant_with_store(owner, name="Lanzhou Noodles")
    store = ms["store"]
    mid = ms["merchant"]["id"]
    r = api.post(f"/merchants/{mid}/stores", {"name": "Lanzhou Noodles Kehua Rd", "address": "8 Kehua Rd",
                                              "lat": 30.64, "lng": 104.07, "timezone": "Asia/Shanghai",
                                              "opening_hours": HOURS_ALL_DAY}, owner["token"])
    assert r.status_code == 201, r.content
    store2 = r.json()
    noodles_section = api.post(f"/merchants/{mid}/menu-sections", {"title": "Noodles"}, owner["token"]).json()
    drinks_section = api.post(f"/merchants/{mid}/menu-sections", {"title": "Drinks"}, owner["token"]).json()
    noodles = product(api, owner, mid, title="Beef noodle soup", price="18.00", options=NOODLE_OPTIONS, prep=8,
                      stock=[{"store_id": store["id"], "quantity": None}, {"store_id": store2["id"], "quantity": None}],
                      section_id=noodles_section["id"])
    beef = product(api, owner, mid, title="Braised beef", price="26.00", prep=5, section_id=noodles_section["id"],
                   stock=[{"store_id": store["id"], "quantity": 5}, {"store_id": store2["id"], "quantity": 2}])
    cola = product(api, owner, mid, title="Cola", price="5.00", section_id=drinks_section["id"],
                   stock=[{"store_id": store["id"], "quantity": 20}])
    clerk = api.clerk(owner, mid, [store["id"]])
    customer = quick_user("customer")
    return {"api": api, "owner": owner, "merchant": ms["merchant"], "store": store, "store2": store2,
            "noodles": noodles, "beef": beef, "cola": cola, "clerk": clerk, "customer": customer,
            "sections": [noodles_section, drinks_section]}


def first_slot(api: ApiClient, store_id: str, token: str, *, index: int = 0) -> str:
    from django.utils import timezone

    for days in (0, 1):
        day = (timezone.localtime() + timezone.timedelta(days=days)).date().isoformat()
        r = api.get(f"/stores/{store_id}/pickup-slots", token, date=day, prep_minutes=10)
        assert r.status_code == 200, r.content
        slots = r.json()["slots"]
        if len(slots) > index:
            return slots[index]["start"]
    raise AssertionError("no pickup slot today or tomorrow")


def pickup_body(store_id: str, slot: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    return {"lines": lines, "fulfilment": {"type": "pickup", "store_id": store_id, "slot_start": slot}}
