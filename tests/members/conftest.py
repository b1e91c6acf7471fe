"""A hotpot merchant with a store, two deals, a clerk and customers, all made through the HTTP API; and a
coupon maker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.helpers import ApiClient, quick_user


def cny(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "CNY"}


def iso(delta: timedelta) -> str:
    return (timezone.now() + delta).isoformat()


@pytest.fixture
def shop(api_client: ApiClient) -> dict[str, Any]:
    api = api_client
    owner = quick_user("owner")
    ms = api.merchant_with_store(owner)
    mid, sid = ms["merchant"]["id"], ms["store"]["id"]
    deal = api.deal(owner, mid, [sid], quantity_total=50, per_customer_limit=0)  # 99.00
    tea = api.deal(owner, mid, [sid], title="Tea set", price=cny("30.00"), list_price=cny("40.00"),
                   quantity_total=50, per_customer_limit=0)
    clerk = api.clerk(owner, mid, [sid])
    other_owner = quick_user("other")
    other = api.merchant_with_store(other_owner, name="Other Grill")
    other_deal = api.deal(other_owner, other["merchant"]["id"], [other["store"]["id"]], per_customer_limit=0)
    return {"api": api, "owner": owner, "merchant": ms["merchant"], "store": ms["store"], "deal": deal, "tea": tea,
            "clerk": clerk, "customer": quick_user("customer"), "other_owner": other_owner, "other": other,
            "other_deal": other_deal}


def make_coupon(shop: dict[str, Any], **over: Any) -> dict[str, Any]:
    body = {"title": "10 off", "kind": "fixed", "amount": cny("10.00"), "valid_until": iso(timedelta(days=7)),
            **over}
    r = shop["api"].post(f"/merchants/{shop['merchant']['id']}/coupons", body, shop["owner"]["token"])
    assert r.status_code == 201, r.content
    return r.json()


def order(shop: dict[str, Any], customer: dict[str, Any], offering_id: str, quantity: int = 1, **extra: Any):  # type: ignore[no-untyped-def]
    return shop["api"].post("/orders", {"lines": [{"offering_id": offering_id, "quantity": quantity}], **extra},
                            customer["token"])


def pay(shop: dict[str, Any], customer: dict[str, Any], order_id: str) -> dict[str, Any]:
    from tests.helpers import GOOD_CARD

    r = shop["api"].post(f"/orders/{order_id}/pay", {"provider": "sandbox", "card_number": GOOD_CARD},
                         customer["token"])
    assert r.status_code == 200, r.content
    return r.json()
