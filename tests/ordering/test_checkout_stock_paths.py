"""The pickup checkout's stock paths (bench/ordering): a dish already short is refused before anything
is written; units of a stale hold come back at checkout when the dish is short; counted dishes are
taken exactly, unlimited ones never written; the count never goes below zero."""

from __future__ import annotations

from typing import Any

import pytest

from o2o.catalogue.models import StoreStock
from o2o.orders.models import Order
from tests.helpers import assert_error, expire_hold
from tests.ordering.conftest import first_slot, pickup_body

pytestmark = pytest.mark.django_db

SIZE = [{"name": "Size", "choice": "Regular"}]


def _left(offering_id: str, store_id: str) -> int | None:
    return StoreStock.objects.get(offering_id=offering_id, store_id=store_id).quantity_left


def _order(bar: dict[str, Any], lines: list[dict[str, Any]], slot: str) -> Any:
    return bar["api"].post("/orders", pickup_body(bar["store"]["id"], slot, lines), bar["customer"]["token"])


def test_counted_taken_unlimited_untouched(bar: dict[str, Any]) -> None:
    slot = first_slot(bar["api"], bar["store"]["id"], bar["customer"]["token"])
    r = _order(bar, [{"offering_id": bar["beef"]["id"], "quantity": 2},
                     {"offering_id": bar["noodles"]["id"], "quantity": 3, "options": SIZE},
                     {"offering_id": bar["cola"]["id"], "quantity": 1}], slot)
    assert r.status_code == 201, r.content
    assert _left(bar["beef"]["id"], bar["store"]["id"]) == 3
    assert _left(bar["cola"]["id"], bar["store"]["id"]) == 19
    assert _left(bar["noodles"]["id"], bar["store"]["id"]) is None


def test_short_dish_refused_before_anything_is_written(bar: dict[str, Any]) -> None:
    slot = first_slot(bar["api"], bar["store"]["id"], bar["customer"]["token"])
    before = Order.objects.count()
    r = _order(bar, [{"offering_id": bar["cola"]["id"], "quantity": 1},
                     {"offering_id": bar["beef"]["id"], "quantity": 6}], slot)
    err = assert_error(r, 409, "sold_out")
    assert err["fields"]["offering_id"] == bar["beef"]["id"]
    assert Order.objects.count() == before
    assert _left(bar["beef"]["id"], bar["store"]["id"]) == 5
    assert _left(bar["cola"]["id"], bar["store"]["id"]) == 20


def test_stale_hold_gives_units_back_when_the_dish_is_short(bar: dict[str, Any]) -> None:
    slot = first_slot(bar["api"], bar["store"]["id"], bar["customer"]["token"])
    r = _order(bar, [{"offering_id": bar["beef"]["id"], "quantity": 5}], slot)
    assert r.status_code == 201, r.content
    assert _left(bar["beef"]["id"], bar["store"]["id"]) == 0
    assert_error(_order(bar, [{"offering_id": bar["beef"]["id"], "quantity": 1}], slot), 409, "sold_out")
    expire_hold(r.json()["id"])
    r2 = _order(bar, [{"offering_id": bar["beef"]["id"], "quantity": 4}], slot)
    assert r2.status_code == 201, r2.content
    assert Order.objects.get(pk=r.json()["id"]).status == "expired"
    assert _left(bar["beef"]["id"], bar["store"]["id"]) == 1


def test_switched_off_dish_refused(bar: dict[str, Any]) -> None:
    slot = first_slot(bar["api"], bar["store"]["id"], bar["customer"]["token"])
    StoreStock.objects.filter(offering_id=bar["noodles"]["id"], store_id=bar["store"]["id"]).update(sold_out=True)
    assert_error(_order(bar, [{"offering_id": bar["noodles"]["id"], "quantity": 1, "options": SIZE}], slot),
                 409, "sold_out")


def test_counted_hint_falls_back_when_the_row_became_unlimited(bar: dict[str, Any]) -> None:
    """store_stock_take(counted=True) on a row made unlimited since it was read: taken, not refused."""
    from django.db import transaction

    from o2o.catalogue.stock import store_stock_take

    StoreStock.objects.filter(offering_id=bar["cola"]["id"], store_id=bar["store"]["id"]).update(quantity_left=None)
    with transaction.atomic():
        assert store_stock_take(offering_id=bar["cola"]["id"], store_id=bar["store"]["id"], n=3, counted=True)
    assert _left(bar["cola"]["id"], bar["store"]["id"]) is None
    with transaction.atomic():
        assert not store_stock_take(offering_id=bar["beef"]["id"], store_id=bar["store"]["id"], n=6, counted=True)
        assert store_stock_take(offering_id=bar["beef"]["id"], store_id=bar["store"]["id"], n=5, counted=True)
    assert _left(bar["beef"]["id"], bar["store"]["id"]) == 0
