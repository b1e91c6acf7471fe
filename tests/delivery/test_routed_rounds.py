"""Dispatch rounds planned by the routing solver (delivery.dispatch.routed, the dispatcher's ASSIGN) over
rows the HTTP API made: a courier only takes orders of merchants they carry for (a shared-fleet courier
those of each), a picked-up order never moves, an order assigned but not picked up moves when a better
plan appears (greedy_nearest never moves one), ETAs are stored, and a failing solver leaves the round to
greedy_nearest with a line in the log."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from o2o.delivery import dispatch
from o2o.delivery.dispatch import greedy_nearest
from o2o.delivery.geo import HANDOVER_S, haversine_m, travel_seconds
from o2o.delivery.models import Courier, Delivery
from o2o.delivery.rounds import dispatch_round
from tests.delivery.conftest import LAT, LNG, bag_code, make_shop, north, on_shift, paid_delivery
from tests.helpers import add_staff

EAST_1KM = LNG + 1000 / (111_195.0 * 0.8555)  # about 1 km east of the first store (the test city's latitude)


def _tasks(api, courier) -> list[str]:
    return [t["order_id"] for t in api.get("/courier/tasks", courier["token"]).json()["tasks"]]


def _place(courier: dict, at: tuple[float, float]) -> None:
    """The courier's phone reports a new position (straight to the row: the API keeps one every 5 s)."""
    from django.utils import timezone

    Courier.objects.filter(user_id=courier["id"]).update(lat=at[0], lng=at[1], position_at=timezone.now())


@pytest.mark.django_db
def test_a_courier_only_gets_orders_of_the_merchants_they_carry_for(shop):
    api = shop["api"]
    other = {"api": api, **make_shop(api, name="Dumpling House", lat=LAT, lng=EAST_1KM), "customer": shop["customer"]}
    at_other_store = (LAT, EAST_1KM)
    on_shift(api, shop["courier"], at_other_store)  # the noodle bar's courier, at the dumpling house's door
    on_shift(api, other["courier"], (LAT - 0.02, EAST_1KM))  # the dumpling house's own, 2.2 km south
    dumplings = paid_delivery(other, at=(LAT + 0.01, EAST_1KM))
    result = dispatch_round()
    assert result.solver == "pyvrp" and result.assigned == 1
    assert _tasks(api, other["courier"]) == [dumplings["id"]]
    assert _tasks(api, shop["courier"]) == []
    # a courier of the shared fleet (a courier at both merchants) right at the door gets the next one
    shared = add_staff(api, other["owner"], other["merchant_id"], "courier", [])
    r = api.post(f"/merchants/{shop['merchant_id']}/staff", {"email": shared["email"], "role": "courier",
                                                              "store_ids": []}, shop["owner"]["token"])
    assert r.status_code == 201, r.content
    on_shift(api, shared, at_other_store)
    more = paid_delivery(other, at=(LAT + 0.012, EAST_1KM))
    noodles = paid_delivery(shop, at=north(800))
    assert dispatch_round().solver == "pyvrp"
    assert more["id"] in _tasks(api, shared)
    for d in Delivery.objects.filter(order_id__in=[dumplings["id"], more["id"]]):
        assert str(d.courier.user_id) != shop["courier"]["id"]
    assert str(Delivery.objects.get(order_id=noodles["id"]).courier.user_id) in (shop["courier"]["id"], shared["id"])


@pytest.mark.django_db
def test_an_assigned_order_moves_to_a_better_courier_until_it_is_picked_up(shop):
    api = shop["api"]
    first = shop["courier"]
    second = add_staff(api, shop["owner"], shop["merchant_id"], "courier", [])
    on_shift(api, first, north(100))
    on_shift(api, second, north(2900))
    order = paid_delivery(shop, at=north(1500))
    assert dispatch_round().assigned == 1
    assert _tasks(api, first) == [order["id"]]
    # the first courier is sent 2.8 km south (a detour), the second is now at the store
    _place(first, north(-2800))
    _place(second, north(50))
    assert dispatch_round(assign=greedy_nearest).moved == 0  # the baseline never moves an assignment
    assert _tasks(api, first) == [order["id"]]
    result = dispatch_round()
    assert result.solver == "pyvrp" and result.moved == 1
    assert _tasks(api, second) == [order["id"]] and _tasks(api, first) == []
    d = Delivery.objects.get(order_id=order["id"])
    assert [e.to_status for e in d.events.order_by("at", "id")][-2:] == ["assigned", "assigned"]
    # once picked up it stays, however well placed another courier is
    r = api.post("/courier/pickups", {"store_id": shop["store_id"], "code": bag_code(order["id"])}, second["token"])
    assert r.status_code == 200, r.content
    _place(second, north(-2900))
    _place(first, north(1500))  # at the customer's door
    other_order = paid_delivery(shop, at=north(1400))
    result = dispatch_round()
    assert result.solver == "pyvrp"
    assert _tasks(api, second)[0] == order["id"]
    assert order["id"] not in _tasks(api, first) and other_order["id"] in _tasks(api, first)


@pytest.mark.django_db
def test_the_round_stores_the_solvers_etas(shop):
    from django.utils import timezone

    api = shop["api"]
    courier = shop["courier"]
    on_shift(api, courier, north(1000))
    order = paid_delivery(shop, at=north(2000))
    now = timezone.now()
    assert dispatch_round(now=now).solver == "pyvrp"
    d = Delivery.objects.get(order_id=order["id"])
    to_store = timedelta(seconds=travel_seconds(haversine_m(*north(1000), LAT, LNG)))
    to_door = timedelta(seconds=travel_seconds(haversine_m(LAT, LNG, *north(2000))))
    # the food is ready after its prep time (8 minutes): the courier waits for it, then rides 2 km
    assert d.eta_pickup == max(now + to_store, d.ready_estimate) or abs(
        d.eta_pickup - max(now + to_store, d.ready_estimate)) < timedelta(seconds=3)
    expected_drop = d.eta_pickup + timedelta(seconds=HANDOVER_S) + to_door
    assert abs(d.eta_dropoff - expected_drop) < timedelta(seconds=5)
    # picked up: the carried order's drop-off ETA follows the courier
    r = api.post("/courier/pickups", {"store_id": shop["store_id"], "code": bag_code(order["id"])}, courier["token"])
    assert r.status_code == 200, r.content
    _place(courier, north(1900))
    later = timezone.now()
    dispatch_round(now=later)
    d.refresh_from_db()
    near = timedelta(seconds=travel_seconds(haversine_m(*north(1900), *north(2000))))
    assert abs(d.eta_dropoff - (later + near)) < timedelta(seconds=3)


@pytest.mark.django_db
def test_a_failing_solver_leaves_the_round_to_greedy_and_says_so(shop, monkeypatch, caplog):
    api = shop["api"]
    on_shift(api, shop["courier"], north(100))
    order = paid_delivery(shop)

    def broken(**kwargs):
        raise RuntimeError("solver down")

    monkeypatch.setattr("o2o.routing.dispatch.plan_round", broken)
    with caplog.at_level(logging.WARNING, logger="o2o.delivery.dispatch"):
        result = dispatch_round()
    assert result.solver == "greedy" and result.assigned == 1
    assert _tasks(api, shop["courier"]) == [order["id"]]
    assert "routing solver failed" in caplog.text
    # a plan past its deadline is not used either
    monkeypatch.undo()
    caplog.clear()
    monkeypatch.setattr(dispatch, "ASSIGN", lambda **kw: dispatch.routed(**kw, deadline_s=0.0))
    with caplog.at_level(logging.WARNING, logger="o2o.delivery.dispatch"):
        assert dispatch_round().solver == "greedy"
    assert "past the 0.00 s deadline" in caplog.text
