from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from o2o.accounts.services import login_failures_prune
from o2o.core import conf


class Command(BaseCommand):
    help = "Delete failed sign-in rows older than --days (default 30); recent ones keep counting for lockouts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        # Never prune inside the lockout window, whatever --days says.
        keep = max(timedelta(days=max(options["days"], 0)), 2 * conf.get().login_lockout)
        n = login_failures_prune(older_than=timezone.now() - keep)
        self.stdout.write(f"pruned {n} failed sign-ins")
