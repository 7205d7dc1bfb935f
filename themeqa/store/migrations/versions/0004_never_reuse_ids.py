"""Never reuse ids of codings, codes and memos on SQLite (AUTOINCREMENT).

Why: SQLite's plain INTEGER PRIMARY KEY hands the id of a deleted newest row to the next
insert, so an audit event (and undo/redo, which restore rows by id) could point at a
different row than the one it logged; the kill test caught a redo meeting such a reused id.
AUTOINCREMENT keeps a high-water mark in ``sqlite_sequence``. PostgreSQL sequences never
reuse ids, so nothing changes there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("coding", "code", "memo")


def _sibling_index() -> None:
    # batch mode cannot reflect this expression index, so the table copy loses it: recreate
    op.execute("DROP INDEX IF EXISTS uq_code_sibling_name")
    op.create_index(
        "uq_code_sibling_name", "code",
        ["codebook_id", sa.text("coalesce(parent_id, 0)"), "name"], unique=True,
    )


def _rebuild(autoincrement: bool) -> None:
    import warnings

    with warnings.catch_warnings():
        # the expression index is recreated by hand below; the reflection warning is noise
        warnings.filterwarnings("ignore", message=".*expression-based index")
        for table in TABLES:
            with op.batch_alter_table(table, recreate="always",
                                      table_kwargs={"sqlite_autoincrement": autoincrement}):
                pass
    _sibling_index()


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _rebuild(True)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _rebuild(False)
