"""One dispatch round of 200 open deliveries x 100 couriers through the dispatcher's own assign function
(o2o.delivery.dispatch.routed: CourierIn/TaskIn -> PyVRP with eligibility -> a Plan), on one core.

The round is bench/routing/generator.py's (40 stores, 30% of the couriers carrying 1-2 orders) with
merchants and fleets on top: the 40 stores belong to 20 merchants; 40 couriers are in merchants' own
fleets (two each), the other 60 in three shared fleets carrying for 8, 10 and 12 merchants (overlapping).
Prints one JSON line: the adapter's wall and CPU time (target < 1 s), who planned it (pyvrp, or greedy as
the fallback), late drop-offs against the promise, km, and whether every rule held (plan_fault: carried
orders kept, eligibility, pickup before drop-off) — beside greedy_nearest on the same round.

  DISPATCH_SECONDS=0.3 (the solver's budget, the dispatcher's default)  DISPATCH_SEEDS=3
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.routing.generator import dispatch_round  # noqa: E402
from o2o.delivery.dispatch import (  # noqa: E402
    SOLVER_SECONDS,
    CarriedTask,
    CourierIn,
    Plan,
    Point,
    TaskIn,
    greedy_nearest,
    plan_fault,
    routed,
)
from o2o.delivery.geo import haversine_m  # noqa: E402


def delivery_round(seed: int):  # type: ignore[no-untyped-def]
    couriers, tasks, now = dispatch_round(seed=seed)
    rng = random.Random(seed)
    merchants = [uuid.uuid4() for _ in range(20)]
    store_merchant: dict[tuple[float, float], uuid.UUID] = {}
    for t in tasks:
        if t.carried_by is None:
            key = (t.pickup.lat, t.pickup.lng)
            store_merchant.setdefault(key, merchants[len(store_merchant) % len(merchants)])
    fleets = [frozenset({m}) for m in merchants for _ in range(2)]
    shared = [frozenset(rng.sample(merchants, n)) for n in (8, 10, 12)]
    fleets += [shared[k % 3] for k in range(60)]
    ids = {c.id: uuid.uuid4() for c in couriers}
    carried: dict[str, list[CarriedTask]] = {c.id: [] for c in couriers}
    open_tasks = []
    for t in tasks:
        if t.carried_by is not None:
            carried[t.carried_by].append(CarriedTask(id=uuid.uuid4(), dropoff=Point(t.dropoff.lat, t.dropoff.lng),
                                                     deliver_by=t.deliver_by))
        else:
            open_tasks.append(TaskIn(id=uuid.uuid4(), merchant_id=store_merchant[(t.pickup.lat, t.pickup.lng)],
                                     pickup=Point(t.pickup.lat, t.pickup.lng), dropoff=Point(t.dropoff.lat, t.dropoff.lng),
                                     ready_at=t.ready_at, deliver_by=t.deliver_by))
    # a courier who carries orders carries for the merchants of their fleet, as any other
    cins = [CourierIn(id=ids[c.id], position=Point(c.position.lat, c.position.lng), merchant_ids=fleets[k],
                      capacity=c.capacity, carrying=tuple(carried[c.id])) for k, c in enumerate(couriers)]
    return cins, open_tasks, now


def figures(plan: Plan, couriers: list[CourierIn], tasks: list[TaskIn]) -> tuple[int, float]:
    promise = {t.id: t.deliver_by for t in tasks} | {ct.id: ct.deliver_by for c in couriers for ct in c.carrying}
    late, metres = 0, 0.0
    for c in couriers:
        here = c.position
        for stop in plan.routes.get(c.id, []):
            metres += haversine_m(here.lat, here.lng, stop.at.lat, stop.at.lng)
            here = stop.at
            late += stop.kind == "dropoff" and stop.eta > promise[stop.task_id]
    return late, metres / 1000


def main() -> None:
    budget = float(os.environ.get("DISPATCH_SECONDS", SOLVER_SECONDS))
    seeds = int(os.environ.get("DISPATCH_SEEDS", "3"))
    rows = []
    for seed in range(1, seeds + 1):
        couriers, tasks, now = delivery_round(seed)
        started, cpu = time.perf_counter(), time.process_time()
        plan = routed(couriers=couriers, tasks=tasks, now=now, seconds=budget)
        wall, cpu_s = time.perf_counter() - started, time.process_time() - cpu
        late, km = figures(plan, couriers, tasks)
        started = time.perf_counter()
        greedy = greedy_nearest(couriers=couriers, tasks=tasks, now=now)
        g_wall = time.perf_counter() - started
        g_late, g_km = figures(greedy, couriers, tasks)
        rows.append({"wall": wall, "cpu": cpu_s, "solver": plan.solver, "late": late, "km": km,
                     "unassigned": len(plan.unassigned), "fault": plan_fault(plan, couriers=couriers, tasks=tasks),
                     "g_wall": g_wall, "g_late": g_late, "g_km": g_km, "g_unassigned": len(greedy.unassigned),
                     "carried": sum(len(c.carrying) for c in couriers), "open": len(tasks)})
    print(json.dumps({
        "bench": "dispatch_round_adapter",
        "open_deliveries": rows[0]["open"], "carried": rows[0]["carried"], "couriers": 100,
        "merchants": 20, "fleets": "2 own couriers per merchant + 3 shared fleets of 20 (8, 10, 12 merchants)",
        "rounds": seeds, "budget_s": budget,
        "round_wall_s_max": round(max(r["wall"] for r in rows), 3),
        "round_wall_s_mean": round(statistics.mean(r["wall"] for r in rows), 3),
        "round_cpu_s_max": round(max(r["cpu"] for r in rows), 3),
        "under_1s": max(r["wall"] for r in rows) < 1.0,
        "planned_by": sorted({r["solver"] for r in rows}),
        "rules_held": all(r["fault"] is None for r in rows),
        "late_dropoffs_mean": round(statistics.mean(r["late"] for r in rows), 2),
        "km_mean": round(statistics.mean(r["km"] for r in rows), 1),
        "unassigned_mean": round(statistics.mean(r["unassigned"] for r in rows), 2),
        "greedy_late_dropoffs_mean": round(statistics.mean(r["g_late"] for r in rows), 2),
        "greedy_km_mean": round(statistics.mean(r["g_km"] for r in rows), 1),
        "greedy_unassigned_mean": round(statistics.mean(r["g_unassigned"] for r in rows), 2),
        "greedy_wall_s_max": round(max(r["g_wall"] for r in rows), 4),
        "load_average_1min": round(os.getloadavg()[0], 1),
    }), flush=True)


if __name__ == "__main__":
    main()
