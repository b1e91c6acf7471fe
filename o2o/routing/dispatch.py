"""A dispatch round: open deliveries and on-shift couriers -> each courier's ordered stops with ETAs.

The delivery dispatcher calls ``plan_round`` every few seconds with plain values (no models here):

- ``Courier``: where the courier is now, how many orders the box holds, whose orders they carry
  (``serves``: the merchants of their fleet; ``None`` for anyone's).
- ``Task``: one delivery of ``merchant``, from its store (``pickup``, ready at ``ready_at``) to the customer
  (``dropoff``, by ``deliver_by``). A task with ``carried_by`` set is already in that courier's box: it stays
  with that courier (only its drop-off is planned); the others may go to any courier who serves their
  merchant, and may move from one round to the next until picked up (``assigned_to``, the courier of the
  last round, is where the search starts from, so a plan only changes when the search finds a better one).

Positions are lat/lng, projected onto a local plane in metres; travel times are straight-line metres at
scooter speed. The problem handed to the solver (PyVRP, as ``solve_pdptw``) is a pickup-and-delivery
problem with time windows and capacity where each courier starts where they are and ends wherever their
last drop-off is. A carried order becomes a shipment picked up at its courier's own position at time 0:
no other courier can be there then, so it cannot move. Eligibility is PyVRP's routing profiles: couriers
who may not take the same tasks get their own profile, a copy of the matrices in which the stores of the
tasks they may not take cost more than any plan (and its time), so a plan never sends them there; the
plan read back is checked again and an ineligible visit (a failed search) is left unassigned. A task
committed to a courier (``next_of``: they are about to reach its store) is picked up from a copy of its
store that only that courier's start reaches: it is their first stop and does not move. Deliveries that can no longer be on time keep an
open window (they are late whatever happens) and come out flagged ``late``.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pyvrp
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import MaxRuntime, MultipleCriteria, NoImprovement, StoppingCriterion

from o2o.routing.solver import route_steps

EARTH_RADIUS_M = 6_371_000.0
SCOOTER_SPEED_MPS = 5.0  # 18 km/h: a scooter in city traffic, straight-line metres
PICKUP_SERVICE_S = 120
DROPOFF_SERVICE_S = 120
_OPEN = 10**9  # "never": no round plans this far (about 32 years of seconds)


@dataclass(frozen=True, slots=True)
class LatLng:
    lat: float
    lng: float


@dataclass(frozen=True, slots=True)
class Courier:
    id: Hashable
    position: LatLng
    capacity: int = 3  # orders the box holds
    serves: frozenset[Hashable] | None = None  # the merchants whose orders they carry; None: all


@dataclass(frozen=True, slots=True)
class Task:
    id: Hashable
    pickup: LatLng  # the store
    dropoff: LatLng  # the customer
    ready_at: datetime  # when the food is ready at the store
    deliver_by: datetime  # the promised latest delivery
    deliver_from: datetime | None = None  # not before (a scheduled delivery)
    size: int = 1
    carried_by: Hashable | None = None  # picked up already by this courier: it stays with them
    merchant: Hashable | None = None  # whose order: only couriers serving this merchant take it
    assigned_to: Hashable | None = None  # the last round's courier (not picked up): may move
    next_of: Hashable | None = None  # committed: this courier's next stop is its pickup (it does not move)
    hint: tuple[float, float] | None = None  # the last plan's (pickup, drop-off) seconds from now: its order


@dataclass(frozen=True, slots=True)
class Stop:
    task: Hashable
    kind: str  # "pickup" or "dropoff"
    eta: datetime  # when the courier arrives
    late: bool = False  # a drop-off after deliver_by


@dataclass(frozen=True, slots=True)
class Plan:
    routes: dict[Hashable, list[Stop]]  # every courier, in the order given, possibly with no stop
    unassigned: list[Hashable] = field(default_factory=list)  # open tasks no courier can take this round
    seconds: float = 0.0


def _project(points: Sequence[LatLng]) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular projection around the points' mean latitude: metres, fine at city scale."""
    lat = np.radians(np.array([p.lat for p in points], dtype=float))
    lng = np.radians(np.array([p.lng for p in points], dtype=float))
    lat0 = float(lat.mean()) if len(lat) else 0.0
    return EARTH_RADIUS_M * lng * math.cos(lat0), EARTH_RADIUS_M * lat


def eligible(courier: Courier, task: Task) -> bool:
    """May this courier take this task: they serve its merchant (or everyone's; or it has no merchant)."""
    return courier.serves is None or task.merchant is None or task.merchant in courier.serves


def plan_round(
    *,
    couriers: Sequence[Courier],
    tasks: Sequence[Task],
    now: datetime,
    seconds: float = 0.5,
    speed_mps: float = SCOOTER_SPEED_MPS,
    pickup_service_s: int = PICKUP_SERVICE_S,
    dropoff_service_s: int = DROPOFF_SERVICE_S,
    seed: int = 1,
    patience: int | None = None,
    duration_cost: int = 0,
) -> Plan:
    """Assign and order every task; carried tasks stay with their courier, open ones go to a courier who
    serves their merchant. ``seconds`` bounds the search; ``patience`` (iterations without a better plan)
    ends it sooner when the round is small enough to be solved before the budget runs out. The cost is the
    metres ridden plus ``duration_cost`` per second of each courier's route (start to last drop-off, waits
    included): with it, work is spread so that the last drop-offs come sooner rather than batched."""
    started = time.perf_counter()
    by_id = {c.id: k for k, c in enumerate(couriers)}
    if len(by_id) != len(couriers):
        raise ValueError("two couriers have the same id")
    for task in tasks:
        if task.carried_by is not None and task.carried_by not in by_id:
            raise ValueError(f"task {task.id!r} is carried by {task.carried_by!r}, who is not in this round")
        if task.size < 1:
            raise ValueError(f"task {task.id!r} has size {task.size}")
        if task.next_of is not None and (task.next_of not in by_id or task.carried_by is not None):
            raise ValueError(f"task {task.id!r} is committed to {task.next_of!r}, who is not in this round")
    if len({t.next_of for t in tasks if t.next_of is not None}) != sum(t.next_of is not None for t in tasks):
        raise ValueError("a courier has two next stops")
    routes: dict[Hashable, list[Stop]] = {c.id: [] for c in couriers}
    if not couriers or not tasks:
        return Plan(routes=routes, unassigned=[t.id for t in tasks if t.carried_by is None],
                    seconds=time.perf_counter() - started)

    # Locations: couriers 0..K-1; per task its pickup and its drop-off; a "box" per courier carrying
    # orders (where its carried orders are picked up at time 0); the end "anywhere".
    n_c = len(couriers)
    points = [c.position for c in couriers]
    for task in tasks:
        points.append(task.pickup)
        points.append(task.dropoff)
    box_of: dict[int, int] = {}
    for task in tasks:
        k = by_id[task.carried_by] if task.carried_by is not None else None
        if k is not None and k not in box_of:
            box_of[k] = len(points)
            points.append(couriers[k].position)
    copy_of: dict[int, int] = {}  # a committed task's pickup: a copy of its store only its courier reaches
    for t, task in enumerate(tasks):
        if task.next_of is not None:
            copy_of[t] = len(points)
            points.append(task.pickup)
    xs, ys = _project(points)
    metres = np.hypot(xs[:, None] - xs[None, :], ys[:, None] - ys[None, :])
    n_loc = len(points) + 1
    end = n_loc - 1
    distance = np.zeros((n_loc, n_loc), dtype=np.int64)
    duration = np.zeros((n_loc, n_loc), dtype=np.int64)
    distance[:end, :end] = np.rint(metres)
    duration[:end, :end] = np.ceil(metres / speed_mps)
    # A box is reached from its courier's start only: from anywhere else it costs more than any plan,
    # so a carried order cannot move to another courier (its window [0, 0] says the same in time).
    for k, box in box_of.items():
        distance[:, box] = _OPEN
        duration[:, box] = _OPEN
        distance[k, box] = duration[k, box] = 0
        distance[box, box] = duration[box, box] = 0
    # A committed pickup's copy is reached from its courier's start (or box) only: it is their first stop.
    for t, copy in copy_of.items():
        k = by_id[tasks[t].next_of]
        real_d, real_t = distance[:, copy].copy(), duration[:, copy].copy()
        distance[:, copy] = _OPEN
        duration[:, copy] = _OPEN
        for row in (k, box_of.get(k), copy):
            if row is not None:
                distance[row, copy], duration[row, copy] = real_d[row], real_t[row]
    # (nobody leaves the end: its row stays 0)

    # Routing profiles: one per set of open tasks a courier may not take (profile 0: none barred).
    by_serves: dict[frozenset[Hashable] | None, frozenset[int]] = {}
    for courier in couriers:
        if courier.serves not in by_serves:
            by_serves[courier.serves] = frozenset(t for t, task in enumerate(tasks)
                                                  if task.carried_by is None and not eligible(courier, task))
    barred_key = [by_serves[courier.serves] for courier in couriers]
    profiles: dict[frozenset[int], int] = {frozenset(): 0}
    distances, durations = [distance], [duration]
    for barred in barred_key:
        if barred in profiles:
            continue
        profiles[barred] = len(distances)
        cols = [n_c + 2 * t for t in sorted(barred)]
        dist_p, dur_p = distance.copy(), duration.copy()
        dist_p[:, cols] = _OPEN  # the store of a barred task: dearer than leaving the task out (its prize)
        dur_p[:, cols] = _OPEN
        dist_p[cols, cols] = dur_p[cols, cols] = 0
        distances.append(dist_p)
        durations.append(dur_p)

    def offset(at: datetime) -> int:
        return max(0, math.ceil((at - now).total_seconds()))

    steps_kw: list[dict[str, int]] = []
    deadline: list[int] = []
    for t, task in enumerate(tasks):
        pickup_loc, dropoff_loc = n_c + 2 * t, n_c + 2 * t + 1
        early = offset(task.deliver_from) if task.deliver_from else 0
        late = int(math.floor((task.deliver_by - now).total_seconds()))
        if task.carried_by is not None:
            k = by_id[task.carried_by]
            fastest = int(duration[k, dropoff_loc])
            kw = {"pickup_location": box_of[k], "pickup_tw_early": 0, "pickup_tw_late": 0, "pickup_service_duration": 0}
        else:
            ready = offset(task.ready_at)
            can = [k for k in range(n_c) if t not in barred_key[k]] or list(range(n_c))
            fastest = max(int(duration[can, pickup_loc].min()), ready) + pickup_service_s
            fastest += int(duration[pickup_loc, dropoff_loc])
            kw = {"pickup_location": copy_of.get(t, pickup_loc), "pickup_tw_early": ready,
                  "pickup_service_duration": pickup_service_s}
        kw.update(delivery_location=dropoff_loc, delivery_tw_early=early, delivery_service_duration=dropoff_service_s)
        steps_kw.append(kw)
        # late whatever happens: the window ends when it could be there at the soonest (by an eligible courier)
        deadline.append(max(late, fastest, early))
    depots = [pyvrp.Depot(location=k) for k in range(n_c)] + [pyvrp.Depot(location=end)]
    vehicle_types = [
        pyvrp.VehicleType(
            num_available=1, capacity=[max(c.capacity, 0)], start_depot=k, end_depot=n_c,
            tw_early=0, start_late=0, unit_distance_cost=1, unit_duration_cost=duration_cost,
            profile=profiles[barred_key[k]],
        )
        for k, c in enumerate(couriers)
    ]
    locations = [pyvrp.Location(x=float(x), y=float(y)) for x, y in zip(xs, ys, strict=True)]
    locations.append(pyvrp.Location(x=0.0, y=0.0))

    servable = [task.carried_by is not None or task.next_of is not None
                or any(t not in barred_key[k] and c.capacity >= task.size for k, c in enumerate(couriers))
                for t, task in enumerate(tasks)]

    def problem_data() -> pyvrp.ProblemData:
        shipments = [
            pyvrp.Shipment(
                delivery_tw_late=deadline[t],
                amount=[task.size],
                # every task some courier may take is planned (a late one too: left out, it would wait at the
                # back of the queue round after round); one no eligible box can hold waits for the next round
                required=servable[t],
                prize=0 if servable[t] else 10_000_000,
                name=str(task.id),
                **steps_kw[t],
            )
            for t, task in enumerate(tasks)
        ]
        return pyvrp.ProblemData(locations=locations, clients=[], depots=depots, vehicle_types=vehicle_types,
                                 distance_matrices=distances, duration_matrices=durations, shipments=shipments)  # type: ignore[arg-type]  # PyVRP stubs say ndarray[int]

    # Windows are hard for PyVRP, promises are not: when the best plan still breaks some (a rush with
    # too few couriers), each broken promise becomes "as soon as that plan gets there" and the search
    # goes on from that plan, so a late order is planned late rather than the whole round failing.
    data = problem_data()
    current = _initial_solution(data, couriers=couriers, tasks=tasks, by_id=by_id, duration=duration,
                                now=now, pickup_service_s=pickup_service_s, dropoff_service_s=dropoff_service_s)

    def stop(budget: float) -> StoppingCriterion:
        runtime = MaxRuntime(max(budget, 0.01))
        return runtime if patience is None else MultipleCriteria([runtime, NoImprovement(patience)])

    last = False
    for attempt in range(4):
        remaining = seconds - (time.perf_counter() - started)
        last = last or attempt == 3 or remaining <= 0.05
        with warnings.catch_warnings():  # a penalty at its bound: the promises this plan breaks, relaxed below
            warnings.simplefilter("ignore", PenaltyBoundWarning)
            current = pyvrp.solve(data, stop=stop(remaining if last else remaining / 2), seed=seed,
                                  collect_stats=False, initial_solution=current).best
        if last:
            break
        if current.is_feasible():
            last = True  # the rest of the budget improves a plan that keeps every promise it can
            continue
        plans = []
        for route in current.routes():
            for step in route.schedule():
                if (step.type == pyvrp.ActivityType.DELIVERY and step.time_warp > 0
                        and step.idx not in barred_key[route.vehicle_type()]):
                    deadline[step.idx] = step.start_time + step.time_warp
            plans.append((route.vehicle_type(), [pyvrp.Activity(step.type, step.idx) for step in route.schedule()
                                                 if step.type in (pyvrp.ActivityType.PICKUP, pyvrp.ActivityType.DELIVERY)]))
        data = problem_data()
        current = pyvrp.Solution(data, [pyvrp.Route(data, acts, k) for k, acts in plans if acts])
    best = current

    # Read the routes back: (courier, [(is pickup, task index)]) and keep carried tasks with their courier.
    order: dict[int, list[tuple[bool, int]]] = {k: [] for k in range(n_c)}
    placed: set[int] = set()
    for route in best.routes():
        k = route.vehicle_type()
        for is_pickup, t in route_steps(route):
            task = tasks[t]
            if task.carried_by is not None:
                if by_id[task.carried_by] != k or is_pickup:
                    continue  # its "pickup" is the start; elsewhere only if the search failed
            elif t in barred_key[k] or (task.next_of is not None and by_id[task.next_of] != k):
                continue  # a courier who does not serve its merchant (a failed search): left for the next round
            order[k].append((is_pickup, t))
            placed.add(t)
    for t, task in enumerate(tasks):
        if task.carried_by is not None and t not in placed:
            order[by_id[task.carried_by]].append((False, t))
            placed.add(t)

    for k, steps in order.items():
        courier = couriers[k]
        clock, here = 0.0, k
        stops = []
        for is_pickup, t in steps:
            task = tasks[t]
            loc = n_c + 2 * t + (0 if is_pickup else 1)
            clock += float(duration[here, loc])
            if is_pickup:
                stops.append(Stop(task=task.id, kind="pickup", eta=now + timedelta(seconds=clock)))
                clock = max(clock, float(offset(task.ready_at))) + pickup_service_s
            else:
                eta = now + timedelta(seconds=clock)
                stops.append(Stop(task=task.id, kind="dropoff", eta=eta, late=eta > task.deliver_by))
                if task.deliver_from:
                    clock = max(clock, float(offset(task.deliver_from)))
                clock += dropoff_service_s
            here = loc
        routes[courier.id] = stops
    unassigned = [task.id for t, task in enumerate(tasks) if t not in placed]
    for k, steps in order.items():  # a task read back without its pickup (or drop-off) is not planned
        whole = {t for _p, t in steps if _p} & {t for _p, t in steps if not _p}
        if any(tasks[t].carried_by is None and t not in whole for _p, t in steps):
            raise RuntimeError(f"the plan of courier {couriers[k].id!r} has half a task")
    return Plan(routes=routes, unassigned=unassigned, seconds=time.perf_counter() - started)


def _initial_solution(
    data: pyvrp.ProblemData, *, couriers: Sequence[Courier], tasks: Sequence[Task], by_id: dict[Hashable, int],
    duration: np.ndarray, now: datetime, pickup_service_s: int, dropoff_service_s: int,
) -> pyvrp.Solution:
    """The search's start: carried orders first, each with its courier (the search never moves them: no
    other courier can reach their box); then the orders the last round assigned, with that courier while
    they serve it, all in the order of the last plan (``hint``), so the search starts from the plan the
    couriers follow and only leaves it for a better one; then every other open order in ready-time order to
    whichever eligible courier reaches its store first.
    Locations as in ``plan_round``."""
    n_c = len(couriers)
    activities: list[list[pyvrp.Activity]] = [[] for _ in couriers]
    here = list(range(n_c))
    clock = [0.0] * n_c
    for t, task in enumerate(tasks):
        if task.carried_by is not None:
            k = by_id[task.carried_by]
            activities[k].append(pyvrp.Activity(pyvrp.ActivityType.PICKUP, t))
    committed = {by_id[task.next_of]: t for t, task in enumerate(tasks) if task.next_of is not None}
    for k, t in committed.items():  # right after the box: the store they are riding to
        activities[k].append(pyvrp.Activity(pyvrp.ActivityType.PICKUP, t))
        clock[k] = max(float(duration[k, n_c + 2 * t]), (tasks[t].ready_at - now).total_seconds()) + pickup_service_s
        here[k] = n_c + 2 * t
    ready = {t: (task.ready_at - now).total_seconds() for t, task in enumerate(tasks)}
    # the stops the courier already has, in the last plan's order (``hint``; unknown ones after, by ready time)
    kept: dict[int, list[tuple[float, float, int, int]]] = {k: [] for k in range(n_c)}
    rest = []
    for t, task in enumerate(tasks):
        hint = task.hint or (math.inf, math.inf)
        if task.carried_by is not None or task.next_of is not None:
            k = by_id[task.carried_by if task.carried_by is not None else task.next_of]
            kept[k].append((hint[1], ready[t], 1, t))
            continue
        k_was = by_id.get(task.assigned_to) if task.assigned_to is not None else None
        if k_was is not None and eligible(couriers[k_was], task) and task.size <= couriers[k_was].capacity:
            kept[k_was] += [(hint[0], ready[t], 0, t), (hint[1], ready[t], 1, t)]
        else:
            rest.append(t)
    for k, stops in kept.items():
        for _h, _r, is_drop, t in sorted(stops):
            loc = n_c + 2 * t + is_drop
            clock[k] += float(duration[here[k], loc])
            clock[k] = (max(clock[k], ready[t]) + pickup_service_s) if not is_drop else clock[k] + dropoff_service_s
            here[k] = loc
            activities[k].append(pyvrp.Activity(pyvrp.ActivityType.DELIVERY if is_drop else pyvrp.ActivityType.PICKUP, t))

    def append(k: int, t: int) -> None:
        pickup, drop = n_c + 2 * t, n_c + 2 * t + 1
        clock[k] = max(clock[k] + float(duration[here[k], pickup]), ready[t]) + pickup_service_s
        clock[k] += float(duration[pickup, drop]) + dropoff_service_s
        here[k] = drop
        activities[k].append(pyvrp.Activity(pyvrp.ActivityType.PICKUP, t))
        activities[k].append(pyvrp.Activity(pyvrp.ActivityType.DELIVERY, t))

    rest.sort(key=lambda t: (ready[t], t))
    for t in rest:
        pickup = n_c + 2 * t
        room = [k for k, c in enumerate(couriers) if tasks[t].size <= c.capacity and eligible(c, tasks[t])]
        if not room:
            continue  # no eligible box has room now: left out, the search may still place it
        append(min(room, key=lambda k: clock[k] + float(duration[here[k], pickup])), t)
    routes = [pyvrp.Route(data, acts, k) for k, acts in enumerate(activities) if acts]
    return pyvrp.Solution(data, routes)
