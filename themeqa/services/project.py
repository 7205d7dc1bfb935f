"""Open or create a project, and run one user action as one committed transaction.

Why: DESIGN.md has no "save": every user action is its own transaction, committed at once,
and the same code runs on a SQLite file per project or a PostgreSQL URL for a team.
"""

from __future__ import annotations

import getpass
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session, select

from themeqa.errors import BusyError, InputError, NotFoundError, PermissionDeniedError
from themeqa.store.dbfile import (
    DamagedDatabaseError,
    NewerSchemaError,
    NotAProjectError,
    project_revision,
)
from themeqa.store.engine import DB_FILENAME, open_engine, sqlite_path
from themeqa.store.models import ProjectInfo

__all__ = [
    "BUSY_MESSAGE",
    "BUSY_SECONDS",
    "ProjectHandle",
    "check_project_file",
    "default_actor",
    "open_project",
    "project_url",
]

#: how long a write waits for another process's write lock (SQLite) before giving up
BUSY_SECONDS = 30.0
BUSY_MESSAGE = "the project is busy: another themeqa is writing; try again"


def default_actor() -> str:
    """Who is acting when no coder is named: the OS user (recorded in the audit log)."""
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no user database in some containers
        return "unknown"


def project_url(project_dir: Path) -> str:
    """The SQLite URL of the project kept in ``project_dir``."""
    return f"sqlite:///{(Path(project_dir) / DB_FILENAME).resolve()}"


@dataclass
class ProjectHandle:
    """An open project: its engine and where it lives. Services take this as first argument."""

    engine: Engine
    url: str
    directory: Path | None
    actor: str = field(default_factory=default_actor)
    #: seconds a write waits for another writer before ``BusyError`` (tests shorten it)
    busy_seconds: float = field(default_factory=lambda: BUSY_SECONDS)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One user action: commit on success, roll back everything on any error.

        On SQLite the transaction starts with ``BEGIN IMMEDIATE``: it takes the write lock
        before its first read, so whatever the action reads (a code's version, the tree it
        checks for cycles, the highest id) cannot change under it before it writes. SQLite's
        default (deferred) transaction reads first and locks at the first write, which let
        two processes both read version 3 and both write version 4 (issue 20).
        """
        with Session(self.engine, expire_on_commit=False) as session:
            if self.engine.dialect.name == "sqlite":
                _begin_immediate(session, self.busy_seconds)
            try:
                yield session
                session.commit()
            except DBAPIError as exc:
                session.rollback()
                if getattr(exc.orig, "sqlstate", None) == "42501":
                    # PostgreSQL's row-level security (migration 0006) or a missing grant
                    raise PermissionDeniedError(_refused(exc)) from None
                raise
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work (nothing is committed)."""
        with Session(self.engine) as session:
            yield session

    def info(self) -> ProjectInfo:
        with self.reading() as s:
            info = s.exec(select(ProjectInfo)).first()
            if info is None:  # pragma: no cover - created by open_project
                raise NotFoundError("project has no metadata row")
            s.expunge(info)
            return info

    def close(self) -> None:
        self.engine.dispose()


def check_project_file(path: Path) -> str:
    """The schema revision of an existing project file; InputError (one line) when the file
    is empty, not SQLite, another program's database, or too damaged to read.

    Every way into a project except creating one comes through here, so a file that is not
    a themeqa database is never turned into one (``store/dbfile.py`` says why).
    """
    try:
        return project_revision(path)
    except (NotAProjectError, DamagedDatabaseError) as exc:
        raise InputError(str(exc)) from exc


def _refused(exc: DBAPIError) -> str:
    """The server's refusal as one line (its message names the rule; 0006's start "themeqa:")."""
    line = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    return "the database refused: " + line.removeprefix("themeqa: ")


def _is_locked(exc: OperationalError) -> bool:
    text = str(exc.orig or exc).lower()
    return "locked" in text or "busy" in text


def _begin_immediate(session: Session, seconds: float) -> None:
    """Take SQLite's write lock, waiting up to ``seconds`` for another writer.

    Each attempt lets SQLite's busy handler wait (``PRAGMA busy_timeout``, at most the time
    left); when it gives up, the attempt is retried after a growing pause (50 ms doubling to
    1 s), so a long import in another process delays this action instead of failing it.
    Nothing has been read or written yet, so retrying the BEGIN is retrying the transaction.
    After ``seconds``: one clear line (``BusyError``), nothing written.
    """
    deadline = time.monotonic() + seconds
    pause = 0.05
    while True:
        left = deadline - time.monotonic()
        conn = session.connection()
        try:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={max(0, min(int(left * 1000), 10000))}")
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as exc:
            session.rollback()
            if not _is_locked(exc):
                raise
            if time.monotonic() >= deadline:
                raise BusyError(BUSY_MESSAGE) from None
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 2, 1.0)


def open_project(
    project_dir: Path | str | None = None,
    db_url: str | None = None,
    *,
    create: bool = False,
    name: str | None = None,
    actor: str | None = None,
) -> ProjectHandle:
    """Open the project in ``project_dir`` (or at ``db_url`` / ``$THEMEQA_DB``).

    Without ``create``, a missing SQLite project is an error that says how to make one, so a
    typo in ``--project`` never silently starts an empty study. An existing file that is not
    a themeqa database is refused even with ``create`` (``check_project_file``), and so is
    one written by a newer themeqa.
    """
    db_url = db_url or os.environ.get("THEMEQA_DB") or None
    directory = Path(project_dir) if project_dir is not None else Path.cwd()
    url = db_url or project_url(directory)
    path = sqlite_path(url)
    if path is not None and not path.exists() and not create:
        raise NotFoundError(
            f"no themeqa project at {path.parent} (run `themeqa init {path.parent}` "
            "or `themeqa demo DIR` to create one)"
        )
    revision = check_project_file(path) if path is not None and path.exists() else None
    try:
        engine = open_engine(url, current=revision)
    except NewerSchemaError as exc:
        raise InputError(str(exc)) from exc
    handle = ProjectHandle(
        engine=engine,
        url=url,
        directory=path.parent if path is not None else None,
        actor=actor or default_actor(),
    )
    with handle.reading() as s:
        missing = s.exec(select(ProjectInfo)).first() is None
    if missing:  # only a new project writes on open (a reader never waits for the lock)
        with handle.transaction() as s:
            if s.exec(select(ProjectInfo)).first() is None:
                s.add(ProjectInfo(name=name or (directory.name if db_url is None else "themeqa")))
    _auto_backup(handle)
    return handle


def _auto_backup(handle: ProjectHandle) -> None:
    """The rotating automatic backup (services/backup.py); a failure never blocks opening."""
    if handle.directory is None:
        return
    from themeqa.services.backup import maybe_auto_backup

    try:
        maybe_auto_backup(handle)
    except Exception as exc:  # e.g. a full disk: warn, the study stays usable
        import warnings

        warnings.warn(f"automatic backup failed: {exc}", RuntimeWarning, stacklevel=3)
