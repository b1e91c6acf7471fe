"""python manage.py o2o_restore [FILE] [--dir var/backups] [--database-url URL] [--force] [--no-media]

Restores FILE (default: the newest backup in --dir for this kind of database) into DATABASE_URL's
database, or into --database-url's (a scratch database, say). The backup is read and checked in full
first; a damaged file changes nothing. Refuses while the target database is in use unless --force.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ._ops import (
    EXTENSIONS,
    check_media_archive,
    check_postgres_backup,
    check_sqlite_backup,
    database,
    media_archive_for,
    media_restore,
    newest_backup,
    postgres_restore,
    postgres_terminate,
    postgres_users,
    sqlite_restore,
    sqlite_users,
)


class Command(BaseCommand):
    help = "Restore a backup written by o2o_backup (database and media); refuses a damaged file or a busy database."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default=None, help="the backup (default: the newest in --dir)")
        parser.add_argument("--dir", default=str(Path(settings.BASE_DIR) / "var" / "backups"))
        parser.add_argument("--database-url", default=None, help="restore into this database instead")
        parser.add_argument("--force", action="store_true",
                            help="restore even though the database is in use (PostgreSQL: its sessions are ended)")
        parser.add_argument("--no-media", action="store_true", help="leave the media folder as it is")

    def handle(self, *args: Any, **opts: Any) -> None:
        db = database(opts["database_url"])
        backup = Path(opts["file"]).resolve() if opts["file"] else newest_backup(Path(opts["dir"]), db.kind)
        if not backup.is_file():
            raise CommandError(f"no such backup: {backup}")
        if backup.suffix != EXTENSIONS[db.kind]:
            raise CommandError(f"{backup.name} is not a {db.kind} backup ({EXTENSIONS[db.kind]}); "
                               f"the target is {db.describe()}")
        started = time.monotonic()
        media_root = Path(settings.MEDIA_ROOT)
        archive = None if opts["no_media"] else media_archive_for(backup)
        if archive is not None and not archive.is_file():
            self.stderr.write(f"no media archive {archive.name} beside the backup: media left as it is")
            archive = None

        # 1. read and check everything before changing anything
        checked = None
        if db.kind == "sqlite":
            target = Path(db.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            checked = check_sqlite_backup(backup, target.parent)
        else:
            check_postgres_backup(backup, db)
        try:
            media_files = check_media_archive(archive) if archive else 0

            # 2. is anybody using the target?
            if db.kind == "sqlite":
                users = sqlite_users(Path(db.name))
            else:
                pg_users = postgres_users(db)
                users = [who for _, who in pg_users]
            if users and not opts["force"]:
                raise CommandError(f"{db.describe()} is in use by {'; '.join(users[:5])}. Stop the server "
                                   "first, or pass --force to restore over it anyway.")
            if users:
                self.stderr.write(f"--force: restoring although {db.describe()} is in use")

            # 3. restore
            if db.kind == "sqlite":
                assert checked is not None
                sqlite_restore(checked, Path(db.name), in_use=bool(users))
                checked = None
            else:
                if users:
                    postgres_terminate(db, [pid for pid, _ in pg_users])
                postgres_restore(backup, db)
        finally:
            if checked is not None:
                checked.unlink(missing_ok=True)
        self.stdout.write(f"restored {backup} into {db.describe()} in {time.monotonic() - started:.2f} s")
        self.stdout.write("  next, as after any restart: manage.py reconcile_payments (settles payments the "
                          "snapshot caught between the gateway's charge and their commit)")
        if archive:
            n = media_restore(archive, media_root)
            self.stdout.write(f"  media: {n} files into {media_root} (archive held {media_files})")
