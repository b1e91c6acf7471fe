from datetime import timedelta

from django.core.management.base import BaseCommand

from o2o.orders.holds import orders_expire_due
from o2o.payments.services import payments_reconcile


class Command(BaseCommand):
    help = ("Finish payments left pending by a crash (asks the gateway) and expire unpaid orders past their hold. "
            "A row that cannot be handled is reported and the others are still done; exit code 1 if any failed.")

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--older-than", type=int, default=120, help="seconds a payment must have been pending")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        failures: list[str] = []
        counts = payments_reconcile(older_than=timedelta(seconds=opts["older_than"]), failures=failures)
        expired = orders_expire_due(failures=failures)
        self.stdout.write(f"payments {counts}; expired orders {expired}")
        for line in failures:
            self.stderr.write(f"failed: {line}")
        if failures:
            self.stderr.write(f"{len(failures)} rows could not be handled")
            raise SystemExit(1)
