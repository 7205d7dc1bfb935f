"""Open a project database: engine, SQLite pragmas, migrations, backup before upgrade.

Why: DESIGN.md asks for one SQLite file per project (WAL, foreign keys on, every action its
own committed transaction) and the same schema on PostgreSQL through a URL. Opening always
runs Alembic to head, so a project written by an older themeqa is upgraded in place, after a
consistent copy of the file has been taken with SQLite's online backup API.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine

from themeqa.store import revisions
from themeqa.store.dbfile import NewerSchemaError

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "DB_FILENAME",
    "PARTIAL_SUFFIX",
    "alembic_config",
    "backup_sqlite",
    "copy_into_live",
    "create_db_engine",
    "current_revision",
    "head_revision",
    "known_revisions",
    "open_engine",
    "partial_path",
    "remove_stale_partials",
    "sqlite_path",
    "upgrade",
]

DB_FILENAME = "themeqa.db"
MIGRATIONS = Path(__file__).with_name("migrations")


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - exercised via engine
    # WAL lets coders read while another writes; synchronous=FULL makes every committed
    # coding survive power loss, not only a crash of the app; busy_timeout waits for a
    # concurrent writer instead of failing at once.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def create_db_engine(url: str) -> Engine:
    """An engine with themeqa's connection settings, without touching the schema."""
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
    elif backend == "postgresql":
        # Team mode: timestamps are read and written in UTC whatever the server's zone (the
        # 0001-0003 columns are ``timestamp`` without zone, so the session zone decides what
        # an aware datetime is stored as); the application name shows who is connected in
        # pg_stat_activity; pre-ping survives a server restart between two user actions.
        engine = create_engine(
            url,
            pool_pre_ping=True,
            connect_args={"options": "-c timezone=UTC", "application_name": "themeqa"},
        )
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def alembic_config(engine: Engine | None = None) -> Config:
    """A programmatic Alembic config (no alembic.ini), pointing at the packaged migrations."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        # configparser treats "%" as interpolation: escape it (socket paths in a PostgreSQL
        # URL are percent-encoded, e.g. ?host=%2Ftmp%2F...).
        url = engine.url.render_as_string(hide_password=False)
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    """The newest schema revision (read from the migration files; no Alembic import)."""
    return revisions.head()


def known_revisions() -> set[str]:
    """Every schema revision this themeqa has a migration for."""
    return revisions.known()


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision, None for an empty database (read with plain SQL, so
    opening an up-to-date project never imports Alembic)."""
    from sqlalchemy import inspect

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    return str(row[0]) if row and row[0] else None


#: a backup being written: hidden, and matching no backup pattern (``auto-*.db``, ``*.db``)
PARTIAL_SUFFIX = ".partial"


def partial_path(dest: Path) -> Path:
    """Where a copy bound for ``dest`` is written until it is complete (per process)."""
    return dest.with_name(f".{dest.name}.{os.getpid()}{PARTIAL_SUFFIX}")


def _fsync(path: Path, *, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0))
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems cannot sync a directory
        if not directory:
            raise
    finally:
        os.close(fd)


def backup_sqlite(src: Path, dest: Path) -> Path:
    """Copy a live SQLite database consistently (online backup API, safe while others write),
    atomically: the copy is written to a hidden temporary name (``partial_path``), synced to
    disk, then renamed to ``dest``, and the folder is synced. A process killed half-way
    leaves only a ``.partial`` file, which no listing takes for a backup and
    ``remove_stale_partials`` deletes, never a half-written ``dest``.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = partial_path(dest)
    try:
        with closing(sqlite3.connect(src)) as s, closing(sqlite3.connect(tmp)) as d:
            s.backup(d)
        _fsync(tmp)
        os.replace(tmp, dest)
        _fsync(dest.parent, directory=True)
    except BaseException:
        for side in ("", "-journal", "-wal", "-shm"):
            tmp.with_name(tmp.name + side).unlink(missing_ok=True)
        raise
    return dest


def copy_into_live(src: Path, dest: Path) -> Path:
    """Overwrite the existing database ``dest`` with ``src`` through SQLite itself.

    Why not ``backup_sqlite``'s rename: ``dest`` may be open elsewhere, with a write-ahead
    log beside it that belongs to the old file; SQLite's backup API writes into ``dest``
    inside one write transaction under its locks, so a reader sees the old or the new
    database, and a process killed half-way leaves the old one (the transaction never
    commits).
    """
    with closing(sqlite3.connect(src)) as s, closing(sqlite3.connect(dest, timeout=30)) as d:
        s.backup(d)
    return dest


def remove_stale_partials(folder: Path, *, max_age_seconds: float = 86400.0) -> list[Path]:
    """Delete the ``.partial`` copies (and their SQLite side files) left in ``folder`` by a
    process that died while writing them; one whose writer still runs on this machine (its
    pid is in the name) is kept unless older than ``max_age_seconds``. Returns the removed."""
    removed = []
    if not folder.is_dir():
        return removed
    now = datetime.now(UTC).timestamp()
    for p in sorted(folder.glob(f".*{PARTIAL_SUFFIX}*")):
        stem = p.name.split(PARTIAL_SUFFIX, 1)[0]
        pid = stem.rsplit(".", 1)[-1]
        try:
            alive = pid.isdigit() and _pid_alive(int(pid))
            if alive and now - p.stat().st_mtime < max_age_seconds:
                continue
            p.unlink()
            removed.append(p)
        except FileNotFoundError:
            continue
    return removed


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run migrations up to ``revision`` on ``engine``.

    On SQLite, foreign keys are switched off for the migration: Alembic's batch mode rebuilds
    a table by copy, drop and rename, and dropping a parent table with foreign keys on would
    cascade-delete every turn and coding that points at it. Integrity is checked afterwards
    with ``PRAGMA foreign_key_check`` and the migration fails loudly if anything dangles.
    """
    from alembic import command

    cfg = alembic_config(engine)
    is_sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if is_sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        conn.commit()
        if is_sqlite:
            dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()
            if dangling:
                raise RuntimeError(f"migration left dangling foreign keys: {dangling[:5]}")
    engine.dispose()  # fresh connections get the pragmas again


def open_engine(url: str, *, migrate: bool = True, current: str | None = None) -> Engine:
    """Open (creating if needed) a project database at ``url`` and bring it to head.

    Before upgrading a SQLite file that already holds a schema, a backup named
    ``<file>.backup-<from-revision>-<UTC timestamp>`` is written beside it. A database whose
    revision this themeqa does not know (written by a newer one) raises
    ``dbfile.NewerSchemaError`` before anything is touched: Alembic would otherwise fail
    with "Can't locate revision" halfway through opening. ``current``: the revision the
    caller has already read (``dbfile.project_revision``), so it is not read twice.
    """
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(url)
    if migrate:
        if current is None:
            current = current_revision(engine)
        head = head_revision()
        if current != head:
            if current is not None and current not in known_revisions():
                engine.dispose()
                raise NewerSchemaError(
                    path or engine.url.render_as_string(hide_password=True), current)
            if path is not None and current is not None and path.exists():
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
                backup_sqlite(path, path.with_name(f"{path.name}.backup-{current}-{stamp}"))
            upgrade(engine, "head")
    return engine
