"""SQLModel tables: the project's whole state, one row per fact.

Why this shape (see ../shared/DESIGN.md, "The study model"):
- Documents are immutable: text, its sha256 and the source file's sha256 are stored once;
  a corrected transcript is a new document, so codings never point into changed text.
- Turns and sentences are stored as offsets so every unit of agreement and every tally is a
  query over intervals, not a re-parse.
- Codings are inserts; foreign keys cascade so deleting a document or a code can never leave
  an orphan coding behind. A code's name is unique among its siblings (expression index,
  because SQL treats NULL parents as distinct).
- Every mutation writes an ``AuditEvent`` (before/after as JSON): the log drives undo/redo.
  The tables undo restores (coding, code, memo) use SQLite AUTOINCREMENT, so a deleted row's
  id is never handed to a new row and a logged id always means the same row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, Text, UniqueConstraint, text
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

__all__ = [
    "AuditEvent",
    "CheckDocument",
    "Code",
    "Codebook",
    "Coder",
    "Coding",
    "CredibilityCheck",
    "Document",
    "MeasureValue",
    "MeasureVariable",
    "Memo",
    "Participant",
    "ParticipantTimepoint",
    "ProjectInfo",
    "Reconciliation",
    "Sentence",
    "SourceFile",
    "SpeakerLabel",
    "StudySession",
    "Timepoint",
    "Turn",
    "utcnow",
]


def utcnow() -> datetime:
    """Timestamps are timezone-aware UTC (coders of one project may sit in several zones)."""
    return datetime.now(UTC)


class ProjectInfo(SQLModel, table=True):
    """One row: the study's name and project-wide settings (e.g. blind coding)."""

    __tablename__ = "project"
    id: int | None = Field(default=None, primary_key=True)
    name: str
    description: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class StudySession(SQLModel, table=True):
    """A testing session (group); the condition is assigned per session."""

    __tablename__ = "study_session"
    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(unique=True)
    condition: str | None = None


class Timepoint(SQLModel, table=True):
    __tablename__ = "timepoint"
    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(unique=True)
    position: int = 0


class Participant(SQLModel, table=True):
    """A person with a stable pseudonymous id; demographics typed where common, else ``extra``."""

    __tablename__ = "participant"
    id: int | None = Field(default=None, primary_key=True)
    pid: str = Field(unique=True, index=True)
    condition: str
    session_id: int | None = Field(
        default=None, foreign_key="study_session.id", ondelete="SET NULL", index=True
    )
    age: int | None = None
    gender: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ParticipantTimepoint(SQLModel, table=True):
    """Which timepoints a participant took part in (a participant may lack one)."""

    __tablename__ = "participant_timepoint"
    participant_id: int = Field(foreign_key="participant.id", ondelete="CASCADE", primary_key=True)
    timepoint_id: int = Field(foreign_key="timepoint.id", ondelete="CASCADE", primary_key=True)


class SpeakerLabel(SQLModel, table=True):
    """A transcript label the user mapped: to a participant (``role`` participant, beyond the
    participant id itself) or to the facilitator side (``role`` facilitator, no participant).

    Why facilitators here too: a one-off or mistyped label (``Interviewer2 2:``) must be
    claimable by the interviewer, or its words are read as the previous speaker's.
    """

    __tablename__ = "speaker_label"
    __table_args__ = (
        CheckConstraint(
            "(role = 'participant' AND participant_id IS NOT NULL) OR "
            "(role = 'facilitator' AND participant_id IS NULL)",
            name="ck_speaker_label_role",
        ),
        {"sqlite_autoincrement": True},
    )
    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(unique=True)
    role: str = Field(default="participant", sa_column_kwargs={"server_default": "participant"})
    participant_id: int | None = Field(
        default=None, foreign_key="participant.id", ondelete="CASCADE", index=True
    )


class SourceFile(SQLModel, table=True):
    """An imported file; its raw-bytes sha256 refuses importing the same file twice."""

    __tablename__ = "source_file"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    filename: str
    sha256: str = Field(unique=True)
    format: str
    encoding: str | None = None
    #: bytes of the raw file as read; None where it was not recorded (imports before 0005)
    size: int | None = None
    imported_at: datetime = Field(default_factory=utcnow)
    imported_by: str | None = None


class Document(SQLModel, table=True):
    """An immutable text: a group transcript or one participant's written response."""

    __tablename__ = "document"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    kind: str  # transcript | written
    source_file_id: int | None = Field(
        default=None, foreign_key="source_file.id", ondelete="CASCADE", index=True
    )
    format: str
    language: str = "en"
    text: str = Field(sa_column=Column(Text, nullable=False))
    sha256: str = Field(index=True)
    n_chars: int = 0
    n_words: int = 0
    timepoint_id: int | None = Field(default=None, foreign_key="timepoint.id", ondelete="SET NULL")
    session_id: int | None = Field(
        default=None, foreign_key="study_session.id", ondelete="SET NULL"
    )
    participant_id: int | None = Field(
        default=None, foreign_key="participant.id", ondelete="SET NULL"
    )
    question: str | None = None
    imported_at: datetime = Field(default_factory=utcnow)
    #: the document this one corrects (a new version never changes the old text or codings)
    previous_id: int | None = Field(
        default=None, foreign_key="document.id", ondelete="SET NULL"
    )


class Turn(SQLModel, table=True):
    """A contiguous run of one speaker; ``participant_id`` is null for facilitators/unknown."""

    __tablename__ = "turn"
    __table_args__ = (
        CheckConstraint("start >= 0 AND content_start >= start AND \"end\" >= content_start"),
        Index("ix_turn_document_start", "document_id", "start"),
        {"sqlite_autoincrement": True},
    )
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE")
    start: int
    content_start: int
    end: int
    speaker: str | None = None
    role: str = "unknown"  # participant | facilitator | unknown
    participant_id: int | None = Field(
        default=None, foreign_key="participant.id", ondelete="SET NULL", index=True
    )


class Sentence(SQLModel, table=True):
    """Sentence boundaries from spaCy, stored once for sentence-level coding and agreement."""

    __tablename__ = "sentence"
    __table_args__ = (
        Index("ix_sentence_document_start", "document_id", "start"),
        {"sqlite_autoincrement": True},
    )
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE")
    start: int
    end: int


class Codebook(SQLModel, table=True):
    """A named tree of codes (e.g. inhibitors, facilitators, experience)."""

    __tablename__ = "codebook"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    title: str = ""
    description: str = ""
    position: int = 0


class Code(SQLModel, table=True):
    """A theme: depth 1 = superordinate, deeper = subordinate. ``version`` counts edits."""

    __tablename__ = "code"
    __table_args__ = (
        UniqueConstraint("codebook_id", "label", name="uq_code_codebook_label"),
        Index(
            "uq_code_sibling_name",
            "codebook_id",
            text("coalesce(parent_id, 0)"),
            "name",
            unique=True,
        ),
        {"sqlite_autoincrement": True},
    )
    id: int | None = Field(default=None, primary_key=True)
    codebook_id: int = Field(foreign_key="codebook.id", ondelete="CASCADE", index=True)
    parent_id: int | None = Field(
        default=None, foreign_key="code.id", ondelete="CASCADE", index=True
    )
    label: str
    name: str
    definition: str = ""
    include: str = ""
    exclude: str = ""
    examples: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    colour: str | None = None
    position: int = 0
    version: int = 1

    @declared_attr  # type: ignore[misc]
    def __mapper_args__(cls) -> dict[str, Any]:
        # Optimistic concurrency in the UPDATE itself: every ORM update of a code is
        # "... WHERE id = :id AND version = :version_read", so a code changed by someone
        # else since it was read matches no row and the edit fails (StaleDataError) instead
        # of overwriting theirs. The services set the new version themselves (an edit bumps
        # it; reordering siblings does not), hence no generator.
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}


class Coder(SQLModel, table=True):
    __tablename__ = "coder"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    role: str = "coder"  # coder | lead
    created_at: datetime = Field(default_factory=utcnow)


class Coding(SQLModel, table=True):
    """A span of a document given a code by a coder, in their own layer or in ``consensus``."""

    __tablename__ = "coding"
    __table_args__ = (
        CheckConstraint('start >= 0 AND "end" > start', name="ck_coding_span"),
        CheckConstraint("layer IN ('coder', 'consensus')", name="ck_coding_layer"),
        Index("ix_coding_document_start", "document_id", "start"),
        Index("ix_coding_coder_layer", "coder_id", "layer"),
        {"sqlite_autoincrement": True},
    )
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE")
    code_id: int = Field(foreign_key="code.id", ondelete="CASCADE", index=True)
    coder_id: int = Field(foreign_key="coder.id", ondelete="RESTRICT")
    layer: str = "coder"
    start: int
    end: int
    quote: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Memo(SQLModel, table=True):
    """Free text on the project (all targets null), a document, a code or a coding."""

    __tablename__ = "memo"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    author_id: int | None = Field(default=None, foreign_key="coder.id", ondelete="SET NULL")
    document_id: int | None = Field(
        default=None, foreign_key="document.id", ondelete="CASCADE", index=True
    )
    code_id: int | None = Field(default=None, foreign_key="code.id", ondelete="CASCADE", index=True)
    coding_id: int | None = Field(
        default=None, foreign_key="coding.id", ondelete="CASCADE", index=True
    )
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """Append-only log of every mutation (who, when, what, before/after); drives undo/redo.

    ``batch`` groups the events of one user action so one undo reverts all of them. The one
    rewrite of existing rows: purging de-identified originals replaces snapshot text that
    quotes a replaced name by ``[purged DATE]`` (``services.deid_purge``), keeping the event.
    """

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str
    action: str
    entity: str
    entity_id: int | None = None
    batch: str | None = Field(default=None, index=True)
    before: Any | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: Any | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    undone: bool = False


class CredibilityCheck(SQLModel, table=True):
    """A seeded random sample of sessions/documents double-coded blind by a second coder.

    The seed and the drawn sample are stored (and logged) so a methods section can state them
    and anyone can redraw the same sample.
    """

    __tablename__ = "credibility_check"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    seed: int
    sample_by: str = "session"  # session | document
    n_requested: int = 0
    coder_a_id: int | None = Field(default=None, foreign_key="coder.id", ondelete="SET NULL")
    coder_b_id: int = Field(foreign_key="coder.id", ondelete="RESTRICT")
    created_by: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    status: str = "coding"  # coding | comparing | reconciling | done
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class CheckDocument(SQLModel, table=True):
    """A document in a credibility check's sample (all documents of the drawn sessions)."""

    __tablename__ = "check_document"
    check_id: int = Field(foreign_key="credibility_check.id", ondelete="CASCADE", primary_key=True)
    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE", primary_key=True)
    #: when coder B said this document is finished (None: still pending); agreement and
    #: disagreements cover finished documents only (docs/guide/credibility-check.md)
    finished_at: datetime | None = None
    finished_by: str | None = None


class Reconciliation(SQLModel, table=True):
    """One reconciled disagreement: what the coders did, the decision and its rationale.

    ``kind``: one_coder (a code applied by one coder only), boundary (same code, different
    extent), code_conflict (same span, different code). ``choice``: keep_a | keep_b | keep_both
    | neither | edit. The coders' own codings are never changed: the decision writes
    ``consensus`` codings, whose ids are kept in ``consensus_ids``. The spans are copied in, so a
    decision stays readable after a coder deletes the coding it was about.
    """

    __tablename__ = "reconciliation"
    __table_args__ = (Index("ix_reconciliation_check", "check_id"),)
    id: int | None = Field(default=None, primary_key=True)
    check_id: int = Field(foreign_key="credibility_check.id", ondelete="CASCADE")
    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE")
    kind: str
    key: str = ""  # stable identity of the disagreement within the check (resume the queue)
    code_a_id: int | None = Field(default=None, foreign_key="code.id", ondelete="SET NULL")
    code_b_id: int | None = Field(default=None, foreign_key="code.id", ondelete="SET NULL")
    a_coding_id: int | None = Field(default=None, foreign_key="coding.id", ondelete="SET NULL")
    b_coding_id: int | None = Field(default=None, foreign_key="coding.id", ondelete="SET NULL")
    a_start: int | None = None
    a_end: int | None = None
    b_start: int | None = None
    b_end: int | None = None
    choice: str
    rationale: str = Field(sa_column=Column(Text, nullable=False))
    decided_by_id: int | None = Field(default=None, foreign_key="coder.id", ondelete="SET NULL")
    reviewer_id: int | None = Field(default=None, foreign_key="coder.id", ondelete="SET NULL")
    consensus_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    decided_at: datetime = Field(default_factory=utcnow)


class MeasureVariable(SQLModel, table=True):
    """A quantitative variable linked to participants (an SCS score, an HRV index, an item).

    Value labels and user-missing codes come from SPSS files and go back out to them.
    """

    __tablename__ = "measure_variable"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    label: str = ""
    kind: str = "numeric"  # numeric | string
    source: str = ""
    timepoint_id: int | None = Field(default=None, foreign_key="timepoint.id", ondelete="SET NULL")
    value_labels: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    missing_values: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    position: int = 0


class MeasureValue(SQLModel, table=True):
    """One participant's value of one variable (long format; null = missing)."""

    __tablename__ = "measure_value"
    participant_id: int = Field(foreign_key="participant.id", ondelete="CASCADE", primary_key=True)
    variable_id: int = Field(
        foreign_key="measure_variable.id", ondelete="CASCADE", primary_key=True
    )
    value: float | None = None
    text_value: str | None = None
