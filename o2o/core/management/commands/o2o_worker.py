"""The worker process: runs queued tasks and enqueues the periodic ones (o2o.core.schedule).

With the database backend (the default) one process does both: a scheduler thread ticks about once a
second while the main thread runs django-tasks-db's worker loop. With another backend (RQ, immediate)
it only schedules: RQ's own `manage.py rqworker` runs the tasks; the immediate backend runs each in
this process. Any number of o2o_worker processes may run at once: each periodic task is still enqueued
once per period, and each queued task is claimed by one worker.
Ctrl-C / SIGTERM: stops after the task being run (a second Ctrl-C stops at once). SIGKILL mid-task
leaves nothing half-done: every task changes rows in transactions; the next period runs it again.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks import task_backends

from o2o.core.schedule import registered, schedule_tick

log = logging.getLogger("o2o.worker")


def _database_backend() -> bool:
    return type(task_backends["default"]).__module__.startswith("django_tasks_db")


class Scheduler:
    def __init__(self, *, tick: float, stop: threading.Event) -> None:
        self.tick, self.stop = tick, stop

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                close_old_connections()
                try:
                    schedule_tick()  # logs each task it enqueues (o2o.core.schedule, -v2)
                except Exception:  # a database hiccup: try again at the next tick
                    log.exception("scheduler tick failed")
                self.stop.wait(self.tick)
        finally:
            connection.close()


class Command(BaseCommand):
    help = "Run queued background tasks and enqueue the periodic ones (make worker; make demo starts one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0,
                            help="seconds between polls of the task queue when it is empty (default 1)")
        parser.add_argument("--tick", type=float, default=1.0,
                            help="seconds between scheduler ticks (default 1)")
        parser.add_argument("--no-scheduler", action="store_true", help="only run queued tasks")
        parser.add_argument("--worker-id", default="", help="unique per worker (default: random)")

    def handle(self, *args: Any, **opts: Any) -> None:
        self._logging(int(opts["verbosity"]))
        stop = threading.Event()
        names = ", ".join(f"{p.name}/{int(p.every.total_seconds())}s" for p in registered().values())
        log.info("o2o worker: backend %s; periodic tasks: %s", type(task_backends["default"]).__name__, names)
        scheduler = None if opts["no_scheduler"] else Scheduler(tick=opts["tick"], stop=stop)
        if not _database_backend():
            if scheduler is None:
                self.stderr.write("nothing to do: this task backend's tasks are run by its own worker")
                return
            self._stop_on_signals(stop)
            scheduler.run()
            return
        from django_tasks_db.management.commands.db_worker import Worker

        if scheduler is not None:
            threading.Thread(target=scheduler.run, name="o2o-scheduler", daemon=True).start()
        worker = Worker(queue_names=["*"], interval=opts["interval"], batch=False,
                        backend_name="default", startup_delay=False, max_tasks=None,
                        worker_id=opts["worker_id"] or get_random_string(32), excluded_queue_names=[])
        worker.configure_signals()  # stop after the current task; exits at once when idle
        try:
            worker.run()
        finally:
            stop.set()

    def _stop_on_signals(self, stop: threading.Event) -> None:
        def handler(signum: int, frame: FrameType | None) -> None:
            if stop.is_set():
                sys.exit(1)
            stop.set()

        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)

    def _logging(self, verbosity: int) -> None:
        """-v0 quiet, -v1 (default) start and errors, -v2 every periodic task enqueued and task run."""
        level = logging.WARNING if verbosity <= 1 else logging.INFO
        if verbosity == 0:
            level = logging.ERROR
        handler = logging.StreamHandler(self.stdout)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        for name in ("o2o.worker", "o2o.core.schedule", "django_tasks", "django_tasks_db"):
            logger = logging.getLogger(name)
            logger.setLevel(level)
            logger.addHandler(handler)
            logger.propagate = False
        if verbosity >= 1:
            logging.getLogger("o2o.worker").setLevel(logging.INFO)
