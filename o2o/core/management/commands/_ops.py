"""Backup and restore of the database and the uploaded media, for `manage.py o2o_backup` / `o2o_restore`.

SQLite: an online copy through SQLite's backup API (the server may be running: WAL lets the copy read a
consistent snapshot while writers go on), checked with `PRAGMA integrity_check`; restored by writing a
checked temporary copy beside the target and renaming it over the target.
PostgreSQL: `pg_dump --format=custom` (one consistent snapshot by design); restored with
`pg_restore --clean --if-exists --no-owner --single-transaction`, so a broken archive changes nothing.
Media (MEDIA_ROOT) travels as a tar.gz beside the database file.

Passwords reach pg_dump / pg_restore / psycopg only through PGPASSWORD or the connection string, never
a command line or a message. (This module's name starts with "_" so Django does not list it as a command.)
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import environ
from django.conf import settings
from django.core.management.base import CommandError

SQLITE_HEADER = b"SQLite format 3\x00"
PG_ARCHIVE_MAGIC = b"PGDMP"
EXTENSIONS = {"sqlite": ".sqlite3", "postgres": ".dump"}
MEDIA_SUFFIX = ".media.tar.gz"


@dataclass(frozen=True)
class Database:
    kind: str  # "sqlite" | "postgres"
    name: str  # file path (sqlite) or database name
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    def describe(self) -> str:
        if self.kind == "sqlite":
            return f"SQLite {self.name}"
        return f"PostgreSQL {self.user or '?'}@{self.host or 'local'}:{self.port or 5432}/{self.name}"

    def pg_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def pg_args(self) -> list[str]:
        args = ["--no-password"]
        if self.host:
            args += ["--host", self.host]
        if self.port:
            args += ["--port", str(self.port)]
        if self.user:
            args += ["--username", self.user]
        return args

    def pg_connect(self) -> Any:
        import psycopg
        from psycopg.conninfo import make_conninfo

        parts = {"dbname": self.name, "user": self.user, "password": self.password, "host": self.host,
                 "port": self.port, "connect_timeout": "10"}
        conninfo = make_conninfo("", **{k: v for k, v in parts.items() if v})
        try:
            return psycopg.connect(conninfo, autocommit=True)
        except psycopg.OperationalError as err:
            raise CommandError(f"cannot connect to {self.describe()}: {_scrub(str(err), self)}") from None


def database(url: str | None = None) -> Database:
    """The database of DATABASE_URL as the settings read it, or of the URL given on the command line."""
    cfg = environ.Env.db_url_config(url) if url else settings.DATABASES["default"]
    engine = cfg["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        return Database("sqlite", str(Path(cfg["NAME"]).resolve()))
    if engine in ("django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"):
        return Database("postgres", str(cfg["NAME"]), str(cfg.get("USER") or ""), str(cfg.get("PASSWORD") or ""),
                        str(cfg.get("HOST") or ""), str(cfg.get("PORT") or ""))
    raise CommandError(f"backups support SQLite and PostgreSQL, not {engine}")


def _scrub(text: str, db: Database) -> str:
    return text.replace(db.password, "***") if db.password else text


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _run(cmd: list[str], db: Database, what: str) -> subprocess.CompletedProcess[str]:
    if not shutil.which(cmd[0]):
        raise CommandError(f"{cmd[0]} is not installed (Debian: apt-get install postgresql-client)")
    out = subprocess.run(cmd, env=db.pg_env(), capture_output=True, text=True, check=False)  # noqa: S603
    if out.returncode != 0:
        lines = [ln for ln in _scrub(out.stderr, db).splitlines() if ln.strip()]
        detail = "; ".join(lines[:3]) or f"exit code {out.returncode}"
        raise CommandError(f"{what} failed: {detail}")
    return out


# --- backup ------------------------------------------------------------------------------------------

def backup_stamp(directory: Path) -> str:
    """o2o-<UTC timestamp>, one second apart from any backup already in `directory` (names sort by time)."""
    while True:
        stamp = "o2o-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        if not any(directory.glob(stamp + ".*")):
            return stamp
        time.sleep(0.2)


def sqlite_backup(db: Database, dest: Path) -> str:
    """Copy a possibly busy SQLite database into `dest` and check the copy; answers the check's verdict."""
    src_path = Path(db.name)
    if not src_path.is_file():
        raise CommandError(f"there is no database at {src_path}")
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(src_path, timeout=60)
    dst = sqlite3.connect(partial)
    try:
        # pages=-1: the whole database in one step, i.e. from one read snapshot; writers carry on (WAL)
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
        verdict = [row[0] for row in dst.execute("PRAGMA integrity_check").fetchall()]
    finally:
        dst.close()
        src.close()
    if verdict != ["ok"]:
        partial.unlink(missing_ok=True)
        raise CommandError("the copy failed its integrity check: " + "; ".join(verdict[:5]))
    _fsync_file(partial)
    os.replace(partial, dest)
    _fsync_dir(dest.parent)
    return "ok"


def postgres_backup(db: Database, dest: Path) -> str:
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        _run(["pg_dump", "--format=custom", "--file", str(partial), *db.pg_args(), db.name], db, "pg_dump")
        listing = _run(["pg_restore", "--list", str(partial)], db, "checking the dump (pg_restore --list)")
    except CommandError:
        partial.unlink(missing_ok=True)
        raise
    _fsync_file(partial)
    os.replace(partial, dest)
    _fsync_dir(dest.parent)
    entries = sum(1 for ln in listing.stdout.splitlines() if ln and not ln.startswith(";"))
    return f"ok, {entries} archive entries"


def media_backup(media_root: Path, dest: Path) -> int:
    """tar.gz of MEDIA_ROOT's contents (an empty archive when there is no media); answers the file count."""
    partial = dest.with_name(dest.name + ".partial")
    count = 0
    with tarfile.open(partial, "w:gz") as tar:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    tar.add(path, arcname=str(path.relative_to(media_root)), recursive=False)
                    count += 1
    _fsync_file(partial)
    os.replace(partial, dest)
    return count


# --- restore -----------------------------------------------------------------------------------------

def newest_backup(directory: Path, kind: str) -> Path:
    found = sorted(directory.glob("o2o-*" + EXTENSIONS[kind]))
    if not found:
        raise CommandError(f"no {EXTENSIONS[kind]} backup in {directory}")
    return found[-1]


def media_archive_for(backup: Path) -> Path:
    stem = backup.name.rsplit(".", 1)[0]
    return backup.with_name(stem + MEDIA_SUFFIX)


def check_media_archive(archive: Path) -> int:
    """Read the whole archive (a truncated gzip fails here, before anything is changed)."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            for m in members:
                if m.isfile():
                    fh = tar.extractfile(m)
                    if fh is not None:
                        while fh.read(1 << 20):
                            pass
                elif not m.isdir():
                    raise CommandError(f"{archive} holds {m.name!r}, which is neither a file nor a folder")
    except (tarfile.TarError, OSError, EOFError) as err:
        raise CommandError(f"{archive} is not a readable media archive: {err}") from None
    return sum(1 for m in members if m.isfile())


def media_restore(archive: Path, media_root: Path) -> int:
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".media-restore-", dir=media_root.parent))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(staging, filter="data")
        os.chmod(staging, media_root.stat().st_mode & 0o7777 if media_root.is_dir() else 0o755)
        old = media_root.with_name(media_root.name + f".old-{os.getpid()}")
        if media_root.exists():
            os.replace(media_root, old)
        os.replace(staging, media_root)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sum(1 for p in media_root.rglob("*") if p.is_file())


def check_sqlite_backup(backup: Path, work_dir: Path) -> Path:
    """Copy the backup beside the target and check it there; answers the checked temporary copy."""
    with open(backup, "rb") as fh:
        if fh.read(16) != SQLITE_HEADER:
            raise CommandError(f"{backup} is not an SQLite database")
    fd, name = tempfile.mkstemp(prefix=".o2o-restore-", suffix=".sqlite3", dir=work_dir)
    os.close(fd)
    tmp = Path(name)
    try:
        shutil.copyfile(backup, tmp)
        conn = sqlite3.connect(tmp)
        try:
            verdict = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
            if verdict != ["ok"]:
                raise CommandError(f"{backup} is damaged: " + "; ".join(verdict[:5]))
            has_migrations = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='django_migrations'").fetchone()
            if not has_migrations:
                raise CommandError(f"{backup} is not an o2o database (no django_migrations table)")
        except sqlite3.DatabaseError as err:
            raise CommandError(f"{backup} is damaged: {err}") from None
        finally:
            conn.close()
        _fsync_file(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def sqlite_users(path: Path) -> list[str]:
    """Who has the database open: other processes holding it (Linux /proc), or a lock we cannot take."""
    users: list[str] = []
    names = {str(path), f"{path}-wal", f"{path}-shm"}
    proc = Path("/proc")
    if proc.is_dir():
        me = os.getpid()
        for entry in proc.iterdir():
            if not entry.name.isdigit() or int(entry.name) == me:
                continue
            try:
                links = {os.readlink(fd) for fd in (entry / "fd").iterdir()}
            except OSError:
                continue
            if links & names:
                try:
                    cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
                except OSError:
                    cmd = "?"
                users.append(f"process {entry.name} ({cmd[:80]})")
    if not users and path.exists():
        conn = sqlite3.connect(path, timeout=0)
        try:
            conn.execute("BEGIN EXCLUSIVE")
            conn.rollback()
        except sqlite3.OperationalError as err:
            users.append(f"a lock is held ({err})")
        finally:
            conn.close()
    return users


def sqlite_restore(checked: Path, target: Path, *, in_use: bool) -> None:
    if in_use:
        # --force against a database with open connections: renaming a file under them would leave them on
        # the old inode (and pair their WAL with the new file). SQLite's backup API writes the pages through
        # the target's own locks in one transaction instead, so the other connections see old or new.
        src = sqlite3.connect(checked)
        dst = sqlite3.connect(target, timeout=60)
        try:
            src.backup(dst, pages=-1)
        finally:
            dst.close()
            src.close()
        checked.unlink(missing_ok=True)
        return
    # nobody has it open: a stale -wal/-shm (left by a crash) belongs to the old file, not to the new one
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(checked, target)
    _fsync_dir(target.parent)


def check_postgres_backup(backup: Path, db: Database) -> None:
    with open(backup, "rb") as fh:
        if fh.read(5) != PG_ARCHIVE_MAGIC:
            raise CommandError(f"{backup} is not a pg_dump custom-format archive")
    # reading the whole archive into /dev/null finds a truncated or damaged data block before any change
    try:
        _run(["pg_restore", "--file", os.devnull, str(backup)], db, f"reading {backup.name}")
    except CommandError as err:
        raise CommandError(f"{backup} is damaged: {err}") from None


def postgres_users(db: Database) -> list[tuple[int, str]]:
    with db.pg_connect() as conn:
        rows = conn.execute(
            "SELECT pid, coalesce(application_name, ''), coalesce(host(client_addr), 'local') FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()", [db.name]).fetchall()
    return [(int(pid), f"backend {pid} ({app or 'client'} from {addr})") for pid, app, addr in rows]


def postgres_terminate(db: Database, pids: list[int]) -> None:
    with db.pg_connect() as conn:
        for pid in pids:
            conn.execute("SELECT pg_terminate_backend(%s)", [pid])


def postgres_restore(backup: Path, db: Database) -> None:
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction",
          "--exit-on-error", "--dbname", db.name, *db.pg_args(), str(backup)], db, "pg_restore")
