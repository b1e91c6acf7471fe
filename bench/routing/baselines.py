"""The other candidate solvers, on the same problem model and the same scaled integer matrices.

Bench-only (the ``bench`` extra in pyproject.toml): OR-Tools' routing library is the benchmark's baseline,
pyvroom was the third candidate of the measurement that picked PyVRP (README "Routing").
"""

from __future__ import annotations

import time

import numpy as np

from o2o.routing.problem import Problem, routes_distance
from o2o.routing.solver import Solution, _ceil, _floor, euclidean_matrices


def _matrices(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    xs = np.array([n.x for n in problem.nodes], dtype=float)
    ys = np.array([n.y for n in problem.nodes], dtype=float)
    return euclidean_matrices(xs, ys)


def _fixed_cost(problem: Problem, distance: np.ndarray) -> int:
    return int(distance.max()) * (len(problem.nodes) + 1)


def ortools_solve(problem: Problem, *, seconds: float) -> Solution:
    """Plain OR-Tools routing: pickups and deliveries, a time and a load dimension, guided local search."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    started = time.perf_counter()
    distance, duration = _matrices(problem)
    nodes = problem.nodes
    service = [_ceil(n.service) for n in nodes]
    n, fleet = len(nodes), problem.vehicles
    manager = pywrapcp.RoutingIndexManager(n, fleet, 0)
    routing = pywrapcp.RoutingModel(manager)
    dist_list = distance.tolist()
    # travel time + the service time at the node left
    time_list = (duration + np.array(service, dtype=np.int64)[:, None]).tolist()

    def dist_cb(i: int, j: int) -> int:
        return dist_list[manager.IndexToNode(i)][manager.IndexToNode(j)]

    def time_cb(i: int, j: int) -> int:
        return time_list[manager.IndexToNode(i)][manager.IndexToNode(j)]

    def demand_cb(i: int) -> int:
        return nodes[manager.IndexToNode(i)].demand

    dist_index = routing.RegisterTransitCallback(dist_cb)
    routing.SetArcCostEvaluatorOfAllVehicles(dist_index)
    routing.SetFixedCostOfAllVehicles(_fixed_cost(problem, distance))
    time_index = routing.RegisterTransitCallback(time_cb)
    horizon = _floor(problem.depot.due)
    routing.AddDimension(time_index, horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for node in nodes[1:]:
        time_dim.CumulVar(manager.NodeToIndex(node.index)).SetRange(_ceil(node.ready), _floor(node.due))
    for v in range(fleet):
        time_dim.CumulVar(routing.Start(v)).SetRange(_ceil(problem.depot.ready), horizon)
        time_dim.CumulVar(routing.End(v)).SetRange(_ceil(problem.depot.ready), horizon)
    demand_index = routing.RegisterUnaryTransitCallback(demand_cb)
    routing.AddDimensionWithVehicleCapacity(demand_index, 0, [problem.capacity] * fleet, True, "load")
    solver = routing.solver()
    for request in problem.requests:
        p, d = manager.NodeToIndex(request.pickup), manager.NodeToIndex(request.delivery)
        routing.AddPickupAndDelivery(p, d)
        solver.Add(routing.VehicleVar(p) == routing.VehicleVar(d))
        solver.Add(time_dim.CumulVar(p) <= time_dim.CumulVar(d))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    remaining = max(seconds - (time.perf_counter() - started), 0.1)
    params.time_limit.FromMilliseconds(int(remaining * 1000))
    assignment = routing.SolveWithParameters(params)
    routes: list[list[int]] = []
    if assignment is not None:
        for v in range(fleet):
            index = assignment.Value(routing.NextVar(routing.Start(v)))
            route = []
            while not routing.IsEnd(index):
                route.append(manager.IndexToNode(index))
                index = assignment.Value(routing.NextVar(index))
            if route:
                routes.append(route)
    return Solution(
        routes=routes,
        distance=routes_distance(problem, routes),
        feasible=assignment is not None,
        seconds=time.perf_counter() - started,
    )


def vroom_solve(problem: Problem, *, seconds: float) -> Solution:
    """pyvroom on one thread, exploration level 5, the same fixed cost per vehicle."""
    from datetime import timedelta

    import vroom

    started = time.perf_counter()
    distance, duration = _matrices(problem)
    nodes, depot = problem.nodes, problem.depot
    problem_input = vroom.Input()
    problem_input.set_durations_matrix(profile="car", matrix_input=duration)
    problem_input.set_costs_matrix(profile="car", matrix_input=distance)
    window = vroom.TimeWindow(_ceil(depot.ready), _floor(depot.due))
    for v in range(problem.vehicles):
        problem_input.add_vehicle(
            vroom.Vehicle(
                v + 1, start=0, end=0, capacity=[problem.capacity], time_window=window,
                costs=vroom.VehicleCosts(fixed=_fixed_cost(problem, distance)),
            )
        )

    def step(index: int) -> vroom.ShipmentStep:
        node = nodes[index]
        return vroom.ShipmentStep(
            index, location=index, default_service=_ceil(node.service),
            time_windows=[vroom.TimeWindow(_ceil(node.ready), _floor(node.due))],
        )

    for request in problem.requests:
        problem_input.add_shipment(
            step(request.pickup), step(request.delivery), amount=vroom.Amount([request.demand])
        )
    remaining = max(seconds - (time.perf_counter() - started), 0.1)
    solution = problem_input.solve(exploration_level=5, nb_threads=1, timeout=timedelta(seconds=remaining))
    frame = solution.routes
    routes = []
    for _, group in frame.groupby("vehicle_id", sort=True):
        route = [int(i) for t, i in zip(group["type"], group["id"], strict=True) if t in ("pickup", "delivery")]
        if route:
            routes.append(route)
    return Solution(
        routes=routes,
        distance=routes_distance(problem, routes),
        feasible=len(solution.routes[solution.routes["type"] == "job"]) == 0,
        seconds=time.perf_counter() - started,
    )
