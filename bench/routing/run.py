"""make bench-routing: solve_pdptw on every Li & Lim 100 instance beside an OR-Tools baseline.

For each instance (sorted by name): the project's command ``manage.py solve_pdptw FILE --seconds S`` in a
subprocess (the real entry point, its JSON parsed), then plain OR-Tools routing (bench/routing/baselines.py)
with the same budget in this process. Both are single-threaded; each line shows the command's CPU seconds
beside its wall seconds. Both answers go through the independent checker (o2o/routing/check.py) and their
distances are recomputed from the routes. One JSON line per instance, then one line of means and targets.

  BENCH_SECONDS=10   the budget per instance and solver
  BENCH_LIMIT=56     how many instances, spread evenly over the classes (a quick run: BENCH_LIMIT=6)
  BENCH_DATA=...     the folder of instances and BKS.json (default ../shared/data/routing/li_lim_100)
"""

from __future__ import annotations

import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.routing.baselines import ortools_solve  # noqa: E402
from o2o.routing.check import violations  # noqa: E402
from o2o.routing.instance import read_instance  # noqa: E402
from o2o.routing.problem import routes_distance  # noqa: E402

DEFAULT_DATA = ROOT.parent.parent / "shared" / "data" / "routing" / "li_lim_100"


def _data_dir() -> Path:
    if os.environ.get("BENCH_DATA"):
        return Path(os.environ["BENCH_DATA"])
    for candidate in (ROOT.parent / "shared", ROOT.parent.parent / "shared", Path("/work/shared")):
        if (candidate / "data" / "routing" / "li_lim_100").is_dir():
            return candidate / "data" / "routing" / "li_lim_100"
    return DEFAULT_DATA


def _pick(names: list[str], limit: int) -> list[str]:
    if limit >= len(names):
        return names
    step = len(names) / limit
    return [names[int(i * step)] for i in range(limit)]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    seconds = float(os.environ.get("BENCH_SECONDS", "10"))
    data = _data_dir()
    bks = json.loads((data / "BKS.json").read_text())
    names = sorted(p.stem for p in data.glob("*.txt"))
    names = _pick(names, int(os.environ.get("BENCH_LIMIT", str(len(names)))))
    rows = []
    for name in names:
        path = data / f"{name}.txt"
        problem = read_instance(path)
        cpu0, wall0 = _children_cpu(), time.perf_counter()
        done = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "solve_pdptw", str(path), "--seconds", f"{seconds:g}"],
            capture_output=True, text=True, cwd=ROOT, check=False,
        )
        wall, cpu = time.perf_counter() - wall0, _children_cpu() - cpu0
        try:
            answer = json.loads(done.stdout)
            routes = answer["routes"]
            broken = violations(problem, routes)
        except (ValueError, KeyError, TypeError):
            routes, broken = [], [f"exit {done.returncode}: {done.stderr.strip()[-200:]}"]
        distance = routes_distance(problem, routes)
        vehicles = sum(1 for r in routes if r)
        reported = answer.get("distance") if not broken else None
        base = ortools_solve(problem, seconds=seconds)
        base_broken = violations(problem, base.routes) if base.routes else ["no solution"]
        best = bks[name]
        row = {
            "instance": name,
            "feasible": not broken,
            "vehicles": vehicles,
            "distance": round(distance, 2),
            "reported_distance_matches": reported is not None and abs(reported - distance) < 1e-2,
            "bks_vehicles": best["solved_with_vehicles"],
            "bks_distance": best["best_known_cost"],
            "gap_pct": round(100 * (distance / best["best_known_cost"] - 1), 3),
            "baseline_feasible": not base_broken,
            "baseline_vehicles": base.vehicles,
            "baseline_distance": round(base.distance, 2),
            "baseline_gap_pct": round(100 * (base.distance / best["best_known_cost"] - 1), 3),
            "ratio_to_baseline": round(distance / base.distance, 4) if base.distance else None,
            "vehicles_vs_baseline": vehicles - base.vehicles,
            "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2),
        }
        if broken:
            row["violations"] = broken[:3]
        rows.append(row)
        print(json.dumps(row), flush=True)

    def mean(key: str) -> float:
        values = [r[key] for r in rows if r[key] is not None]
        return round(sum(values) / len(values), 3) if values else math.nan

    summary = {
        "bench": "routing",
        "instances": len(rows),
        "seconds_each": seconds,
        "solver": "pyvrp (o2o.routing.solver)",
        "baseline": "ortools routing (guided local search)",
        "all_feasible": all(r["feasible"] for r in rows),
        "baseline_all_feasible": all(r["baseline_feasible"] for r in rows),
        # the gap is a distance gap; BKS is hierarchical (vehicles first), so an instance solved with more
        # vehicles than BKS shows a distance gap that may be negative: counted apart, and the mean over the
        # instances at BKS's vehicle count is given beside the plain mean
        "mean_gap_pct": mean("gap_pct"),
        "mean_gap_pct_at_bks_vehicles": round(statistics.mean(
            [r["gap_pct"] for r in rows if r["vehicles"] <= r["bks_vehicles"]] or [math.nan]), 3),
        "instances_above_bks_vehicles": sum(r["vehicles"] > r["bks_vehicles"] for r in rows),
        "baseline_mean_gap_pct": mean("baseline_gap_pct"),
        "mean_ratio_to_baseline": mean("ratio_to_baseline"),
        "vehicles_total": sum(r["vehicles"] for r in rows),
        "baseline_vehicles_total": sum(r["baseline_vehicles"] for r in rows),
        "bks_vehicles_total": sum(r["bks_vehicles"] for r in rows),
        "at_bks_vehicles": sum(r["vehicles"] <= r["bks_vehicles"] for r in rows),
        # vehicles first, then distance (BKS's order): how often the solver beats, ties or trails the baseline
        "vs_baseline_better_equal_worse": [
            sum((r["vehicles"], round(r["distance"], 2)) < (r["baseline_vehicles"], round(r["baseline_distance"], 2))
                for r in rows),
            sum((r["vehicles"], round(r["distance"], 2)) == (r["baseline_vehicles"], round(r["baseline_distance"], 2))
                for r in rows),
            sum((r["vehicles"], round(r["distance"], 2)) > (r["baseline_vehicles"], round(r["baseline_distance"], 2))
                for r in rows),
        ],
        "mean_cpu_per_wall": round(sum(r["cpu_s"] for r in rows) / max(sum(r["wall_s"] for r in rows), 1e-9), 3),
    }
    summary["targets_met"] = {
        "all_feasible": summary["all_feasible"],
        "mean_gap_under_2pct": summary["mean_gap_pct"] < 2,
        "mean_gap_at_bks_vehicles_under_2pct": summary["mean_gap_pct_at_bks_vehicles"] < 2,
        "no_more_vehicles_than_baseline": summary["vehicles_total"] <= summary["baseline_vehicles_total"],
        "ahead_of_baseline_on_mean": summary["mean_ratio_to_baseline"] < 1,
    }
    print(json.dumps(summary), flush=True)
    return 0 if all(summary["targets_met"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
