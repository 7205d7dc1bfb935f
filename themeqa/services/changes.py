"""Row snapshots and the audit events that make an action undoable.

Why a module of its own: undo (``services.undo``) can only revert what the log describes
exactly. Every undoable action therefore logs, per row it touches, a ``create``/``update``/
``delete`` event whose ``before``/``after`` hold the *whole* row (id, foreign keys,
timestamps as ISO text), all in one batch, plus one ``note`` event carrying a one-line
summary for the undo menu. Codings, codebook edits and coding memos use these helpers, so the
format is the same everywhere; a large action (a 20,000-row import) writes its events with
one bulk insert.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert, select
from sqlmodel import Session

from themeqa.services.audit import new_batch
from themeqa.store.models import AuditEvent, Code, Coding, Memo, utcnow

__all__ = [
    "NOTE",
    "ROW_ACTIONS",
    "UNDOABLE",
    "EntitySpec",
    "Recorder",
    "from_json",
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
    backwards (see ``services.undo``).
    """

    table: Table
    compared: tuple[str, ...]
    times: tuple[str, ...] = ()
    versioned: bool = False
    columns: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(c.name for c in self.table.columns))


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
}


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
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
        out[c] = v
    return out


def load_rows(s: Session, entity: str, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Current snapshots of the rows with these ids (missing rows are absent)."""
    spec = UNDOABLE[entity]
    ids = list(dict.fromkeys(ids))
    out: dict[int, dict[str, Any]] = {}
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        for m in s.execute(select(spec.table).where(spec.table.c.id.in_(chunk))
                           ).mappings().all():
            out[m["id"]] = snapshot(entity, m)
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
        self._add("create", entity, after["id"], None, after)

    def update(self, entity: str, before: dict[str, Any], after: dict[str, Any]) -> None:
        self._add("update", entity, after["id"], before, after)

    def delete(self, entity: str, before: dict[str, Any]) -> None:
        self._add("delete", entity, before["id"], before, None)

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
