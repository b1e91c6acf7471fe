"""The dispatcher: the pure greedy assignment (rules and properties), and dispatch rounds over what the
HTTP API made (nearest courier gets it, a picked-up task is never pulled, off shift gives tasks back)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from o2o.delivery.dispatch import CarriedTask, CourierIn, Point, TaskIn, greedy_nearest
from tests.delivery.conftest import LAT, LNG, bag_code, north, on_shift, paid_delivery
from tests.helpers import add_staff

NOW = datetime(2026, 12, 4, 4, 0, tzinfo=UTC)
M1, M2 = uuid.uuid4(), uuid.uuid4()
STORE = Point(LAT, LNG)


def _courier(metres_north: float, *, merchants=(M1,), capacity=3, carrying=()) -> CourierIn:
    return CourierIn(id=uuid.uuid4(), position=Point(*north(metres_north)), merchant_ids=frozenset(merchants),
                     capacity=capacity, carrying=tuple(carrying))


def _task(*, merchant=M1, ready_in=0, to=1000, assigned_to=None) -> TaskIn:
    return TaskIn(id=uuid.uuid4(), merchant_id=merchant, pickup=STORE, dropoff=Point(*north(to)),
                  ready_at=NOW + timedelta(minutes=ready_in), assigned_to=assigned_to)


def test_greedy_gives_each_task_to_the_nearest_free_courier():
    near, far = _courier(300), _courier(2500)
    t = _task()
    plan = greedy_nearest(couriers=[far, near], tasks=[t], now=NOW)
    assert plan.assignments == {t.id: near.id}
    pickup, dropoff = plan.eta(t.id, "pickup"), plan.eta(t.id, "dropoff")
    assert NOW < pickup < dropoff
    # the second task (ready a minute later, so it is handed out second whatever the random ids) goes to
    # whoever reaches the store first: the near one is busy for a while
    t2 = _task(ready_in=1)
    plan = greedy_nearest(couriers=[far, near], tasks=[t, t2], now=NOW)
    assert plan.assignments[t2.id] == far.id


def test_greedy_respects_merchants_capacity_and_keeps_assignments():
    other_merchant = _courier(100, merchants=(M2,))
    full = _courier(200, capacity=1, carrying=[CarriedTask(id=uuid.uuid4(), dropoff=Point(*north(800)))])
    free = _courier(3000)
    t = _task()
    plan = greedy_nearest(couriers=[other_merchant, full, free], tasks=[t], now=NOW)
    assert plan.assignments == {t.id: free.id}
    # an earlier round's assignment stays, even with a nearer courier now
    kept = _task(assigned_to=free.id)
    plan = greedy_nearest(couriers=[_courier(50), free], tasks=[kept], now=NOW)
    assert plan.assignments == {kept.id: free.id}
    # nobody can carry it: left unassigned
    plan = greedy_nearest(couriers=[other_merchant], tasks=[t], now=NOW)
    assert plan.unassigned == [t.id] and plan.assignments == {}
    # the carried order is delivered first on the full courier's route
    assert [s.kind for s in greedy_nearest(couriers=[full], tasks=[], now=NOW).routes[full.id]] == ["dropoff"]


@settings(max_examples=60, deadline=None)
@given(couriers=st.lists(st.tuples(st.integers(0, 5000), st.integers(1, 3), st.integers(0, 2), st.booleans()),
                         min_size=0, max_size=6),
       tasks=st.lists(st.tuples(st.integers(0, 3000), st.integers(-5, 30), st.booleans()), min_size=0, max_size=12))
def test_greedy_plan_is_sound(couriers, tasks):
    cs = [_courier(m, capacity=cap, merchants=(M1, M2) if both else (M1,),
                   carrying=[CarriedTask(id=uuid.uuid4(), dropoff=Point(*north(500)))] * carried)
          for m, cap, carried, both in couriers]
    ts = [_task(to=to, ready_in=ready, merchant=M2 if m2 else M1) for to, ready, m2 in tasks]
    plan = greedy_nearest(couriers=cs, tasks=ts, now=NOW)
    assert set(plan.assignments) | set(plan.unassigned) == {t.id for t in ts}
    assert not set(plan.assignments) & set(plan.unassigned)
    by_id = {c.id: c for c in cs}
    for c in cs:
        stops = plan.routes[c.id]
        mine = [tid for tid, cid in plan.assignments.items() if cid == c.id]
        assert len(c.carrying) + len(mine) <= max(c.capacity, len(c.carrying))
        etas = [s.eta for s in stops]
        assert etas == sorted(etas)  # a route runs forward in time
        for tid in mine:  # pickup before drop-off, never before the food is ready
            kinds = [(s.kind, s.eta) for s in stops if s.task_id == tid]
            assert [k for k, _ in kinds] == ["pickup", "dropoff"]
            task = next(t for t in ts if t.id == tid)
            assert kinds[0][1] >= task.ready_at and task.merchant_id in by_id[c.id].merchant_ids


# --- rounds over real rows ---

def _round():
    from o2o.delivery.tasks import dispatch

    return dispatch()


@pytest.mark.django_db
def test_round_assigns_the_nearest_courier_and_shows_the_eta(shop):
    api = shop["api"]
    far = shop["courier"]
    near = add_staff(api, shop["owner"], shop["merchant_id"], "courier", [])
    on_shift(api, far, north(2500))
    on_shift(api, near, north(200))
    order = paid_delivery(shop)
    result = _round()
    assert result["assigned"] == 1 and result["couriers"] == 2
    near_tasks = api.get("/courier/tasks", near["token"]).json()["tasks"]
    assert [t["order_id"] for t in near_tasks] == [order["id"]]
    assert near_tasks[0]["status"] == "assigned" and near_tasks[0]["eta_dropoff"]
    assert api.get("/courier/tasks", far["token"]).json()["tasks"] == []
    got = api.get(f"/orders/{order['id']}", shop["customer"]["token"]).json()["delivery"]
    assert got["status"] == "assigned" and got["courier"]["name"] == "courier" and got["eta_dropoff"]
    # a second round changes nothing
    assert _round()["assigned"] == 0


@pytest.mark.django_db
def test_round_never_pulls_a_picked_up_task(shop):
    api = shop["api"]
    first = shop["courier"]
    on_shift(api, first, (LAT, LNG))
    order = paid_delivery(shop)
    _round()
    r = api.post("/courier/pickups", {"store_id": shop["store_id"], "code": bag_code(order["id"])}, first["token"])
    assert r.status_code == 200, r.content
    # a second courier right at the drop-off, the first one goes quiet: the order stays with the first
    second = add_staff(api, shop["owner"], shop["merchant_id"], "courier", [])
    on_shift(api, second, north(1500))
    from o2o.delivery.models import Courier

    Courier.objects.filter(user_id=first["id"]).update(position_at=None)
    _round()
    assert [t["order_id"] for t in api.get("/courier/tasks", first["token"]).json()["tasks"]] == [order["id"]]
    assert api.get("/courier/tasks", second["token"]).json()["tasks"] == []
    # off shift with the order on the scooter: still theirs
    api.post("/courier/shift", {"on": False}, first["token"])
    _round()
    task = api.get("/courier/tasks", first["token"]).json()["tasks"][0]
    assert task["status"] == "picked_up"


@pytest.mark.django_db
def test_off_shift_gives_assigned_tasks_to_another_courier(shop):
    api = shop["api"]
    first = shop["courier"]
    on_shift(api, first, north(100))
    order = paid_delivery(shop)
    _round()
    assert api.get("/courier/tasks", first["token"]).json()["tasks"][0]["order_id"] == order["id"]
    second = add_staff(api, shop["owner"], shop["merchant_id"], "courier", [])
    on_shift(api, second, north(2000))
    assert api.post("/courier/shift", {"on": False}, first["token"]).status_code == 200
    assert api.get("/courier/tasks", first["token"]).json()["tasks"] == []
    _round()
    assert api.get("/courier/tasks", second["token"]).json()["tasks"][0]["order_id"] == order["id"]
    # the assigned courier picks it up; another courier's scan of it is refused
    r = api.post("/courier/pickups", {"store_id": shop["store_id"], "code": bag_code(order["id"])}, first["token"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "off_shift"


@pytest.mark.django_db
def test_round_skips_unpaid_and_far_future_orders(shop):
    api = shop["api"]
    on_shift(api, shop["courier"], (LAT, LNG))
    r = api.post("/orders", {"lines": [{"offering_id": shop["noodles"]["id"], "quantity": 2,
                                        "options": [{"name": "Size", "choice": "Regular"}]}],
                             "fulfilment": {"type": "delivery", "store_id": shop["store_id"], "address": "x",
                                            "lat": LAT, "lng": LNG}}, shop["customer"]["token"])
    assert r.status_code == 201
    assert _round()["tasks"] == 0  # not paid: nothing to carry yet
    order = paid_delivery(shop)
    from o2o.delivery.models import Delivery

    Delivery.objects.filter(order_id=order["id"]).update(ready_estimate=NOW.replace(year=2099))
    assert _round()["tasks"] == 0  # ready in the far future: not "soon ready"
