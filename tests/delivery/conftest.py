"""A noodle bar that delivers (a 3 km radius zone with three fee bands and a 20.00 minimum), its
courier, a customer; all made through the HTTP API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import CENTRE, GOOD_CARD, ApiClient, add_staff, quick_user
from tests.ordering.conftest import NOODLE_OPTIONS, money, product

LAT, LNG = CENTRE
M_PER_DEG_LAT = 111_195.0


def north(metres: float) -> tuple[float, float]:
    """A point `metres` due north of the store."""
    return LAT + metres / M_PER_DEG_LAT, LNG


BANDS = [{"up_to_m": 1000, "fee": "3.00"}, {"up_to_m": 2000, "fee": "5.00"}, {"up_to_m": 3000, "fee": "8.00"}]


def make_shop(api: ApiClient, *, name: str = "Lanzhou Noodles", lat: float = LAT, lng: float = LNG,
              minimum: str = "20.00") -> dict[str, Any]:
    owner = quick_user("owner")
    ms = api.merchant_with_store(owner, name=name, lat=lat, lng=lng)
    mid, sid = ms["merchant"]["id"], ms["store"]["id"]
    noodles = product(api, owner, mid, title="Beef noodle soup", price="18.00", options=NOODLE_OPTIONS, prep=8,
                      stock=[{"store_id": sid, "quantity": None}])
    cola = product(api, owner, mid, title="Cola", price="5.00", stock=[{"store_id": sid, "quantity": 20}])
    r = api.post(f"/merchants/{mid}/stores/{sid}/delivery-zones",
                 {"name": "3 km", "kind": "radius", "radius_m": 3000, "fee_bands": BANDS, "minimum_order": minimum},
                 owner["token"])
    assert r.status_code == 201, r.content
    courier = add_staff(api, owner, mid, "courier", [])
    clerk = add_staff(api, owner, mid, "clerk", [sid])
    return {"owner": owner, "merchant_id": mid, "store_id": sid, "noodles": noodles, "cola": cola,
            "zone": r.json(), "courier": courier, "clerk": clerk}


@pytest.fixture
def shop(api_client: ApiClient) -> dict[str, Any]:
    return {"api": api_client, **make_shop(api_client), "customer": quick_user("customer")}


def noodle_line(quantity: int = 1) -> dict[str, Any]:
    return {"quantity": quantity, "options": [{"name": "Size", "choice": "Regular"}]}


def delivery_body(shop: dict[str, Any], *, at: tuple[float, float], noodles: int = 1, cola: int = 0) -> dict[str, Any]:
    lines = []
    if noodles:
        lines.append({"offering_id": shop["noodles"]["id"], **noodle_line(noodles)})
    if cola:
        lines.append({"offering_id": shop["cola"]["id"], "quantity": cola})
    return {"lines": lines, "fulfilment": {"type": "delivery", "store_id": shop["store_id"],
                                           "address": "Room 1203, 18 Renmin South Rd", "lat": at[0], "lng": at[1]}}


def paid_delivery(shop: dict[str, Any], *, at: tuple[float, float] | None = None, customer: dict[str, Any] | None = None,
                  noodles: int = 2) -> dict[str, Any]:
    api = shop["api"]
    customer = customer or shop["customer"]
    r = api.post("/orders", delivery_body(shop, at=at or north(1500), noodles=noodles), customer["token"])
    assert r.status_code == 201, r.content
    order = r.json()
    r = api.post(f"/orders/{order['id']}/pay", {"provider": "sandbox", "card_number": GOOD_CARD}, customer["token"])
    assert r.status_code == 200, r.content
    return r.json()


def bag_code(order_id: str) -> str:
    """The code on the order's bag at the store (what the kitchen prints; the courier scans it)."""
    from o2o.ordering.models import Ticket

    return Ticket.objects.get(order_id=order_id).pickup_code


def on_shift(api: ApiClient, courier: dict[str, Any], at: tuple[float, float]) -> None:
    r = api.post("/courier/shift", {"on": True}, courier["token"])
    assert r.status_code == 200, r.content
    r = api.post("/courier/position", {"lat": at[0], "lng": at[1]}, courier["token"])
    assert r.status_code == 200, r.content


__all__ = ["money"]
