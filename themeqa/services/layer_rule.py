"""Which coding layer each document is counted from: the one place the layer rule is decided.

Why (issue 19): a credibility check writes a ``consensus`` layer on its sample bit by bit --
``check adopt`` copies the codings both coders made identically, each decision adds what the
discussion kept. Until every disagreement on a document is decided, that layer is a
fragment: counting it drops every theme still under discussion (on the demo, adopting the
agreements of S2/S5 with 0 of 111 disagreements decided took 11 of 15 inhibitor rows down).
So ``auto``, the default of every report, screen and export, reads per document:

- the **consensus** layer where that document's credibility check is *complete*: every
  disagreement of the check on it decided and every identical agreement adopted (else the
  consensus layer lacks themes both coders saw), or a lead marked it reconciled
  (``themeqa check reconciled``: the lead takes responsibility for what is there);
- the **union** of the coders' own layers everywhere else (a theme is present when any
  coder saw it: the count a project has before any check).

A document sampled by two checks reads consensus only when both are complete for it.
Consensus codings outside any check (imported from another tool) are read only by an
explicit ``--layer consensus``, which keeps its meaning: consensus on every document that has
any reconciled work (a consensus coding, a decision), union elsewhere. Every report says
which documents read consensus and warns about partly reconciled checks
(:meth:`LayerPlan.notes`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from themeqa.services.versions import current_versions
from themeqa.store.models import (
    CheckDocument,
    Coder,
    Coding,
    CredibilityCheck,
    Document,
    Reconciliation,
)

__all__ = ["MARK_KEY", "CheckState", "LayerPlan", "layer_plan", "resolve_layer"]

#: ``credibility_check.settings`` key holding {document id (str): {"by", "at"}} of lead marks
MARK_KEY = "reconciled_documents"
#: how many document names a note lists before "and k more"
_LISTED = 8


@dataclass(frozen=True)
class CheckState:
    """One check as the layer rule sees it (document ids are current versions)."""

    name: str
    documents: frozenset[int]
    complete: frozenset[int]  # every disagreement decided and every agreement adopted
    marked: frozenset[int]  # a lead marked it reconciled
    undecided: int  # disagreements without a decision, on documents not marked
    unadopted: int  # identical agreements not in the consensus layer, on documents not marked
    #: documents with open work (undecided or unadopted), not marked
    open: frozenset[int] = frozenset()
    has_coder_a: bool = True
    #: sampled documents coder B has not finished (check_frames.CheckScope), not marked
    unfinished: int = 0

    @property
    def reconciled(self) -> frozenset[int]:
        return self.complete | self.marked

    def warning(self) -> str | None:
        """The partly-reconciled warning, or None when every document reads consensus or the
        check has not started reconciling."""
        pending = (self.documents - self.reconciled) if not self.has_coder_a else self.open
        if not pending and not self.unfinished:
            return None
        n = len(pending)
        docs = f"{n} document{'s' if n != 1 else ''}"
        if not self.has_coder_a:
            return f"{self.name}: {docs} without coder A to compare: counted from the union"
        parts = []
        if self.undecided:
            parts.append(f"{self.undecided} disagreement{'s' if self.undecided != 1 else ''} "
                         "undecided")
        if self.unadopted:
            parts.append(f"{self.unadopted} identical coding{'s' if self.unadopted != 1 else ''}"
                         f" not adopted (themeqa check adopt --check {self.name})")
        if self.unfinished:
            n = self.unfinished
            more = " more" if pending else ""
            parts.append(f"{n}{more} document{'s' if n != 1 else ''} not finished by coder B")
        if not parts:
            return None
        if not pending:
            return f"{self.name}: {', '.join(parts)}: counted from the union"
        return f"{self.name}: {docs}, {', '.join(parts)}: counted from the union"


@dataclass(frozen=True)
class LayerPlan:
    """Per-document layer choice for ``auto`` and ``consensus``, and what to tell the reader."""

    checks: tuple[CheckState, ...]
    #: documents ``auto`` counts from the consensus layer
    auto_documents: frozenset[int]
    #: documents an explicit ``--layer consensus`` counts from the consensus layer
    consensus_documents: frozenset[int]
    #: document id -> name, for the notes
    names: dict[int, str]

    def documents_for(self, layer: str) -> frozenset[int]:
        return self.auto_documents if (layer or "auto").strip() == "auto" else (
            self.consensus_documents)

    def notes(self, layer: str) -> list[str]:
        """Which documents read consensus, then one warning per partly reconciled check."""
        layer = (layer or "auto").strip()
        if layer not in ("auto", "consensus"):
            return []
        docs = sorted(self.documents_for(layer), key=lambda d: self.names.get(d, str(d)))
        out = []
        if docs:
            shown = [self.names.get(d, str(d)) for d in docs[:_LISTED]]
            more = f" and {len(docs) - _LISTED} more" if len(docs) > _LISTED else ""
            out.append(f"Consensus layer counted on: {', '.join(shown)}{more}.")
        elif layer == "auto" and self.checks:
            out.append("No credibility check is complete on any document: every document is "
                       "counted from the union of coders.")
        out += [f"Warning: {w}." for c in self.checks if (w := c.warning()) is not None]
        return out


def _marks(row: CredibilityCheck) -> set[int]:
    return {int(k) for k in ((row.settings or {}).get(MARK_KEY) or {})}


def _check_state(s: Session, row: CredibilityCheck, newest: dict[int, int]) -> CheckState:
    """Complete / marked documents of one check and its open work (one check at a time)."""
    from themeqa.services.check_disagreements import load_disagreements
    from themeqa.services.check_frames import check_scope, codings_frame, compared_documents

    def cur(ids: Iterable[int]) -> frozenset[int]:
        return frozenset(newest.get(int(d), int(d)) for d in ids)

    sampled = set(s.exec(select(CheckDocument.document_id)
                         .where(CheckDocument.check_id == row.id)).all())
    marked = _marks(row) & sampled
    if row.coder_a_id is None:
        return CheckState(row.name, cur(sampled), frozenset(), cur(marked), 0, 0,
                          has_coder_a=False)
    open_on: dict[int, int] = {}
    for d in load_disagreements(s, row):
        if d.decision is None:
            open_on[d.document_id] = open_on.get(d.document_id, 0) + 1
    a, b = s.get(Coder, row.coder_a_id), s.get(Coder, row.coder_b_id)
    ids = [d.id for d in compared_documents(s, a, b, row.id)]
    frame = codings_frame(s, ids, [a, b])
    spans = {name: set(zip(part["document"], part["code"], part["start"], part["end"],
                           strict=True)) for name, part in frame.groupby("coder")}
    agreed = spans.get(a.name, set()) & spans.get(b.name, set())
    adopted = set(s.exec(select(Coding.document_id, Coding.code_id, Coding.start, Coding.end)
                         .where(Coding.layer == "consensus",
                                col(Coding.document_id).in_(ids))).all()) if ids else set()
    missing: dict[int, int] = {}
    for doc, code, start, end in agreed:
        if (int(doc), int(code), int(start), int(end)) not in adopted:
            missing[int(doc)] = missing.get(int(doc), 0) + 1
    # a document neither coder coded has nothing to reconcile: it stays with the union
    touched = set(frame["document"].astype(int)) | set(s.exec(
        select(Reconciliation.document_id).where(Reconciliation.check_id == row.id)).all())
    pending = (set(open_on) | set(missing)) - marked
    # disagreements cover the documents coder B finished (check_frames.CheckScope): one B
    # has not finished has none listed yet, which must not read as "complete"
    finished = {d.id for d in check_scope(s, row.id, b).finished}
    complete = (sampled & touched & finished) - set(open_on) - set(missing)
    return CheckState(
        row.name, cur(sampled), cur(complete), cur(marked),
        sum(open_on.get(d, 0) for d in pending), sum(missing.get(d, 0) for d in pending),
        open=cur(pending), unfinished=len(sampled - finished - marked - pending),
    )


def layer_plan(s: Session) -> LayerPlan:
    """The layer rule (module docstring) for the project, inside a read session."""
    newest = current_versions(s)
    rows = s.exec(select(CredibilityCheck).order_by(CredibilityCheck.id)).all()
    checks = tuple(_check_state(s, r, newest) for r in rows)
    auto: set[int] = set()
    for c in checks:
        auto |= c.reconciled
    for c in checks:  # a document two checks sampled needs both
        auto -= c.documents - c.reconciled
    worked = set(s.exec(select(Coding.document_id)
                        .where(Coding.layer == "consensus").distinct()).all())
    worked |= set(s.exec(select(Reconciliation.document_id).distinct()).all())
    consensus = {newest.get(d, d) for d in worked} | auto
    wanted = auto | consensus
    names = dict(s.exec(select(Document.id, Document.name)
                        .where(col(Document.id).in_(wanted))).all()) if wanted else {}
    return LayerPlan(checks, frozenset(auto), frozenset(consensus), names)


def resolve_layer(layer: str, plan: LayerPlan) -> tuple[str, frozenset[int]]:
    """The layer name and documents to hand ``core.tally.select_layer``.

    ``auto`` with no reconciled document is the plain union, so a fresh check leaves every
    count and its note exactly as they were before it.
    """
    layer = (layer or "auto").strip()
    if layer == "auto":
        return ("consensus" if plan.auto_documents else "union"), plan.auto_documents
    return layer, plan.consensus_documents
