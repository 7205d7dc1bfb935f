"""Correct a document's metadata, or delete it, as one undoable action each.

Why: a transcript imported without ``--session`` had no session -- and so no condition -- for
good, because documents never change and a re-import of the same file is refused. The text
stays immutable; its *metadata* (name, session, timepoint, writer) is a fact about the study
that can be wrong and must be correctable. Tallies read these columns on every query, so they
follow at once (a transcript's condition is its session's).

Deleting takes the document's turns, sentences, codings (every layer), memos, its place in
credibility-check samples and their decisions with it (foreign keys cascade); every one of
those rows is logged whole (``services.changes``), so ``themeqa undo`` puts them all back
with their ids. A document in a check's sample is refused unless ``force``: deleting it
changes the check's agreement and reconciliation. The source file goes too when it held
nothing else, so the corrected file can be imported again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from themeqa.errors import InputError, NotFoundError
from themeqa.services.changes import Recorder, snapshot
from themeqa.services.lookup import get_or_create_timepoint
from themeqa.services.project import ProjectHandle
from themeqa.store.models import (
    CheckDocument,
    Coding,
    CredibilityCheck,
    Document,
    Memo,
    Participant,
    Reconciliation,
    Sentence,
    SourceFile,
    StudySession,
    Turn,
)

__all__ = ["DeleteResult", "delete_document", "set_document"]

#: ``set_document`` argument meaning "clear this field"
CLEAR = ""


def _document(s: Session, name: str) -> Document:
    doc = s.exec(select(Document).where(Document.name == name)).first()
    if doc is None:
        raise NotFoundError(f"no document named {name!r}")
    return doc


def set_document(
    project: ProjectHandle,
    name: str,
    *,
    session: str | None = None,
    timepoint: str | None = None,
    new_name: str | None = None,
    participant: str | None = None,
    actor: str | None = None,
) -> dict[str, Any]:
    """Change the given fields of document ``name`` (None: leave; ``""``: clear). Returns
    the document's fields after, with its condition (from the session, else the writer)."""
    actor = actor or project.actor
    if all(v is None for v in (session, timepoint, new_name, participant)):
        raise InputError("nothing to change: give --session, --timepoint, --name or "
                         "--participant")
    with project.transaction() as s:
        doc = _document(s, name)
        before = snapshot("document", doc)
        if session is not None:
            if session.strip() == CLEAR:
                doc.session_id = None
            else:
                row = s.exec(select(StudySession).where(
                    StudySession.label == session.strip())).first()
                if row is None:
                    known = ", ".join(sorted(s.exec(select(StudySession.label)).all()))
                    raise NotFoundError(f"no session {session.strip()!r} (sessions: "
                                        f"{known or 'none yet; import participants first'})")
                doc.session_id = row.id
        if timepoint is not None:
            tp = get_or_create_timepoint(s, timepoint) if timepoint.strip() else None
            doc.timepoint_id = tp.id if tp else None
        if participant is not None:
            if participant.strip() == CLEAR:
                doc.participant_id = None
            else:
                p = s.exec(select(Participant).where(
                    Participant.pid == participant.strip())).first()
                if p is None:
                    raise NotFoundError(f"no participant with id {participant.strip()!r}")
                doc.participant_id = p.id
        if new_name is not None:
            new_name = new_name.strip()
            if not new_name:
                raise InputError("a document needs a name")
            taken = s.exec(select(Document.id).where(Document.name == new_name,
                                                      Document.id != doc.id)).first()
            if taken is not None:
                raise InputError(f"a document named {new_name!r} exists already")
            doc.name = new_name
        s.add(doc)
        s.flush()
        after = snapshot("document", doc)
        if after == before:
            raise InputError(f"{name}: nothing changed")
        if doc.kind == "written" and participant is not None:
            _retag_written_turns(s, doc)
        rec = Recorder(actor, f"edit document {name}")
        rec.update("document", before, after)
        rec.write(s)
        return _describe(s, doc)


def _retag_written_turns(s: Session, doc: Document) -> None:
    """A written answer's turns belong to its writer (the tallies read turns)."""
    for turn in s.exec(select(Turn).where(Turn.document_id == doc.id)).all():
        turn.participant_id = doc.participant_id
        turn.role = "participant" if doc.participant_id is not None else "unknown"
        s.add(turn)


def _describe(s: Session, doc: Document) -> dict[str, Any]:
    sess = s.get(StudySession, doc.session_id) if doc.session_id else None
    part = s.get(Participant, doc.participant_id) if doc.participant_id else None
    from themeqa.store.models import Timepoint

    tp = s.get(Timepoint, doc.timepoint_id) if doc.timepoint_id else None
    condition = (sess.condition if sess else None) or (part.condition if part else None)
    return {"name": doc.name, "session": sess.label if sess else None,
            "condition": condition, "timepoint": tp.label if tp else None,
            "participant": part.pid if part else None}


@dataclass(frozen=True)
class DeleteResult:
    name: str
    codings: int
    turns: int
    checks: list[str]
    source_file_removed: bool

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "codings": self.codings, "turns": self.turns,
                "checks": self.checks, "source_file_removed": self.source_file_removed}


def _rows(s: Session, entity: str, where) -> list[dict[str, Any]]:
    from themeqa.services.changes import UNDOABLE

    table = UNDOABLE[entity].table
    return [snapshot(entity, m) for m in s.execute(sa_select(table).where(where)).mappings()]


def delete_document(
    project: ProjectHandle, name: str, *, force: bool = False, actor: str | None = None
) -> DeleteResult:
    """Delete document ``name`` with everything hanging on it (module docstring)."""
    actor = actor or project.actor
    with project.transaction() as s:
        doc = _document(s, name)
        newer = s.exec(select(Document.name).where(Document.previous_id == doc.id)).first()
        if newer is not None:
            raise InputError(f"{name} has a newer version ({newer}): delete that first")
        checks = list(s.exec(
            select(CredibilityCheck.name)
            .join(CheckDocument, col(CheckDocument.check_id) == CredibilityCheck.id)
            .where(CheckDocument.document_id == doc.id)).all())
        if checks and not force:
            raise InputError(f"{name} is in credibility check {', '.join(checks)}: deleting "
                             "it changes that check (add --force to delete anyway)")
        coding_ids = list(s.exec(select(Coding.id).where(Coding.document_id == doc.id)).all())
        memo_where = col(Memo.document_id) == doc.id
        if coding_ids:
            memo_where = memo_where | col(Memo.coding_id).in_(coding_ids)
        rec = Recorder(actor, f"delete document {name}")
        groups = [
            ("memo", memo_where),
            ("reconciliation", Reconciliation.document_id == doc.id),
            ("coding", Coding.document_id == doc.id),
            ("check_document", CheckDocument.document_id == doc.id),
            ("turn", Turn.document_id == doc.id),
            ("sentence", Sentence.document_id == doc.id),
            ("document", Document.id == doc.id),
        ]
        counts = {}
        for entity, where in groups:
            rows = _rows(s, entity, where)
            counts[entity] = len(rows)
            for row in rows:
                rec.delete(entity, row)
        source_id = doc.source_file_id
        others = s.exec(select(Document.id).where(Document.source_file_id == source_id,
                                                   Document.id != doc.id)).first()
        orphan = source_id is not None and others is None
        if orphan:
            for row in _rows(s, "source_file", SourceFile.id == source_id):
                rec.delete("source_file", row)
        s.execute(delete(Document).where(Document.id == doc.id))
        if orphan:
            s.execute(delete(SourceFile).where(SourceFile.id == source_id))
        rec.write(s)
        return DeleteResult(name, counts["coding"], counts["turn"], checks, orphan)
