"""Which documents are current: a newer version (de-identified or corrected) replaces its original.

Why one place: documents never change, so ``deidentify --apply`` writes a new document whose
``previous_id`` points at the original, and the original stays in the project (with its
codings, which were *copied* to the new version where their offsets map) until
``deidentify --purge-originals`` masks it. A researcher expects the new version to replace the
original everywhere: an original that is still listed, searched, counted or exported shows
the names that were just removed, leaks them to whoever receives an export, and counts every
copied coding twice. Every read that lists, counts or exports documents therefore asks this
module, so the rule ("a document that another document names as ``previous_id`` is
superseded") is written once and cannot drift between the search, the tallies and the export.

What is deliberately *not* filtered: a document asked for by name (``get_document``, codings
of one named document: the lead looks at what is left on an original), a credibility check's
stored sample (drawn earlier, it stays what it was), the doctor and the purge (they look at
every row), and backups (whole databases).

Two forms, for two kinds of query: :func:`is_current` is a SQL condition to add to a query on
documents or on rows keyed by a document id (codings, turns), evaluated in the database with
one uncorrelated sub-select; :func:`superseded_ids` and :func:`current_versions` are sets and
maps for code that already holds the rows in Python.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from themeqa.store.models import Document

__all__ = [
    "current_documents",
    "current_versions",
    "is_current",
    "replacement_of",
    "superseded_ids",
]


def _superseded_select() -> Any:
    """``SELECT previous_id FROM document AS newer WHERE previous_id IS NOT NULL``.

    An alias, so that inside a query on ``document`` the sub-select is not correlated with
    the outer table (it would lose its FROM); NULLs are left out because ``x NOT IN (…,
    NULL)`` is never true in SQL.
    """
    newer = aliased(Document)
    return select(newer.previous_id).where(col(newer.previous_id).is_not(None))


def is_current(document_id: Any = None) -> Any:
    """SQL condition: ``document_id`` (default ``Document.id``) is not superseded.

    Pass ``Coding.document_id`` (or ``Turn.document_id``…) to filter rows of a document
    without joining it.
    """
    column = Document.id if document_id is None else document_id
    return col(column).not_in(_superseded_select())


def superseded_ids(s: Session) -> set[int]:
    """Ids of the documents that have a newer version."""
    return {int(i) for i in s.exec(_superseded_select()).all()}


def current_documents(s: Session) -> list[Document]:
    """The current documents (ORM rows, in id order)."""
    return list(s.exec(select(Document).where(is_current()).order_by(col(Document.id))).all())


def current_versions(s: Session) -> dict[int, int]:
    """superseded document id -> id of its current (newest) version.

    Follows chains (an original de-identified twice has two newer versions); where one
    document has several direct successors, the newest (highest id) is followed. Used to
    carry over what belongs to the text rather than to the row, e.g. a document memo or the
    fact that a document was reconciled, and by the purge to find what an original is
    compared with.
    """
    # in id order, so a later successor of the same document overwrites an earlier one
    newer_of = {int(prev): int(doc) for doc, prev in s.exec(
        select(Document.id, Document.previous_id)
        .where(col(Document.previous_id).is_not(None)).order_by(col(Document.id))).all()}
    out: dict[int, int] = {}
    for old in newer_of:
        cur, seen = newer_of[old], {old}
        while cur in newer_of and cur not in seen:  # a cycle cannot be written; be safe
            seen.add(cur)
            cur = newer_of[cur]
        out[old] = cur
    return out


def replacement_of(s: Session, name: str) -> str | None:
    """The name of the current version of document ``name`` when it is superseded, else
    None (also for an unknown name): for an error message that says where to go instead."""
    doc_id = s.exec(select(Document.id).where(Document.name == name)).first()
    if doc_id is None:
        return None
    newest = current_versions(s).get(doc_id)
    if newest is None:
        return None
    return s.exec(select(Document.name).where(Document.id == newest)).first()
