"""Backups: on demand, automatic and rotating, and restore.

Why SQLite's online backup API (``sqlite3.Connection.backup``) rather than copying the file:
it copies a consistent snapshot page by page while other coders keep writing (a plain copy of
a WAL database taken mid-write can miss committed pages still in ``-wal`` or be torn). Weeks
of coding must survive a broken disk or a bad import, so a project also backs itself up when
it is opened and the newest automatic backup (or the project itself) is older than the
configured interval (default daily, keep 7). On PostgreSQL backups are the server's business
(``pg_dump``): these functions refuse with a one-line pointer instead of pretending.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from themeqa.errors import InputError
from themeqa.services.audit import record
from themeqa.services.project import ProjectHandle
from themeqa.store.dbfile import (
    SQLITE_MAGIC,
    DamagedDatabaseError,
    NotAProjectError,
    integrity_problems,
    project_revision,
)
from themeqa.store.engine import (
    DB_FILENAME,
    backup_sqlite,
    copy_into_live,
    head_revision,
    open_engine,
    remove_stale_partials,
)
from themeqa.store.models import ProjectInfo

__all__ = [
    "BACKUP_DIR",
    "BackupSettings",
    "RestoreResult",
    "backup_project",
    "backup_settings",
    "check_backup_file",
    "clean_backup_folder",
    "list_auto_backups",
    "maybe_auto_backup",
    "restore_project",
    "set_backup_settings",
]

BACKUP_DIR = "backups"
AUTO_PREFIX = "auto-"
SETTINGS_KEY = "backup"
DEFAULT_INTERVAL_HOURS = 24.0
DEFAULT_KEEP = 7
_STAMP = "%Y%m%dT%H%M%S%fZ"


@dataclass(frozen=True)
class BackupSettings:
    """``interval_hours`` 0 switches automatic backups off; ``keep`` automatic copies kept."""

    interval_hours: float = DEFAULT_INTERVAL_HOURS
    keep: int = DEFAULT_KEEP

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    from_revision: str
    to_revision: str
    previous: Path | None  # the project file that was replaced, kept beside it

    def to_dict(self) -> dict:
        return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self).items()}


def _db_file(project: ProjectHandle) -> Path:
    if project.directory is None:
        raise InputError(
            "backups of a PostgreSQL project are made by the server (use pg_dump / pg_restore)")
    return project.directory / DB_FILENAME


def _stamp(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime(_STAMP)


# ------------------------------------------------------------------------------- settings


def backup_settings(project: ProjectHandle) -> BackupSettings:
    raw = (project.info().settings or {}).get(SETTINGS_KEY) or {}
    return BackupSettings(
        interval_hours=float(raw.get("interval_hours", DEFAULT_INTERVAL_HOURS)),
        keep=int(raw.get("keep", DEFAULT_KEEP)),
    )


def set_backup_settings(
    project: ProjectHandle,
    *,
    interval_hours: float | None = None,
    keep: int | None = None,
    actor: str | None = None,
) -> BackupSettings:
    """Change how often automatic backups are made and how many are kept."""
    if interval_hours is not None and not (0 <= interval_hours <= 24 * 366):
        raise InputError(f"backup interval must be 0 (off) to 8784 hours, not {interval_hours}")
    if keep is not None and not (1 <= keep <= 1000):
        raise InputError(f"backups to keep must be 1 to 1000, not {keep}")
    with project.transaction() as s:
        info = s.exec(select(ProjectInfo)).one()
        before = dict((info.settings or {}).get(SETTINGS_KEY) or {})
        after = dict(before)
        if interval_hours is not None:
            after["interval_hours"] = float(interval_hours)
        if keep is not None:
            after["keep"] = int(keep)
        info.settings = {**(info.settings or {}), SETTINGS_KEY: after}
        s.add(info)
        record(s, actor or project.actor, "update", "setting", None,
               before={SETTINGS_KEY: before}, after={SETTINGS_KEY: after})
    return backup_settings(project)


# ---------------------------------------------------------------------------------- backup


def backup_project(
    project: ProjectHandle, out: Path | str | None = None, *, actor: str | None = None
) -> Path:
    """Write a consistent copy of the project database; returns its path.

    ``out`` may be a file (refused if it exists) or a directory; by default the copy goes to
    ``<project>/backups/themeqa-<UTC time>.db``.
    """
    src = _db_file(project)
    if out is None:
        dest = src.parent / BACKUP_DIR / f"themeqa-{_stamp()}.db"
    else:
        dest = Path(out)
        if dest.is_dir():
            dest = dest / f"themeqa-{_stamp()}.db"
    if dest.exists():
        raise InputError(f"{dest} already exists; choose another name")
    if dest.resolve() == src.resolve():
        raise InputError("a backup cannot overwrite the project database itself")
    try:
        backup_sqlite(src, dest)
    except (OSError, sqlite3.Error) as exc:
        dest.unlink(missing_ok=True)
        raise InputError(f"cannot write backup {dest}: {exc}") from exc
    with project.transaction() as s:
        record(s, actor or project.actor, "backup", "project", None,
               after={"file": str(dest)})
    return dest


def _looks_complete(path: Path) -> bool:
    """A cheap test that a file is a finished SQLite copy: it starts with the SQLite header
    and has no rollback journal beside it. Backups are renamed into place only when complete
    (``store.engine.backup_sqlite``); this catches the half-written ``auto-*.db`` files that
    themeqa before issue 21 left when killed mid-backup (empty, or with a hot journal)."""
    try:
        with path.open("rb") as fh:
            if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
                return False
    except OSError:
        return False
    return not path.with_name(path.name + "-journal").exists()


def list_auto_backups(project: ProjectHandle) -> list[Path]:
    """Automatic backups, oldest first (names carry their UTC time, so names sort by age).

    Only finished copies: a temporary ``.partial`` file never matches the pattern, and an
    ``auto-*.db`` that is not a complete SQLite file is left out (``_looks_complete``).
    """
    folder = _db_file(project).parent / BACKUP_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"{AUTO_PREFIX}*.db") if _looks_complete(p))


def clean_backup_folder(project: ProjectHandle) -> list[Path]:
    """Delete what interrupted backups left in the backups folder: ``.partial`` files of
    processes that are gone, and incomplete ``auto-*.db`` files. Returns what was removed."""
    folder = _db_file(project).parent / BACKUP_DIR
    removed = remove_stale_partials(folder)
    if folder.is_dir():
        for p in sorted(folder.glob(f"{AUTO_PREFIX}*.db")):
            if not _looks_complete(p):
                for side in ("", "-journal", "-wal", "-shm"):
                    p.with_name(p.name + side).unlink(missing_ok=True)
                removed.append(p)
    return removed


def _made_at(path: Path) -> datetime | None:
    try:
        return datetime.strptime(path.stem.removeprefix(AUTO_PREFIX), _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None


def maybe_auto_backup(project: ProjectHandle, *, now: datetime | None = None) -> Path | None:
    """Back up if the newest automatic backup (or, before the first, the project's creation)
    is older than the interval; keep the newest ``keep``. Returns the new file or None.

    Counting from creation means a brand-new project is not copied the moment it is made.
    """
    if project.directory is None:
        return None
    clean_backup_folder(project)
    settings = backup_settings(project)
    if settings.interval_hours <= 0:
        return None
    now = now or datetime.now(UTC)
    existing = list_auto_backups(project)
    times = [t for t in map(_made_at, existing) if t is not None]
    last = max(times) if times else project.info().created_at
    if last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    if now - last < timedelta(hours=settings.interval_hours):
        return None
    dest = _db_file(project).parent / BACKUP_DIR / f"{AUTO_PREFIX}{_stamp(now)}.db"
    backup_sqlite(_db_file(project), dest)
    for old in list_auto_backups(project)[: -settings.keep]:
        old.unlink(missing_ok=True)
    return dest


# --------------------------------------------------------------------------------- restore


def check_backup_file(path: Path | str) -> str:
    """Return the schema revision of a themeqa database file; InputError if it is not one.

    Checks, before anything is replaced: the file is SQLite with themeqa's tables and a
    schema revision (``store.dbfile.project_revision``), and SQLite's full
    ``PRAGMA integrity_check`` finds nothing wrong.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        revision = project_revision(path)
    except NotAProjectError as exc:
        raise InputError(str(exc).replace("is not a themeqa project",
                                          "is not a themeqa database")) from exc
    except DamagedDatabaseError as exc:
        raise InputError(f"{path}: the database is damaged ({exc.__cause__ or exc})") from exc
    problems = integrity_problems(path, limit=3)
    if problems:
        raise InputError(f"{path}: the database is damaged ({'; '.join(problems)})")
    return revision


def _known_revisions() -> set[str]:
    from themeqa.store.engine import known_revisions

    return known_revisions()


def restore_project(
    project_dir: Path | str, backup: Path | str, *, force: bool = False
) -> RestoreResult:
    """Replace the project in ``project_dir`` by ``backup`` and bring it to the current schema.

    Refuses to overwrite an existing project without ``force``; with it, the replaced file is
    kept beside it as ``themeqa.db.before-restore-<time>`` (a restore can be undone by hand).
    A backup written by a newer themeqa (unknown revision) is refused.
    """
    project_dir = Path(project_dir)
    backup = Path(backup)
    revision = check_backup_file(backup)
    if revision not in _known_revisions():
        raise InputError(
            f"{backup}: written by a newer themeqa (schema {revision}); upgrade themeqa first")
    target = project_dir / DB_FILENAME
    if target.exists() and backup.resolve() == target.resolve():
        raise InputError("the backup is the project database itself")
    previous = None
    if target.exists():
        if not force:
            raise InputError(
                f"{project_dir} already holds a project; add --force to replace it "
                "(the current file is kept as themeqa.db.before-restore-…)")
        previous = target.with_name(f"{DB_FILENAME}.before-restore-{_stamp()}")
        backup_sqlite(target, previous)
        # The backup API writes into the live file in one transaction under SQLite's locks,
        # so a reader with the project open sees either the old or the restored database,
        # and a restore killed half-way leaves the old one.
        copy_into_live(backup, target)
    else:
        project_dir.mkdir(parents=True, exist_ok=True)
        for side in ("-wal", "-shm", "-journal"):  # a stale log would be replayed onto it
            target.with_name(target.name + side).unlink(missing_ok=True)
        backup_sqlite(backup, target)  # temporary name, synced, renamed
    engine = open_engine(f"sqlite:///{target.resolve()}")  # migrates an older backup
    engine.dispose()
    return RestoreResult(path=target, from_revision=revision, to_revision=head_revision(),
                         previous=previous)
