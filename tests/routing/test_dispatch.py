"""plan_round, the dispatcher's entry point: orders already picked up stay with their courier, every
open order is planned once (store before customer, on one courier, within the box), ETAs add up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from o2o.routing.dispatch import Courier, LatLng, Task, plan_round

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
CENTRE = LatLng(31.2304, 121.4737)


def _at(north_m: float, east_m: float) -> LatLng:
    return LatLng(CENTRE.lat + north_m / 111_320.0, CENTRE.lng + east_m / (111_320.0 * 0.8555))


def _task(tid, pickup, dropoff, *, ready_min=0, by_min=40, carried_by=None, size=1) -> Task:
    return Task(id=tid, pickup=pickup, dropoff=dropoff, ready_at=NOW + timedelta(minutes=ready_min),
                deliver_by=NOW + timedelta(minutes=by_min), carried_by=carried_by, size=size)


def _check_plan(plan, couriers, tasks):
    by_id = {t.id: t for t in tasks}
    capacity = {c.id: c.capacity for c in couriers}
    seen: dict = {}
    for courier_id, stops in plan.routes.items():
        load = sum(t.size for t in tasks if t.carried_by == courier_id)
        assert load <= capacity[courier_id]
        picked = set()
        etas = [s.eta for s in stops]
        assert etas == sorted(etas)
        for stop in stops:
            task = by_id[stop.task]
            if task.carried_by is not None:
                assert task.carried_by == courier_id and stop.kind == "dropoff"
            if stop.kind == "pickup":
                picked.add(task.id)
                load += task.size
                assert load <= capacity[courier_id]
            else:
                assert task.carried_by is not None or task.id in picked
                load -= task.size
                assert stop.late == (stop.eta > task.deliver_by)
            seen.setdefault(task.id, []).append((courier_id, stop.kind))
    for task in tasks:
        if task.id in plan.unassigned:
            assert task.carried_by is None and task.id not in seen
            continue
        kinds = [kind for _, kind in seen[task.id]]
        assert kinds == (["dropoff"] if task.carried_by is not None else ["pickup", "dropoff"])
        assert len({courier for courier, _ in seen[task.id]}) == 1


def test_a_carried_order_stays_with_its_courier_even_when_another_is_next_to_its_customer():
    far, near = Courier("far", _at(3000, 0), capacity=2), Courier("near", _at(-2000, 0), capacity=2)
    carried = _task("carried", _at(3000, 0), _at(-2050, 0), by_min=5, carried_by="far")  # late whoever takes it
    open_task = _task("open", _at(-1900, 0), _at(-1500, 300), by_min=30)
    tasks = [carried, open_task]
    plan = plan_round(couriers=[far, near], tasks=tasks, now=NOW, seconds=0.2)
    assert [(s.task, s.kind) for s in plan.routes["far"]][0] == ("carried", "dropoff")
    assert "carried" not in [s.task for s in plan.routes["near"]]
    assert [(s.task, s.kind) for s in plan.routes["near"]] == [("open", "pickup"), ("open", "dropoff")]
    late = plan.routes["far"][0]
    assert late.late and late.eta > carried.deliver_by  # 5 km at scooter speed: more than 5 minutes
    _check_plan(plan, [far, near], tasks)


def test_a_full_box_keeps_its_orders_and_the_next_order_goes_to_a_courier_with_room():
    full = Courier("full", _at(0, 0), capacity=2)
    free = Courier("free", _at(1500, 1500), capacity=2)
    tasks = [
        _task("a", _at(0, 0), _at(800, 0), carried_by="full"),
        _task("b", _at(0, 0), _at(0, 800), carried_by="full"),
        _task("c", _at(10, 10), _at(-600, 0), by_min=60),  # at the full courier's feet
    ]
    plan = plan_round(couriers=[full, free], tasks=tasks, now=NOW, seconds=0.2)
    _check_plan(plan, [full, free], tasks)
    assert {s.task for s in plan.routes["full"]} >= {"a", "b"}
    assert not plan.unassigned


def test_an_order_no_box_can_hold_is_left_for_later_and_bad_input_is_refused():
    courier = Courier("c", _at(0, 0), capacity=2)
    tasks = [_task("big", _at(0, 0), _at(500, 0), size=3), _task("ok", _at(0, 0), _at(0, 500))]
    plan = plan_round(couriers=[courier], tasks=tasks, now=NOW, seconds=0.1)
    assert plan.unassigned == ["big"]
    assert [s.task for s in plan.routes["c"]] == ["ok", "ok"]
    with pytest.raises(ValueError, match="not in this round"):
        plan_round(couriers=[courier], tasks=[_task("x", _at(0, 0), _at(1, 1), carried_by="ghost")], now=NOW)
    with pytest.raises(ValueError, match="same id"):
        plan_round(couriers=[courier, courier], tasks=[], now=NOW)
    empty = plan_round(couriers=[courier], tasks=[], now=NOW)
    assert empty.routes == {"c": []} and empty.unassigned == []


def test_the_eta_is_travel_at_scooter_speed_and_waits_for_the_food():
    courier = Courier("c", _at(0, 0), capacity=1)
    task = _task("t", _at(1000, 0), _at(2000, 0), ready_min=10, by_min=30)
    plan = plan_round(couriers=[courier], tasks=[task], now=NOW, seconds=0.1)
    pickup, dropoff = plan.routes["c"]
    assert (pickup.eta - NOW).total_seconds() == pytest.approx(200, abs=2)  # 1 km at 5 m/s
    # waits until 12:10 for the food, 2 minutes at the counter, 1 km more
    assert (dropoff.eta - NOW).total_seconds() == pytest.approx(600 + 120 + 200, abs=2)
    assert not dropoff.late


points = st.tuples(st.floats(-3000, 3000), st.floats(-3000, 3000)).map(lambda p: _at(*p))


@st.composite
def rounds(draw):
    couriers = [Courier(f"c{k}", draw(points), capacity=draw(st.integers(1, 3))) for k in range(draw(st.integers(1, 4)))]
    tasks = []
    for courier in couriers:
        for j in range(draw(st.integers(0, courier.capacity))):
            tasks.append(_task(f"{courier.id}-{j}", courier.position, draw(points), by_min=draw(st.integers(5, 40)),
                               carried_by=courier.id))
    for i in range(draw(st.integers(0, 6))):
        tasks.append(_task(f"o{i}", draw(points), draw(points), ready_min=draw(st.integers(-5, 20)),
                           by_min=draw(st.integers(20, 60))))
    return couriers, tasks


@settings(max_examples=15, deadline=None)
@given(rounds())
def test_every_round_keeps_carried_orders_with_their_courier_and_plans_each_order_once(round_):
    couriers, tasks = round_
    plan = plan_round(couriers=couriers, tasks=tasks, now=NOW, seconds=0.05)
    _check_plan(plan, couriers, tasks)


def test_a_committed_task_is_its_couriers_next_stop_and_an_ineligible_courier_never_gets_one():
    # "mine" is 600 m from the store and about to collect "a"; "close" stands at the store's door
    mine, close = Courier("mine", _at(600, 0), capacity=3), Courier("close", _at(5, 0), capacity=3)
    a = Task("a", _at(0, 0), _at(-1000, 0), ready_at=NOW, deliver_by=NOW + timedelta(minutes=40), next_of="mine")
    plan = plan_round(couriers=[mine, close], tasks=[a], now=NOW, seconds=0.1)
    assert [(s.task, s.kind) for s in plan.routes["mine"]] == [("a", "pickup"), ("a", "dropoff")]
    assert plan.routes["close"] == []
    free = Task("a", _at(0, 0), _at(-1000, 0), ready_at=NOW, deliver_by=NOW + timedelta(minutes=40))
    assert [s.task for s in plan_round(couriers=[mine, close], tasks=[free], now=NOW, seconds=0.1).routes["close"]] == ["a", "a"]
    # eligibility: the courier at the door does not carry for merchant "m2"
    fleet = Courier("fleet", _at(3000, 0), capacity=3, serves=frozenset({"m2"}))
    other = Courier("other", _at(5, 0), capacity=3, serves=frozenset({"m1"}))
    b = Task("b", _at(0, 0), _at(-1000, 0), ready_at=NOW, deliver_by=NOW + timedelta(minutes=60), merchant="m2")
    plan = plan_round(couriers=[other, fleet], tasks=[b], now=NOW, seconds=0.1)
    assert plan.routes["other"] == [] and [s.task for s in plan.routes["fleet"]] == ["b", "b"]
    with pytest.raises(ValueError, match="two next stops"):
        plan_round(couriers=[mine], tasks=[a, Task("c", _at(0, 0), _at(1, 1), ready_at=NOW, deliver_by=NOW,
                                                    next_of="mine")], now=NOW)
