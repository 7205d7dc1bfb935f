"""De-identify what people wrote about the data, not only the transcripts.

Why (issue 21): de-identifying the documents left every name a researcher had typed
elsewhere -- a memo on a coding ("Dana's story about her sister"), a document memo, the
reflexive journal, a theme's review memo, a code named after a participant, a reconciliation
rationale -- and all of it goes out in a ``.qdpx`` or a journal export. These texts go
through the same review as the documents: ``deidentify.propose`` finds candidates in them
with the same rules (speaker labels, listed names and places, dates, NER), the review CSV
locates each by its ``document`` column (``memo 12 (journal)``, ``code 7 (2a)``,
``reconciliation 3``) and its ``field`` column (``memo``, ``code name``, ``code definition``,
``code include``, ``code exclude``, ``code example N``, ``rationale``), and
``deidentify.apply_review`` rewrites the accepted spans in place in the same transaction as
the new document versions.

In place, unlike documents: memos, codes and rationales are editable text with no offsets
pointing into them, so there is nothing a new version would protect. The audit log records
counts only (the originals would re-identify people); the key rows go to the mapping file,
so ``--purge-originals`` also scrubs earlier audit snapshots that quote them.

A memo on a coding that is copied to a de-identified version moves to the copy
(``carry_coding_memos``): the original's codings are hidden from then on, and a memo left
on them would be exported without its coding.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from themeqa.errors import InputError
from themeqa.services.audit import record
from themeqa.services.project import ProjectHandle
from themeqa.store.models import Code, Coding, Document, Memo, Reconciliation

if TYPE_CHECKING:  # pragma: no cover
    from themeqa.services.deidentify import Proposal

__all__ = ["WrittenText", "apply_written", "carry_coding_memos", "written_text_map",
           "written_texts"]

CODE_FIELDS = ("name", "definition", "include", "exclude")
_LOCATOR = re.compile(r"^(memo|code|reconciliation) (\d+)(?: \(.*\))?$")


@dataclass(frozen=True)
class WrittenText:
    """One text a person wrote: where it is (``locator``, ``field``) and what it says."""

    locator: str
    field: str
    text: str


def _memo_place(m: Memo, docs: dict[int, str], codes: dict[int, str],
                coding_doc: dict[int, int]) -> str:
    if m.coding_id is not None:
        return f"on coding {m.coding_id} in {docs.get(coding_doc.get(m.coding_id, -1), '?')}"
    if m.code_id is not None:
        return f"on theme {codes.get(m.code_id, '?')}"
    if m.document_id is not None:
        return f"on {docs.get(m.document_id, '?')}"
    return "journal"


def written_texts(s: Session, documents: set[int] | None = None) -> list[WrittenText]:
    """Every memo, code text and reconciliation rationale, in id order.

    With ``documents`` (ids), only the memos on those documents and on their codings: a
    review limited to some transcripts should not propose changes to the whole codebook.
    """
    docs = dict(s.exec(select(Document.id, Document.name)).all())
    codes_all = s.exec(select(Code).order_by(Code.id)).all()
    labels = {c.id: c.label for c in codes_all}
    coding_doc = dict(s.exec(select(Coding.id, Coding.document_id).where(
        col(Coding.id).in_(select(Memo.coding_id).where(col(Memo.coding_id).is_not(None))))
    ).all())
    out: list[WrittenText] = []
    for m in s.exec(select(Memo).order_by(Memo.id)).all():
        doc = m.document_id if m.document_id is not None else coding_doc.get(m.coding_id or -1)
        if documents is not None and doc not in documents:
            continue
        place = _memo_place(m, docs, labels, coding_doc)
        out.append(WrittenText(f"memo {m.id} ({place})", "memo", m.text or ""))
    if documents is not None:
        return out
    for c in codes_all:
        loc = f"code {c.id} ({c.label})"
        out += [WrittenText(loc, f"code {f}", getattr(c, f) or "") for f in CODE_FIELDS
                if getattr(c, f)]
        out += [WrittenText(loc, f"code example {i}", x)
                for i, x in enumerate(c.examples or [], start=1) if isinstance(x, str) and x]
    for rec_id, rationale in s.exec(select(Reconciliation.id, Reconciliation.rationale)
                                    .order_by(Reconciliation.id)).all():
        if rationale:
            out.append(WrittenText(f"reconciliation {rec_id}", "rationale", rationale))
    return out


def written_text_map(project: ProjectHandle) -> dict[tuple[str, str], str]:
    """(locator, field) -> text, for showing a proposal in context (the TUI review)."""
    with project.reading() as s:
        return {(w.locator, w.field): w.text for w in written_texts(s)}


# ------------------------------------------------------------------------------ applying


def _target(s: Session, locator: str, field: str, review: Path | str) -> Any:
    """The row a review row points at (memo, code or reconciliation)."""
    m = _LOCATOR.match(locator.strip())
    kind, ident = (m.group(1), int(m.group(2))) if m else ("", 0)
    model = {"memo": Memo, "code": Code, "reconciliation": Reconciliation}.get(kind)
    row = s.get(model, ident) if model is not None else None
    ok = {"memo": field == "memo", "reconciliation": field == "rationale",
          "code": field in {f"code {f}" for f in CODE_FIELDS}
          or re.fullmatch(r"code example [1-9]\d*", field) is not None}.get(kind, False)
    if row is None or not ok:
        raise InputError(f"{review}: no {field or 'text'} at {locator!r} (the review is "
                         "stale or was edited; propose again)")
    return row


def _get(row: Any, field: str) -> str:
    if field.startswith("code example "):
        i = int(field.rsplit(" ", 1)[1]) - 1
        ex = row.examples or []
        return ex[i] if i < len(ex) and isinstance(ex[i], str) else ""
    attr = {"memo": "text", "rationale": "rationale"}.get(field, field.removeprefix("code "))
    return getattr(row, attr) or ""


def _set(row: Any, field: str, value: str) -> None:
    if field.startswith("code example "):
        i = int(field.rsplit(" ", 1)[1]) - 1
        ex = list(row.examples or [])
        ex[i] = value
        row.examples = ex
        return
    attr = {"memo": "text", "rationale": "rationale"}.get(field, field.removeprefix("code "))
    setattr(row, attr, value)


def _check_code_name(s: Session, code: Code, review: Path | str) -> None:
    with s.no_autoflush:  # the renamed row must not be written before it is checked
        clash = _sibling_named(s, code)
    if clash is not None:
        raise InputError(f"{review}: renaming code {code.label} would give it the same name "
                         f"as its sibling {clash}; change the replacement")


def _sibling_named(s: Session, code: Code) -> str | None:
    return s.exec(select(Code.label).where(
        Code.codebook_id == code.codebook_id, Code.name == code.name, Code.id != code.id,
        (Code.parent_id == code.parent_id) if code.parent_id is not None
        else col(Code.parent_id).is_(None))).first()


def _replaced(text: str, props: Sequence[Proposal], where: str, review: Path | str) -> str:
    """``text`` with the accepted spans replaced; InputError for a stale or overlapping row."""
    props = sorted(props, key=lambda p: p.start)
    for p in props:
        if not (0 <= p.start < p.end <= len(text)) or text[p.start:p.end] != p.original:
            raise InputError(f"{review}: {where} {p.start}-{p.end} is not {p.original!r} "
                             "(the review is stale; propose again)")
    for a, b in itertools.pairwise(props):
        if b.start < a.end:
            raise InputError(f"{review}: {where}: accepted rows at {a.start} and {b.start} "
                             "overlap; accept only one")
    parts, pos = [], 0
    for p in props:
        parts += [text[pos:p.start], p.replacement]
        pos = p.end
    return "".join(parts) + text[pos:]


def apply_written(
    s: Session, rows: Sequence[Proposal], review: Path | str, *, actor: str, batch: str,
) -> tuple[int, list[list[str]]]:
    """Replace the accepted spans in memos, code texts and rationales, in place.

    Refuses (nothing written: the caller's transaction rolls back) a row whose text no longer
    reads ``original`` at ``start:end``, overlapping rows, or a code rename that would clash
    with a sibling. Returns the number of texts changed (a code's name and an example are
    two) and the key rows for the mapping file (locator, locator, kind, start, end,
    original, replacement).
    """
    groups: dict[tuple[str, str], list[Proposal]] = {}
    for p in rows:
        groups.setdefault((p.document, p.field), []).append(p)
    key_rows: list[list[str]] = []
    touched: dict[tuple[str, int], tuple[Any, int]] = {}
    with s.no_autoflush:  # nothing is written until every row has been checked
        for (locator, field), props in sorted(groups.items()):
            row = _target(s, locator, field, review)
            _set(row, field, _replaced(_get(row, field), props, f"{locator!r} {field}", review))
            key = (type(row).__tablename__, row.id)
            touched[key] = (row, touched.get(key, (row, 0))[1] + len(props))
            key_rows += [[locator, locator, p.kind, str(p.start), str(p.end), p.original,
                          p.replacement] for p in sorted(props, key=lambda p: p.start)]
        for row, _n in touched.values():
            if isinstance(row, Code):
                _check_code_name(s, row, review)
    now = datetime.now(UTC)
    for (table, row_id), (row, n) in sorted(touched.items(), key=lambda kv: kv[0]):
        if isinstance(row, Code):
            row.version += 1
        if isinstance(row, Memo):
            row.updated_at = now
        s.add(row)
        # counts only: the replaced text would re-identify people
        record(s, actor, "deidentify", table, row_id, batch=batch,
               after={"replacements": n})
    s.flush()
    return len(groups), key_rows


def carry_coding_memos(s: Session, new_document_id: int, copied_from: list[int],
                       copied: list[dict[str, Any]]) -> int:
    """Move the memos on the original codings ``copied_from`` to their copies on the new
    document version (inserted in the same order, so they are the new document's codings in
    id order). Returns how many memos moved."""
    if not copied_from:
        return 0
    memos = s.exec(select(Memo).where(col(Memo.coding_id).in_(copied_from))).all()
    if not memos:
        return 0
    new_rows = s.exec(select(Coding.id, Coding.start, Coding.end, Coding.code_id)
                      .where(Coding.document_id == new_document_id)
                      .order_by(Coding.id)).all()
    if len(new_rows) != len(copied) or any(
            (r.start, r.end, r.code_id) != (c["start"], c["end"], c["code_id"])
            for r, c in zip(new_rows, copied, strict=True)):  # pragma: no cover - a guard
        raise RuntimeError("the copied codings do not line up with their originals")
    new_id = {old: r.id for old, r in zip(copied_from, new_rows, strict=True)}
    for m in memos:
        m.coding_id = new_id[m.coding_id]
        s.add(m)
    s.flush()
    return len(memos)
