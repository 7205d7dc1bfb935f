"""Queries that build the plain tables ``core.agreement_units`` works on.

Why a module of its own: the agreement statistics are pure and tested without a database; this
is the one place that knows how codings, turns, sentences and participants are stored, and
hands the core exactly the frames its docstring describes (``document, start, end, code,
coder`` for codings; ``document, start, end[, participant]`` for units).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from themeqa.errors import InputError, NotFoundError
from themeqa.services.codebooks import resolve_code
from themeqa.services.lookup import get_coder
from themeqa.services.versions import is_current
from themeqa.store.models import (
    CheckDocument,
    Code,
    Codebook,
    Coder,
    Coding,
    Document,
    Participant,
    Sentence,
    Turn,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "UNITS",
    "CheckScope",
    "CodeRow",
    "DocRow",
    "check_scope",
    "codings_frame",
    "compared_documents",
    "selected_codes",
    "units_frame",
]

UNITS = ("character", "sentence", "turn", "document", "participant")


@dataclass(frozen=True)
class DocRow:
    id: int
    name: str
    n_chars: int


@dataclass(frozen=True)
class CodeRow:
    """A code in tree order: depth 1 = superordinate theme."""

    id: int
    codebook: str
    label: str
    name: str
    depth: int
    parent_id: int | None


def compared_documents(
    s: Session, coder_a: Coder, coder_b: Coder, check_id: int | None = None
) -> list[DocRow]:
    """The documents two coders are compared on, by name.

    With a check: its sampled documents (as drawn, even if one was de-identified since: the
    comparison and its decisions stay on the text they were made on). Without: every current
    document on which *both* coders have at least one coding in their own layer -- the
    documents that were actually double-coded; comparing on a document one coder never
    opened would count all of its units as disagreements, and comparing on a de-identified
    document's original as well would count its units twice (``services.versions``).
    """
    if check_id is not None:
        q = select(Document).join(
            CheckDocument, col(CheckDocument.document_id) == Document.id
        ).where(CheckDocument.check_id == check_id)
        docs = s.exec(q).all()
    else:
        coded = select(Coding.document_id).where(Coding.layer == "coder",
                                                 is_current(Coding.document_id))
        a = set(s.exec(coded.where(Coding.coder_id == coder_a.id)).all())
        b = set(s.exec(coded.where(Coding.coder_id == coder_b.id)).all())
        ids = a & b
        docs = s.exec(select(Document).where(col(Document.id).in_(ids))).all() if ids else []
    return sorted((DocRow(d.id, d.name, d.n_chars) for d in docs), key=lambda d: d.name)


@dataclass(frozen=True)
class CheckScope:
    """Which of a check's sampled documents agreement and disagreements cover.

    ``rule``: ``"marked"`` -- coder B marked documents finished (``themeqa check done``); only
    those count. ``"coded"`` -- nothing is marked yet: the documents on which coder B has at
    least one coding count (a check made before marking existed, or B has not marked any).
    Why not all sampled documents: a document B has not opened would count every code of
    A's as "A only" and make agreement look worse than it is; why not none: existing
    projects would lose their agreement figures until someone marks documents.
    """

    finished: list[DocRow]
    pending: list[DocRow]
    rule: str

    @property
    def sampled(self) -> int:
        return len(self.finished) + len(self.pending)

    def sentence(self) -> str:
        """"2 of 3 sampled documents finished; 1 pending" (with the rule when none marked)."""
        n, total, left = len(self.finished), self.sampled, len(self.pending)
        word = "document" if total == 1 else "documents"
        if self.rule == "marked":
            text = f"{n} of {total} sampled {word} finished"
        else:
            text = (f"{n} of {total} sampled {word} coded by coder B (none marked finished: "
                    "counting the documents B has coded; themeqa check done DOC marks them)")
        names = ", ".join(d.name for d in self.pending[:3])
        more = f" and {left - 3} more" if left > 3 else ""
        return f"{text}; {left} pending" + (f" ({names}{more})" if left else "")

    def to_dict(self) -> dict:
        return {"finished": [d.name for d in self.finished],
                "pending": [d.name for d in self.pending], "rule": self.rule,
                "summary": self.sentence()}


def check_scope(s: Session, check_id: int, coder_b: Coder) -> CheckScope:
    """The check's sampled documents split into finished and pending (:class:`CheckScope`)."""
    rows = s.exec(
        select(Document.id, Document.name, Document.n_chars, CheckDocument.finished_at)
        .join(CheckDocument, col(CheckDocument.document_id) == Document.id)
        .where(CheckDocument.check_id == check_id)
    ).all()
    docs = sorted(rows, key=lambda r: r[1])
    if any(r[3] is not None for r in docs):
        done = {r[0] for r in docs if r[3] is not None}
        rule = "marked"
    else:
        ids = [r[0] for r in docs]
        done = set(s.exec(select(Coding.document_id).where(
            col(Coding.document_id).in_(ids), Coding.coder_id == coder_b.id,
            Coding.layer == "coder")).all()) if ids else set()
        rule = "coded"
    finished = [DocRow(i, n, c) for i, n, c, _f in docs if i in done]
    pending = [DocRow(i, n, c) for i, n, c, _f in docs if i not in done]
    return CheckScope(finished, pending, rule)


def codings_frame(s: Session, doc_ids: list[int], coders: list[Coder]) -> pd.DataFrame:
    """Coder-layer codings of ``coders`` on the documents, indexed by coding id.

    Columns: document (id), start, end, code (id), coder (name) -- the core's ``codings``.
    """
    import pandas as pd

    by_id = {c.id: c.name for c in coders}
    rows = s.exec(
        select(Coding.id, Coding.document_id, Coding.start, Coding.end, Coding.code_id,
               Coding.coder_id)
        .where(col(Coding.document_id).in_(doc_ids), col(Coding.coder_id).in_(list(by_id)),
               Coding.layer == "coder")
        .order_by(Coding.document_id, Coding.start, Coding.end, Coding.id)
    ).all() if doc_ids else []
    frame = pd.DataFrame(
        [(i, d, a, b, code, by_id[who]) for i, d, a, b, code, who in rows],
        columns=["id", "document", "start", "end", "code", "coder"],
    )
    return frame.set_index("id")


def _facilitator_spans(s: Session, ids: list[int]) -> dict[int, list[tuple[int, int]]]:
    spans: dict[int, list[tuple[int, int]]] = {}
    for d, a, b in s.exec(
        select(Turn.document_id, Turn.start, Turn.end)
        .where(col(Turn.document_id).in_(ids), Turn.role == "facilitator")
        .order_by(Turn.document_id, Turn.start)
    ).all():
        spans.setdefault(d, []).append((a, b))
    return spans


def units_frame(
    s: Session, docs: list[DocRow], unit: str, *, include_facilitator: bool = False
) -> pd.DataFrame:
    """Units of the documents: sentences, turns (with their participant) or whole documents.

    Turn and sentence units cover participant speech only unless ``include_facilitator``:
    a facilitator's question that neither coder codes is a unit both "agree" on, and a
    transcript full of them inflates chance-corrected agreement (issue 19: pooled AC1 .98
    against kappa .36 on the demo). Facilitator turns are those with role ``facilitator``
    (role words such as ``Interviewer 2`` and labels mapped with ``--facilitator``); a
    sentence is the facilitator's when it starts inside a facilitator turn. Turns of
    unmapped speakers stay (they may be participants not yet mapped). Participant units use
    the ``participant`` column (facilitator turns have none and are dropped by the core).
    """
    import pandas as pd

    ids = [d.id for d in docs]
    cols = ["document", "start", "end", "participant"]
    if unit == "document":
        return pd.DataFrame([(d.id, 0, d.n_chars, None) for d in docs if d.n_chars > 0],
                            columns=cols)
    if not ids:
        return pd.DataFrame([], columns=cols)
    if unit == "sentence":
        rows = s.exec(
            select(Sentence.document_id, Sentence.start, Sentence.end)
            .where(col(Sentence.document_id).in_(ids), Sentence.end > Sentence.start)
            .order_by(Sentence.document_id, Sentence.start)
        ).all()
        if not include_facilitator:
            from bisect import bisect_right

            fac = _facilitator_spans(s, ids)
            starts = {d: [a for a, _b in v] for d, v in fac.items()}

            def said_by_facilitator(d: int, a: int) -> bool:
                k = bisect_right(starts.get(d, []), a) - 1
                return k >= 0 and a < fac[d][k][1]

            rows = [r for r in rows if not said_by_facilitator(r[0], r[1])]
        return pd.DataFrame([(*r, None) for r in rows], columns=cols)
    if unit in ("turn", "participant"):
        pids = dict(s.exec(select(Participant.id, Participant.pid)).all())
        q = (select(Turn.document_id, Turn.start, Turn.end, Turn.participant_id)
             .where(col(Turn.document_id).in_(ids), Turn.end > Turn.start)
             .order_by(Turn.document_id, Turn.start))
        if unit == "turn" and not include_facilitator:
            q = q.where(Turn.role != "facilitator")
        rows = s.exec(q).all()
        return pd.DataFrame([(d, a, b, pids.get(p)) for d, a, b, p in rows], columns=cols)
    raise InputError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")


def selected_codes(
    s: Session, *, codebook: str | None = None, code: str | None = None
) -> list[CodeRow]:
    """Codes in tree order (codebook order, then position); a ``code`` keeps its subtree."""
    books = {b.id: b for b in s.exec(select(Codebook)).all()}
    if codebook is not None and codebook not in {b.key for b in books.values()}:
        raise NotFoundError(f"no codebook {codebook!r}")
    codes = s.exec(select(Code).order_by(Code.position, Code.id)).all()
    children: dict[int | None, list[Code]] = {}
    for c in codes:
        children.setdefault(c.parent_id, []).append(c)
    out: list[CodeRow] = []

    def walk(c: Code, depth: int) -> None:
        out.append(CodeRow(c.id, books[c.codebook_id].key, c.label, c.name, depth, c.parent_id))
        for ch in children.get(c.id, []):
            walk(ch, depth + 1)

    if code is not None:
        root_id = resolve_code(s, code)
        root = s.get(Code, root_id)
        depth = 1
        parent = root.parent_id
        while parent is not None:
            depth += 1
            parent = s.get(Code, parent).parent_id
        walk(root, depth)
        return out
    for b in sorted(books.values(), key=lambda b: (b.position, b.id)):
        if codebook is not None and b.key != codebook:
            continue
        for top in (x for x in children.get(None, []) if x.codebook_id == b.id):
            walk(top, 1)
    return out


def coders_by_name(s: Session, a: str, b: str) -> tuple[Coder, Coder]:
    if a.strip() == b.strip():
        raise InputError("compare two different coders")
    return get_coder(s, a), get_coder(s, b)

