"""Codings: add and remove one, import and export the codings CSV.

Why the checks here: a coding is only worth keeping if its offsets fall inside its document
and its code and coder exist; the CSV import checks every row first and writes all rows in
one transaction, so a bad row never leaves half a file of codings behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import select

from themeqa.errors import InputError, NotFoundError
from themeqa.services.audit import new_batch, record
from themeqa.services.codebooks import code_index, load_core_codebooks, resolve_code
from themeqa.services.lookup import get_or_create_coder
from themeqa.services.project import ProjectHandle
from themeqa.store.models import Code, Codebook, Coder, Coding, Document, utcnow

__all__ = [
    "CodingInfo",
    "add_coding",
    "delete_coding",
    "export_codings",
    "import_codings",
    "list_codings",
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


def _coding_dict(c: Coding) -> dict:
    return {
        "document_id": c.document_id, "code_id": c.code_id, "coder_id": c.coder_id,
        "layer": c.layer, "start": c.start, "end": c.end, "quote": c.quote,
    }


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
) -> int:
    """Create one coding (committed at once, logged for undo); returns its id."""
    if layer not in LAYERS:
        raise InputError(f"layer must be one of {', '.join(LAYERS)}, not {layer!r}")
    with project.transaction() as s:
        doc = s.exec(select(Document).where(Document.name == document)).first()
        if doc is None:
            raise NotFoundError(f"no document named {document!r}")
        if not (0 <= start < end <= doc.n_chars):
            raise InputError(
                f"span {start}-{end} is outside {document!r} (0-{doc.n_chars}) or empty"
            )
        code_id = resolve_code(s, code)
        c = get_or_create_coder(s, coder)
        row = Coding(document_id=doc.id, code_id=code_id, coder_id=c.id, layer=layer,
                     start=start, end=end, quote=quote)
        s.add(row)
        s.flush()
        record(s, coder, "create", "coding", row.id, after=_coding_dict(row))
        return row.id


def delete_coding(project: ProjectHandle, coding_id: int, *, actor: str | None = None) -> None:
    with project.transaction() as s:
        row = s.get(Coding, coding_id)
        if row is None:
            raise NotFoundError(f"no coding {coding_id}")
        before = _coding_dict(row)
        s.delete(row)
        record(s, actor or project.actor, "delete", "coding", coding_id, before=before)


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
        if values:
            s.execute(insert(Coding), values)
        record(s, project.actor, "import", "coding", None,
               after={"file": path.name, "count": len(values)}, batch=batch)
        if progress:
            progress("write", len(values), len(values))
    return len(values)


def list_codings(
    project: ProjectHandle,
    *,
    document: str | None = None,
    coder: str | None = None,
    layer: str | None = None,
) -> list[CodingInfo]:
    """Codings in document order, with names resolved, filtered as asked."""
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
    """Write the codings CSV; code references are qualified only where a label is ambiguous."""
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
    return len(rows)
