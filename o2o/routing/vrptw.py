"""Vehicle routing with time windows (VRPTW): every customer visited once, inside its window, by a
fleet of equal vehicles from one depot; the technicians' day (o2o.routing.visits) is its one-vehicle case.

- ``read_solomon`` / ``parse_solomon``: the Solomon benchmark text format (../shared/data/routing/solomon)
  into the ``Problem`` of o2o.routing.problem (no requests: each node's demand is delivered from the depot).
- ``solve_vrptw``: PyVRP's search on clients with time windows, fewest vehicles first, then distance, with
  the same integer scaling as the PDPTW solver (travel times round up, windows shrink inwards, so what the
  solver calls feasible stays feasible with the real times).
- ``vrptw_violations``: an independent check beside o2o.routing.check (its fleet and visit rules are that
  module's; nothing is shared with the solver): every customer once, capacity, windows (waiting when early), back before the depot closes,
  the fleet.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyvrp
from pyvrp.stop import MaxRuntime

from o2o.routing.check import TOLERANCE, fleet_and_visits
from o2o.routing.problem import InstanceError, Node, Problem, routes_distance
from o2o.routing.solver import Solution, _ceil, _floor, euclidean_matrices


def parse_solomon(text: str, *, name: str = "instance", customers: int | None = None) -> Problem:
    """A Solomon instance (name line, VEHICLE NUMBER CAPACITY, then CUSTOMER rows `no x y demand ready due
    service`); `customers` keeps only the first n customers (the usual 25- and 50-customer cuts)."""
    rows: list[list[float]] = []
    vehicles = capacity = None
    lines = text.splitlines()
    for no, line in enumerate(lines, start=1):
        parts = line.split()
        if not parts or not parts[0].lstrip("-").replace(".", "", 1).isdigit():
            continue
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            raise InstanceError(f"line {no}: {line.strip()!r} is not a row of numbers") from None
        if vehicles is None:
            if len(numbers) != 2:
                raise InstanceError(f"line {no}: expected 'vehicles capacity'")
            vehicles, capacity = int(numbers[0]), int(numbers[1])
            continue
        if len(numbers) != 7:
            raise InstanceError(f"line {no}: expected 7 numbers (no x y demand ready due service)")
        rows.append(numbers)
    if vehicles is None or capacity is None or not rows:
        raise InstanceError("no VEHICLE or CUSTOMER section")
    if customers is not None:
        rows = rows[: customers + 1]
    nodes = []
    for k, (index, x, y, demand, ready, due, service) in enumerate(rows):
        if int(index) != k:
            raise InstanceError(f"customer {int(index)} out of order (expected {k})")
        if due < ready or demand < 0:
            raise InstanceError(f"customer {k}: a window that closes before it opens, or a negative demand")
        nodes.append(Node(k, x, y, int(demand), ready, due, service))
    return Problem(name=name, vehicles=vehicles, capacity=capacity, nodes=tuple(nodes), requests=())


def read_solomon(path: str | Path, *, customers: int | None = None) -> Problem:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InstanceError(f"{path}: cannot be read ({exc.__class__.__name__})") from None
    return parse_solomon(text, name=path.stem, customers=customers)


def vrptw_data(problem: Problem, *, open_windows: bool = False) -> pyvrp.ProblemData:
    """PyVRP's data of a VRPTW problem (open_windows: no closing times, for a plan that must be late)."""
    nodes = problem.nodes
    distance, duration = euclidean_matrices(np.array([n.x for n in nodes], dtype=float),
                                            np.array([n.y for n in nodes], dtype=float))
    depot = problem.depot
    late = (lambda n: 10**12) if open_windows else (lambda n: _floor(n.due))
    clients = [pyvrp.Client(location=n.index, delivery=[n.demand], service_duration=_ceil(n.service),
                            tw_early=_ceil(n.ready), tw_late=late(n), name=str(n.index)) for n in nodes[1:]]
    vehicle = pyvrp.VehicleType(num_available=problem.vehicles, capacity=[problem.capacity], start_depot=0,
                                end_depot=0, fixed_cost=int(distance.max()) * (len(nodes) + 1),
                                tw_early=_ceil(depot.ready), tw_late=late(depot))
    return pyvrp.ProblemData(
        locations=[pyvrp.Location(x=float(n.x), y=float(n.y)) for n in nodes], clients=clients,
        depots=[pyvrp.Depot(location=0, tw_early=_ceil(depot.ready), tw_late=late(depot))],
        vehicle_types=[vehicle],
        distance_matrices=[distance], duration_matrices=[duration])  # type: ignore[list-item]  # stubs say ndarray[int]


def client_routes(solution: pyvrp.Solution) -> list[list[int]]:
    """Each route's customers in order, numbered as the problem's nodes (client k is node k + 1)."""
    return [[int(step.idx) + 1 for step in route.schedule() if step.type == pyvrp.ActivityType.CLIENT]
            for route in solution.routes()]


def solve_vrptw(problem: Problem, *, seconds: float, seed: int = 1, open_windows: bool = False) -> Solution:
    """The best solution PyVRP finds in ``seconds``, fewest vehicles first (a fixed cost per vehicle above
    any route's length), then distance."""
    started = time.perf_counter()
    best = pyvrp.solve(vrptw_data(problem, open_windows=open_windows), stop=MaxRuntime(max(seconds, 0.01)),
                       seed=seed, collect_stats=False).best
    routes = [r for r in client_routes(best) if r]
    return Solution(routes=routes, distance=routes_distance(problem, routes),
                    feasible=bool(best.is_feasible() and best.is_complete()), seconds=time.perf_counter() - started)


def vrptw_violations(problem: Problem, routes: Sequence[Sequence[int]]) -> list[str]:
    """Every broken rule of a VRPTW solution in words; [] means feasible."""
    found, used, seen = fleet_and_visits(problem, routes)
    found += [f"node {n.index} is not visited" for n in problem.nodes[1:] if n.index not in seen]
    if found:
        return found
    depot = problem.depot
    for number, route in enumerate(used):
        load = sum(problem.nodes[n].demand for n in route)
        if load > problem.capacity:
            found.append(f"route {number}: load {load} exceeds the capacity {problem.capacity}")
        clock, here = depot.ready + depot.service, 0
        for node in route:
            info = problem.nodes[node]
            clock += problem.distance(here, node)
            if clock > info.due + TOLERANCE:
                found.append(f"route {number}: node {node} reached at {clock:.2f}, after its window closes at {info.due:g}")
            clock = max(clock, info.ready) + info.service
            here = node
        clock += problem.distance(here, 0)
        if clock > depot.due + TOLERANCE:
            found.append(f"route {number}: back at the depot at {clock:.2f}, after it closes at {depot.due:g}")
    return found
