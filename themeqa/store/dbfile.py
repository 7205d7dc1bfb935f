"""Is this file a themeqa database? A cheap check before anything opens or migrates it.

Why: SQLite happily "opens" an empty file, or any other program's database, and Alembic would
then create themeqa's tables in it, so a 0-byte ``themeqa.db`` (a copy interrupted, a disk
full) silently became a new empty study and another program's database got our tables. Only
``themeqa init`` creates a project; every other way in asks this module first. It reads the
file header (the 16-byte magic string of the SQLite file format,
https://www.sqlite.org/fileformat.html section 1.3.1), the table names and the schema
revision, with the standard library's ``sqlite3`` only: no SQLAlchemy, no Alembic, a few
milliseconds, so it fits the fast path of opening a project.

Also the stdlib-only integrity check the doctor and ``restore`` use: decoding is lenient
(a damaged page can hold bytes that are not UTF-8; Python's default text decoding would
raise ``UnicodeDecodeError`` instead of letting SQLite report the damage).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = [
    "REQUIRED_TABLES",
    "SQLITE_MAGIC",
    "DamagedDatabaseError",
    "NewerSchemaError",
    "NotAProjectError",
    "integrity_problems",
    "project_revision",
]

SQLITE_MAGIC = b"SQLite format 3\x00"
#: tables every themeqa database has had since revision 0001
REQUIRED_TABLES = frozenset({"alembic_version", "project", "document", "coding", "code",
                             "coder"})


class NotAProjectError(ValueError):
    """The file exists but is not a themeqa database (empty, not SQLite, foreign tables)."""


class DamagedDatabaseError(ValueError):
    """The file is SQLite but cannot even be read far enough to tell what it holds."""


class NewerSchemaError(ValueError):
    """The file was written by a newer themeqa: its schema revision is unknown here."""

    def __init__(self, path: Path | str, revision: str) -> None:
        super().__init__(f"{path} was made by a newer themeqa (revision {revision}); "
                         "upgrade themeqa")
        self.revision = revision


def _lenient(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def _connect(path: Path) -> sqlite3.Connection:
    """Open an existing file without creating it (``mode=rw``: SQLite's ``ro`` cannot read
    a WAL database whose ``-shm`` file is missing)."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=10)
    con.text_factory = _lenient
    return con


def project_revision(path: Path | str) -> str:
    """The schema revision of the themeqa database at ``path`` (an existing file).

    Raises ``NotAProjectError`` (message: "PATH is not a themeqa project (why)") for an empty
    file, a file that is not SQLite, or a SQLite database without themeqa's tables or
    revision; ``DamagedDatabaseError`` when SQLite cannot read its table list.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise NotAProjectError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if size == 0:
        raise NotAProjectError(f"{path} is not a themeqa project (an empty file)")
    if head != SQLITE_MAGIC:
        raise NotAProjectError(f"{path} is not a themeqa project (not a SQLite database)")
    try:
        con = _connect(path)
    except sqlite3.Error as exc:
        raise DamagedDatabaseError(f"{path}: cannot open ({exc})") from exc
    try:
        tables = {r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = REQUIRED_TABLES - tables
        if missing == REQUIRED_TABLES:
            raise NotAProjectError(f"{path} is not a themeqa project (a SQLite database "
                                   "without themeqa's tables)")
        if missing:
            raise NotAProjectError(
                f"{path} is not a themeqa project (a SQLite database without themeqa's "
                f"{', '.join(sorted(missing))} table{'s' if len(missing) > 1 else ''})")
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise DamagedDatabaseError(
            f"{path} is damaged ({exc}): run `themeqa doctor`, or restore a backup") from exc
    finally:
        con.close()
    if row is None or not row[0]:
        raise NotAProjectError(f"{path} is not a themeqa project (no schema revision)")
    return str(row[0])


def integrity_problems(path: Path | str, *, quick: bool = False, limit: int = 20) -> list[str]:
    """SQLite's ``PRAGMA integrity_check`` (or ``quick_check``) lines; [] when the file is
    sound. A file too damaged for the check to walk gives one line with SQLite's error."""
    pragma = "quick_check" if quick else "integrity_check"
    try:
        con = _connect(Path(path))
        try:
            rows = [str(r[0]) for r in con.execute(f"PRAGMA {pragma}({int(limit)})")]
        finally:
            con.close()
    except sqlite3.Error as exc:
        return [str(exc).splitlines()[0] if str(exc) else type(exc).__name__]
    if rows == ["ok"]:
        return []
    # SQLite may pack several findings into one row, under a "*** in database main ***" head
    lines = [ln for r in rows for ln in r.splitlines()
             if ln.strip() and not ln.startswith("*** in database")]
    return lines[:limit] or rows[:limit]
