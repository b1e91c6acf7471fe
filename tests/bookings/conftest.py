"""A training school with a store in Chengdu, a class (2 seats, 60 minutes, all day every day, no notice),
a clerk at that store, a customer; all made through the HTTP API."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import HOURS_ALL_DAY, ApiClient, add_staff, quick_user

TZ = "Asia/Shanghai"


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "CNY"}


def service(api: ApiClient, owner: dict[str, Any], merchant_id: str, store_ids: list[str], **over: Any
            ) -> dict[str, Any]:
    body = {"kind": "service", "title": "Pottery class", "description": "Wheel throwing for beginners",
            "price": money("120.00"), "duration_minutes": 60, "capacity": 2, "store_ids": store_ids,
            "status": "live", "schedule": HOURS_ALL_DAY, "lead_minutes": 0, "cancel_minutes": 0, **over}
    r = api.post(f"/merchants/{merchant_id}/offerings", body, owner["token"])
    assert r.status_code == 201, r.content
    return r.json()


def local_day(offset_days: int = 1, tz: str = TZ) -> date:
    return (datetime.now(ZoneInfo(tz)) + timedelta(days=offset_days)).date()


@pytest.fixture
def school(api_client: ApiClient) -> dict[str, Any]:
    api = api_client
    owner = quick_user("owner")
    ms = api.merchant_with_store(owner, category="training", name="Clay School")
    mid, store = ms["merchant"]["id"], ms["store"]
    cls = service(api, owner, mid, [store["id"]])
    clerk = add_staff(api, owner, mid, "clerk", [store["id"]])
    return {"api": api, "owner": owner, "merchant": ms["merchant"], "store": store, "service": cls,
            "clerk": clerk, "customer": quick_user("customer")}


def resource(s: dict[str, Any], name: str = "Ms Li", kind: str = "teacher") -> dict[str, Any]:
    r = s["api"].post(f"/merchants/{s['merchant']['id']}/resources", {"name": name, "kind": kind}, s["owner"]["token"])
    assert r.status_code == 201, r.content
    return r.json()


@pytest.fixture
def two_classes(school):  # type: ignore[no-untyped-def]
    """A 60-minute class for 2 and a 30-minute lesson for 1, both taught by the same teacher."""
    teacher = resource(school)
    mid, store = school["merchant"]["id"], school["store"]["id"]
    a = service(school["api"], school["owner"], mid, [store], title="Class", resource_ids=[teacher["id"]])
    b = service(school["api"], school["owner"], mid, [store], title="Lesson", duration_minutes=30, capacity=1,
                resource_ids=[teacher["id"]])
    return {**school, "teacher": teacher, "a": a, "b": b}
