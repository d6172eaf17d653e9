"""Backups that restore: PostgreSQL through its own tools (``pg_dump`` / ``pg_restore``), SQLite
through its online backup API, each with a manifest — the row count of every table and the audit
chain's head, taken in the same snapshot as the copy — that a restore is checked against.

A backup is two files side by side: the copy (``….dump`` in PostgreSQL's custom format, or an
SQLite database file ``….sqlite3``) and ``<copy>.manifest.json``. See docs/backups.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.db import connection
from django.utils.translation import gettext as _

from habeas.core.errors import InvalidInput, NotFound, RuleViolation

FORMAT = "habeas-backup/1"
HEAD_TABLE = "audit_audithead"
EVENT_TABLE = "audit_auditevent"


@dataclass
class Snapshot:
    """What a database holds at one moment: rows per table and the audit chain's head."""

    tables: dict[str, int]
    audit_head_seq: int
    audit_head_hash: str
    last_event_seq: int
    last_event_hash: str

    def differences(self, other: Snapshot) -> list[str]:
        """Human-readable differences between ``self`` (expected) and ``other`` (found)."""
        found: list[str] = []
        for table in sorted(set(self.tables) | set(other.tables)):
            a, b = self.tables.get(table), other.tables.get(table)
            if a != b:
                found.append(
                    _("table %(table)s: %(a)s rows expected, %(b)s found")
                    % {"table": table, "a": "—" if a is None else a, "b": "—" if b is None else b}
                )
        for name in ("audit_head_seq", "audit_head_hash", "last_event_seq", "last_event_hash"):
            if getattr(self, name) != getattr(other, name):
                found.append(
                    _("%(name)s: %(a)s expected, %(b)s found")
                    % {"name": name, "a": getattr(self, name), "b": getattr(other, name)}
                )
        return found


@dataclass
class Manifest:
    format: str
    engine: str  # postgresql or sqlite
    created_at: str
    file: str  # the copy's file name, beside the manifest
    sha256: str
    snapshot: Snapshot
    extra: dict[str, Any] = field(default_factory=dict)

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n", "utf-8")

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            data = json.loads(path.read_text("utf-8"))
            snap = Snapshot(**data.pop("snapshot"))
            manifest = cls(snapshot=snap, **data)
        except FileNotFoundError as exc:
            raise NotFound(
                code="NO_MANIFEST",
                message=_("No manifest %(path)s beside the backup: it cannot be verified.")
                % {"path": path},
                field="file",
            ) from exc
        except (ValueError, TypeError, KeyError) as exc:
            raise InvalidInput(
                code="BAD_MANIFEST",
                message=_("%(path)s is not a Habeas backup manifest.") % {"path": path},
                field="file",
            ) from exc
        if manifest.format != FORMAT:
            raise InvalidInput(
                code="BAD_MANIFEST",
                message=_("%(path)s is not a Habeas backup manifest.") % {"path": path},
                field="file",
            )
        return manifest


def manifest_path(copy: Path) -> Path:
    return copy.with_name(copy.name + ".manifest.json")


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as src:
        for block in iter(lambda: src.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --- Reading a snapshot with a plain DB-API cursor (works on any copy, not only Django's) ------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _snapshot(cur: Any, tables: list[str], mark: str) -> Snapshot:
    counts = {}
    for table in sorted(tables):
        cur.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - names from the catalog
        counts[table] = int(cur.fetchone()[0])
    head_seq, head_hash, last_seq, last_hash = 0, "", 0, ""
    if HEAD_TABLE in counts:
        cur.execute(f"SELECT seq, hash FROM {HEAD_TABLE} WHERE id = {mark}", [1])  # noqa: S608
        row = cur.fetchone()
        if row:
            head_seq, head_hash = int(row[0]), str(row[1])
    if EVENT_TABLE in counts:
        cur.execute(f"SELECT seq, hash FROM {EVENT_TABLE} ORDER BY seq DESC LIMIT 1")  # noqa: S608
        row = cur.fetchone()
        if row:
            last_seq, last_hash = int(row[0]), str(row[1])
    return Snapshot(counts, head_seq, head_hash, last_seq, last_hash)


def sqlite_snapshot(conn: sqlite3.Connection) -> Snapshot:
    cur = conn.cursor()
    cur.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return _snapshot(cur, [r[0] for r in cur.fetchall()], "?")


def pg_tables(cur: Any) -> list[str]:
    cur.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
    )
    return [r[0] for r in cur.fetchall()]


def pg_snapshot(cur: Any) -> Snapshot:
    return _snapshot(cur, pg_tables(cur), "%s")


# --- Connection parameters ---------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A database named by URL: ``sqlite:///path`` or ``postgresql://user@host:port/name``."""

    engine: str
    name: str  # the SQLite file path, or the PostgreSQL database name
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def of_url(cls, url: str) -> Target:
        parts = urlsplit(url)
        if parts.scheme == "sqlite":
            return cls(engine="sqlite", name=unquote(parts.path[1:] if parts.path else ""))
        if parts.scheme in ("postgres", "postgresql", "pgsql"):
            return cls(
                engine="postgresql",
                name=unquote(parts.path.lstrip("/")),
                host=parts.hostname or "",
                port=str(parts.port or ""),
                user=unquote(parts.username or ""),
                password=unquote(parts.password or ""),
            )
        raise InvalidInput(
            code="UNSUPPORTED_DATABASE",
            message=_("Only sqlite:/// and postgresql:// databases can be backed up."),
            field="database_url",
        )

    @classmethod
    def of_django(cls) -> Target:
        s = connection.settings_dict
        if connection.vendor == "sqlite":
            return cls(engine="sqlite", name=str(s["NAME"]))
        return cls(
            engine="postgresql",
            name=str(s["NAME"]),
            host=str(s.get("HOST") or ""),
            port=str(s.get("PORT") or ""),
            user=str(s.get("USER") or ""),
            password=str(s.get("PASSWORD") or ""),
        )

    def with_name(self, name: str) -> Target:
        return Target(self.engine, name, self.host, self.port, self.user, self.password)

    # PostgreSQL
    def conninfo(self) -> dict[str, str]:
        params = {"dbname": self.name, "host": self.host, "port": self.port, "user": self.user}
        if self.password:
            params["password"] = self.password
        return {k: v for k, v in params.items() if v}

    def tool_args(self) -> list[str]:
        args = []
        for flag, value in (("-h", self.host), ("-p", self.port), ("-U", self.user)):
            if value:
                args += [flag, value]
        return args

    def tool_env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def _pg_connect(target: Target, **kwargs: Any) -> Any:
    import psycopg

    conninfo = psycopg.conninfo.make_conninfo(**target.conninfo())
    return psycopg.connect(conninfo, **kwargs)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuleViolation(
            code="TOOL_MISSING",
            message=_("%(tool)s is not installed: install PostgreSQL's client tools.")
            % {"tool": name},
            field=None,
        )
    return path


def _run(args: list[str], target: Target) -> None:
    done = subprocess.run(  # noqa: S603 - fixed tool, arguments from the configuration
        args, env=target.tool_env(), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuleViolation(
            code="TOOL_FAILED",
            message=_("%(tool)s failed: %(err)s")
            % {"tool": Path(args[0]).name, "err": done.stderr.strip()[-2000:]},
            field=None,
        )


def database_exists(target: Target) -> bool:
    if target.engine == "sqlite":
        return Path(target.name).exists()
    admin = target.with_name("postgres")
    with _pg_connect(admin, autocommit=True) as conn:
        return bool(
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target.name]).fetchone()
        )


def create_database(target: Target) -> None:
    if target.engine == "sqlite":
        Path(target.name).parent.mkdir(parents=True, exist_ok=True)
        return
    from psycopg import sql

    with _pg_connect(target.with_name("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.name)))


def drop_database(target: Target) -> None:
    if target.engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(target.name + suffix).unlink(missing_ok=True)
        return
    from psycopg import sql

    with _pg_connect(target.with_name("postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target.name))
        )


def is_empty(target: Target) -> bool:
    if not database_exists(target):
        return True
    if target.engine == "sqlite":
        with _sqlite_open(Path(target.name)) as conn:
            return not sqlite_snapshot(conn).tables
    with _pg_connect(target) as conn, conn.cursor() as cur:
        return not pg_tables(cur)


@contextmanager
def _sqlite_open(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(str(path))
    try:
        yield conn
    finally:
        conn.close()


def snapshot_of(target: Target) -> Snapshot:
    if target.engine == "sqlite":
        with _sqlite_open(Path(target.name)) as conn:
            return sqlite_snapshot(conn)
    with _pg_connect(target) as conn, conn.cursor() as cur:
        return pg_snapshot(cur)


# --- Backup ------------------------------------------------------------------------------------


def _stamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def backup(*, out_dir: Path, at: dt.datetime) -> tuple[Path, Manifest]:
    """Copy the configured database into ``out_dir`` and write its manifest. The counts and the
    audit head are read in the same snapshot the copy is taken from."""
    out_dir.mkdir(parents=True, exist_ok=True)
    source = Target.of_django()
    if source.engine == "sqlite":
        copy = out_dir / f"habeas-sqlite-{_stamp(at)}.sqlite3"
        snap = _backup_sqlite(copy)
    else:
        copy = out_dir / f"habeas-postgresql-{_stamp(at)}.dump"
        snap = _backup_postgresql(source, copy)
    copy.chmod(0o600)  # it holds every person's record
    manifest = Manifest(
        format=FORMAT,
        engine=source.engine,
        created_at=at.astimezone(dt.UTC).isoformat(),
        file=copy.name,
        sha256=sha256_of(copy),
        snapshot=snap,
    )
    manifest.write(manifest_path(copy))
    return copy, manifest


BUSY_SECONDS = 60


def _backup_sqlite(copy: Path) -> Snapshot:
    """SQLite's online backup API, in one step: the copy is one consistent snapshot of the source
    (a read lock held for the second or so it takes; writers in WAL mode carry on). The counts
    and the audit head are then read from the copy, which *is* that snapshot — also when the
    source is the test run's in-memory database."""
    connection.ensure_connection()
    raw = connection.connection
    tmp = copy.with_name(copy.name + ".partial")
    tmp.unlink(missing_ok=True)
    deadline = time.monotonic() + BUSY_SECONDS

    def give_up_when_busy_too_long(status: int, remaining: int, total: int) -> None:
        # SQLite's backup retries for ever while another connection holds a lock; a backup
        # that never ends is worse than one that says why it stopped.
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and (time.monotonic() > deadline):
            raise TimeoutError

    try:
        with _sqlite_open(tmp) as dst:
            raw.backup(dst, pages=-1, progress=give_up_when_busy_too_long, sleep=0.05)
            snap = sqlite_snapshot(dst)
    except TimeoutError as exc:
        tmp.unlink(missing_ok=True)
        raise RuleViolation(
            code="DATABASE_BUSY",
            message=_(
                "The database stayed locked by another connection for %(n)d seconds; "
                "no backup was written. Try again."
            )
            % {"n": BUSY_SECONDS},
        ) from exc
    tmp.replace(copy)  # a backup interrupted half-way never looks complete
    return snap


def _backup_postgresql(source: Target, copy: Path) -> Snapshot:
    """``pg_dump`` of a snapshot exported by a REPEATABLE READ transaction that also counts the
    rows: the dump and the manifest describe the same moment while writers carry on."""
    pg_dump = _tool("pg_dump")
    tmp = copy.with_name(copy.name + ".partial")
    with _pg_connect(source) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot_id = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        with conn.cursor() as cur:
            snap = pg_snapshot(cur)
        _run(
            [
                pg_dump,
                *source.tool_args(),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot_id}",
                f"--file={tmp}",
                source.name,
            ],
            source,
        )
        conn.rollback()
    tmp.replace(copy)
    return snap


# --- Restore -----------------------------------------------------------------------------------


def restore(*, copy: Path, target: Target, replace: bool = False) -> tuple[Manifest, Snapshot]:
    """Restore ``copy`` into ``target`` (created when missing) and read back what it holds.
    Refuses a target that holds tables unless ``replace``. The caller compares the snapshot with
    the manifest (``verify``)."""
    manifest = Manifest.read(manifest_path(copy))
    if not copy.exists():
        raise NotFound(
            code="FILE_NOT_FOUND",
            message=_("No such file: %(path)s") % {"path": copy},
            field="file",
        )
    if sha256_of(copy) != manifest.sha256:
        raise RuleViolation(
            code="BACKUP_CORRUPT",
            message=_("%(path)s does not match its manifest's checksum: the copy is damaged.")
            % {"path": copy},
            field="file",
        )
    if manifest.engine != target.engine:
        raise InvalidInput(
            code="WRONG_ENGINE",
            message=_("A %(a)s backup cannot be restored into a %(b)s database.")
            % {"a": manifest.engine, "b": target.engine},
            field="database_url",
        )
    if not is_empty(target):
        if not replace:
            raise RuleViolation(
                code="TARGET_NOT_EMPTY",
                message=_(
                    "The target database already holds tables. Restore into a new database, or "
                    "pass --replace to overwrite it."
                ),
                field="database_url",
            )
        drop_database(target)
    if not database_exists(target):
        create_database(target)
    if target.engine == "sqlite":
        _restore_sqlite(copy, Path(target.name))
    else:
        pg_restore = _tool("pg_restore")
        _run(
            [
                pg_restore,
                *target.tool_args(),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={target.name}",
                str(copy),
            ],
            target,
        )
        with _pg_connect(target, autocommit=True) as conn:
            conn.execute("ANALYZE")
    return manifest, snapshot_of(target)


def _restore_sqlite(copy: Path, path: Path) -> None:
    tmp = path.with_name(path.name + f".restoring-{uuid.uuid4().hex[:8]}")
    with _sqlite_open(copy) as src, _sqlite_open(tmp) as dst:
        src.backup(dst)
    tmp.replace(path)


def verify(manifest: Manifest, found: Snapshot) -> list[str]:
    return manifest.snapshot.differences(found)


def verify_copy(copy: Path) -> list[str]:
    """Restore ``copy`` into a scratch database, compare it with its manifest, drop the scratch
    database. Returns the differences (none: the backup restores)."""
    manifest = Manifest.read(manifest_path(copy))
    if manifest.engine == "sqlite":
        with tempfile.TemporaryDirectory(prefix="habeas-verify-") as tmp:
            scratch = Target(engine="sqlite", name=str(Path(tmp) / "restored.sqlite3"))
            _m, found = restore(copy=copy, target=scratch)
            return verify(manifest, found)
    source = Target.of_django()
    scratch = source.with_name(f"habeas_verify_{uuid.uuid4().hex[:12]}")
    try:
        _m, found = restore(copy=copy, target=scratch)
        return verify(manifest, found)
    finally:
        drop_database(scratch)
