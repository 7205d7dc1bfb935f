"""A real PostgreSQL server for the team-mode tests, started by the test suite itself.

Why pgserver: it ships the server binaries as a wheel (dev extra), so ``make test`` exercises
the same migrations and services on PostgreSQL without a system install. One server per test
run (shared by the xdist workers), one fresh database per test. When the server cannot start (no
binaries for this platform, a sandbox without shared memory), the tests are skipped with the
reason shown in the summary, never silently passed.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_counter = itertools.count()


def _sqlalchemy_url(uri: str, database: str) -> str:
    """pgserver's libpq URI (Unix socket in ``host=``) as a psycopg-3 SQLAlchemy URL."""
    from sqlalchemy.engine import make_url

    url = make_url(uri).set(drivername="postgresql+psycopg", database=database)
    return url.render_as_string(hide_password=False)


def _data_dir() -> Path:
    """Where the server keeps its data: one folder shared by the xdist workers of a run.

    Not under pytest's basetemp: run as root, pgserver starts the server as an unprivileged
    user who must traverse the path, and every new pytest session (another worker, another
    developer) resets /tmp/pytest-of-<user> to mode 0700 under a running server's feet.
    pgserver counts the processes using a data folder and stops (here: deletes) the server
    when the last one lets go, so the workers of one ``-n 2`` run share a single server.
    """
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run:
        d = Path(tempfile.gettempdir()) / f"themeqa-pg-{run[:12]}"
        d.mkdir(exist_ok=True)
        return d
    return Path(tempfile.mkdtemp(prefix="themeqa-pg-"))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The libpq URI of a PostgreSQL server for this test run."""
    # pgserver's inter-process lock lives in the user's runtime dir: it must be the same
    # folder for every worker, or two workers would run initdb on one data folder at once.
    runtime = Path(tempfile.gettempdir()) / "themeqa-pg-runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    try:
        import pgserver
    except ImportError as exc:  # pragma: no cover - dev extra missing
        pytest.skip(f"PostgreSQL tests skipped: pgserver is not installed ({exc})")
    data = _data_dir()
    try:
        server = pgserver.get_server(data, cleanup_mode="delete")
    except Exception as exc:  # pragma: no cover - depends on the machine
        detail = (getattr(exc, "stderr", None) or "").strip().splitlines()[-1:]
        pytest.skip(f"PostgreSQL tests skipped: the server could not start ({exc} {detail})")
    uri = server.get_uri()
    import psycopg

    # A throw-away server: no fsync (durability is SQLite's and the kill test's business;
    # here it only makes CREATE DATABASE and the shutdown checkpoint slow on a busy machine).
    with psycopg.connect(uri, autocommit=True) as conn:
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            conn.execute(f"ALTER SYSTEM SET {setting} = off")
        conn.execute("SELECT pg_reload_conf()")
    yield uri
    server.cleanup()


@pytest.fixture
def pg_url(pg_server) -> str:
    """A SQLAlchemy URL of a new, empty database on the session's server."""
    import psycopg

    name = f"themeqa_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return _sqlalchemy_url(pg_server, name)


@pytest.fixture
def pg_project(pg_url):
    """An empty themeqa project on PostgreSQL (migrated to head by ``open_project``)."""
    from themeqa.services.project import open_project

    handle = open_project(db_url=pg_url, create=True, name="team", actor="tester")
    yield handle
    handle.close()


def load_demo(project) -> None:
    """Import the demo study into ``project`` through the ordinary services (as build_demo)."""
    import yaml

    from themeqa.services.codebooks import import_codebook
    from themeqa.services.codings import import_codings
    from themeqa.services.demo import demo_data_dir
    from themeqa.services.importing import import_files
    from themeqa.services.participants import import_participants

    data = demo_data_dir()
    manifest = yaml.safe_load((data / "manifest.yaml").read_text(encoding="utf-8"))
    import_participants(project, data / manifest["participants"])
    for cb in manifest.get("codebooks", ()):
        import_codebook(project, (data / cb).resolve())
    for entry in manifest.get("documents", ()):
        import_files(project, [data / entry["file"]], session=entry.get("session"),
                     timepoint=entry.get("timepoint"), kind=entry.get("kind"))
    for codings in manifest.get("codings", ()):
        import_codings(project, data / codings)


_TEMPLATE = "themeqa_demo_template"
_LOCK = 20261123  # advisory lock: one worker builds the template, copies are serialised


@pytest.fixture(scope="session")
def pg_demo_template(pg_server) -> str:
    """The demo study imported once per server into a database copied by ``pg_demo``.

    Built under a new name and renamed when complete, so a worker that failed half-way never
    leaves a half-imported template behind for the other.
    """
    import psycopg

    from themeqa.services.project import open_project

    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK,))
        try:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  (_TEMPLATE,)).fetchone()
            if not exists:
                building = f"themeqa_demo_{os.getpid()}"
                conn.execute(f'CREATE DATABASE "{building}"')
                handle = open_project(db_url=_sqlalchemy_url(pg_server, building), create=True,
                                      name="demo", actor="themeqa-demo")
                try:
                    load_demo(handle)
                finally:
                    handle.close()
                conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{_TEMPLATE}"')
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK,))
    return _TEMPLATE


@pytest.fixture
def pg_demo(pg_server, pg_demo_template):
    """A private copy of the demo study on PostgreSQL (CREATE DATABASE … TEMPLATE)."""
    import psycopg

    from themeqa.services.project import open_project

    name = f"themeqa_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK,))
        try:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_demo_template}"')
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK,))
    handle = open_project(db_url=_sqlalchemy_url(pg_server, name), actor="tester")
    yield handle
    handle.close()
