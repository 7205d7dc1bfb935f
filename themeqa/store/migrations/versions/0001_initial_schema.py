"""Initial schema: study model, documents, codebooks, codings, memos, audit log.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(), nullable=False),
    sa.Column('action', sa.String(), nullable=False),
    sa.Column('entity', sa.String(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('batch', sa.String(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('undone', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_batch'), ['batch'], unique=False)

    op.create_table('codebook',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(), nullable=False),
    sa.Column('title', sa.String(), nullable=False),
    sa.Column('description', sa.String(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_table('coder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('role', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('description', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('source_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(), nullable=False),
    sa.Column('sha256', sa.String(), nullable=False),
    sa.Column('format', sa.String(), nullable=False),
    sa.Column('encoding', sa.String(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('imported_by', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sha256')
    )
    op.create_table('study_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(), nullable=False),
    sa.Column('condition', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('label')
    )
    op.create_table('timepoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('label')
    )
    op.create_table('code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('codebook_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('definition', sa.String(), nullable=False),
    sa.Column('include', sa.String(), nullable=False),
    sa.Column('exclude', sa.String(), nullable=False),
    sa.Column('examples', sa.JSON(), nullable=False),
    sa.Column('colour', sa.String(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['codebook_id'], ['codebook.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['code.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('codebook_id', 'label', name='uq_code_codebook_label')
    )
    with op.batch_alter_table('code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_code_codebook_id'), ['codebook_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_code_parent_id'), ['parent_id'], unique=False)
        # A code's name is unique among its siblings; NULL parents (top-level themes) are
        # folded to 0 because SQL treats NULLs as distinct in unique indexes.
        batch_op.create_index('uq_code_sibling_name', ['codebook_id', sa.text('coalesce(parent_id, 0)'), 'name'], unique=True)

    op.create_table('participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pid', sa.String(), nullable=False),
    sa.Column('condition', sa.String(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('age', sa.Integer(), nullable=True),
    sa.Column('gender', sa.String(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['study_session.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participant_pid'), ['pid'], unique=True)
        batch_op.create_index(batch_op.f('ix_participant_session_id'), ['session_id'], unique=False)

    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('source_file_id', sa.Integer(), nullable=True),
    sa.Column('format', sa.String(), nullable=False),
    sa.Column('language', sa.String(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(), nullable=False),
    sa.Column('n_chars', sa.Integer(), nullable=False),
    sa.Column('n_words', sa.Integer(), nullable=False),
    sa.Column('timepoint_id', sa.Integer(), nullable=True),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('question', sa.String(), nullable=True),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['study_session.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_file_id'], ['source_file.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['timepoint_id'], ['timepoint.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_name'), ['name'], unique=True)
        batch_op.create_index(batch_op.f('ix_document_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_source_file_id'), ['source_file_id'], unique=False)

    op.create_table('participant_timepoint',
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('timepoint_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['timepoint_id'], ['timepoint.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('participant_id', 'timepoint_id')
    )
    op.create_table('speaker_label',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('label')
    )
    with op.batch_alter_table('speaker_label', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_speaker_label_participant_id'), ['participant_id'], unique=False)

    op.create_table('coding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('coder_id', sa.Integer(), nullable=False),
    sa.Column('layer', sa.String(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('quote', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("layer IN ('coder', 'consensus')", name='ck_coding_layer'),
    sa.CheckConstraint('start >= 0 AND "end" > start', name='ck_coding_span'),
    sa.ForeignKeyConstraint(['code_id'], ['code.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['coder_id'], ['coder.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('coding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coding_code_id'), ['code_id'], unique=False)
        batch_op.create_index('ix_coding_coder_layer', ['coder_id', 'layer'], unique=False)
        batch_op.create_index('ix_coding_document_start', ['document_id', 'start'], unique=False)

    op.create_table('sentence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sentence', schema=None) as batch_op:
        batch_op.create_index('ix_sentence_document_start', ['document_id', 'start'], unique=False)

    op.create_table('turn',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('content_start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('speaker', sa.String(), nullable=True),
    sa.Column('role', sa.String(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('start >= 0 AND content_start >= start AND "end" >= content_start'),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('turn', schema=None) as batch_op:
        batch_op.create_index('ix_turn_document_start', ['document_id', 'start'], unique=False)
        batch_op.create_index(batch_op.f('ix_turn_participant_id'), ['participant_id'], unique=False)

    op.create_table('memo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('code_id', sa.Integer(), nullable=True),
    sa.Column('coding_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['coder.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['code_id'], ['code.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['coding_id'], ['coding.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('memo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memo_code_id'), ['code_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memo_coding_id'), ['coding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memo_document_id'), ['document_id'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('memo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memo_document_id'))
        batch_op.drop_index(batch_op.f('ix_memo_coding_id'))
        batch_op.drop_index(batch_op.f('ix_memo_code_id'))

    op.drop_table('memo')
    with op.batch_alter_table('turn', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_turn_participant_id'))
        batch_op.drop_index('ix_turn_document_start')

    op.drop_table('turn')
    with op.batch_alter_table('sentence', schema=None) as batch_op:
        batch_op.drop_index('ix_sentence_document_start')

    op.drop_table('sentence')
    with op.batch_alter_table('coding', schema=None) as batch_op:
        batch_op.drop_index('ix_coding_document_start')
        batch_op.drop_index('ix_coding_coder_layer')
        batch_op.drop_index(batch_op.f('ix_coding_code_id'))

    op.drop_table('coding')
    with op.batch_alter_table('speaker_label', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_speaker_label_participant_id'))

    op.drop_table('speaker_label')
    op.drop_table('participant_timepoint')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_source_file_id'))
        batch_op.drop_index(batch_op.f('ix_document_sha256'))
        batch_op.drop_index(batch_op.f('ix_document_name'))

    op.drop_table('document')
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_session_id'))
        batch_op.drop_index(batch_op.f('ix_participant_pid'))

    op.drop_table('participant')
    with op.batch_alter_table('code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_code_parent_id'))
        batch_op.drop_index(batch_op.f('ix_code_codebook_id'))

    op.drop_table('code')
    op.drop_table('timepoint')
    op.drop_table('study_session')
    op.drop_table('source_file')
    op.drop_table('project')
    op.drop_table('coder')
    op.drop_table('codebook')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_batch'))
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))

    op.drop_table('audit_event')
    
