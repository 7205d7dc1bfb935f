"""Reconcile a check's disagreements into the ``consensus`` layer, one decision at a time.

Why this shape (issue 5): the coders' own layers are evidence of how reliable the coding was,
so they are never changed; each decision writes new ``consensus`` codings and a
``reconciliation`` row (what each coder did, the choice, a required rationale, who decided and
an optional third reviewer). Each decision is one transaction with its audit events, so the
queue can be left at any point and resumed: progress is "decisions whose key is still in the
disagreement list" out of "disagreements". Undoing a decision removes its row and exactly the
consensus codings it wrote.

Choices: ``keep_a`` / ``keep_b`` (that coder's code and span), ``keep_both`` (both codings),
``neither`` (no consensus coding), ``edit`` (one coding on a span given by the decider, with
A's code unless another code is named).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlmodel import Session, select

from themeqa.errors import InputError, NotFoundError
from themeqa.services.audit import new_batch, record
from themeqa.services.check_disagreements import Disagreement, load_disagreements
from themeqa.services.check_sample import resolve_check
from themeqa.services.codebooks import resolve_code
from themeqa.services.lookup import get_coder, get_or_create_coder
from themeqa.services.project import ProjectHandle
from themeqa.store.models import Coding, CredibilityCheck, Document, Reconciliation, utcnow

__all__ = [
    "CHOICES",
    "Decision",
    "Progress",
    "adopt_agreements",
    "decide",
    "decisions_by_type",
    "mark_reconciled",
    "next_open",
    "progress",
    "refusal",
    "undo_decision",
]

CHOICES = ("keep_a", "keep_b", "keep_both", "neither", "edit")


@dataclass(frozen=True)
class Decision:
    key: str
    kind: str
    choice: str
    rationale: str
    consensus_ids: list[int]

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Progress:
    """n of m: decided disagreements out of all; ``stale`` decisions no longer match one."""

    decided: int
    total: int
    stale: int

    @property
    def remaining(self) -> int:
        return self.total - self.decided

    def __str__(self) -> str:
        return f"{self.decided} of {self.total} resolved"


def refusal(d: Disagreement, choice: str) -> str | None:
    """Why ``choice`` cannot decide ``d`` (None when it can).

    Why a function of its own: the TUI asks it *before* the researcher types a rationale
    (issue 22: ``b`` on an item only coder A coded failed only after the rationale), and
    ``decide`` applies the same rule, so the two never disagree.
    """
    if choice == "keep_a" and d.code_a_id is None:
        return f"{d.key}: coder A did not code this passage; keep_b or neither"
    if choice == "keep_b" and d.code_b_id is None:
        return f"{d.key}: coder B did not code this passage; keep_a or neither"
    if choice == "keep_both" and (d.code_a_id is None or d.code_b_id is None):
        return f"{d.key}: only one coder coded this passage; keep it or neither"
    return None


def _spans(d: Disagreement, choice: str, span: tuple[int, int] | None,
           code_id: int | None, n_chars: int) -> list[tuple[int, int, int]]:
    """(code, start, end) of the consensus codings a choice writes."""
    why = refusal(d, choice)
    if why is not None:
        raise InputError(why)
    a = (d.code_a_id, d.a_start, d.a_end) if d.code_a_id is not None else None
    b = (d.code_b_id, d.b_start, d.b_end) if d.code_b_id is not None else None
    if choice == "keep_a":
        return [a]  # type: ignore[list-item]
    if choice == "keep_b":
        return [b]  # type: ignore[list-item]
    if choice == "keep_both":
        return [a, b]  # type: ignore[list-item]
    if choice == "neither":
        return []
    if span is None:
        raise InputError("edit needs the span to keep (start and end)")
    start, end = int(span[0]), int(span[1])
    if not 0 <= start < end <= n_chars:
        raise InputError(f"span {start}-{end} is empty or outside the document (0-{n_chars})")
    code = code_id if code_id is not None else (a or b)[0]  # type: ignore[index]
    return [(code, start, end)]


def _status(s: Session, row: CredibilityCheck, prog: Progress) -> None:
    row.status = "done" if prog.total and prog.decided >= prog.total else "reconciling"
    s.add(row)


def _progress(found: list[Disagreement], decided_keys: set[str]) -> Progress:
    keys = {d.key for d in found}
    return Progress(len(keys & decided_keys), len(keys), len(decided_keys - keys))


def decide(
    project: ProjectHandle,
    key: str,
    choice: str,
    rationale: str,
    *,
    decided_by: str,
    check: int | str | None = None,
    reviewer: str | None = None,
    span: tuple[int, int] | None = None,
    code: str | None = None,
) -> Decision:
    """Record one decision: consensus codings + reconciliation row + audit, one transaction."""
    if choice not in CHOICES:
        raise InputError(f"choice must be one of {', '.join(CHOICES)}, not {choice!r}")
    rationale = (rationale or "").strip()
    if not rationale:
        raise InputError("a decision needs a short rationale")
    if choice != "edit" and (span is not None or code is not None):
        raise InputError("a span or code is given only with --choice edit")
    batch = new_batch()
    with project.transaction() as s:
        row = resolve_check(s, check)
        found = load_disagreements(s, row)
        d = next((x for x in found if x.key == key), None)
        if d is None:
            raise NotFoundError(f"no disagreement {key!r} in check {row.name!r}")
        if d.decision is not None:
            raise InputError(f"{key} is decided already ({d.decision}); undo it first")
        who = get_or_create_coder(s, decided_by)
        rev = get_coder(s, reviewer) if reviewer else None
        if rev is not None and rev.id == who.id:
            raise InputError("the reviewer must be someone other than the decider")
        n_chars = s.get(Document, d.document_id).n_chars
        code_id = resolve_code(s, code) if code else None
        ids = []
        now = utcnow()
        for code_id_, start, end in _spans(d, choice, span, code_id, n_chars):
            c = Coding(document_id=d.document_id, code_id=code_id_, coder_id=who.id,
                       layer="consensus", start=start, end=end, created_at=now, updated_at=now)
            s.add(c)
            s.flush()
            ids.append(c.id)
            record(s, who.name, "create", "coding", c.id, batch=batch, after={
                "document_id": c.document_id, "code_id": c.code_id, "coder_id": c.coder_id,
                "layer": c.layer, "start": c.start, "end": c.end, "quote": c.quote,
            })
        rec = Reconciliation(
            check_id=row.id, document_id=d.document_id, kind=d.kind, key=d.key,
            code_a_id=d.code_a_id, code_b_id=d.code_b_id, a_coding_id=d.a_coding_id,
            b_coding_id=d.b_coding_id, a_start=d.a_start, a_end=d.a_end, b_start=d.b_start,
            b_end=d.b_end, choice=choice, rationale=rationale, decided_by_id=who.id,
            reviewer_id=rev.id if rev else None, consensus_ids=ids,
        )
        s.add(rec)
        s.flush()
        record(s, who.name, "decide", "reconciliation", rec.id, batch=batch, after={
            "check": row.name, "key": d.key, "kind": d.kind, "choice": choice,
            "rationale": rationale, "reviewer": rev.name if rev else None,
            "consensus_ids": ids,
        })
        decided = {k for k in s.exec(select(Reconciliation.key)
                                     .where(Reconciliation.check_id == row.id)).all()}
        _status(s, row, _progress(found, decided))
    return Decision(d.key, d.kind, choice, rationale, ids)


def undo_decision(
    project: ProjectHandle, key: str, *, check: int | str | None = None,
    actor: str | None = None,
) -> Decision:
    """Delete a decision and the consensus codings it wrote (the coders' layers stay as is)."""
    actor = actor or project.actor
    with project.transaction() as s:
        row = resolve_check(s, check)
        rec = s.exec(select(Reconciliation).where(
            Reconciliation.check_id == row.id, Reconciliation.key == key)).first()
        if rec is None:
            raise NotFoundError(f"no decision on {key!r} in check {row.name!r}")
        batch = new_batch()
        before = {"check": row.name, "key": rec.key, "kind": rec.kind, "choice": rec.choice,
                  "rationale": rec.rationale, "consensus_ids": list(rec.consensus_ids)}
        for cid in rec.consensus_ids:
            c = s.get(Coding, cid)
            if c is not None and c.layer == "consensus":
                record(s, actor, "delete", "coding", cid, batch=batch, before={
                    "document_id": c.document_id, "code_id": c.code_id,
                    "coder_id": c.coder_id, "layer": c.layer, "start": c.start,
                    "end": c.end, "quote": c.quote,
                })
                s.delete(c)
        decision = Decision(rec.key, rec.kind, rec.choice, rec.rationale,
                            list(rec.consensus_ids))
        s.delete(rec)
        record(s, actor, "undo_decision", "reconciliation", rec.id, batch=batch, before=before)
        s.flush()
        found = load_disagreements(s, row)
        decided = {k for k in s.exec(select(Reconciliation.key)
                                     .where(Reconciliation.check_id == row.id)).all()}
        _status(s, row, _progress(found, decided))
    return decision


def progress(project: ProjectHandle, check: int | str | None = None) -> Progress:
    """n of m resolved for the check (``stale``: decisions whose disagreement has gone)."""
    with project.reading() as s:
        row = resolve_check(s, check)
        found = load_disagreements(s, row)
        decided = set(s.exec(select(Reconciliation.key)
                             .where(Reconciliation.check_id == row.id)).all())
    return _progress(found, decided)


def next_open(project: ProjectHandle, check: int | str | None = None) -> Disagreement | None:
    """The first undecided disagreement, where a resumed queue starts (None when done)."""
    from themeqa.services.check_disagreements import disagreements

    return next((d for d in disagreements(project, check) if d.decision is None), None)


def decisions_by_type(project: ProjectHandle, check: int | str | None = None) -> dict:
    """{kind: {choice: n}} over the check's decisions (for the report)."""
    with project.reading() as s:
        row = resolve_check(s, check)
        out: dict[str, dict[str, int]] = {}
        for kind, choice in s.exec(select(Reconciliation.kind, Reconciliation.choice)
                                   .where(Reconciliation.check_id == row.id)).all():
            out.setdefault(kind, {}).setdefault(choice, 0)
            out[kind][choice] += 1
    return out


def adopt_agreements(
    project: ProjectHandle, check: int | str | None = None, *, decided_by: str
) -> int:
    """Copy the codings both coders made identically (same code, same span) into consensus.

    Why: the consensus layer is the reconciled coding of the sample, and a passage both coders
    coded the same way needs no discussion -- but tallies that read the consensus layer would
    miss it if only the decisions were there. Idempotent: a span already in the consensus
    layer with that code is not copied again. One transaction; returns the number written.
    """
    from themeqa.services.check_frames import codings_frame, compared_documents
    from themeqa.store.models import Coder

    batch = new_batch()
    with project.transaction() as s:
        row = resolve_check(s, check)
        if row.coder_a_id is None:
            raise InputError(f"check {row.name!r} has no coder A")
        a, b = s.get(Coder, row.coder_a_id), s.get(Coder, row.coder_b_id)
        ids = [d.id for d in compared_documents(s, a, b, row.id)]
        frame = codings_frame(s, ids, [a, b])
        spans = {
            name: set(zip(part["document"], part["code"], part["start"], part["end"],
                          strict=True))
            for name, part in frame.groupby("coder")
        }
        agreed = sorted(spans.get(a.name, set()) & spans.get(b.name, set()))
        existing = set(s.exec(select(Coding.document_id, Coding.code_id, Coding.start,
                                     Coding.end).where(Coding.layer == "consensus")).all())
        who = get_or_create_coder(s, decided_by)
        written = []
        now = utcnow()
        for doc, code, start, end in agreed:
            key = (int(doc), int(code), int(start), int(end))
            if key in existing:
                continue
            c = Coding(document_id=key[0], code_id=key[1], coder_id=who.id, layer="consensus",
                       start=key[2], end=key[3], created_at=now, updated_at=now)
            s.add(c)
            s.flush()
            written.append(c.id)
            record(s, who.name, "create", "coding", c.id, batch=batch, after={
                "document_id": c.document_id, "code_id": c.code_id, "coder_id": c.coder_id,
                "layer": c.layer, "start": c.start, "end": c.end, "quote": c.quote,
            })
        record(s, who.name, "adopt_agreements", "credibility_check", row.id, batch=batch,
               after={"check": row.name, "consensus_ids": written})
    return len(written)


@dataclass(frozen=True)
class Marked:
    """Documents whose mark changed, and the check's marked documents afterwards."""

    check: str
    changed: list[str]
    marked: list[str]


def mark_reconciled(
    project: ProjectHandle,
    documents: list[str] | None,
    *,
    check: int | str | None = None,
    unmark: bool = False,
    actor: str | None = None,
) -> Marked:
    """A lead marks sampled documents reconciled (``auto`` then counts their consensus layer
    whatever is still undecided), or takes the mark back with ``unmark``.

    Why: the layer rule (``services.layer_rule``) reads a check's consensus layer only where
    every disagreement is decided; a lead who settles the rest otherwise (agreed to drop the
    minor ones, say) says so here, in the audit log, instead of deciding them one by one.
    ``documents`` None: every document of the check. Only a lead may, once the project has
    one (the same rule as writing the consensus layer). One transaction, one audit event.
    """
    from themeqa.services.layer_rule import MARK_KEY
    from themeqa.services.settings import can_write_coding
    from themeqa.store.models import CheckDocument

    actor = actor or project.actor
    with project.transaction() as s:
        row = resolve_check(s, check)
        why = can_write_coding(s, actor, actor, "consensus")
        if why is not None:
            raise InputError(why.replace("change the consensus layer", "mark documents "
                                         "reconciled"))
        sampled = dict(s.exec(select(Document.name, Document.id).join(
            CheckDocument, CheckDocument.document_id == Document.id).where(
            CheckDocument.check_id == row.id)).all())
        if documents is None:
            chosen = sorted(sampled)
        else:
            unknown = [d for d in documents if d not in sampled]
            if unknown:
                raise NotFoundError(f"not in check {row.name!r}: {', '.join(unknown)}")
            chosen = list(dict.fromkeys(documents))
        settings = dict(row.settings or {})
        marks = dict(settings.get(MARK_KEY) or {})
        changed = []
        for name in chosen:
            key = str(sampled[name])
            if unmark and key in marks:
                del marks[key]
                changed.append(name)
            elif not unmark and key not in marks:
                marks[key] = {"by": actor, "at": utcnow().isoformat()}
                changed.append(name)
        settings[MARK_KEY] = marks
        row.settings = settings  # a new dict, so the JSON column is written
        s.add(row)
        if changed:
            record(s, actor, "unmark_reconciled" if unmark else "mark_reconciled",
                   "credibility_check", row.id, after={"check": row.name, "documents": changed})
        by_id = {v: k for k, v in sampled.items()}
        marked = sorted(by_id[int(k)] for k in marks if int(k) in by_id)
    return Marked(row.name, changed, marked)
