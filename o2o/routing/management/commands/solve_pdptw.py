"""python manage.py solve_pdptw FILE --seconds S [--seed N]

Solves a Li & Lim pickup-and-delivery instance (shared/data/routing/README.md) with the dispatcher's
solver and prints one JSON object ``{"vehicles": n, "distance": d, "routes": [[node, ...], ...]}``
(API.md "Commands other programs run"): node numbers as in the file, the depot left out, the distance the
sum of the Euclidean legs with those from and to the depot. One core. A malformed or inconsistent file
is a one-line error and exit status 2; a solution the independent check rejects (never seen on the 56
benchmark instances) is still printed, with the reason on stderr and exit status 1.
"""

from __future__ import annotations

import json
import math
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from o2o.routing.check import violations
from o2o.routing.instance import read_instance
from o2o.routing.problem import InstanceError
from o2o.routing.solver import solve


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CommandError(f"--seconds {text!r} is not a number", returncode=2) from None
    if not math.isfinite(value) or value <= 0:
        raise CommandError(f"--seconds must be a positive number of seconds, not {text!r}", returncode=2)
    return value


class Command(BaseCommand):
    help = "Solve a Li & Lim PDPTW instance file; prints {vehicles, distance, routes} as one JSON object."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a Li & Lim instance file (shared/data/routing/li_lim_100/*.txt)")
        parser.add_argument("--seconds", required=True, help="the time budget on one core, e.g. 10")
        parser.add_argument("--seed", type=int, default=1, help="the solver's random seed (default 1)")

    def handle(self, *args: Any, **opts: Any) -> None:
        seconds = _seconds(opts["seconds"])
        try:
            problem = read_instance(opts["file"])
        except InstanceError as exc:
            raise CommandError(str(exc), returncode=2) from None
        solution = solve(problem, seconds=seconds, seed=opts["seed"])
        self.stdout.write(
            json.dumps(
                {"vehicles": solution.vehicles, "distance": round(solution.distance, 3), "routes": solution.routes},
                separators=(",", ":"),
            )
        )
        broken = violations(problem, solution.routes)
        if broken:
            raise CommandError(
                f"no feasible solution found in {seconds:g} s: {broken[0]}"
                + (f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""),
                returncode=1,
            )
