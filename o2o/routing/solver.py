"""The solver: PyVRP's iterated local search on pickup-and-delivery shipments.

Why PyVRP (measured, README "Routing"): at the same 10 s on one core it found the fewest vehicles and
the shortest distances of the three candidates (pyvroom, PyVRP, OR-Tools) on Li & Lim instances, and its
``Shipment`` (new in 0.14) carries the pickup-before-delivery-on-one-vehicle rule natively.

PyVRP works on whole numbers: distances and times are scaled by ``SCALE``; travel times round *up* so a
schedule feasible for the solver stays feasible with the real (Euclidean) times, windows shrink inwards.
The objective is the benchmark's: fewest vehicles first (a fixed cost per vehicle larger than any
possible route length), then total distance.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import pyvrp
from pyvrp.stop import FirstFeasible, MaxRuntime, MultipleCriteria

from o2o.routing.problem import Problem, Routes, routes_distance

SCALE = 1000  # distance and time units per instance unit (three decimals kept)


@dataclass(frozen=True, slots=True)
class Solution:
    routes: Routes  # node numbers as in the instance, the depot left out
    distance: float  # Euclidean, from and back to the depot
    feasible: bool  # as the solver sees it (check.violations is the independent word)
    seconds: float

    @property
    def vehicles(self) -> int:
        return sum(1 for route in self.routes if route)


def euclidean_matrices(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scaled distance (rounded) and duration (rounded up) matrices between points."""
    real = np.hypot(xs[:, None] - xs[None, :], ys[:, None] - ys[None, :]) * SCALE
    return np.rint(real).astype(np.int64), np.ceil(real - 1e-9).astype(np.int64)


def _floor(value: float) -> int:
    return int(math.floor(value * SCALE + 1e-9))


def _ceil(value: float) -> int:
    return int(math.ceil(value * SCALE - 1e-9))


def problem_data(problem: Problem) -> pyvrp.ProblemData:
    nodes = problem.nodes
    xs = np.array([n.x for n in nodes], dtype=float)
    ys = np.array([n.y for n in nodes], dtype=float)
    distance, duration = euclidean_matrices(xs, ys)
    depot = problem.depot
    shipments = []
    for request in problem.requests:
        p, d = nodes[request.pickup], nodes[request.delivery]
        shipments.append(
            pyvrp.Shipment(
                pickup_location=p.index,
                delivery_location=d.index,
                pickup_tw_early=_ceil(p.ready),
                pickup_tw_late=_floor(p.due),
                pickup_service_duration=_ceil(p.service),
                delivery_tw_early=_ceil(d.ready),
                delivery_tw_late=_floor(d.due),
                delivery_service_duration=_ceil(d.service),
                amount=[request.demand],
                name=str(request.pickup),
            )
        )
    # Fewest vehicles first: one more vehicle costs more than any route could ever be long.
    fixed_cost = int(distance.max()) * (len(nodes) + 1)
    vehicle = pyvrp.VehicleType(
        num_available=problem.vehicles,
        capacity=[problem.capacity],
        start_depot=0,
        end_depot=0,
        fixed_cost=fixed_cost,
        tw_early=_ceil(depot.ready),
        tw_late=_floor(depot.due),
    )
    return pyvrp.ProblemData(
        locations=[pyvrp.Location(x=float(n.x), y=float(n.y)) for n in nodes],
        clients=[],
        depots=[pyvrp.Depot(location=0, tw_early=_ceil(depot.ready), tw_late=_floor(depot.due))],
        vehicle_types=[vehicle],
        distance_matrices=[distance],  # type: ignore[list-item]  # PyVRP stubs say ndarray[int]
        duration_matrices=[duration],  # type: ignore[list-item]
        shipments=shipments,
    )


def route_steps(route: pyvrp.Route) -> list[tuple[bool, int]]:
    """A PyVRP route's shipment steps in order: (is it the pickup, the shipment's index)."""
    steps = []
    for step in route.schedule():
        if step.type == pyvrp.ActivityType.PICKUP:
            steps.append((True, step.idx))
        elif step.type == pyvrp.ActivityType.DELIVERY:
            steps.append((False, step.idx))
    return steps


def _without_shortest_route(data: pyvrp.ProblemData, solution: pyvrp.Solution) -> pyvrp.Solution:
    """``solution``'s routes but the one with fewest shipments, as a (incomplete) solution of ``data``."""
    kept = sorted(solution.routes(), key=lambda route: route.num_shipments())[1:]
    return pyvrp.Solution(data, [
        pyvrp.Route(data, [pyvrp.Activity(step.type, step.idx) for step in route.schedule()
                           if step.type in (pyvrp.ActivityType.PICKUP, pyvrp.ActivityType.DELIVERY)], 0)
        for route in kept
    ])


def solve(problem: Problem, *, seconds: float, seed: int = 1) -> Solution:
    """The best solution found in ``seconds`` of one core, fewest vehicles first.

    Three phases on one clock: a search with the whole fleet (a fixed cost per vehicle) for 30% of the
    budget; then, while time is left before the 70% mark, route elimination: the same search with one
    vehicle fewer than the best so far, started from the best without its route of fewest shipments (their
    reinsertion is the search's job) and stopped at its first feasible solution; then the rest of the
    budget improves the distance with the smallest fleet that was feasible. The phases are the same for
    every instance (nothing is tuned per instance).
    """
    started = time.perf_counter()
    data = problem_data(problem)

    def left(until: float) -> float:
        return started + until * seconds - time.perf_counter()

    best = pyvrp.solve(data, stop=MaxRuntime(max(left(0.3), 0.01)), seed=seed, collect_stats=False).best
    while best.is_feasible() and best.num_routes() > 1 and left(0.7) > 0.05:
        fewer = data.replace(vehicle_types=[data.vehicle_type(0).replace(num_available=best.num_routes() - 1)])
        stop = MultipleCriteria([FirstFeasible(), MaxRuntime(left(0.7))])
        found = pyvrp.solve(fewer, stop=stop, seed=seed, collect_stats=False,
                            initial_solution=_without_shortest_route(fewer, best)).best
        if not found.is_feasible():
            break
        data, best = fewer, found
    if left(1.0) > 0.01:
        polished = pyvrp.solve(data, stop=MaxRuntime(left(1.0)), seed=seed, collect_stats=False,
                               initial_solution=best).best
        if polished.is_feasible() or not best.is_feasible():
            best = polished
    requests = problem.requests
    routes = [
        [requests[idx].pickup if is_pickup else requests[idx].delivery for is_pickup, idx in route_steps(route)]
        for route in best.routes()
    ]
    routes = [route for route in routes if route]
    return Solution(
        routes=routes,
        distance=routes_distance(problem, routes),
        feasible=bool(best.is_feasible() and best.is_complete()),
        seconds=time.perf_counter() - started,
    )
