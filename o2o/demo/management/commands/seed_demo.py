"""python manage.py seed_demo [--merchants 240] [--seed 42] [--base-url http://127.0.0.1:8000]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from o2o.demo.models import SeedRecord
from o2o.demo.seed import DEFAULT_MERCHANTS, LOGINS, SEED_VERSION, login_path, seed_demo, where_to_look


class Command(BaseCommand):
    help = "Seed the demo city (merchants, stores, deals, customers, orders, reviews) once; then print the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--merchants", type=int, default=DEFAULT_MERCHANTS,
                            help=f"how many merchants (default {DEFAULT_MERCHANTS})")
        parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="where the site is served")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["merchants"] < 1:
            self.stderr.write("--merchants must be at least 1")
            raise SystemExit(2)
        if not SeedRecord.objects.exists():
            self.stdout.write(f"Seeding the demo city ({opts['merchants']} merchants, seed {opts['seed']}) …")
        outcome = seed_demo(merchants=opts["merchants"], seed=opts["seed"], log=self.stdout.write)
        rec = outcome.record
        counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in outcome.counts.items())
        if outcome.created:
            self.stdout.write(self.style.SUCCESS(f"Demo city seeded in {rec.seconds} s: {counts}."))
        else:
            note = "" if rec.version == SEED_VERSION else (
                f" (seed version {rec.version}; this code seeds version {SEED_VERSION}: "
                "delete var/o2o.sqlite3 to start afresh)")
            self.stdout.write(f"Demo city already seeded on {rec.created_at:%Y-%m-%d %H:%M} UTC{note}; nothing to do.")
        self.print_logins(opts["base_url"].rstrip("/"))

    def print_logins(self, base: str) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo logins"))
        for login in LOGINS:
            self.stdout.write(f"  {login.role:<10} {login.email:<20} {login.password:<20} {base}{login_path(login)}")
            self.stdout.write(f"  {'':<10} {login.what}")
        places = where_to_look()
        if places:
            self.stdout.write(self.style.MIGRATE_HEADING("Where to look at Hotpot House's Chunxi Road store"))
            width = max(len(what) for _, what, _ in places)  # one column of addresses, however long a label
            for who, what, path in places:
                self.stdout.write(f"  {who:<10} {what:<{width}} {base}{path}")
        self.stdout.write(f"  API docs: {base}/api/v1/docs")
        self.stdout.write("")
