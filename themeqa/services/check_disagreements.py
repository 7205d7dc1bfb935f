"""The typed list of disagreements between coder A and coder B on a credibility check.

Why typed: reconciling "ben forgot a code" is a different conversation from "we marked a
different stretch of text" or "we read the same passage differently", and a methods section
reports how many of each were found and how they were resolved. Three kinds, found in order
on each document of the check (each coder's own layer, identical duplicates counted once):

1. ``boundary`` -- same code, different extent: A's and B's codings of one code paired by
   ``core.agreement_units.match_spans`` (shared characters >= ``threshold`` of the shorter
   span, greedy one-to-one) whose start or end differ. Pairs with identical spans agree.
2. ``code_conflict`` -- same span, different code: among codings still unpaired, an A and a
   B coding with *different* codes that share >= ``threshold`` of the shorter span (the same
   rule, the same greedy pairing: largest shared length first, ties by A then B position).
3. ``one_coder`` -- a code applied by one coder only: every coding still unpaired.

Keys are stable (a hash of the kind, document and both sides' code and span), so the same
data always gives the same keys in the same order and a reconciliation queue can be resumed
after the program is closed, whatever the coding ids are.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from sqlmodel import select

from themeqa.errors import InputError
from themeqa.services.check_frames import check_scope, codings_frame
from themeqa.services.check_sample import resolve_check
from themeqa.services.project import ProjectHandle
from themeqa.store.models import Code, Codebook, Coder, CredibilityCheck, Document, Reconciliation

if TYPE_CHECKING:
    import pandas as pd
    from sqlmodel import Session

__all__ = ["KINDS", "Disagreement", "check_threshold", "disagreements", "find_disagreements"]

KINDS = ("one_coder", "boundary", "code_conflict")
KIND_TITLES = {
    "one_coder": "Code applied by one coder only",
    "boundary": "Same code, different extent",
    "code_conflict": "Same span, different code",
}
_PREFIX = {"one_coder": "o", "boundary": "b", "code_conflict": "c"}
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class Disagreement:
    """One disagreement with both sides' code, span and text (a side may be absent)."""

    key: str
    kind: str
    document: str
    document_id: int
    code_a_id: int | None
    code_a: str | None
    a_start: int | None
    a_end: int | None
    a_coding_id: int | None
    a_text: str
    code_b_id: int | None
    code_b: str | None
    b_start: int | None
    b_end: int | None
    b_coding_id: int | None
    b_text: str
    decision: str | None = None

    @property
    def start(self) -> int:
        return min(x for x in (self.a_start, self.b_start) if x is not None)

    def to_dict(self) -> dict:
        return asdict(self)


def _key(kind: str, doc_id: int, a: tuple | None, b: tuple | None) -> str:
    raw = f"{kind}|{doc_id}|{a}|{b}".encode()
    return f"{_PREFIX[kind]}-{hashlib.sha1(raw).hexdigest()[:10]}"


def _pair_different_codes(a: pd.DataFrame, b: pd.DataFrame, threshold: float) -> list:
    """Greedy one-to-one pairs of A/B codings with different codes overlapping enough."""
    cand = []
    for ia, ra in enumerate(a.itertuples()):
        for ib, rb in enumerate(b.itertuples()):
            if ra.document != rb.document or ra.code == rb.code:
                continue
            shared = min(ra.end, rb.end) - max(ra.start, rb.start)
            shorter = min(ra.end - ra.start, rb.end - rb.start)
            if shared > 0 and shared >= threshold * shorter - 1e-9:
                cand.append((-shared, ia, ib))
    used_a, used_b, pairs = set(), set(), []
    for _, ia, ib in sorted(cand):
        if ia in used_a or ib in used_b:
            continue
        used_a.add(ia)
        used_b.add(ib)
        pairs.append((a.index[ia], b.index[ib]))
    return pairs


def find_disagreements(
    codings: pd.DataFrame,
    coder_a: str,
    coder_b: str,
    texts: dict[int, tuple[str, str]],
    labels: dict[int, str],
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Disagreement]:
    """The typed disagreements (module docstring) from a codings frame indexed by coding id.

    ``texts``: document id -> (name, text); ``labels``: code id -> label shown to people.
    """
    from themeqa.core.agreement_units import match_spans

    if not 0.0 < threshold <= 1.0:
        raise InputError("the overlap threshold is a fraction of the shorter span, in (0, 1]")
    frame = codings.sort_index().drop_duplicates(["document", "start", "end", "code", "coder"])
    frame = frame.sort_values(["document", "start", "end", "code"], kind="stable")
    a = frame[frame["coder"] == coder_a]
    b = frame[frame["coder"] == coder_b]
    out: list[Disagreement] = []

    def side(row) -> tuple:
        return (int(row["code"]), int(row["start"]), int(row["end"]))

    def make(kind: str, ia, ib) -> Disagreement:
        ra = a.loc[ia] if ia is not None else None
        rb = b.loc[ib] if ib is not None else None
        doc_id = int((ra if ra is not None else rb)["document"])
        name, text = texts[doc_id]
        sa = side(ra) if ra is not None else None
        sb = side(rb) if rb is not None else None
        return Disagreement(
            key=_key(kind, doc_id, sa, sb), kind=kind, document=name, document_id=doc_id,
            code_a_id=sa[0] if sa else None, code_a=labels.get(sa[0]) if sa else None,
            a_start=sa[1] if sa else None, a_end=sa[2] if sa else None,
            a_coding_id=int(ia) if ia is not None else None,
            a_text=text[sa[1]:sa[2]] if sa else "",
            code_b_id=sb[0] if sb else None, code_b=labels.get(sb[0]) if sb else None,
            b_start=sb[1] if sb else None, b_end=sb[2] if sb else None,
            b_coding_id=int(ib) if ib is not None else None,
            b_text=text[sb[1]:sb[2]] if sb else "",
        )

    match = match_spans(a, b, threshold)
    for ia, ib in match.matched:
        if side(a.loc[ia]) != side(b.loc[ib]):
            out.append(make("boundary", ia, ib))
    rest_a, rest_b = a.loc[match.only_a], b.loc[match.only_b]
    pairs = _pair_different_codes(rest_a, rest_b, threshold)
    out.extend(make("code_conflict", ia, ib) for ia, ib in pairs)
    paired_a = {ia for ia, _ in pairs}
    paired_b = {ib for _, ib in pairs}
    out.extend(make("one_coder", ia, None) for ia in rest_a.index if ia not in paired_a)
    out.extend(make("one_coder", None, ib) for ib in rest_b.index if ib not in paired_b)
    order = {k: i for i, k in enumerate(KINDS)}
    out.sort(key=lambda d: (d.document, d.start, order[d.kind], d.key))
    return out


def check_threshold(row: CredibilityCheck, threshold: float | None) -> float:
    if threshold is not None:
        return float(threshold)
    return float((row.settings or {}).get("threshold", DEFAULT_THRESHOLD))


def load_disagreements(
    s: Session, row: CredibilityCheck, threshold: float | None = None
) -> list[Disagreement]:
    """The check's disagreements with each one's decision (if any), inside a session.

    Finished documents only (``check_frames.CheckScope``): on a document coder B has not
    finished, every coding of A's would be a "one coder" disagreement that is not one.
    """
    import dataclasses

    if row.coder_a_id is None:
        raise InputError(f"check {row.name!r} has no coder A (themeqa check sample --coder-a)")
    a, b = s.get(Coder, row.coder_a_id), s.get(Coder, row.coder_b_id)
    docs = check_scope(s, row.id, b).finished
    ids = [d.id for d in docs]
    texts = {
        i: (n, t) for i, n, t in s.exec(
            select(Document.id, Document.name, Document.text).where(Document.id.in_(ids))
        ).all()
    } if ids else {}
    from themeqa.core.codebook import qualified_label

    # shown and exported only ("inhibitors::1", as everywhere else; issue 22): keys and the
    # reconciliation rows hold code ids, never these labels
    labels = {
        cid: qualified_label(key, label) for cid, label, key in s.exec(
            select(Code.id, Code.label, Codebook.key).join(Codebook)
        ).all()
    }
    found = find_disagreements(codings_frame(s, ids, [a, b]), a.name, b.name, texts, labels,
                               check_threshold(row, threshold))
    decided = dict(s.exec(
        select(Reconciliation.key, Reconciliation.choice)
        .where(Reconciliation.check_id == row.id)
    ).all())
    return [dataclasses.replace(d, decision=decided.get(d.key)) for d in found]


def disagreements(
    project: ProjectHandle, check: int | str | None = None, *, threshold: float | None = None
) -> list[Disagreement]:
    """The check's typed disagreements in document order, each with its decision or None."""
    with project.reading() as s:
        return load_disagreements(s, resolve_check(s, check), threshold)
