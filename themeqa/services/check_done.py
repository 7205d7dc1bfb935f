"""Coder B marks a sampled document finished; agreement and disagreements cover those.

Why: a check is coded over days. Comparing on a document B has not finished counts every
code A applied there as "A only" and lists each as a disagreement to reconcile, so agreement
looks worse than it is and the reconciliation queue fills with non-disagreements. B says
when a document is done (``themeqa check done DOC``, ``d`` in the coding screen); the
comparison covers finished documents and says how many are pending. The rule when nothing
is marked is ``check_frames.CheckScope``.

Marking and unmarking are undoable (``check_document`` rows in ``services.changes``).
"""

from __future__ import annotations

from sqlmodel import select

from themeqa.errors import InputError, NotFoundError
from themeqa.services.changes import Recorder, snapshot
from themeqa.services.check_frames import CheckScope, check_scope
from themeqa.services.check_sample import resolve_check
from themeqa.services.project import ProjectHandle
from themeqa.store.models import CheckDocument, Coder, CredibilityCheck, Document, utcnow

__all__ = ["check_progress", "checks_of_document", "mark_finished"]


def mark_finished(
    project: ProjectHandle,
    document: str,
    check: int | str | None = None,
    *,
    finished: bool = True,
    actor: str | None = None,
) -> CheckScope:
    """Mark ``document`` finished (or, with ``finished=False``, pending again) in ``check``
    (default: the newest check holding the document). Returns the check's scope after."""
    actor = actor or project.actor
    with project.transaction() as s:
        doc = s.exec(select(Document).where(Document.name == document)).first()
        if doc is None:
            raise NotFoundError(f"no document named {document!r}")
        if check is None:
            row = s.exec(
                select(CredibilityCheck)
                .join(CheckDocument, CheckDocument.check_id == CredibilityCheck.id)
                .where(CheckDocument.document_id == doc.id)
                .order_by(CredibilityCheck.id.desc())
            ).first()
            if row is None:
                raise InputError(f"{document} is in no credibility check's sample")
        else:
            row = resolve_check(s, check)
        link = s.get(CheckDocument, (row.id, doc.id))
        if link is None:
            raise InputError(f"{document} is not in the sample of check {row.name!r}")
        if (link.finished_at is not None) == finished:
            state = "finished" if finished else "pending"
            raise InputError(f"{document} is already {state} in check {row.name!r}")
        before = snapshot("check_document", link)
        link.finished_at = utcnow() if finished else None
        link.finished_by = actor if finished else None
        s.add(link)
        s.flush()
        verb = "finished" if finished else "not finished"
        rec = Recorder(actor, f"mark {document} {verb} in check {row.name}")
        rec.update("check_document", before, snapshot("check_document", link))
        rec.write(s)
        return check_scope(s, row.id, s.get(Coder, row.coder_b_id))


def check_progress(project: ProjectHandle, check: int | str | None = None) -> CheckScope:
    """The check's finished and pending documents."""
    with project.reading() as s:
        row = resolve_check(s, check)
        return check_scope(s, row.id, s.get(Coder, row.coder_b_id))


def checks_of_document(project: ProjectHandle, document: str) -> list[tuple[str, bool]]:
    """(check name, finished?) for every check whose sample holds ``document``."""
    with project.reading() as s:
        rows = s.exec(
            select(CredibilityCheck.name, CheckDocument.finished_at)
            .join(CheckDocument, CheckDocument.check_id == CredibilityCheck.id)
            .join(Document, Document.id == CheckDocument.document_id)
            .where(Document.name == document)
            .order_by(CredibilityCheck.id)
        ).all()
    return [(name, at is not None) for name, at in rows]
