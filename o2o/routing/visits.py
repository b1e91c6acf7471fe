"""A technician's day: the visits in the order to drive them, from the merchant's store, each inside its
time window where that can be done (a VRPTW with one vehicle, o2o.routing.vrptw).

Plain values in, plain values out (no models): positions in lat/lng projected onto a local plane in
metres, travel times as straight-line metres at city driving speed. When no order keeps every window (a
day planned too full), the windows' closing times are dropped and the plan says which visits are late.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from o2o.routing.dispatch import LatLng, _project
from o2o.routing.problem import Node, Problem
from o2o.routing.vrptw import solve_vrptw

VAN_SPEED_MPS = 6.0  # about 22 km/h: a van in city traffic, straight-line metres


@dataclass(frozen=True, slots=True)
class VisitStop:
    id: Hashable
    position: LatLng
    window_start: datetime  # arrive no earlier than this (the customer is home)
    window_end: datetime  # start the work no later than this
    service_minutes: int = 60


@dataclass(frozen=True, slots=True)
class PlannedVisit:
    id: Hashable
    arrive: datetime  # when the technician gets there (the day leaves the start late enough not to wait at the first)
    start: datetime  # when the work starts (waiting for the window to open)
    leave: datetime
    late: bool  # starts after its window's end


def order_visits(*, start: LatLng, start_at: datetime, visits: Sequence[VisitStop], seconds: float = 0.3,
                 speed_mps: float = VAN_SPEED_MPS) -> list[PlannedVisit]:
    """The visits in driving order from `start` (the store) leaving at `start_at`, with their times."""
    if not visits:
        return []
    if len({v.id for v in visits}) != len(visits):
        raise ValueError("two visits have the same id")
    xs, ys = _project([start, *(v.position for v in visits)])
    # The solver's unit is one second of driving: coordinates in seconds, windows in seconds from start_at.
    x0, y0 = float(xs[0]), float(ys[0])

    def secs(at: datetime) -> float:
        return (at - start_at).total_seconds()

    horizon = max(86_400.0, *(secs(v.window_end) + v.service_minutes * 60 + 86_400 for v in visits))
    nodes = [Node(0, 0.0, 0.0, 0, 0.0, horizon, 0.0)]
    for k, v in enumerate(visits, start=1):
        early = max(0.0, secs(v.window_start))
        nodes.append(Node(k, (float(xs[k]) - x0) / speed_mps, (float(ys[k]) - y0) / speed_mps, 0, early,
                          max(early, secs(v.window_end)), float(v.service_minutes * 60)))
    problem = Problem(name="day", vehicles=1, capacity=0, nodes=tuple(nodes), requests=())
    solution = solve_vrptw(problem, seconds=seconds / 2)
    if not solution.feasible or len(solution.routes) != 1:
        solution = solve_vrptw(problem, seconds=seconds / 2, open_windows=True)
    route = solution.routes[0] if solution.routes else list(range(1, len(nodes)))
    placed = set(route)
    route += [k for k in range(1, len(nodes)) if k not in placed]  # never drop a visit
    # nobody waits at the first door: leave the start later by what the first visit would wait
    clock = max(0.0, nodes[route[0]].ready - math.ceil(problem.distance(0, route[0])))
    out, here = [], 0
    for k in route:
        node = nodes[k]
        clock += math.ceil(problem.distance(here, k))
        arrive = clock
        clock = max(clock, node.ready)
        v = visits[k - 1]
        out.append(PlannedVisit(id=v.id, arrive=start_at + timedelta(seconds=arrive),
                                start=start_at + timedelta(seconds=clock),
                                leave=start_at + timedelta(seconds=clock + node.service),
                                late=start_at + timedelta(seconds=clock) > v.window_end))
        clock += node.service
        here = k
    return out
