"""Migrations: from an empty database, from every earlier revision, with data kept.

The parity test makes a model change without a migration fail loudly.
"""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlmodel import SQLModel

from themeqa.store import models  # noqa: F401
from themeqa.store.engine import (
    alembic_config,
    create_db_engine,
    current_revision,
    head_revision,
    open_engine,
    upgrade,
)


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_upgrade_from_empty_reaches_head(tmp_path):
    engine = open_engine(f"sqlite:///{tmp_path / 'p.db'}")
    assert current_revision(engine) == head_revision()
    with engine.connect() as c:
        tables = {r[0] for r in c.execute(text("select name from sqlite_master where type='table'"))}
    assert set(SQLModel.metadata.tables) <= tables


def test_models_and_migrations_agree(tmp_path):
    engine = open_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), SQLModel.metadata)
    assert diff == [], f"models differ from migrations: {diff}"


@pytest.mark.parametrize("start", _revisions()[:-1] or ["base"])
def test_upgrade_from_each_previous_revision_keeps_data(tmp_path, start):
    path = tmp_path / "old.db"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade(engine, start)
    with engine.begin() as c:
        c.execute(text("insert into coder (name, role, created_at) values ('ann', 'coder', '2026-01-01')"))
        c.execute(text("insert into codebook (key, title, description, position) values ('cb', '', '', 0)"))
        c.execute(text(
            "insert into code (codebook_id, label, name, definition, include, exclude, examples,"
            " position, version) values (1, '1', 'Theme', '', '', '', '[]', 0, 1)"))
        c.execute(text(
            "insert into document (name, kind, format, language, text, sha256, n_chars, n_words,"
            " imported_at) values ('d.txt', 'transcript', 'txt', 'en', 'P01: hello there', 'x',"
            " 16, 3, '2026-01-01')"))
        c.execute(text(
            "insert into turn (document_id, start, content_start, \"end\", speaker, role)"
            " values (1, 0, 5, 16, 'P01', 'unknown')"))
        c.execute(text(
            "insert into coding (document_id, code_id, coder_id, layer, start, \"end\", quote,"
            " created_at, updated_at) values (1, 1, 1, 'coder', 5, 10, 0, '2026-01-01',"
            " '2026-01-01')"))
    engine.dispose()
    reopened = open_engine(f"sqlite:///{path}")
    assert current_revision(reopened) == head_revision()
    with reopened.connect() as c:
        assert c.execute(text("select count(*) from turn")).scalar() == 1
        assert c.execute(text("select start, \"end\" from coding")).one() == (5, 10)
        assert c.execute(text("pragma foreign_keys")).scalar() == 1
    backups = list(tmp_path.glob("old.db.backup-*"))
    assert len(backups) == 1, "a backup must be taken before upgrading an existing file"
    with sqlite3.connect(backups[0]) as b:
        assert b.execute("select version_num from alembic_version").fetchone()[0] == start
        assert b.execute("select count(*) from coding").fetchone()[0] == 1


def test_no_backup_for_a_new_file(tmp_path):
    open_engine(f"sqlite:///{tmp_path / 'new.db'}")
    assert not list(tmp_path.glob("*.backup-*"))


def test_ids_of_audited_rows_are_never_reused(tmp_path):
    """A deleted newest coding's id must not go to the next coding (undo restores by id)."""
    engine = open_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.begin() as c:
        sql = {r[0]: r[1] for r in c.execute(text(
            "select name, sql from sqlite_master where type in ('table', 'index')"))}
        for table in ("coding", "code", "memo"):
            assert "AUTOINCREMENT" in sql[table].upper(), table
        assert "coalesce(parent_id, 0)" in sql["uq_code_sibling_name"]
        c.execute(text("insert into coder (name, role, created_at) values ('a', 'coder', '2026-01-01')"))
        c.execute(text("insert into codebook (key, title, description, position) values ('cb', '', '', 0)"))
        for i in (1, 2):
            c.execute(text(
                "insert into code (codebook_id, label, name, definition, include, exclude, examples,"
                f" position, version) values (1, '{i}', 'T{i}', '', '', '', '[]', 0, 1)"))
        c.execute(text("delete from code where id = 2"))
        c.execute(text(
            "insert into code (codebook_id, label, name, definition, include, exclude, examples,"
            " position, version) values (1, '3', 'T3', '', '', '', '[]', 0, 1)"))
        assert c.execute(text("select max(id) from code")).scalar() == 3
    # the sibling-name rule survived the table copy
    import sqlalchemy.exc

    with pytest.raises(sqlalchemy.exc.IntegrityError), engine.begin() as c:
        c.execute(text(
            "insert into code (codebook_id, label, name, definition, include, exclude, examples,"
            " position, version) values (1, '4', 'T1', '', '', '', '[]', 0, 1)"))


def test_0005_size_unknown_becomes_null_and_labels_keep_their_participant(tmp_path):
    """Issue 19: the placeholder size 0 of earlier imports is NULL (the files are not kept);
    an existing speaker label becomes a participant label; a facilitator label has none."""
    path = tmp_path / "old.db"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade(engine, "0004")
    with engine.begin() as c:
        c.execute(text("insert into source_file (filename, sha256, format, size, imported_at)"
                       " values ('a.txt', 'x', 'txt', 0, '2026-01-01')"))
        c.execute(text("insert into participant (pid, condition, extra) values ('P01', 'M', '{}')"))
        c.execute(text("insert into speaker_label (label, participant_id) values ('Dana', 1)"))
    engine.dispose()
    reopened = open_engine(f"sqlite:///{path}")
    with reopened.begin() as c:
        assert c.execute(text("select size from source_file")).scalar() is None
        assert c.execute(text("select role, participant_id from speaker_label")).one() == (
            "participant", 1)
        c.execute(text("insert into speaker_label (label, role) values ('Mod', 'facilitator')"))
        with pytest.raises(Exception, match="CHECK constraint"):
            c.execute(text("insert into speaker_label (label, role) values ('X', 'participant')"))
