from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from o2o.discovery.integrity import check_index, repair


class Command(BaseCommand):
    help = ("Compare every discovery index row with its store and merchant (position, cells, hours, masks, "
            "timezone, closed dates, visibility, names, category) and print each disagreement. Exits 1 when "
            "any is found; with --fix re-indexes those stores (and deletes rows of stores that are gone).")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--fix", action="store_true", help="re-index every store found wrong")

    def handle(self, *args: Any, **options: Any) -> None:
        found = repaired = 0
        failed = []
        for problem in check_index():
            found += 1
            self.stdout.write(str(problem))
            if options["fix"]:
                error = repair(problem)
                if error is None:
                    repaired += 1
                else:
                    failed.append(problem.store_id)
                    self.stdout.write(f"  could not repair: {error}")
        summary = f"{found} mismatch{'' if found == 1 else 'es'}" + (f"; repaired {repaired}, {len(failed)} could not be" if options["fix"] else "")
        if found:
            raise CommandError(summary, returncode=1)
        self.stdout.write(self.style.SUCCESS(summary))
