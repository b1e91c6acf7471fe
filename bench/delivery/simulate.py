"""make simulate-delivery: a synthetic lunch and evening in the demo city (bench/delivery/sim.py), the
dispatcher running for real (rounds.dispatch_round on a fresh SQLite file under var/) on a simulated
clock, once with the dispatcher's assign function (delivery.dispatch.routed: the PyVRP solver with
eligibility, greedy as its fallback) and once with the greedy nearest-courier baseline, on the same world,
the same order stream and the same kitchens (one seed). Prints one JSON line: per policy the on-time
rate, mean and p95 delivery minutes, courier utilisation, orders per courier-hour and the dispatch
round's time; then the ratio of the on-time rates.

  SIM_SEED=7  SIM_MERCHANTS=12  SIM_OWN_COURIERS=1  SIM_SHARED_COURIERS=5 (per shared fleet, two fleets)
  SIM_LUNCH=60  SIM_EVENING=70 (orders)  SIM_ROUND_EVERY=30 (simulated seconds; the worker's is 5)
  SIM_SOLVER_SECONDS=0.3 (the solver's budget per round)  SIM_MARGIN_MINUTES=2 (it aims before the promise)  SIM_DATABASE=var/simulate-delivery.sqlite3
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def main() -> None:
    db = Path(os.environ.get("SIM_DATABASE", str(ROOT / "var" / "simulate-delivery.sqlite3")))
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from bench.delivery.sim import Size, build_world, order_stream, simulate
    from o2o.delivery.dispatch import SOLVER_MARGIN, greedy_nearest, routed

    logging.getLogger("o2o.delivery.dispatch").setLevel(logging.ERROR)  # fallbacks are counted instead
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    size = Size(merchants=_env_int("SIM_MERCHANTS", 12), own_couriers=_env_int("SIM_OWN_COURIERS", 1),
                shared_couriers=_env_int("SIM_SHARED_COURIERS", 5), lunch_orders=_env_int("SIM_LUNCH", 60),
                evening_orders=_env_int("SIM_EVENING", 70), round_every=_env_int("SIM_ROUND_EVERY", 30),
                seed=_env_int("SIM_SEED", 7))
    budget = float(os.environ.get("SIM_SOLVER_SECONDS", "0.3"))
    margin = timedelta(minutes=float(os.environ.get("SIM_MARGIN_MINUTES", SOLVER_MARGIN.total_seconds() / 60)))
    world = build_world(size, centre=settings.O2O["DEMO_CENTRE"])
    stream = order_stream(size, world)
    solver = simulate(world=world, stream=stream, size=size, label="routed",
                      assign=functools.partial(routed, seconds=budget, margin=margin))
    greedy = simulate(world=world, stream=stream, size=size, label="greedy", assign=greedy_nearest)
    print(json.dumps({
        "bench": "simulate_delivery",
        "seed": size.seed,
        "merchants": size.merchants,
        "stores": len(world.stores),
        "couriers": len(world.couriers),
        "orders": len(stream),
        "round_every_s": size.round_every,
        "solver_budget_s": budget,
        "solver_margin_min": margin.total_seconds() / 60,
        "routed": solver,
        "greedy": greedy,
        "on_time_ratio": (round(solver["on_time_rate"] / greedy["on_time_rate"], 3)
                          if solver["on_time_rate"] and greedy["on_time_rate"] else None),
        "wall_s": round(time.perf_counter() - started, 1),
        "load_average_1min": round(os.getloadavg()[0], 1),
    }), flush=True)


if __name__ == "__main__":
    main()
