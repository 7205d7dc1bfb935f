"""The schema on PostgreSQL: migrations reach head, agree with the models, keep constraints.

Why: team mode runs the very same Alembic revisions on a server; a revision that only works
on SQLite (or an index SQLite enforces and PostgreSQL does not) would surface weeks into a
study. These tests run against a real server started by ``tests/postgres/conftest.py``.
"""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from themeqa.store import models  # noqa: F401
from themeqa.store.engine import current_revision, head_revision, open_engine


def test_migrations_reach_head_on_postgres(pg_url):
    engine = open_engine(pg_url)
    try:
        assert engine.dialect.name == "postgresql"
        assert current_revision(engine) == head_revision()
        with engine.connect() as c:
            tables = {r[0] for r in c.execute(text(
                "select tablename from pg_tables where schemaname = 'public'"))}
        assert set(SQLModel.metadata.tables) <= tables
    finally:
        engine.dispose()


def test_models_and_migrations_agree_on_postgres(pg_url):
    engine = open_engine(pg_url)
    try:
        with engine.connect() as c:
            diff = compare_metadata(MigrationContext.configure(c), SQLModel.metadata)
    finally:
        engine.dispose()
    # Known and harmless: SQLModel's UTCDateTime asks for ``timestamptz`` while revisions
    # 0001-0003 created ``timestamp``; the engine pins the session zone to UTC so values
    # round-trip exactly (see test_timestamps_round_trip_in_utc). Anything else must match.
    rest = [d for d in diff if not _is_timestamp_zone_only(d)]
    assert rest == [], f"models differ from migrations on PostgreSQL: {rest}"


def _is_timestamp_zone_only(d) -> bool:
    from sqlalchemy import DateTime

    if not (isinstance(d, list) and len(d) == 1 and d[0][0] == "modify_type"):
        return False
    old, new = d[0][5], d[0][6]
    return isinstance(old, DateTime) and isinstance(new, DateTime | _utc_type())


def _utc_type():
    from sqlmodel.sql.sqltypes import UTCDateTime

    return UTCDateTime


def test_timestamps_round_trip_in_utc(pg_project):
    from datetime import UTC, datetime, timedelta, timezone

    from sqlmodel import select

    from themeqa.store.models import Coder

    berlin = datetime(2026, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=1)))
    with pg_project.transaction() as s:
        s.add(Coder(name="zoe", created_at=berlin))
    with pg_project.reading() as s:
        got = s.exec(select(Coder).where(Coder.name == "zoe")).one().created_at
    assert got == berlin
    assert got.astimezone(UTC).hour == 11


def test_reopening_a_migrated_database_is_a_no_op(pg_url):
    open_engine(pg_url).dispose()
    engine = open_engine(pg_url)  # second open: already at head, nothing to run
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_sibling_name_index_holds_for_top_level_codes(pg_url):
    """``coalesce(parent_id, 0)``: two top-level codes of one name collide on PostgreSQL too."""
    engine = open_engine(pg_url)
    try:
        with engine.begin() as c:
            c.execute(text("insert into codebook (key, title, description, position)"
                           " values ('cb', '', '', 0)"))
            c.execute(text(
                "insert into code (codebook_id, label, name, definition, include, exclude,"
                " examples, position, version) values (1, '1', 'Theme', '', '', '', '[]', 0, 1)"))
        with pytest.raises(IntegrityError), engine.begin() as c:
            c.execute(text(
                "insert into code (codebook_id, label, name, definition, include, exclude,"
                " examples, position, version) values (1, '2', 'Theme', '', '', '', '[]', 0, 1)"))
    finally:
        engine.dispose()


def test_server_settings_are_utc_and_utf8(pg_project):
    with pg_project.engine.connect() as c:
        assert c.execute(text("show timezone")).scalar() == "UTC"
        assert c.execute(text("show client_encoding")).scalar() == "UTF8"
