"""Credibility checks (sample, reconciliation decisions) and linked quantitative measures.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 11:17:43.305847
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('credibility_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('sample_by', sa.String(), nullable=False),
    sa.Column('n_requested', sa.Integer(), nullable=False),
    sa.Column('coder_a_id', sa.Integer(), nullable=True),
    sa.Column('coder_b_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['coder_a_id'], ['coder.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['coder_b_id'], ['coder.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('measure_variable',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('label', sa.String(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('source', sa.String(), nullable=False),
    sa.Column('timepoint_id', sa.Integer(), nullable=True),
    sa.Column('value_labels', sa.JSON(), nullable=False),
    sa.Column('missing_values', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['timepoint_id'], ['timepoint.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('measure_value',
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('variable_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('text_value', sa.String(), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['variable_id'], ['measure_variable.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('participant_id', 'variable_id')
    )
    op.create_table('check_document',
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['check_id'], ['credibility_check.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('check_id', 'document_id')
    )
    op.create_table('reconciliation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('key', sa.String(), nullable=False),
    sa.Column('code_a_id', sa.Integer(), nullable=True),
    sa.Column('code_b_id', sa.Integer(), nullable=True),
    sa.Column('a_coding_id', sa.Integer(), nullable=True),
    sa.Column('b_coding_id', sa.Integer(), nullable=True),
    sa.Column('a_start', sa.Integer(), nullable=True),
    sa.Column('a_end', sa.Integer(), nullable=True),
    sa.Column('b_start', sa.Integer(), nullable=True),
    sa.Column('b_end', sa.Integer(), nullable=True),
    sa.Column('choice', sa.String(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('consensus_ids', sa.JSON(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['a_coding_id'], ['coding.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['b_coding_id'], ['coding.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['check_id'], ['credibility_check.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['code_a_id'], ['code.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['code_b_id'], ['code.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['coder.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['coder.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reconciliation', schema=None) as batch_op:
        batch_op.create_index('ix_reconciliation_check', ['check_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('reconciliation', schema=None) as batch_op:
        batch_op.drop_index('ix_reconciliation_check')

    op.drop_table('reconciliation')
    op.drop_table('check_document')
    op.drop_table('measure_value')
    op.drop_table('measure_variable')
    op.drop_table('credibility_check')

