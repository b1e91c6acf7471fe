"""A hotpot merchant with a store and a live deal, a second merchant, and helpers that make campaigns and
scan their codes the way a phone does: each phone is its own HTTP client with its own cookie jar."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import ApiClient, add_staff, quick_user

CNY = "CNY"


def money(amount: str, currency: str = CNY) -> dict[str, str]:
    return {"amount": amount, "currency": currency}


def make_campaign(api: ApiClient, owner: dict[str, Any], merchant_id: str, placements: list[dict[str, Any]],
                  name: str = "Spring flyers") -> dict[str, Any]:
    r = api.post(f"/merchants/{merchant_id}/campaigns", {"name": name, "placements": placements}, owner["token"])
    assert r.status_code == 201, r.content
    return r.json()


def placement(kind: str = "flyer", *, name: str = "Chunxi Rd flyers", cost: str = "50.00",
              offering_id: str | None = None, store_id: str | None = None) -> dict[str, Any]:
    target = {"offering_id": offering_id} if offering_id else {"store_id": store_id}
    return {"kind": kind, "name": name, "cost": money(cost), "target": target}


def scan(phone: ApiClient, code: str, **extra: Any):  # type: ignore[no-untyped-def]
    """A phone opens the QR's link (the short URL's path)."""
    return phone.client.get(f"/q/{code}", **extra)


def figures(api: ApiClient, owner: dict[str, Any], merchant_id: str, **params: Any) -> dict[str, dict[str, Any]]:
    r = api.get(f"/merchants/{merchant_id}/analytics/placements", owner["token"], **params)
    assert r.status_code == 200, r.content
    return {row["placement_id"]: row for row in r.json()["results"]}


@pytest.fixture
def shop(db) -> dict[str, Any]:
    api = ApiClient()
    owner = quick_user("owner")
    ms = api.merchant_with_store(owner, name="老成都火锅 Old Chengdu Hotpot")
    merchant, store = ms["merchant"], ms["store"]
    deal = api.deal(owner, merchant["id"], [store["id"]], title="双人火锅套餐 Hotpot for two", quantity_total=50)
    campaign = make_campaign(api, owner, merchant["id"], [
        placement("flyer", name="Flyers at the metro", offering_id=deal["id"]),
        placement("poster", name="Poster in the mall", cost="120.00", offering_id=deal["id"]),
        placement("window", name="Shop window", cost="0.00", store_id=store["id"]),
    ])
    clerk = add_staff(api, owner, merchant["id"], "clerk", [store["id"]])
    return {"api": api, "owner": owner, "merchant": merchant, "store": store, "deal": deal, "clerk": clerk,
            "campaign": campaign, "flyer": campaign["placements"][0], "poster": campaign["placements"][1],
            "window": campaign["placements"][2]}


@pytest.fixture
def rival(db) -> dict[str, Any]:
    api = ApiClient()
    owner = quick_user("rival")
    ms = api.merchant_with_store(owner, name="Rival Noodles")
    deal = api.deal(owner, ms["merchant"]["id"], [ms["store"]["id"]], title="Noodles for one")
    campaign = make_campaign(api, owner, ms["merchant"]["id"], [placement("poster", offering_id=deal["id"])])
    return {"api": api, "owner": owner, "merchant": ms["merchant"], "store": ms["store"], "deal": deal,
            "campaign": campaign, "poster": campaign["placements"][0]}
