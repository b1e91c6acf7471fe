"""The dispatcher's assignment function: pure, no database, swappable.

    plan = assign(couriers=[CourierIn, ...], tasks=[TaskIn, ...], now=datetime)

Input: the on-shift couriers (where they are, whom they carry for, how many orders they take at once,
the orders they already carry: fixed, never taken from them) and the deliveries still to hand out
(open, or assigned in an earlier round but not picked up). Output: each task's courier, the couriers'
routes in order with an ETA at every stop, and the tasks no courier could take now.

`routed` is the dispatcher (`ASSIGN`): the routing solver (o2o.routing.dispatch.plan_round, PyVRP) on
the same inputs, a pickup-and-delivery problem with time windows (ready_at -> the promised time),
capacity, the carried orders fixed on their courier (drop-off only), each courier limited to the merchants
they carry for (PyVRP routing profiles), and the tasks assigned earlier but not picked up free to move when
the search finds a better plan (it starts from the current one). Its search has a small budget (the round
runs every 5 s); when it raises, runs past its deadline or answers a plan that breaks a rule, the round
is planned by `greedy_nearest` instead, and the log says why.

`greedy_nearest` is the baseline and that fallback: it keeps earlier assignments, then hands each open
task, earliest ready first, to the eligible courier who reaches its store soonest from the end of their
route, and appends the pickup and the drop-off there. Any function with the same signature can take
their place (rounds.dispatch_round's `assign=`)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from o2o.delivery.geo import HANDOVER_S, ROAD_FACTOR, SCOOTER_M_PER_S, haversine_m, travel_seconds
from o2o.routing import dispatch as routing

log = logging.getLogger(__name__)

SOLVER_SECONDS = 0.3  # the search's budget in one round (rounds run every 5 s)
SOLVER_PATIENCE = 100  # ... or fewer: it stops after this many iterations without a better plan
SOLVER_DEADLINE_S = 2.0  # a plan that took longer than this is not used (greedy_nearest's is)
COMMIT_M = 800  # an assigned task whose courier is this near its store is theirs: the next stop, not moved
SOLVER_DURATION_COST = 10  # per second of a courier's route, beside 1 per metre: sooner over shorter
SOLVER_MARGIN = timedelta(minutes=2)  # the solver aims this much before the promise (kitchens run late)
PROMISE = timedelta(minutes=30)  # the window's end of a task with no promised time: its ready time + this


@dataclass(frozen=True)
class Point:
    lat: float
    lng: float


@dataclass(frozen=True)
class CarriedTask:
    """An order the courier has picked up: only its drop-off is left."""

    id: UUID
    dropoff: Point
    deliver_by: datetime | None = None  # the time promised at checkout
    eta_dropoff: datetime | None = None  # the last round's


@dataclass(frozen=True)
class CourierIn:
    id: UUID
    position: Point
    merchant_ids: frozenset[UUID]
    capacity: int = 3
    carrying: tuple[CarriedTask, ...] = ()


@dataclass(frozen=True)
class TaskIn:
    id: UUID
    merchant_id: UUID
    pickup: Point
    dropoff: Point
    ready_at: datetime
    assigned_to: UUID | None = None  # the courier of an earlier round (not picked up yet)
    deliver_by: datetime | None = None  # the time promised at checkout
    eta_pickup: datetime | None = None  # the last round's plan (its courier is assigned_to)
    eta_dropoff: datetime | None = None


@dataclass(frozen=True)
class Stop:
    task_id: UUID
    kind: str  # "pickup" | "dropoff"
    at: Point
    eta: datetime


@dataclass
class Plan:
    assignments: dict[UUID, UUID] = field(default_factory=dict)  # task -> courier
    routes: dict[UUID, list[Stop]] = field(default_factory=dict)  # courier -> stops in order
    unassigned: list[UUID] = field(default_factory=list)
    solver: str = "greedy"  # who planned it: "greedy" or "pyvrp"

    def eta(self, task_id: UUID, kind: str) -> datetime | None:
        courier = self.assignments.get(task_id)
        for stop in self.routes.get(courier, []) if courier else []:
            if stop.task_id == task_id and stop.kind == kind:
                return stop.eta
        return None


AssignFn = Callable[..., Plan]


def leg(a: Point, b: Point) -> timedelta:
    return timedelta(seconds=travel_seconds(haversine_m(a.lat, a.lng, b.lat, b.lng)))


@dataclass
class _Route:
    courier: CourierIn
    stops: list[Stop]
    end: Point
    end_at: datetime
    load: int

    def go(self, task_id: UUID, kind: str, to: Point, *, not_before: datetime | None = None) -> None:
        at = self.end_at + leg(self.end, to)
        if not_before is not None and at < not_before:
            at = not_before  # waits at the counter for the food
        self.stops.append(Stop(task_id=task_id, kind=kind, at=to, eta=at))
        self.end, self.end_at = to, at + timedelta(seconds=HANDOVER_S)


def _carried_first(route: _Route) -> None:
    """The orders already on the scooter, nearest next first."""
    left = list(route.courier.carrying)
    while left:
        nxt = min(left, key=lambda t: haversine_m(route.end.lat, route.end.lng, t.dropoff.lat, t.dropoff.lng))
        left.remove(nxt)
        route.go(nxt.id, "dropoff", nxt.dropoff)


def greedy_nearest(*, couriers: Sequence[CourierIn], tasks: Sequence[TaskIn], now: datetime) -> Plan:
    """See the module docstring. Deterministic: ties go to the courier and task with the smaller id."""
    routes = {c.id: _Route(courier=c, stops=[], end=c.position, end_at=now, load=len(c.carrying))
              for c in sorted(couriers, key=lambda c: str(c.id))}
    for route in routes.values():
        _carried_first(route)
    plan = Plan()
    ordered = sorted(tasks, key=lambda t: (t.ready_at, str(t.id)))
    kept = [t for t in ordered if t.assigned_to in routes and t.merchant_id in routes[t.assigned_to].courier.merchant_ids]
    for t in kept:  # the greedy baseline never moves an assignment: it only adds to it
        r = routes[t.assigned_to]  # type: ignore[index]
        r.go(t.id, "pickup", t.pickup, not_before=t.ready_at)
        r.go(t.id, "dropoff", t.dropoff)
        r.load += 1
        plan.assignments[t.id] = r.courier.id
    kept_ids = {t.id for t in kept}
    for t in ordered:
        if t.id in kept_ids:
            continue
        best: tuple[datetime, str, _Route] | None = None
        for r in routes.values():
            if r.load >= r.courier.capacity or t.merchant_id not in r.courier.merchant_ids:
                continue
            arrive = r.end_at + leg(r.end, t.pickup)
            if best is None or (arrive, str(r.courier.id)) < best[:2]:
                best = (arrive, str(r.courier.id), r)
        if best is None:
            plan.unassigned.append(t.id)
            continue
        r = best[2]
        r.go(t.id, "pickup", t.pickup, not_before=t.ready_at)
        r.go(t.id, "dropoff", t.dropoff)
        r.load += 1
        plan.assignments[t.id] = r.courier.id
    plan.routes = {cid: r.stops for cid, r in routes.items()}
    return plan


def _routed_plan(*, couriers: Sequence[CourierIn], tasks: Sequence[TaskIn], now: datetime, seconds: float,
                 patience: int | None, margin: timedelta = SOLVER_MARGIN) -> Plan:
    """CourierIn/TaskIn -> plan_round's problem -> a Plan with an ETA at every stop (a pickup's is when the
    courier leaves the counter with the food: arriving, or the food's ready time if later)."""
    ids = {c.id for c in couriers}
    r_couriers = [routing.Courier(id=c.id, position=routing.LatLng(c.position.lat, c.position.lng),
                                  capacity=max(c.capacity, len(c.carrying)), serves=frozenset(c.merchant_ids))
                  for c in couriers]
    r_tasks = [routing.Task(id=ct.id, pickup=routing.LatLng(c.position.lat, c.position.lng),
                            dropoff=routing.LatLng(ct.dropoff.lat, ct.dropoff.lng), ready_at=now,
                            deliver_by=(ct.deliver_by or now + PROMISE) - margin, carried_by=c.id,
                            hint=_hint(now, ct.eta_dropoff, ct.eta_dropoff))
               for c in couriers for ct in c.carrying]
    committed = _committed(couriers, tasks)
    r_tasks += [routing.Task(id=t.id, pickup=routing.LatLng(t.pickup.lat, t.pickup.lng),
                             dropoff=routing.LatLng(t.dropoff.lat, t.dropoff.lng), ready_at=t.ready_at,
                             deliver_by=(t.deliver_by or t.ready_at + PROMISE) - margin, merchant=t.merchant_id,
                             assigned_to=t.assigned_to if t.assigned_to in ids else None,
                             next_of=committed.get(t.id), hint=_hint(now, t.eta_pickup, t.eta_dropoff))
                for t in tasks]
    solved = routing.plan_round(couriers=r_couriers, tasks=r_tasks, now=now, seconds=seconds, patience=patience,
                                duration_cost=SOLVER_DURATION_COST,
                                speed_mps=SCOOTER_M_PER_S / ROAD_FACTOR, pickup_service_s=HANDOVER_S,
                                dropoff_service_s=HANDOVER_S)
    by_id = {t.id: t for t in tasks}
    carried = {ct.id: ct for c in couriers for ct in c.carrying}
    plan = Plan(solver="pyvrp", unassigned=[tid for tid in solved.unassigned if tid in by_id])  # type: ignore[misc]
    for courier_id, stops in solved.routes.items():
        out = plan.routes[courier_id] = []  # type: ignore[index]
        for stop in stops:
            tid: UUID = stop.task  # type: ignore[assignment]
            task = by_id.get(tid)
            if task is None:
                out.append(Stop(task_id=tid, kind="dropoff", at=carried[tid].dropoff, eta=stop.eta))
                continue
            plan.assignments[tid] = courier_id  # type: ignore[assignment]
            if stop.kind == "pickup":
                out.append(Stop(task_id=tid, kind="pickup", at=task.pickup, eta=max(stop.eta, task.ready_at)))
            else:
                out.append(Stop(task_id=tid, kind="dropoff", at=task.dropoff, eta=stop.eta))
    _top_up(plan, couriers=couriers, by_id=by_id, now=now)
    return plan


def _hint(now: datetime, pickup: datetime | None, dropoff: datetime | None) -> tuple[float, float] | None:
    """The last plan's stop times, in seconds from now (the order the solver starts from)."""
    if pickup is None or dropoff is None:
        return None
    return (pickup - now).total_seconds(), (dropoff - now).total_seconds()


def _committed(couriers: Sequence[CourierIn], tasks: Sequence[TaskIn]) -> dict[UUID, UUID]:
    """Task -> courier for the tasks a courier is about to collect: assigned to them, of a merchant they
    carry for, its store within COMMIT_M of them and room in the box; the nearest one per courier. The
    solver keeps it as their next stop (a courier at the counter is not sent elsewhere)."""
    by_courier = {c.id: c for c in couriers}
    best: dict[UUID, tuple[float, str, UUID]] = {}
    for t in tasks:
        c = by_courier.get(t.assigned_to) if t.assigned_to is not None else None
        if c is None or t.merchant_id not in c.merchant_ids or len(c.carrying) >= c.capacity:
            continue
        metres = haversine_m(c.position.lat, c.position.lng, t.pickup.lat, t.pickup.lng)
        if metres <= COMMIT_M and (c.id not in best or (metres, str(t.id)) < best[c.id][:2]):
            best[c.id] = (metres, str(t.id), t.id)
    return {tid: cid for cid, (_m, _s, tid) in best.items()}


def _top_up(plan: Plan, *, couriers: Sequence[CourierIn], by_id: dict[UUID, TaskIn], now: datetime) -> None:
    """An open task the search left out (its promise cannot be kept by any plan it found) still goes to an
    eligible courier with room, at the end of their route as greedy_nearest would: a late order must not
    wait for a plan where it is on time, which may never come."""
    if not plan.unassigned:
        return
    routes = []
    for c in couriers:
        stops = plan.routes.setdefault(c.id, [])
        last = stops[-1] if stops else None
        routes.append(_Route(courier=c, stops=stops, end=last.at if last else c.position,
                             end_at=last.eta + timedelta(seconds=HANDOVER_S) if last else now,
                             load=len(c.carrying) + sum(1 for cid in plan.assignments.values() if cid == c.id)))
    left = []
    for tid in sorted(plan.unassigned, key=lambda tid: (by_id[tid].ready_at, str(tid))):
        t = by_id[tid]
        room = [r for r in routes if r.load < r.courier.capacity and t.merchant_id in r.courier.merchant_ids]
        if not room:
            left.append(tid)
            continue
        r = min(room, key=lambda r: (r.end_at + leg(r.end, t.pickup), str(r.courier.id)))
        r.go(t.id, "pickup", t.pickup, not_before=t.ready_at)
        r.go(t.id, "dropoff", t.dropoff)
        r.load += 1
        plan.assignments[t.id] = r.courier.id
    plan.unassigned = left


def plan_fault(plan: Plan, *, couriers: Sequence[CourierIn], tasks: Sequence[TaskIn]) -> str | None:
    """What is wrong with a plan (None: nothing): a task planned twice or not at all, a carried order off
    its courier or picked up again, a courier given a merchant they do not carry for, a drop-off first."""
    by_courier = {c.id: c for c in couriers}
    carried_by = {ct.id: c.id for c in couriers for ct in c.carrying}
    by_id = {t.id: t for t in tasks}
    if set(plan.assignments) & set(plan.unassigned) or set(plan.assignments) | set(plan.unassigned) != set(by_id):
        return "a task is planned twice or not at all"
    seen: set[UUID] = set()
    for courier_id, stops in plan.routes.items():
        picked: set[UUID] = set()
        for stop in stops:
            if stop.task_id in carried_by:
                if carried_by[stop.task_id] != courier_id or stop.kind != "dropoff":
                    return f"carried order {stop.task_id} moved"
                seen.add(stop.task_id)
                continue
            if plan.assignments.get(stop.task_id) != courier_id:
                return f"task {stop.task_id} on a route not its courier's"
            if by_id[stop.task_id].merchant_id not in by_courier[courier_id].merchant_ids:
                return f"courier {courier_id} does not carry for the merchant of task {stop.task_id}"
            if stop.kind == "pickup":
                picked.add(stop.task_id)
            elif stop.task_id not in picked:
                return f"task {stop.task_id} dropped off before its pickup"
    if seen != set(carried_by):
        return "a carried order is missing from its courier's route"
    return None


def routed(*, couriers: Sequence[CourierIn], tasks: Sequence[TaskIn], now: datetime,
           seconds: float = SOLVER_SECONDS, patience: int | None = SOLVER_PATIENCE,
           deadline_s: float = SOLVER_DEADLINE_S, margin: timedelta = SOLVER_MARGIN) -> Plan:
    """The dispatcher (see the module docstring): the routing solver's plan, else greedy_nearest's."""
    started = time.perf_counter()
    try:
        plan = _routed_plan(couriers=couriers, tasks=tasks, now=now, seconds=seconds, patience=patience,
                            margin=margin)
        fault = plan_fault(plan, couriers=couriers, tasks=tasks)
    except Exception:  # the solver's failure must not stop dispatching: the baseline plans this round
        log.exception("dispatch: the routing solver failed (%d couriers, %d tasks); greedy_nearest plans this round",
                      len(couriers), len(tasks))
        return greedy_nearest(couriers=couriers, tasks=tasks, now=now)
    took = time.perf_counter() - started
    if fault is None and took <= deadline_s:
        return plan
    log.warning("dispatch: the routing solver's plan is not used (%s); greedy_nearest plans this round",
                fault or f"{took:.2f} s, past the {deadline_s:.2f} s deadline")
    return greedy_nearest(couriers=couriers, tasks=tasks, now=now)


# The assignment the dispatch rounds use.
ASSIGN: AssignFn = routed
