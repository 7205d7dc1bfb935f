"""Row snapshots and the audit events that make an action undoable.

Why a module of its own: undo (``services.undo``) can only revert what the log describes
exactly. Every undoable action therefore logs, per row it touches, a ``create``/``update``/
``delete`` event whose ``before``/``after`` hold the *whole* row (id, foreign keys,
timestamps as ISO text), all in one batch, plus one ``note`` event carrying a one-line
summary for the undo menu. Codings, codebook edits, coding memos and measures (variables and
their values) use these helpers, so the format is the same everywhere; a large action (a
20,000-row import) writes its events with one bulk insert.

Most tables are keyed by ``id``, which is also the event's ``entity_id``. ``measure_value`` is
keyed by (variable, participant): its events carry the variable id as ``entity_id`` (so a
variable's history is one query, and a conflict can name who last touched its values) and
the whole key inside the snapshot.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, Table, and_, insert, select
from sqlmodel import Session

from themeqa.services.audit import new_batch
from themeqa.store.models import (
    AuditEvent,
    CheckDocument,
    Code,
    Coding,
    Document,
    MeasureValue,
    MeasureVariable,
    Memo,
    Reconciliation,
    Sentence,
    SourceFile,
    SpeakerLabel,
    Turn,
    utcnow,
)

__all__ = [
    "CHUNK",
    "NOTE",
    "NOTE_ENTITIES",
    "ROW_ACTIONS",
    "UNDOABLE",
    "EntitySpec",
    "Recorder",
    "from_json",
    "key_clauses",
    "load_keyed",
    "load_rows",
    "snapshot",
]

#: the actions whose events carry whole-row snapshots
ROW_ACTIONS = ("create", "update", "delete")
#: entity of the one-line summary event of a batch (``after = {"summary": ...}``)
NOTE = "batch"
#: how many ids go into one ``IN (...)`` (SQLite's default variable limit is generous, but
#: PostgreSQL and old SQLite builds are not)
CHUNK = 500


@dataclass(frozen=True)
class EntitySpec:
    """How undo treats the rows of one table.

    ``compared``: the columns whose values must still be what the log says before a change
    is reverted (timestamps and the code ``version`` counter are bookkeeping, not content).
    ``versioned``: the table has an optimistic-concurrency ``version`` that must never run
    backwards (see ``services.undo``). ``key``: the columns that identify a row; the first
    is what an event's ``entity_id`` holds (``id`` for most tables).
    """

    table: Table
    compared: tuple[str, ...]
    times: tuple[str, ...] = ()
    versioned: bool = False
    key: tuple[str, ...] = ("id",)
    columns: tuple[str, ...] = field(default=())
    floats: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(c.name for c in self.table.columns))
        object.__setattr__(self, "floats", tuple(
            c.name for c in self.table.columns if isinstance(c.type, Float)))

    @property
    def by_id(self) -> bool:
        """Keyed by ``id`` alone (the key is then the event's ``entity_id``)."""
        return self.key == ("id",)

    def key_of(self, row: Mapping[str, Any]) -> tuple:
        """The row's key as a tuple (``(id,)`` or ``(variable_id, participant_id)``)."""
        return tuple(row[c] for c in self.key)

    def logged_id(self, row: Mapping[str, Any]) -> int:
        """What an event about this row stores as ``entity_id``."""
        return row[self.key[0]]


UNDOABLE: dict[str, EntitySpec] = {
    "coding": EntitySpec(
        Coding.__table__,
        ("document_id", "code_id", "coder_id", "layer", "start", "end", "quote"),
        times=("created_at", "updated_at"),
    ),
    "code": EntitySpec(
        Code.__table__,
        ("codebook_id", "parent_id", "label", "name", "definition", "include", "exclude",
         "examples", "colour", "position"),
        versioned=True,
    ),
    "memo": EntitySpec(
        Memo.__table__,
        ("text", "author_id", "document_id", "code_id", "coding_id"),
        times=("created_at", "updated_at"),
    ),
    # measures (services.measures): no timestamps; ``position`` is the display order
    "measure_variable": EntitySpec(
        MeasureVariable.__table__,
        ("name", "label", "kind", "source", "timepoint_id", "value_labels", "missing_values",
         "position"),
    ),
    "measure_value": EntitySpec(
        MeasureValue.__table__,
        ("value", "text_value"),
        key=("variable_id", "participant_id"),
    ),
    # speaker labels and the turns/sentences a label mapping re-cuts (services.speakers);
    # documents with their rows for documents set/delete (services.document_edit)
    "speaker_label": EntitySpec(SpeakerLabel.__table__, ("label", "role", "participant_id")),
    "turn": EntitySpec(
        Turn.__table__,
        ("document_id", "start", "content_start", "end", "speaker", "role", "participant_id"),
    ),
    "sentence": EntitySpec(Sentence.__table__, ("document_id", "start", "end")),
    "document": EntitySpec(
        Document.__table__,
        ("name", "kind", "source_file_id", "sha256", "timepoint_id", "session_id",
         "participant_id", "question", "previous_id"),
        times=("imported_at",),
    ),
    "source_file": EntitySpec(SourceFile.__table__, ("filename", "sha256", "format"),
                              times=("imported_at",)),
    "check_document": EntitySpec(
        CheckDocument.__table__, ("finished_at", "finished_by"),
        times=("finished_at",), key=("check_id", "document_id"),
    ),
    "reconciliation": EntitySpec(
        Reconciliation.__table__,
        ("check_id", "document_id", "key", "kind", "choice", "rationale"),
        times=("decided_at",),
    ),
}

#: entities of events without a row (``entity_id`` None) that may sit in an undoable batch:
#: the one-line summary, plus the records the measures services have always written (which
#: file, scale or recording an import, scoring or HRV run used; people and tests read them)
NOTE_ENTITIES = frozenset({
    NOTE, *UNDOABLE, "measure_file", "measure_scale", "measure_hrv", "measure_ecg",
})


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        # an LF/HF ratio is inf when HF is 0; JSON has no infinity (PostgreSQL refuses it)
        return str(value)
    return value


def snapshot(entity: str, row: Any) -> dict[str, Any]:
    """The whole row as JSON-ready values (an ORM object or a mapping of column values)."""
    spec = UNDOABLE[entity]
    if isinstance(row, Mapping):
        return {c: _to_json(row[c]) for c in spec.columns}
    return {c: _to_json(getattr(row, c)) for c in spec.columns}


def from_json(entity: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Column values to write back from a snapshot (ISO text back to datetimes)."""
    spec = UNDOABLE[entity]
    out: dict[str, Any] = {}
    for c in spec.columns:
        if c not in data:
            continue
        v = data[c]
        if c in spec.times and isinstance(v, str):
            v = datetime.fromisoformat(v)
        elif c in spec.floats and isinstance(v, str):
            v = float(v)  # "inf", "-inf" (see _to_json)
        out[c] = v
    return out


def load_rows(s: Session, entity: str, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Current snapshots of the rows with these ids (missing rows are absent)."""
    return {k[0]: row for k, row in load_keyed(s, entity, ((i,) for i in ids)).items()}


def key_clauses(spec: EntitySpec, keys: Iterable[tuple]) -> Iterator[ColumnElement[bool]]:
    """WHERE clauses that together match the rows with these keys, at most CHUNK per clause.

    A composite key is grouped by its leading columns: ``variable_id = ? AND participant_id
    IN (...)``, an equality and a plain IN list that any database answers from the primary
    key, rather than a row value ``(a, b) IN (VALUES ...)``, which old SQLite builds lack.
    An import's values share a few variables, so this is about one clause per variable.
    """
    cols = [spec.table.c[c] for c in spec.key]
    groups: dict[tuple, list[Any]] = {}
    for k in keys:
        groups.setdefault(tuple(k[:-1]), []).append(k[-1])
    for prefix, last in groups.items():
        fixed = [c == v for c, v in zip(cols, prefix, strict=False)]
        for i in range(0, len(last), CHUNK):
            yield and_(*fixed, cols[-1].in_(last[i : i + CHUNK]))


def load_keyed(s: Session, entity: str, keys: Iterable[tuple]) -> dict[tuple, dict[str, Any]]:
    """Current snapshots of the rows with these keys (``EntitySpec.key``), missing rows absent."""
    spec = UNDOABLE[entity]
    out: dict[tuple, dict[str, Any]] = {}
    for where in key_clauses(spec, dict.fromkeys(keys)):
        for m in s.execute(select(spec.table).where(where)).mappings().all():
            out[spec.key_of(m)] = snapshot(entity, m)
    return out


class Recorder:
    """Collects the events of one user action and writes them in one bulk insert.

    Usage: ``rec = Recorder(actor, "add coding 2a")``; ``rec.create("coding", row)``, ...;
    ``rec.write(session)`` before the transaction commits.
    """

    def __init__(self, actor: str, summary: str, *, batch: str | None = None) -> None:
        self.actor = actor
        self.summary = summary
        self.batch = batch or new_batch()
        self._events: list[dict[str, Any]] = []

    def _add(self, action: str, entity: str, entity_id: int | None, before, after) -> None:
        self._events.append({
            "action": action, "entity": entity, "entity_id": entity_id,
            "before": before, "after": after,
        })

    def create(self, entity: str, after: dict[str, Any]) -> None:
        self._add("create", entity, UNDOABLE[entity].logged_id(after), None, after)

    def update(self, entity: str, before: dict[str, Any], after: dict[str, Any]) -> None:
        self._add("update", entity, UNDOABLE[entity].logged_id(after), before, after)

    def delete(self, entity: str, before: dict[str, Any]) -> None:
        self._add("delete", entity, UNDOABLE[entity].logged_id(before), before, None)

    def note(self, action: str, entity: str, after: dict[str, Any]) -> None:
        """A non-row event of this batch (e.g. the import summary other readers expect)."""
        self._add(action, entity, None, None, after)

    def __len__(self) -> int:
        return len(self._events)

    def write(self, s: Session) -> str:
        """Insert the summary note and every event (one statement); returns the batch id."""
        now = utcnow()
        rows = [
            {"at": now, "actor": self.actor, "action": "note", "entity": NOTE,
             "entity_id": None, "batch": self.batch, "before": None,
             "after": {"summary": self.summary}, "undone": False},
        ]
        rows.extend(
            {"at": now, "actor": self.actor, "batch": self.batch, "undone": False, **e}
            for e in self._events
        )
        s.execute(insert(AuditEvent.__table__), rows)  # Core: no ORM bookkeeping per row
        return self.batch
