"""Facilitator speaker labels, finished check documents, the raw size of imported files.

- ``speaker_label.role`` (participant | facilitator); ``participant_id`` becomes nullable so a
  label can name the facilitator side (``themeqa participants map LABEL --facilitator``).
- ``check_document.finished_at`` / ``finished_by``: coder B marks a sampled document finished;
  agreement covers finished documents only.
- ``source_file.size`` becomes nullable and the old placeholder 0 becomes NULL: the files
  are not kept, so an earlier import's size cannot be known.
- Documents, source files, turns and sentences never reuse ids on SQLite (AUTOINCREMENT, as
  0004 did for codings): deleting a document is undoable, and the undo restores its rows with
  their logged ids.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_REBUILT = ("source_file", "document", "turn", "sentence")
#: batch mode cannot reflect an unnamed CHECK constraint: the turn table's is passed again
_TURN_CHECK = 'start >= 0 AND content_start >= start AND "end" >= content_start'


def _rebuild(autoincrement: bool) -> None:
    for table in _REBUILT:
        args = (sa.CheckConstraint(_TURN_CHECK),) if table == "turn" else ()
        with op.batch_alter_table(table, recreate="always", table_args=args,
                                  table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    kw = {"recreate": "always", "table_kwargs": {"sqlite_autoincrement": True}} if sqlite else {}
    with op.batch_alter_table("speaker_label", **kw) as b:
        b.add_column(sa.Column("role", sa.String(), nullable=False,
                               server_default="participant"))
        b.alter_column("participant_id", existing_type=sa.Integer(), nullable=True)
        b.create_check_constraint(
            "ck_speaker_label_role",
            "(role = 'participant' AND participant_id IS NOT NULL) OR "
            "(role = 'facilitator' AND participant_id IS NULL)",
        )
    with op.batch_alter_table("check_document") as b:
        b.add_column(sa.Column("finished_at", sa.DateTime(), nullable=True))
        b.add_column(sa.Column("finished_by", sa.String(), nullable=True))
    with op.batch_alter_table("source_file") as b:
        b.alter_column("size", existing_type=sa.Integer(), nullable=True)
    op.execute("UPDATE source_file SET size = NULL WHERE size = 0")
    if sqlite:
        _rebuild(True)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _rebuild(False)
    op.execute("UPDATE source_file SET size = 0 WHERE size IS NULL")
    with op.batch_alter_table("source_file") as b:
        b.alter_column("size", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("check_document") as b:
        b.drop_column("finished_by")
        b.drop_column("finished_at")
    op.execute("DELETE FROM speaker_label WHERE role = 'facilitator'")
    kw = {"recreate": "always", "table_kwargs": {"sqlite_autoincrement": False}} if sqlite else {}
    with op.batch_alter_table("speaker_label", **kw) as b:
        b.drop_constraint("ck_speaker_label_role", type_="check")
        b.alter_column("participant_id", existing_type=sa.Integer(), nullable=False)
        b.drop_column("role")
