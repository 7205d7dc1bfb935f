"""Open or create a project, and run one user action as one committed transaction.

Why: DESIGN.md has no "save": every user action is its own transaction, committed at once,
and the same code runs on a SQLite file per project or a PostgreSQL URL for a team.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from themeqa.errors import InputError, NotFoundError
from themeqa.store.dbfile import (
    DamagedDatabaseError,
    NewerSchemaError,
    NotAProjectError,
    project_revision,
)
from themeqa.store.engine import DB_FILENAME, open_engine, sqlite_path
from themeqa.store.models import ProjectInfo

__all__ = [
    "ProjectHandle",
    "check_project_file",
    "default_actor",
    "open_project",
    "project_url",
]


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

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One user action: commit on success, roll back everything on any error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
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
    if path is not None and path.exists():
        check_project_file(path)
    try:
        engine = open_engine(url)
    except NewerSchemaError as exc:
        raise InputError(str(exc)) from exc
    handle = ProjectHandle(
        engine=engine,
        url=url,
        directory=path.parent if path is not None else None,
        actor=actor or default_actor(),
    )
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
