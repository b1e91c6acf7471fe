"""Helpers that drive the HTTP API the way an app does (bearer tokens, JSON)."""

from __future__ import annotations

import itertools
import json
from typing import Any

from django.test import Client

_counter = itertools.count()
PASSWORD = "correct-horse-battery-9"
GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
HOURS_ALL_DAY = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
CENTRE = (30.6570, 104.0658)


class ApiClient:
    def __init__(self) -> None:
        self.client = Client()

    def call(self, method: str, path: str, body: Any = None, token: str | None = None,
             headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        extra = {}
        if token:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        for k, v in (headers or {}).items():
            extra["HTTP_" + k.upper().replace("-", "_")] = v
        fn = getattr(self.client, method.lower())
        if method.upper() in ("GET", "DELETE"):
            return fn("/api/v1" + path, body or {}, **extra)
        data = body if isinstance(body, str | bytes) else json.dumps(body if body is not None else {})
        return fn("/api/v1" + path, data=data, content_type="application/json", **extra)

    def get(self, path: str, token: str | None = None, **params: Any):  # type: ignore[no-untyped-def]
        return self.call("GET", path, params, token)

    def post(self, path: str, body: Any = None, token: str | None = None, **kw: Any):  # type: ignore[no-untyped-def]
        return self.call("POST", path, body, token, **kw)

    # --- scenario builders, all through the API ---
    def register(self, name: str = "user") -> dict[str, Any]:
        email = f"{name}{next(_counter)}@example.com"
        r = self.post("/auth/register", {"email": email, "password": PASSWORD, "display_name": name})
        assert r.status_code == 201, r.content
        data = r.json()
        return {"id": data["user"]["id"], "email": email, "token": data["token"]}

    def merchant_with_store(self, owner: dict[str, Any], *, lat: float = CENTRE[0], lng: float = CENTRE[1],
                            category: str = "restaurant", name: str = "Hotpot House") -> dict[str, Any]:
        r = self.post("/merchants", {"name": name, "category": category}, owner["token"])
        assert r.status_code == 201, r.content
        merchant = r.json()
        r = self.post(f"/merchants/{merchant['id']}/stores", {
            "name": f"{name} Chunxi Rd", "address": "1 Chunxi Road, Jinjiang", "lat": lat, "lng": lng,
            "timezone": "Asia/Shanghai", "opening_hours": HOURS_ALL_DAY}, owner["token"])
        assert r.status_code == 201, r.content
        return {"merchant": merchant, "store": r.json()}

    def deal(self, owner: dict[str, Any], merchant_id: str, store_ids: list[str], **over: Any) -> dict[str, Any]:
        body = {"kind": "deal", "title": "Hotpot for two", "description": "Spicy broth, 8 dishes",
                "price": {"amount": "99.00", "currency": "CNY"}, "list_price": {"amount": "158.00", "currency": "CNY"},
                "quantity_total": 10, "per_customer_limit": 5, "valid_days": 30,
                "redeemable_store_ids": store_ids, "status": "live", **over}
        r = self.post(f"/merchants/{merchant_id}/offerings", body, owner["token"])
        assert r.status_code == 201, r.content
        return r.json()

    def clerk(self, owner: dict[str, Any], merchant_id: str, store_ids: list[str]) -> dict[str, Any]:
        clerk = self.register("clerk")
        r = self.post(f"/merchants/{merchant_id}/staff", {"email": clerk["email"], "role": "clerk",
                                                          "store_ids": store_ids}, owner["token"])
        assert r.status_code == 201, r.content
        return clerk

    def buy(self, customer: dict[str, Any], offering_id: str, quantity: int = 1, pay: bool = True) -> dict[str, Any]:
        r = self.post("/orders", {"lines": [{"offering_id": offering_id, "quantity": quantity}]}, customer["token"])
        assert r.status_code == 201, r.content
        order = r.json()
        if pay:
            r = self.post(f"/orders/{order['id']}/pay", {"provider": "sandbox", "card_number": GOOD_CARD},
                          customer["token"])
            assert r.status_code == 200, r.content
            order = r.json()
        return order


def world(api: ApiClient) -> dict[str, Any]:
    """Owner with a store and a live deal, a clerk at that store, a customer."""
    owner = api.register("owner")
    ms = api.merchant_with_store(owner)
    deal = api.deal(owner, ms["merchant"]["id"], [ms["store"]["id"]])
    clerk = api.clerk(owner, ms["merchant"]["id"], [ms["store"]["id"]])
    customer = api.register("customer")
    return {"owner": owner, "merchant": ms["merchant"], "store": ms["store"], "deal": deal, "clerk": clerk,
            "customer": customer}


# --- shared assertions and shortcuts (tests of the API contract) ---
def assert_error(r, status: int, code: str | None = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The response is an error of API.md's exact shape; returns the inner error object."""
    assert r.status_code == status, (r.status_code, r.content[:500])
    body = r.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert set(err) == {"code", "message", "fields"}, err
    assert isinstance(err["code"], str) and err["code"]
    assert isinstance(err["message"], str) and err["message"]
    assert isinstance(err["fields"], dict)
    if code is not None:
        assert err["code"] == code, err
    return err


def quick_user(name: str = "user") -> dict[str, Any]:
    """A user with a token made through the account services (no HTTP round trip, no login throttle)."""
    from o2o.accounts.services import token_issue, user_register

    email = f"{name}{next(_counter)}@example.com"
    user = user_register(email=email, password=PASSWORD, display_name=name)
    return {"id": str(user.pk), "email": email, "token": token_issue(user=user, name="test"), "user": user}


def add_staff(api: ApiClient, owner: dict[str, Any], merchant_id: str, role: str,
              store_ids: list[str]) -> dict[str, Any]:
    person = quick_user(role)
    r = api.post(f"/merchants/{merchant_id}/staff", {"email": person["email"], "role": role, "store_ids": store_ids},
                 owner["token"])
    assert r.status_code == 201, r.content
    return person


def expire_hold(order_id: str) -> None:
    """What time passing does to an unpaid order: its hold now lies in the past."""
    from datetime import timedelta

    from django.utils import timezone

    from o2o.orders.models import Order

    Order.objects.filter(pk=order_id).update(expires_at=timezone.now() - timedelta(seconds=1))


def quantity_left(offering_id: str) -> int:
    from o2o.catalogue.models import Offering

    return Offering.objects.get(pk=offering_id).quantity_left
