"""The doctor's checks on the project *file*, run before the project is opened.

Why separate from ``services/doctor.py``: opening a project runs migrations, writes the
project row and may take an automatic backup, and all of that fails on the files the doctor
exists for -- damaged pages (SQLite raises, or Python fails to decode a garbage page) or a
schema written by a newer themeqa (Alembic cannot find the revision). So these checks use
only the standard library's ``sqlite3`` on the file (``store/dbfile.py``) and report each
finding as a problem, and the project is opened for the row-level checks only when the
file is sound. A file that is not a themeqa database at all (empty, not SQLite, another
program's tables) is not a damaged project: the doctor refuses it like every other command,
with one line and exit code 2.
"""

from __future__ import annotations

import os
from pathlib import Path

from themeqa.errors import InputError
from themeqa.services.doctor import DoctorReport, Problem
from themeqa.services.project import project_url
from themeqa.store.dbfile import (
    DamagedDatabaseError,
    NotAProjectError,
    integrity_problems,
    project_revision,
)
from themeqa.store.engine import known_revisions, sqlite_path

__all__ = ["file_report"]

_MAX_DETAILS = 20


def _project_file(project_dir: Path | str | None, db_url: str | None) -> Path | None:
    url = db_url or os.environ.get("THEMEQA_DB") or project_url(
        Path(project_dir) if project_dir is not None else Path.cwd())
    return sqlite_path(url)


def file_report(project_dir: Path | str | None = None, db_url: str | None = None
                ) -> DoctorReport | None:
    """A report of what is wrong with the project file itself, or None when it is sound
    (or not a file: PostgreSQL, or missing, which opening the project reports).

    Checks: the file is a themeqa database (else ``InputError``); SQLite's
    ``PRAGMA quick_check`` finds no damaged page (the full ``integrity_check`` runs later,
    in ``run_doctor``, on a file that passed); the schema revision is one this themeqa knows.
    """
    path = _project_file(project_dir, db_url)
    if path is None or not path.exists():
        return None
    report = DoctorReport(checks=["file"])
    try:
        revision: str | None = project_revision(path)
    except NotAProjectError as exc:
        raise InputError(str(exc)) from exc
    except DamagedDatabaseError as exc:  # SQLite cannot even read the table list
        report.problems.append(Problem("integrity", f"database: {exc.__cause__ or exc}"))
        revision = None
    if revision is not None:
        report.checks.append("integrity")
        lines = integrity_problems(path, quick=True, limit=_MAX_DETAILS)
        report.problems += [Problem("integrity", f"database: {line}") for line in lines]
    if revision is not None and not report.problems:
        report.checks.append("schema")
        if revision not in known_revisions():
            report.problems.append(Problem(
                "schema", f"made by a newer themeqa (revision {revision}); upgrade themeqa"))
    return report if report.problems else None
