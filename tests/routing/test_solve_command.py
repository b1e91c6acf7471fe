"""solve_pdptw's JSON contract (API.md "Commands other programs run") and the solver's answers,
checked by the independent checker, on the small instance and two published ones (short budgets)."""

from __future__ import annotations

import io
import itertools
import json
import math

import pytest
from django.core.management import call_command

from o2o.routing.check import violations
from o2o.routing.instance import parse_instance, read_instance
from o2o.routing.problem import routes_distance
from o2o.routing.solver import solve

from .conftest import DATA, SMALL, write_instance


def _run(path, seconds="1") -> dict:
    out = io.StringIO()
    call_command("solve_pdptw", str(path), "--seconds", seconds, stdout=out)
    text = out.getvalue()
    assert text.count("\n") == 1  # one JSON object on one line
    return json.loads(text)


@pytest.mark.parametrize(("name", "bks_vehicles"), [("lc101", 10), ("lr201", 4)])
def test_the_command_prints_a_feasible_solution_in_the_contract(name, bks_vehicles):
    path = DATA / f"{name}.txt"
    problem = read_instance(path)
    answer = _run(path, seconds="1.5")
    assert set(answer) == {"vehicles", "distance", "routes"}
    routes = answer["routes"]
    assert isinstance(answer["vehicles"], int) and answer["vehicles"] == len(routes)
    assert all(route and all(isinstance(n, int) and n != 0 for n in route) for route in routes)  # no depot
    visited = sorted(n for route in routes for n in route)
    assert visited == list(range(1, len(problem.nodes)))  # every node once, numbered as in the file
    assert violations(problem, routes) == []
    # the distance: Euclidean legs, from and back to the depot, computed here by hand
    nodes = problem.nodes
    by_hand = sum(
        math.dist((nodes[a].x, nodes[a].y), (nodes[b].x, nodes[b].y))
        for route in routes
        for a, b in zip([0, *route], [*route, 0], strict=True)
    )
    assert answer["distance"] == pytest.approx(by_hand, abs=1e-3)
    assert answer["vehicles"] <= bks_vehicles + 1 <= problem.vehicles


def test_the_small_instance_is_solved_to_its_optimum_found_by_brute_force(tmp_path):
    answer = _run(write_instance(tmp_path, SMALL, "small.txt"), seconds="0.5")
    problem = parse_instance(SMALL)
    assert violations(problem, answer["routes"]) == []
    # every order of the six nodes, cut into at most two routes (the fleet), that the checker accepts
    optimum = min(
        routes_distance(problem, routes)
        for order in itertools.permutations(range(1, 7))
        for cut in range(7)
        for routes in [[list(order[:cut]), list(order[cut:])]]
        if not violations(problem, routes)
    )
    assert answer["distance"] == pytest.approx(optimum, abs=1e-3)
    assert answer["vehicles"] == 1  # the one route around the depot (104.72) beats any two


# Three pickups 10 from the depot in three directions, each only at time 10..12: no vehicle can make two
# of them, so three vehicles are needed, and the fleet has three.
THREE_AT_ONCE = """\
3\t20\t1
0\t0\t0\t0\t0\t200\t0\t0\t0
1\t10\t0\t10\t10\t12\t0\t0\t2
2\t20\t0\t-10\t0\t150\t0\t1\t0
3\t0\t10\t5\t10\t12\t0\t0\t4
4\t0\t20\t-5\t0\t150\t0\t3\t0
5\t-10\t0\t8\t10\t12\t0\t0\t6
6\t-20\t0\t-8\t0\t150\t0\t5\t0
"""


def test_the_solver_uses_the_whole_fleet_when_it_must():
    problem = parse_instance(THREE_AT_ONCE)
    solution = solve(problem, seconds=0.5)
    assert violations(problem, solution.routes) == []
    assert solution.vehicles == 3
    assert sorted(sorted(route) for route in solution.routes) == [[1, 2], [3, 4], [5, 6]]
