"""An independent feasibility check of a PDPTW solution (it shares nothing with the solver).

``violations(problem, routes)`` lists every broken rule in words; an empty list means feasible:
every request served exactly once, its pickup before its delivery on the same vehicle, the load within
[0, capacity] all along, every service started inside its window (waiting when early is allowed), back
at the depot before it closes, and no more routes than vehicles.
"""

from __future__ import annotations

from collections.abc import Sequence

from o2o.routing.problem import Problem

# Distances are real numbers; a schedule may touch a window's end up to rounding.
TOLERANCE = 1e-6


def fleet_and_visits(problem: Problem, routes: Sequence[Sequence[int]]
                     ) -> tuple[list[str], list[Sequence[int]], dict[int, int]]:
    """The rules every routing solution keeps (PDPTW here, VRPTW in o2o.routing.vrptw): no more routes than
    the fleet, only customer nodes, none twice. Answers (broken rules, the non-empty routes, node -> route)."""
    found: list[str] = []
    used = [route for route in routes if route]
    if len(used) > problem.vehicles:
        found.append(f"{len(used)} routes for a fleet of {problem.vehicles}")
    seen: dict[int, int] = {}
    for number, route in enumerate(used):
        for node in route:
            if not isinstance(node, int) or isinstance(node, bool) or not 0 < node < len(problem.nodes):
                found.append(f"route {number}: {node!r} is not a customer node")
                continue
            if node in seen:
                found.append(f"node {node} visited twice (routes {seen[node]} and {number})")
            seen[node] = number
    return found, used, seen


def violations(problem: Problem, routes: Sequence[Sequence[int]]) -> list[str]:
    found, used, seen = fleet_and_visits(problem, routes)
    for request in problem.requests:
        for node in (request.pickup, request.delivery):
            if node not in seen:
                found.append(f"node {node} is not visited")
        if request.pickup in seen and request.delivery in seen and seen[request.pickup] != seen[request.delivery]:
            found.append(
                f"pickup {request.pickup} and delivery {request.delivery} on different vehicles "
                f"(routes {seen[request.pickup]} and {seen[request.delivery]})"
            )
    if found:
        return found
    depot = problem.depot
    for number, route in enumerate(used):
        load = 0
        time = depot.ready + depot.service
        here = 0
        picked: set[int] = set()
        for node in route:
            info = problem.nodes[node]
            time += problem.distance(here, node)
            if time > info.due + TOLERANCE:
                found.append(f"route {number}: node {node} reached at {time:.2f}, after its window closes at {info.due:g}")
            time = max(time, info.ready) + info.service
            request = problem.request_of(node)
            if node == request.pickup:
                picked.add(node)
            elif request.pickup not in picked:
                found.append(f"route {number}: delivery {node} comes before its pickup {request.pickup}")
            load += info.demand
            if load > problem.capacity:
                found.append(f"route {number}: load {load} after node {node} exceeds the capacity {problem.capacity}")
            if load < 0:
                found.append(f"route {number}: load {load} after node {node} is negative")
            here = node
        time += problem.distance(here, 0)
        if time > depot.due + TOLERANCE:
            found.append(f"route {number}: back at the depot at {time:.2f}, after it closes at {depot.due:g}")
    return found
