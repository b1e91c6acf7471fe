"""The feasibility checker (o2o/routing/check.py) against hand-broken solutions: each rule it guards
(every request once, pickup before delivery on one vehicle, capacity, windows, the depot's hours, the
fleet) is caught; solutions that keep them all pass, including the solver's on random small problems."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from o2o.routing.check import violations
from o2o.routing.problem import Node, Problem, Request
from o2o.routing.solver import solve

HORIZON = 10_000.0


def _problem(points, demands, *, capacity=None, vehicles=None, due=HORIZON, depot_due=HORIZON) -> Problem:
    """Request i: pickup 2i+1 at points[2i], delivery 2i+2 at points[2i+1]."""
    nodes = [Node(0, 0.0, 0.0, 0, 0.0, depot_due, 0.0)]
    requests = []
    for i, demand in enumerate(demands):
        (px, py), (dx, dy) = points[2 * i], points[2 * i + 1]
        nodes.append(Node(2 * i + 1, px, py, demand, 0.0, due, 1.0))
        nodes.append(Node(2 * i + 2, dx, dy, -demand, 0.0, due, 1.0))
        requests.append(Request(2 * i + 1, 2 * i + 2, demand))
    return Problem(name="h", vehicles=vehicles or len(demands), capacity=capacity or max(demands),
                   nodes=tuple(nodes), requests=tuple(requests))


coords = st.tuples(st.floats(-50, 50, allow_nan=False), st.floats(-50, 50, allow_nan=False))


@st.composite
def problems(draw, min_requests=1):
    n = draw(st.integers(min_requests, 6))
    demands = draw(st.lists(st.integers(1, 10), min_size=n, max_size=n))
    points = draw(st.lists(coords, min_size=2 * n, max_size=2 * n))
    return _problem(points, demands)


def _one_route_each(problem: Problem) -> list[list[int]]:
    return [[r.pickup, r.delivery] for r in problem.requests]


@given(problems())
def test_one_vehicle_per_request_with_wide_windows_passes(problem):
    assert violations(problem, _one_route_each(problem)) == []


@given(problems(), st.data())
def test_a_delivery_before_its_pickup_is_caught(problem, data):
    routes = _one_route_each(problem)
    i = data.draw(st.integers(0, len(routes) - 1))
    routes[i].reverse()
    assert any("before its pickup" in v for v in violations(problem, routes))


@given(problems(min_requests=2), st.data())
def test_a_pickup_and_its_delivery_on_two_vehicles_is_caught(problem, data):
    routes = _one_route_each(problem)
    i = data.draw(st.integers(0, len(routes) - 2))
    routes[i + 1].append(routes[i].pop())  # request i's delivery rides on the next vehicle
    assert any("different vehicles" in v for v in violations(problem, routes))


@given(problems(), st.data())
def test_a_node_left_out_or_served_twice_is_caught(problem, data):
    routes = _one_route_each(problem)
    i = data.draw(st.integers(0, len(routes) - 1))
    dropped = [route[:] for route in routes]
    dropped[i] = []
    assert any("is not visited" in v for v in violations(problem, dropped))
    doubled = [route[:] for route in routes] + [routes[i][:]]
    problem_with_room = Problem(name="h", vehicles=problem.vehicles + 1, capacity=problem.capacity,
                                nodes=problem.nodes, requests=problem.requests)
    assert any("visited twice" in v for v in violations(problem_with_room, doubled))


@given(problems(min_requests=2))
def test_more_routes_than_vehicles_is_caught(problem):
    smaller = Problem(name="h", vehicles=len(problem.requests) - 1, capacity=problem.capacity,
                      nodes=problem.nodes, requests=problem.requests)
    assert any("for a fleet of" in v for v in violations(smaller, _one_route_each(smaller)))


@given(st.lists(coords, min_size=4, max_size=4), st.integers(6, 10), st.integers(6, 10))
def test_two_loads_above_the_capacity_at_once_are_caught(points, a, b):
    problem = _problem(points, [a, b], capacity=10)
    together = [[1, 3, 2, 4]]  # both on board between 3 and 2
    assert any("exceeds the capacity" in v for v in violations(problem, together))
    one_after_the_other = [[1, 2, 3, 4]]
    assert violations(problem, one_after_the_other) == []


@given(st.lists(coords, min_size=2, max_size=2).filter(lambda p: math.dist(p[0], (0, 0)) > 1))
def test_a_window_closed_on_arrival_and_a_depot_closed_on_return_are_caught(points):
    arrival = math.dist(points[0], (0, 0))
    late = _problem(points, [3], due=arrival - 0.5)
    assert any("after its window closes" in v for v in violations(late, [[1, 2]]))
    back = arrival + 1 + math.dist(points[0], points[1]) + 1 + math.dist(points[1], (0, 0))
    closed = _problem(points, [3], depot_due=back - 0.5)
    assert any("after it closes" in v for v in violations(closed, [[1, 2]]))
    assert violations(_problem(points, [3], depot_due=back + 0.5), [[1, 2]]) == []


def test_waiting_for_a_window_to_open_is_allowed_and_counted():
    nodes = (Node(0, 0, 0, 0, 0, 100, 0), Node(1, 10, 0, 5, 50, 60, 0), Node(2, 20, 0, -5, 0, 65, 0))
    problem = Problem(name="w", vehicles=1, capacity=5, nodes=nodes, requests=(Request(1, 2, 5),))
    assert violations(problem, [[1, 2]]) == []  # waits at 1 from 10 to 50, reaches 2 at 60
    tighter = Problem(name="w", vehicles=1, capacity=5,
                      nodes=(*nodes[:2], Node(2, 20, 0, -5, 0, 59, 0)), requests=problem.requests)
    assert any("node 2 reached at 60.00" in v for v in violations(tighter, [[1, 2]]))


def test_a_depot_or_an_unknown_node_in_a_route_is_caught():
    problem = _problem([(1, 1), (2, 2)], [1])
    assert any("not a customer node" in v for v in violations(problem, [[0, 1, 2]]))
    assert any("not a customer node" in v for v in violations(problem, [[1, 2, 9]]))


@settings(max_examples=8, deadline=None)
@given(problems())
def test_the_solver_answers_what_the_checker_accepts(problem):
    solution = solve(problem, seconds=0.3)
    assert violations(problem, solution.routes) == []
