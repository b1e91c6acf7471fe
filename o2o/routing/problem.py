"""The problem model: nodes, pickup-and-delivery requests, a fleet; and what a solution is."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


class InstanceError(ValueError):
    """A malformed or inconsistent instance; the message is one line meant for a person."""


@dataclass(frozen=True, slots=True)
class Node:
    """A place to visit. Node 0 is the depot; times are in the instance's unit (travel time = distance)."""

    index: int
    x: float
    y: float
    demand: int  # > 0 at a pickup, the opposite of its pickup's at a delivery, 0 at the depot
    ready: float  # earliest start of service
    due: float  # latest start of service
    service: float  # time spent there


@dataclass(frozen=True, slots=True)
class Request:
    """One load carried from ``pickup`` to ``delivery`` (node indices) on one vehicle."""

    pickup: int
    delivery: int
    demand: int


@dataclass(frozen=True, slots=True)
class Problem:
    """A pickup-and-delivery problem with time windows: one depot, a homogeneous fleet."""

    name: str
    vehicles: int
    capacity: int
    nodes: tuple[Node, ...]
    requests: tuple[Request, ...]
    _by_node: dict[int, Request] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_node: dict[int, Request] = {}
        for request in self.requests:
            by_node[request.pickup] = request
            by_node[request.delivery] = request
        object.__setattr__(self, "_by_node", by_node)

    @property
    def depot(self) -> Node:
        return self.nodes[0]

    def request_of(self, node: int) -> Request:
        return self._by_node[node]

    def distance(self, a: int, b: int) -> float:
        na, nb = self.nodes[a], self.nodes[b]
        return math.hypot(na.x - nb.x, na.y - nb.y)


Routes = list[list[int]]


def routes_distance(problem: Problem, routes: Routes) -> float:
    """The total Euclidean length, each route from the depot and back to it."""
    total = 0.0
    for route in routes:
        if not route:
            continue
        stops = [0, *route, 0]
        total += sum(problem.distance(a, b) for a, b in zip(stops, stops[1:], strict=False))
    return total
