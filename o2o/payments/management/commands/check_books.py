import json

from django.core.management.base import BaseCommand

from o2o.payments.books import books_problems


class Command(BaseCommand):
    help = "Check that stock, orders, vouchers and payments agree. Exit code 1 when they do not."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        problems = books_problems()
        if opts["json"]:
            self.stdout.write(json.dumps({"problems": problems}))
        else:
            for p in problems:
                self.stdout.write(p)
            self.stdout.write("books balance" if not problems else f"{len(problems)} problems")
        if problems:
            raise SystemExit(1)
