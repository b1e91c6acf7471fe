"""python manage.py o2o_backup [--dir var/backups] [--database-url URL] [--no-media]

Online backup of the database (the server may keep running) and of MEDIA_ROOT. Prints the database
backup's path on its first line, then what it checked.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from ._ops import (
    EXTENSIONS,
    MEDIA_SUFFIX,
    backup_stamp,
    database,
    media_backup,
    postgres_backup,
    sqlite_backup,
)


class Command(BaseCommand):
    help = "Back up the database (online: SQLite backup API or pg_dump) and the media folder into var/backups."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", default=str(Path(settings.BASE_DIR) / "var" / "backups"),
                            help="where to write the backup (default var/backups)")
        parser.add_argument("--database-url", default=None,
                            help="back up this database instead of DATABASE_URL's")
        parser.add_argument("--no-media", action="store_true", help="skip the media folder")

    def handle(self, *args: Any, **opts: Any) -> None:
        db = database(opts["database_url"])
        directory = Path(opts["dir"]).resolve()
        directory.mkdir(parents=True, exist_ok=True)
        stamp = backup_stamp(directory)
        dest = directory / (stamp + EXTENSIONS[db.kind])
        started = time.monotonic()
        verdict = sqlite_backup(db, dest) if db.kind == "sqlite" else postgres_backup(db, dest)
        seconds = time.monotonic() - started
        self.stdout.write(str(dest))
        self.stdout.write(f"  database: {db.describe()} -> {dest.stat().st_size / 1e6:.2f} MB in {seconds:.2f} s; "
                          f"check: {verdict}")
        if not opts["no_media"]:
            media_root = Path(settings.MEDIA_ROOT)
            archive = directory / (stamp + MEDIA_SUFFIX)
            files = media_backup(media_root, archive)
            self.stdout.write(f"  media: {files} files from {media_root} -> {archive}")
