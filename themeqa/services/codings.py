"""Codings: add, edit and remove one (each undoable), import and export the codings CSV.

Why the checks here: a coding is only worth keeping if its offsets fall inside its document
and its code and coder exist; the CSV import checks every row first and writes all rows in
one transaction, so a bad row never leaves half a file of codings behind. Every change logs
whole-row snapshots (``services.changes``) in one batch, which is what ``services.undo``
reverts; who may change which layer is decided in ``services.settings``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import insert, text
from sqlmodel import Session, func, select

from themeqa.errors import InputError, NotFoundError
from themeqa.services.audit import new_batch
from themeqa.services.changes import CHUNK, Recorder, snapshot
from themeqa.services.codebooks import code_index, load_core_codebooks, resolve_code
from themeqa.services.lookup import get_or_create_coder
from themeqa.services.project import ProjectHandle
from themeqa.services.settings import is_lead, require_coding_write
from themeqa.services.versions import is_current
from themeqa.store.models import (
    Code,
    Codebook,
    Coder,
    Coding,
    Document,
    Memo,
    ProjectInfo,
    utcnow,
)

__all__ = [
    "CodingInfo",
    "CodingView",
    "add_coding",
    "code_counts",
    "delete_coding",
    "document_codings",
    "export_codings",
    "import_codings",
    "list_codings",
    "reassign_coding",
    "resize_coding",
    "set_coding_memo",
    "set_quote",
]

LAYERS = ("coder", "consensus")
_MAX_LISTED = 20


@dataclass(frozen=True)
class CodingInfo:
    id: int
    document: str
    start: int
    end: int
    code: str
    code_label: str
    codebook: str
    coder: str
    layer: str
    quote: bool

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class CodingView:
    """A coding as the coding screen shows it: span, code (label, name, colour), memo."""

    id: int
    start: int
    end: int
    code_id: int
    code_label: str
    code_name: str
    codebook: str
    colour: str | None
    coder: str
    layer: str
    quote: bool
    memo: str | None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Loaded:
    row: Coding
    coder: str
    label: str
    document: str
    n_chars: int


def _check_span(start: int, end: int, document: str, n_chars: int) -> None:
    if not (0 <= start < end <= n_chars):
        raise InputError(
            f"span {start}-{end} is outside {document!r} (0-{n_chars}) or empty"
        )


def _load(s: Session, coding_id: int) -> _Loaded:
    found = s.exec(
        select(Coding, Coder.name, Code.label, Document.name, Document.n_chars)
        .join(Coder, Coding.coder_id == Coder.id)
        .join(Code, Coding.code_id == Code.id)
        .join(Document, Coding.document_id == Document.id)
        .where(Coding.id == coding_id)
    ).first()
    if found is None:
        raise NotFoundError(f"no coding {coding_id}")
    return _Loaded(*found)


def _describe(c: _Loaded) -> str:
    return f"coding {c.label} at {c.document}:{c.row.start}-{c.row.end}"


def add_coding(
    project: ProjectHandle,
    *,
    document: str,
    start: int,
    end: int,
    code: str,
    coder: str,
    layer: str = "coder",
    quote: bool = False,
    actor: str | None = None,
) -> int:
    """Create one coding (committed at once, logged for undo); returns its id.

    ``actor`` (default: ``coder``) is who acts; writing another coder's layer or the
    consensus layer needs the permissions of ``services.settings``.
    """
    if layer not in LAYERS:
        raise InputError(f"layer must be one of {', '.join(LAYERS)}, not {layer!r}")
    actor = actor or coder
    with project.transaction() as s:
        doc = s.exec(select(Document).where(Document.name == document)).first()
        if doc is None:
            raise NotFoundError(f"no document named {document!r}")
        _check_span(start, end, document, doc.n_chars)
        code_id = resolve_code(s, code)
        require_coding_write(s, actor, coder, layer)
        c = get_or_create_coder(s, coder)
        row = Coding(document_id=doc.id, code_id=code_id, coder_id=c.id, layer=layer,
                     start=start, end=end, quote=quote)
        s.add(row)
        s.flush()
        label = s.get(Code, code_id).label
        rec = Recorder(actor, f"add coding {label} at {document}:{start}-{end}")
        rec.create("coding", snapshot("coding", row))
        rec.write(s)
        return row.id


def _coding_memos(s: Session, coding_ids: list[int]) -> list[Memo]:
    if not coding_ids:
        return []
    return list(s.exec(select(Memo).where(Memo.coding_id.in_(coding_ids)).order_by(Memo.id)))


def delete_coding(project: ProjectHandle, coding_id: int, *, actor: str | None = None) -> None:
    """Remove one coding and its memos (undoable)."""
    actor = actor or project.actor
    with project.transaction() as s:
        c = _load(s, coding_id)
        require_coding_write(s, actor, c.coder, c.row.layer)
        rec = Recorder(actor, f"remove {_describe(c)}")
        for m in _coding_memos(s, [coding_id]):
            rec.delete("memo", snapshot("memo", m))
            s.delete(m)
        s.flush()  # memos first: the coding's delete would cascade to them
        rec.delete("coding", snapshot("coding", c.row))
        s.delete(c.row)
        rec.write(s)


def _update(
    project: ProjectHandle,
    coding_id: int,
    actor: str | None,
    change: Callable[[Session, _Loaded], bool],
    summary: Callable[[str], str],
) -> None:
    """Apply ``change(s, loaded)`` (False: nothing to do) and log it as ``summary(before)``."""
    actor = actor or project.actor
    with project.transaction() as s:
        c = _load(s, coding_id)
        require_coding_write(s, actor, c.coder, c.row.layer)
        before = snapshot("coding", c.row)
        described = _describe(c)
        if change(s, c) is False:
            return
        text = summary(described)
        c.row.updated_at = utcnow()
        s.add(c.row)
        s.flush()
        rec = Recorder(actor, text)
        rec.update("coding", before, snapshot("coding", c.row))
        rec.write(s)


def resize_coding(
    project: ProjectHandle, coding_id: int, start: int, end: int, *, actor: str | None = None
) -> None:
    """Give a coding new offsets (within its document; undoable)."""

    def change(s: Session, c: _Loaded) -> bool:
        _check_span(start, end, c.document, c.n_chars)
        if (c.row.start, c.row.end) == (start, end):
            return False
        c.row.start, c.row.end = start, end
        return True

    _update(project, coding_id, actor, change,
            lambda d: f"resize {d} to {start}-{end}")


def reassign_coding(
    project: ProjectHandle, coding_id: int, code: str, *, actor: str | None = None
) -> None:
    """Point a coding at another code (``code`` as ``resolve_code`` accepts it; undoable)."""
    new_label: list[str] = []

    def change(s: Session, c: _Loaded) -> bool:
        code_id = resolve_code(s, code)
        new_label.append(s.get(Code, code_id).label)
        if c.row.code_id == code_id:
            return False
        c.row.code_id = code_id
        return True

    _update(project, coding_id, actor, change,
            lambda d: f"reassign {d} to {new_label[0]}")


def set_quote(
    project: ProjectHandle, coding_id: int, flag: bool, *, actor: str | None = None
) -> None:
    """Flag (or unflag) a coding as an indicative quote for reports (undoable)."""

    def change(s: Session, c: _Loaded) -> bool:
        if bool(c.row.quote) == bool(flag):
            return False
        c.row.quote = bool(flag)
        return True

    _update(project, coding_id, actor, change,
            lambda d: f"{'flag' if flag else 'unflag'} {d} as a quote")


def set_coding_memo(
    project: ProjectHandle, coding_id: int, text: str, *, actor: str | None = None
) -> None:
    """Set the memo of a coding; empty (or blank) text deletes it (undoable)."""
    actor = actor or project.actor
    with project.transaction() as s:
        c = _load(s, coding_id)
        require_coding_write(s, actor, c.coder, c.row.layer)
        memos = _coding_memos(s, [coding_id])
        rec = Recorder(actor, f"memo on {_describe(c)}")
        if not text.strip():
            if not memos:
                return
            rec.summary = f"delete memo on {_describe(c)}"
            for m in memos:
                rec.delete("memo", snapshot("memo", m))
                s.delete(m)
        elif memos:
            m = memos[0]
            if m.text == text:
                return
            before = snapshot("memo", m)
            m.text = text
            m.updated_at = utcnow()
            s.add(m)
            s.flush()
            rec.update("memo", before, snapshot("memo", m))
        else:
            author = s.exec(select(Coder.id).where(Coder.name == actor)).first()
            m = Memo(text=text, author_id=author, coding_id=coding_id)
            s.add(m)
            s.flush()
            rec.create("memo", snapshot("memo", m))
        rec.write(s)


def document_codings(project: ProjectHandle, document: str, *, viewer: str,
                     ids: Collection[int] | None = None) -> list[CodingView]:
    """The codings of one document that ``viewer`` may see, in document order.

    In blind mode (``services.settings.is_blind``) a viewer who is not a lead sees only their
    own coder layer, so a second coder cannot be swayed by the first. ``ids`` narrows the
    read to those codings (the ones an undo just touched), so a screen can patch its copy.
    """
    with project.reading() as s:
        doc_id = s.exec(select(Document.id).where(Document.name == document)).first()
        if doc_id is None:
            raise NotFoundError(f"no document named {document!r}")
        info = s.exec(select(ProjectInfo)).first()
        blind = bool(((info.settings if info else None) or {}).get("blind", False))
        # plain columns, not ORM objects: building 2,000 Coding instances cost ~0.5 s
        q = (
            select(Coding.id, Coding.start, Coding.end, Coding.code_id, Coding.layer,
                   Coding.quote, Code.label, Code.name, Code.colour, Codebook.key, Coder.name)
            .join(Code, Coding.code_id == Code.id)
            .join(Codebook, Code.codebook_id == Codebook.id)
            .join(Coder, Coding.coder_id == Coder.id)
            .where(Coding.document_id == doc_id)
        )
        if blind and not is_lead(s, viewer):
            q = q.where(Coder.name == viewer.strip(), Coding.layer == "coder")
        mq = (select(Memo.coding_id, Memo.text)
              .join(Coding, Memo.coding_id == Coding.id)
              .where(Coding.document_id == doc_id))
        if ids is not None:
            wanted = sorted(set(ids))
            if len(wanted) > CHUNK:  # one IN list; a bigger change is a full re-read
                raise ValueError(f"at most {CHUNK} coding ids at a time")
            q = q.where(Coding.id.in_(wanted))
            mq = mq.where(Coding.id.in_(wanted))
        q = q.order_by(Coding.start, Coding.end, Coding.id)
        rows = s.exec(q).all()
        memos: dict[int, str] = {}
        for cid, text in s.exec(mq.order_by(Memo.id)).all():
            memos.setdefault(cid, text)
    return [
        CodingView(id=i, start=a, end=b, code_id=code_id, code_label=lbl, code_name=name,
                   codebook=key, colour=colour, coder=coder, layer=layer, quote=bool(quote),
                   memo=memos.get(i))
        for i, a, b, code_id, layer, quote, lbl, name, colour, key, coder in rows
    ]


def code_counts(project: ProjectHandle, coder: str) -> dict[int, int]:
    """code id -> number of ``coder``'s codings of it (both layers), for the codebook tree.

    Current documents only: a de-identified transcript's original holds copies of the same
    codings (``services.versions``).
    """
    with project.reading() as s:
        rows = s.exec(
            select(Coding.code_id, func.count())
            .join(Coder, Coding.coder_id == Coder.id)
            .where(Coder.name == coder.strip(), is_current(Coding.document_id))
            .group_by(Coding.code_id)
        ).all()
    return {code_id: n for code_id, n in rows}


def _bulk_insert_codings(s: Session, values: list[dict]) -> list[int]:
    """Insert many codings in one statement; their ids in the order of ``values``.

    The ids go into the undo log. On SQLite they are given explicitly, after the highest id
    ever handed out (the larger of max(id) and the AUTOINCREMENT mark in ``sqlite_sequence``,
    so a deleted coding's id is never reused): the transaction holds the write lock from its
    start (``BEGIN IMMEDIATE``, ``services.project``), so no other writer can take these ids
    between the read and the insert (issue 20: they were read before the lock and an import
    beside a coding process failed with "UNIQUE constraint failed: coding.id"), and RETURNING
    in parameter order would make SQLAlchemy send one INSERT per row. Elsewhere (PostgreSQL
    sequences, safe under concurrency) RETURNING with ``sort_by_parameter_order`` is batched.
    """
    table = Coding.__table__
    if s.get_bind().dialect.name == "sqlite":
        top = max(
            s.execute(select(func.max(table.c.id))).scalar() or 0,
            s.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'coding'")).scalar()
            or 0,
        )
        ids = list(range(top + 1, top + 1 + len(values)))
        s.execute(insert(table), [{**v, "id": i} for v, i in zip(values, ids, strict=True)])
        return ids
    return list(s.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), values
    ).scalars())


def _format_problems(name: str, problems: list[str]) -> str:
    shown = problems[:_MAX_LISTED]
    more = f"; and {len(problems) - _MAX_LISTED} more" if len(problems) > _MAX_LISTED else ""
    n = len(problems)
    return f"{name}: {n} bad row{'s' if n != 1 else ''}: " + "; ".join(shown) + more + (
        "; nothing was imported"
    )


def import_codings(
    project: ProjectHandle,
    path: Path | str,
    *,
    progress: Callable[[str, int, int], None] | None = None,
) -> int:
    """Import the codings CSV (see docs/CONVENTIONS.md); all rows or none. Returns the count."""
    from themeqa.interop.codings_csv import CodingsFormatError, read_codings_csv

    path = Path(path)
    try:
        rows = read_codings_csv(path)
    except CodingsFormatError as exc:
        raise InputError(str(exc)) from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    batch = new_batch()
    with project.transaction() as s:
        docs = {d.name: (d.id, d.n_chars) for d in s.exec(select(Document)).all()}
        books = load_core_codebooks(s)
        index = code_index(s)
        coders = {c.name: c.id for c in s.exec(select(Coder)).all()}
        code_cache: dict[str, int] = {}
        problems: list[str] = []
        values: list[dict] = []
        now = utcnow()
        for r in rows:
            doc = docs.get(r.document)
            if doc is None:
                problems.append(f"row {r.row}: no document named {r.document!r}")
                continue
            if r.end > doc[1]:
                problems.append(
                    f"row {r.row}: end {r.end} is past the end of {r.document!r} ({doc[1]})"
                )
                continue
            if r.code not in code_cache:
                try:
                    code_cache[r.code] = resolve_code(s, r.code, codebooks=books, index=index)
                except NotFoundError as exc:
                    problems.append(f"row {r.row}: {exc}")
                    continue
            if r.coder not in coders:
                coders[r.coder] = get_or_create_coder(s, r.coder).id
            values.append({
                "document_id": doc[0], "code_id": code_cache[r.code],
                "coder_id": coders[r.coder], "layer": r.layer, "start": r.start, "end": r.end,
                "quote": r.quote, "created_at": now, "updated_at": now,
            })
        if problems:
            raise InputError(_format_problems(path.name, problems))
        rec = Recorder(project.actor, f"import {len(values)} codings from {path.name}",
                       batch=batch)
        rec.note("import", "coding", {"file": path.name, "count": len(values)})
        if values:
            ids = _bulk_insert_codings(s, values)
            for i, v in zip(ids, values, strict=True):
                rec.create("coding", snapshot("coding", {**v, "id": i}))
        rec.write(s)
        if progress:
            progress("write", len(values), len(values))
    return len(values)


def list_codings(
    project: ProjectHandle,
    *,
    document: str | None = None,
    coder: str | None = None,
    layer: str | None = None,
    include_superseded: bool = False,
) -> list[CodingInfo]:
    """Codings in document order, with names resolved, filtered as asked.

    Without ``document``: the codings of current documents only, unless
    ``include_superseded`` (a de-identified transcript's original holds copies of its
    codings; ``services.versions``). A ``document`` named explicitly is listed whatever its
    version, so the codings de-identification left on an original can be found.
    """
    with project.reading() as s:
        q = (
            select(Coding, Document.name, Code.name, Code.label, Codebook.key, Coder.name)
            .join(Document, Coding.document_id == Document.id)
            .join(Code, Coding.code_id == Code.id)
            .join(Codebook, Code.codebook_id == Codebook.id)
            .join(Coder, Coding.coder_id == Coder.id)
        )
        if document is not None:
            q = q.where(Document.name == document)
        elif not include_superseded:
            q = q.where(is_current())
        if coder is not None:
            q = q.where(Coder.name == coder)
        if layer is not None:
            q = q.where(Coding.layer == layer)
        q = q.order_by(Document.name, Coder.name, Coding.start, Coding.end, Codebook.key, Code.label)
        return [
            CodingInfo(id=c.id, document=dn, start=c.start, end=c.end, code=cn, code_label=lbl,
                       codebook=key, coder=coder_name, layer=c.layer, quote=c.quote)
            for c, dn, cn, lbl, key, coder_name in s.exec(q).all()
        ]


def export_codings(
    project: ProjectHandle,
    out: Path | str,
    *,
    coder: str | None = None,
    layer: str | None = None,
) -> int:
    """Write the codings CSV; code references are qualified only where a label is ambiguous.

    Codings of current documents only (``list_codings``): the file is read by other tools
    and people, who would count a de-identified transcript's codings twice (its original
    holds copies of them). A backup keeps everything.
    """
    from themeqa.interop.codings_csv import CodingRow, write_codings_csv

    infos = list_codings(project, coder=coder, layer=layer)
    with project.reading() as s:
        label_books: dict[str, set[str]] = {}
        for key, label in code_index(s):
            label_books.setdefault(label, set()).add(key)
    rows = [
        CodingRow(
            document=i.document,
            start=i.start,
            end=i.end,
            code=i.code_label if len(label_books[i.code_label]) == 1
            else f"{i.codebook}::{i.code_label}",
            coder=i.coder,
            layer=i.layer,
            quote=i.quote,
            memo=None,
            row=n + 2,
        )
        for n, i in enumerate(infos)
    ]
    write_codings_csv(rows, Path(out))
    from themeqa.services.export_log import log_export

    log_export(project, "codings", out, coder=coder, layer=layer, count=len(rows))
    return len(rows)
