"""The dispatcher's assignment function: pure, no database, swappable.

    plan = assign(couriers=[CourierIn, ...], tasks=[TaskIn, ...], now=datetime)

Input: the on-shift couriers (where they are, whom they carry for, how many orders they take at once,
the orders they already carry: fixed, never taken from them) and the deliveries still to hand out
(open, or assigned in an earlier round but not picked up). Output: each task's courier, the couriers'
routes in order with an ETA at every stop, and the tasks no courier could take now.

`greedy_nearest` is the baseline (and the dispatcher until the routing solver replaces it through
`ASSIGN`): it keeps earlier assignments, then hands each open task, earliest ready first, to the
eligible courier who reaches its store soonest from the end of their route, and appends the pickup and
the drop-off there. Any function with the same signature can take its place (rounds.dispatch_round's
`assign=`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from o2o.delivery.geo import HANDOVER_S, haversine_m, travel_seconds


@dataclass(frozen=True)
class Point:
    lat: float
    lng: float


@dataclass(frozen=True)
class CarriedTask:
    """An order the courier has picked up: only its drop-off is left."""

    id: UUID
    dropoff: Point


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


# The assignment the dispatch rounds use (the routing solver's adapter takes this place later).
ASSIGN: AssignFn = greedy_nearest
