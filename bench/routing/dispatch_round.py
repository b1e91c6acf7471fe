"""One dispatch round of 200 open deliveries x 100 couriers (bench/routing/generator.py) on one core.

Prints one JSON line: the wall time of ``o2o.routing.dispatch.plan_round`` (target < 1 s, the budget
included), how many drop-offs it plans late and its straight-line kilometres, beside a greedy
nearest-courier baseline on the same round (each order in ready-time order to the courier who reaches
the store first, carried orders delivered first), and whether every carried order stayed with its courier.

  DISPATCH_SECONDS=0.5   plan_round's search budget
  DISPATCH_SEEDS=3       how many generated rounds (the figures are their means, the time their maximum)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.routing.generator import dispatch_round  # noqa: E402
from o2o.routing.dispatch import (  # noqa: E402
    DROPOFF_SERVICE_S,
    PICKUP_SERVICE_S,
    SCOOTER_SPEED_MPS,
    Courier,
    LatLng,
    Task,
    _project,
    plan_round,
)


def _metres(a: LatLng, b: LatLng) -> float:
    xs, ys = _project([a, b])
    return float(((xs[0] - xs[1]) ** 2 + (ys[0] - ys[1]) ** 2) ** 0.5)


def greedy(couriers: list[Courier], tasks: list[Task], now) -> tuple[int, float]:
    """Late drop-offs and metres of the nearest-courier rule."""
    state = {c.id: [c.position, 0.0] for c in couriers}
    late, metres = 0, 0.0

    def go(courier_id, to: LatLng) -> float:
        nonlocal metres
        here, clock = state[courier_id]
        leg = _metres(here, to)
        metres += leg
        state[courier_id] = [to, clock + leg / SCOOTER_SPEED_MPS]
        return state[courier_id][1]

    for task in tasks:
        if task.carried_by is not None:
            arrive = go(task.carried_by, task.dropoff)
            late += arrive > (task.deliver_by - now).total_seconds()
            state[task.carried_by][1] += DROPOFF_SERVICE_S
    for task in sorted((t for t in tasks if t.carried_by is None), key=lambda t: t.ready_at):
        ready = (task.ready_at - now).total_seconds()
        best = min(state, key=lambda c: state[c][1] + _metres(state[c][0], task.pickup) / SCOOTER_SPEED_MPS)
        arrive = go(best, task.pickup)
        state[best][1] = max(arrive, ready) + PICKUP_SERVICE_S
        arrive = go(best, task.dropoff)
        late += arrive > (task.deliver_by - now).total_seconds()
        state[best][1] += DROPOFF_SERVICE_S
    return late, metres


def main() -> None:
    budget = float(os.environ.get("DISPATCH_SECONDS", "0.5"))
    seeds = int(os.environ.get("DISPATCH_SEEDS", "3"))
    walls, cpus, lates, kms, g_lates, g_kms, unassigned, kept = [], [], [], [], [], [], [], True
    for seed in range(1, seeds + 1):
        couriers, tasks, now = dispatch_round(seed=seed)
        started, cpu = time.perf_counter(), time.process_time()
        plan = plan_round(couriers=couriers, tasks=tasks, now=now, seconds=budget)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
        by_id = {t.id: t for t in tasks}
        position = {c.id: c.position for c in couriers}
        late, metres = 0, 0.0
        for courier_id, stops in plan.routes.items():
            here = position[courier_id]
            for stop in stops:
                task = by_id[stop.task]
                to = task.pickup if stop.kind == "pickup" else task.dropoff
                metres += _metres(here, to)
                here = to
                late += stop.late
                if task.carried_by is not None and task.carried_by != courier_id:
                    kept = False
        lates.append(late)
        kms.append(metres / 1000)
        unassigned.append(len(plan.unassigned))
        g_late, g_metres = greedy(couriers, tasks, now)
        g_lates.append(g_late)
        g_kms.append(g_metres / 1000)
    _, tasks, _ = dispatch_round(seed=1)
    print(json.dumps({
        "bench": "dispatch_round",
        "open_deliveries": sum(t.carried_by is None for t in tasks),
        "carried": sum(t.carried_by is not None for t in tasks),
        "couriers": 100,
        "rounds": seeds,
        "budget_s": budget,
        "round_wall_s_max": round(max(walls), 3),
        "round_wall_s_mean": round(statistics.mean(walls), 3),
        "round_cpu_s_max": round(max(cpus), 3),  # one thread: CPU <= wall
        "under_1s": max(walls) < 1.0,
        "load_average_1min": round(os.getloadavg()[0], 1),
        "late_dropoffs_mean": statistics.mean(lates),
        "km_mean": round(statistics.mean(kms), 1),
        "unassigned_mean": statistics.mean(unassigned),
        "carried_kept_with_courier": kept,
        "greedy_late_dropoffs_mean": statistics.mean(g_lates),
        "greedy_km_mean": round(statistics.mean(g_kms), 1),
    }), flush=True)


if __name__ == "__main__":
    main()
