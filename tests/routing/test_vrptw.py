"""VRPTW (o2o/routing/vrptw.py) on the Solomon benchmark and the technician's day (o2o/routing/visits.py):
the solver's answers pass the independent check, the check catches each broken rule, and a day's visits
come in an order that keeps their windows (or says which are late when none can)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from o2o.routing.dispatch import LatLng
from o2o.routing.problem import InstanceError
from o2o.routing.visits import VisitStop, order_visits
from o2o.routing.vrptw import parse_solomon, read_solomon, solve_vrptw, vrptw_violations
from tests.routing.conftest import DATA

C101 = DATA / "c101.txt"  # the published Solomon C101 (../shared/data/routing/solomon/C101.txt)


def test_a_25_customer_cut_of_c101_is_solved_feasibly_with_the_known_optimum():
    problem = read_solomon(C101, customers=25)
    assert len(problem.nodes) == 26 and problem.capacity == 200
    solution = solve_vrptw(problem, seconds=1)
    assert solution.feasible
    assert vrptw_violations(problem, solution.routes) == []
    # C101.25's optimum: 3 vehicles, 191.81 with real (untruncated) distances
    assert solution.vehicles == 3
    assert solution.distance == pytest.approx(191.81, abs=0.05)


def test_the_checker_catches_each_broken_rule():
    problem = read_solomon(C101, customers=25)
    routes = solve_vrptw(problem, seconds=0.5).routes
    assert vrptw_violations(problem, [routes[0], *routes[1:], [routes[0][0]]])  # a customer twice
    assert any("not visited" in v for v in vrptw_violations(problem, [r[1:] for r in routes]))
    assert any("window closes" in v for v in vrptw_violations(problem, [list(reversed(r)) for r in routes]))
    assert any("capacity" in v for v in vrptw_violations(problem, [[n for r in routes for n in r]]))
    tiny = problem.__class__(name="t", vehicles=1, capacity=200, nodes=problem.nodes, requests=())
    assert any("fleet of 1" in v for v in vrptw_violations(tiny, routes))


def test_a_malformed_solomon_file_names_its_fault():
    with pytest.raises(InstanceError, match="7 numbers"):
        parse_solomon("X\nVEHICLE\n25 200\nCUSTOMER\n0 40 50 0 0 1236\n")
    with pytest.raises(InstanceError, match="closes before"):
        parse_solomon("X\n25 200\n0 40 50 0 0 1236 0\n1 45 68 10 967 912 90\n")


START = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # 09:00 in Chengdu
STORE = LatLng(30.6570, 104.0660)


def _east(km: float) -> LatLng:
    return LatLng(STORE.lat, STORE.lng + km / (111.32 * 0.8601))


def test_the_day_goes_by_the_windows_not_by_the_list():
    # listed far first, but the near site's window is the morning's: near, then far
    far = VisitStop("far", _east(4), START + timedelta(hours=4), START + timedelta(hours=6))
    near = VisitStop("near", _east(1), START, START + timedelta(hours=2))
    mid = VisitStop("mid", _east(2), START + timedelta(hours=1), START + timedelta(hours=8))
    plan = order_visits(start=STORE, start_at=START, visits=[far, mid, near])
    assert [p.id for p in plan] == ["near", "mid", "far"]
    assert not any(p.late for p in plan)
    assert plan[0].arrive > START  # 1 km at 6 m/s: about three minutes' drive
    assert (plan[0].arrive - START).total_seconds() == pytest.approx(167, abs=3)
    for a, b in zip(plan, plan[1:], strict=False):
        assert b.arrive >= a.leave and b.start >= b.arrive
    far_plan = plan[2]
    assert far_plan.start == far.window_start  # waits for the window to open


def test_the_day_leaves_late_enough_not_to_wait_at_the_first_door():
    late_morning = VisitStop("a", _east(1), START + timedelta(hours=2), START + timedelta(hours=3))
    (plan,) = order_visits(start=STORE, start_at=START, visits=[late_morning])
    assert plan.arrive == plan.start == late_morning.window_start


def test_a_day_too_full_keeps_every_visit_and_says_which_is_late():
    a = VisitStop("a", _east(1), START, START + timedelta(minutes=30), service_minutes=120)
    b = VisitStop("b", _east(1.2), START, START + timedelta(minutes=40), service_minutes=120)
    plan = order_visits(start=STORE, start_at=START, visits=[a, b])
    assert sorted(p.id for p in plan) == ["a", "b"]
    assert [p.late for p in plan] == [False, True]


def test_no_visits_no_plan():
    assert order_visits(start=STORE, start_at=START, visits=[]) == []
