"""How the solver was picked: the three candidates on the same instances, the same budget, one core.

  .venv/bin/python bench/routing/compare.py [SECONDS] [INSTANCE ...]
(default 10 s on lc104 lc208 lr104 lr112 lr204 lr208 lrc104 lrc207: the harder ones of each class).
One JSON line per solver and instance (vehicles, distance, gap to BKS, feasibility by the independent
checker), then one line per solver with its totals. README "Routing" quotes the figures.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.routing.baselines import ortools_solve, vroom_solve  # noqa: E402
from bench.routing.run import _data_dir  # noqa: E402
from o2o.routing.check import violations  # noqa: E402
from o2o.routing.instance import read_instance  # noqa: E402
from o2o.routing.solver import solve  # noqa: E402

DEFAULT = ["lc104", "lc208", "lr104", "lr112", "lr204", "lr208", "lrc104", "lrc207"]


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    names = sys.argv[2:] or DEFAULT
    data = _data_dir()
    bks = json.loads((data / "BKS.json").read_text())
    for label, solver in (("pyvrp", solve), ("pyvroom", vroom_solve), ("ortools", ortools_solve)):
        rows = []
        for name in names:
            problem = read_instance(data / f"{name}.txt")
            solution = solver(problem, seconds=seconds)
            best = bks[name]
            row = {"solver": label, "instance": name, "feasible": not violations(problem, solution.routes),
                   "vehicles": solution.vehicles, "bks_vehicles": best["solved_with_vehicles"],
                   "distance": round(solution.distance, 2),
                   "gap_pct": round(100 * (solution.distance / best["best_known_cost"] - 1), 3),
                   "seconds": round(solution.seconds, 2)}
            rows.append(row)
            print(json.dumps(row), flush=True)
        print(json.dumps({"solver": label, "instances": len(rows), "seconds_each": seconds,
                          "all_feasible": all(r["feasible"] for r in rows),
                          "vehicles_total": sum(r["vehicles"] for r in rows),
                          "bks_vehicles_total": sum(r["bks_vehicles"] for r in rows),
                          "mean_gap_pct": round(statistics.mean(r["gap_pct"] for r in rows), 3)}), flush=True)


if __name__ == "__main__":
    main()
