"""Tallies and reports: load the study's frames from the database and count with ``core.tally``.

Why a service: counting is pure (``core.tally``), but *what* is counted — the current
version of each document, the turns mapped to participants, the codebook tree in display
order, the participants' conditions and timepoints — is a question for the store, asked here
in one read transaction with a handful of queries (no query per document or coding).
Reports built here (Table 1, Table 2, results text, co-occurrence, presence) all start from
one :class:`TallyReport`, so a table and the prose written from it cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import select

from themeqa.errors import InputError, NotFoundError
from themeqa.services.audit import record
from themeqa.services.layer_rule import LayerPlan, layer_plan, resolve_layer
from themeqa.services.project import ProjectHandle
from themeqa.services.versions import is_current
from themeqa.store.models import (
    Code,
    Codebook,
    Coder,
    Coding,
    Document,
    Participant,
    ParticipantTimepoint,
    StudySession,
    Timepoint,
    Turn,
)

if TYPE_CHECKING:
    import pandas as pd

    from themeqa.core.tally import TallyResult
    from themeqa.reports.table import ReportTable

__all__ = [
    "REPORT_KINDS",
    "Quote",
    "StudyFrames",
    "TallyOverview",
    "TallyReport",
    "load_frames",
    "presence_matrix",
    "report_tables",
    "tally_overview",
    "tally_report",
    "write_report",
]

REPORT_KINDS = ("table2", "table1", "results", "cooccurrence", "presence")


@dataclass(frozen=True)
class Quote:
    """An indicative quote: the text, who said it (pid, condition) and where."""

    text: str
    participant: str
    condition: str
    document: str
    coding_id: int


@dataclass
class StudyFrames:
    """Everything a tally needs, as pandas frames (see ``core.tally`` for the columns)."""

    codings: pd.DataFrame
    turns: pd.DataFrame
    documents: pd.DataFrame
    participants: pd.DataFrame
    codes: pd.DataFrame
    timepoint_order: list[str]
    codebooks: dict[str, str] = field(default_factory=dict)  # key -> title
    demographics: list[str] = field(default_factory=list)
    #: which documents read the consensus layer (``services.layer_rule``)
    plan: LayerPlan | None = None

    @property
    def reconciled(self) -> frozenset[int]:
        """Documents ``auto`` counts from the consensus layer (their check is complete)."""
        return self.plan.auto_documents if self.plan is not None else frozenset()

    def select(self, layer: str) -> tuple[pd.DataFrame, str]:
        """The codings of ``layer`` under the layer rule, and its label (InputError if bad)."""
        from themeqa.core.tally import select_layer

        name, docs = resolve_layer(layer, self.plan) if self.plan is not None else (layer, None)
        try:
            chosen, label = select_layer(self.codings, name, reconciled_documents=docs)
        except ValueError as exc:
            raise InputError(str(exc)) from exc
        return chosen.reset_index(drop=True), label

    def notes(self, layer: str) -> list[str]:
        """What a report says under its layer line: consensus documents and warnings."""
        return self.plan.notes(layer) if self.plan is not None else []


@dataclass
class TallyReport:
    """A tally plus what reports need around it: quotes and the codebook titles."""

    result: TallyResult
    frames: StudyFrames
    quotes: dict[int, Quote]
    codebook: str | None
    #: every breakdown computed: ``result`` first, then e.g. condition x timepoint
    results: list[TallyResult] = field(default_factory=list)


def _codes_frame(s, codebook: str | None) -> tuple[pd.DataFrame, dict[str, str]]:
    """Codes in display order (codebook position, then pre-order by position), with depth."""
    import pandas as pd

    books = s.exec(select(Codebook).order_by(Codebook.position, Codebook.id)).all()
    if codebook is not None:
        chosen = [b for b in books if b.key == codebook]
        if not chosen:
            known = ", ".join(b.key for b in books) or "none"
            raise NotFoundError(f"no codebook {codebook!r} (codebooks: {known})")
        books = chosen
    codes = s.exec(select(Code).order_by(Code.position, Code.id)).all()
    children: dict[tuple[int, int | None], list[Code]] = {}
    for c in codes:
        children.setdefault((c.codebook_id, c.parent_id), []).append(c)
    rows: list[tuple] = []

    def walk(book: Codebook, parent: int | None, depth: int) -> None:
        for c in children.get((book.id, parent), []):
            rows.append((c.id, book.key, c.label, c.name, c.parent_id, depth))
            walk(book, c.id, depth + 1)

    for book in books:
        walk(book, None, 1)
    frame = pd.DataFrame(rows, columns=["code", "codebook", "label", "name", "parent", "depth"])
    # ints and None (not float NaN), so parent ids compare and print as ids
    frame["parent"] = pd.Series([r[4] for r in rows], index=frame.index, dtype=object)
    return frame, {b.key: b.title or b.key for b in books}


def load_frames(project: ProjectHandle, *, codebook: str | None = None) -> StudyFrames:
    """Read codings, turns, documents, participants and codes in one read transaction.

    Superseded documents (the original of a de-identified or corrected transcript,
    ``services.versions``) and their codings are left out, so a theme is never counted from
    two versions of the same text: de-identification copied the codings to the new version.
    A document reconciled before it was de-identified stays reconciled in its new version
    (the consensus codings were copied with the others), so ``auto`` still reads its
    consensus layer there. Which documents read consensus is ``services.layer_rule``'s.
    """
    import pandas as pd

    with project.reading() as s:
        codes, titles = _codes_frame(s, codebook)
        sessions = dict(s.exec(select(StudySession.id, StudySession.label)).all())
        tps = s.exec(select(Timepoint).order_by(Timepoint.position, Timepoint.id)).all()
        tp_label = {t.id: t.label for t in tps}
        people = s.exec(select(Participant).order_by(Participant.pid)).all()
        pid_of = {p.id: p.pid for p in people}
        tp_of: dict[int, list[str]] = {}
        for part_id, tp_id in s.exec(
            select(ParticipantTimepoint.participant_id, ParticipantTimepoint.timepoint_id)
        ).all():
            tp_of.setdefault(part_id, []).append(tp_label.get(tp_id))
        docs = s.exec(
            select(
                Document.id,
                Document.name,
                Document.kind,
                Document.timepoint_id,
                Document.session_id,
                Document.participant_id,
            ).where(is_current()).order_by(Document.id)
        ).all()
        coding_rows = s.exec(
            select(
                Coding.id,
                Coding.document_id,
                Coding.start,
                Coding.end,
                Coding.code_id,
                Coder.name,
                Coding.layer,
                Coding.quote,
            ).join(Coder, Coding.coder_id == Coder.id)
            .where(is_current(Coding.document_id))
        ).all()
        plan = layer_plan(s)
        turn_rows = s.exec(
            select(
                Turn.document_id, Turn.start, Turn.content_start, Turn.end, Turn.participant_id,
                Turn.role,
            ).where(is_current(Turn.document_id)).order_by(Turn.document_id, Turn.start)
        ).all()

    tp_order = [t.label for t in tps]
    extra_keys: list[str] = []
    for p in people:
        for k in p.extra or {}:
            if k not in extra_keys:
                extra_keys.append(k)
    participants = pd.DataFrame(
        {
            "participant": [p.pid for p in people],
            "condition": [p.condition for p in people],
            "session": [sessions.get(p.session_id) for p in people],
            "timepoints": [
                tuple(sorted(tp_of.get(p.id, []), key=lambda t: tp_order.index(t))) for p in people
            ],
            "age": pd.array([p.age for p in people], dtype="Int64"),
            "gender": [p.gender for p in people],
            **{k: [(p.extra or {}).get(k) for p in people] for k in extra_keys},
        }
    )
    documents = pd.DataFrame(
        {
            "document": [d[0] for d in docs],
            "name": [d[1] for d in docs],
            "kind": [d[2] for d in docs],
            "timepoint": [tp_label.get(d[3]) for d in docs],
            "session": [sessions.get(d[4]) for d in docs],
            "participant": [pid_of.get(d[5]) for d in docs],
        }
    )
    keep = set(documents["document"])
    codings = pd.DataFrame(
        [r for r in coding_rows if r[1] in keep],
        columns=["id", "document", "start", "end", "code", "coder", "layer", "quote"],
    )
    codings = codings[codings["code"].isin(codes["code"])].reset_index(drop=True)
    turns = pd.DataFrame(
        [(d, st, cs, e, pid_of.get(p), r) for d, st, cs, e, p, r in turn_rows if d in keep],
        columns=["document", "start", "content_start", "end", "participant", "role"],
    )
    return StudyFrames(
        codings=codings,
        turns=turns,
        documents=documents,
        participants=participants,
        codes=codes,
        timepoint_order=tp_order,
        codebooks=titles,
        demographics=["age", "gender", *extra_keys],
        plan=plan,
    )


def _parse_by(by: str | Sequence[str] | None) -> tuple[str, ...]:
    from themeqa.core.tally import GROUPINGS

    if by is None:
        return ("condition",)
    parts = [b.strip() for b in (by.split(",") if isinstance(by, str) else by) if b.strip()]
    bad = [b for b in parts if b not in GROUPINGS]
    if bad:
        raise InputError(f"cannot break down by {', '.join(bad)}: use {', '.join(GROUPINGS)}")
    return tuple(dict.fromkeys(parts))


def _quotes(project: ProjectHandle, frames: StudyFrames, chosen) -> dict[int, Quote]:
    """Text of the chosen quotes, clipped to the speaker's turn content (no "P03:" label)."""
    from themeqa.core.tally import clean_quote

    if not chosen:
        return {}
    doc_ids = sorted({q.document for q in chosen.values()})
    with project.reading() as s:
        texts = dict(
            s.exec(select(Document.id, Document.text).where(Document.id.in_(doc_ids))).all()
        )
    names = frames.documents.set_index("document")["name"]
    cond = frames.participants.set_index("participant")["condition"]
    turns = frames.turns
    out: dict[int, Quote] = {}
    for code, q in chosen.items():  # one per theme
        start, end = q.start, q.end
        own = turns[
            (turns["document"] == q.document)
            & (turns["participant"] == q.participant)
            & (turns["start"] < end)
            & (turns["end"] > start)
        ]
        if len(own):
            start = max(start, int(own["content_start"].min()))
            end = min(end, int(own["end"].max()))
        text = clean_quote(texts[q.document][start:end] if end > start else "")
        out[code] = Quote(
            text=text,
            participant=q.participant,
            condition=str(cond.get(q.participant, "")),
            document=str(names.get(q.document, q.document)),
            coding_id=int(q.coding),
        )
    return out


def tally_report(
    project: ProjectHandle,
    *,
    layer: str = "auto",
    codebook: str | None = None,
    by: str | Sequence[str] | None = ("condition",),
    rollup: bool = True,
    quotes: bool = True,
    frames: StudyFrames | None = None,
) -> TallyReport:
    """Count participants per theme (``core.tally.tally``) and pick one quote per theme."""
    import dataclasses

    from themeqa.core.tally import attribute_codings, choose_quotes, tally, unattributed_codings

    frames = frames or load_frames(project, codebook=codebook)
    by_t = _parse_by(by)
    chosen, _ = frames.select(layer)
    name, docs = resolve_layer(layer, frames.plan) if frames.plan else (layer, None)
    try:
        hits = attribute_codings(chosen, frames.turns, frames.documents)
        # "condition,timepoint" shows the condition columns and then condition x timepoint
        breakdowns = [by_t[:1], by_t] if len(by_t) > 1 else [by_t]
        results = [
            tally(
                chosen,
                frames.turns,
                frames.documents,
                frames.participants,
                frames.codes,
                layer=name,  # re-selecting a selected layer returns it unchanged
                by=b,
                rollup=rollup,
                timepoint_order=frames.timepoint_order,
                hits=hits,
                reconciled_documents=docs,
            )
            for b in breakdowns
        ]
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    notes = frames.notes(layer)
    nobody = unattributed_codings(chosen, hits, frames.turns, frames.documents)
    if nobody:
        notes.append(f"Warning: {nobody} coding{'s' if nobody != 1 else ''} "
                     f"lie{'s' if nobody == 1 else ''} in text attributed to nobody and "
                     "count for no participant (themeqa doctor lists the documents).")
    results = [dataclasses.replace(r, notes=tuple(notes)) for r in results]
    picked = _quotes(project, frames, choose_quotes(chosen, hits)) if quotes else {}
    return TallyReport(
        result=results[0], frames=frames, quotes=picked, codebook=codebook, results=results
    )


def presence_matrix(
    project: ProjectHandle,
    *,
    layer: str = "auto",
    codebook: str | None = None,
    rollup: bool = True,
) -> pd.DataFrame:
    """Participant x theme booleans: index pid, columns ``"codebook::label"`` (contract).

    Every participant is a row (all False when they reported nothing) and every code of the
    chosen codebook(s) a column, in codebook display order. Columns are code references as
    the CLI accepts them (``core.codebook.qualified_label``); the SPSS export turns them into
    valid variable names (``interop.spss.spss_names``: ``theme inhibitors::2a`` ->
    ``theme_inhibitors_2a``).
    """
    from themeqa.core.codebook import qualified_label
    from themeqa.core.tally import presence_matrix as core_matrix

    report = tally_report(
        project, layer=layer, codebook=codebook, by=(), rollup=rollup, quotes=False
    )
    codes = report.frames.codes
    names = {
        c: qualified_label(k, lbl)
        for c, k, lbl in zip(codes["code"], codes["codebook"], codes["label"], strict=True)
    }
    matrix = core_matrix(report.result, names)
    # which documents read consensus, and the warnings, travel with the matrix (joint display)
    matrix.attrs["notes"] = list(report.result.notes)
    return matrix


def report_tables(
    project: ProjectHandle,
    kind: str,
    *,
    layer: str = "auto",
    codebook: str | None = None,
    by: str | Sequence[str] | None = None,
    rollup: bool = True,
    matrix: bool = False,
) -> tuple[list[ReportTable], list[str]]:
    """The tables and paragraphs of one report kind (see :data:`REPORT_KINDS`).

    ``matrix`` makes the co-occurrence report the full theme x theme matrix instead of the
    list of theme pairs.
    """
    from themeqa.reports import tallies
    from themeqa.reports.results_text import results_paragraphs
    from themeqa.reports.table1 import build_table1

    if kind not in REPORT_KINDS:
        raise InputError(f"unknown report {kind!r}: use {', '.join(REPORT_KINDS)}")
    if kind == "table1":
        frames = load_frames(project, codebook=codebook)
        return [build_table1(frames.participants, frames.timepoint_order, frames.demographics)], []
    by_t = _parse_by(by) if kind == "table2" else ("condition",)
    report = tally_report(
        project,
        layer=layer,
        codebook=codebook,
        by=by_t,
        rollup=rollup,
        quotes=kind == "table2",
    )
    quotes = {c: (q.text, q.participant, q.condition) for c, q in report.quotes.items()}
    titles = report.frames.codebooks
    if kind == "table2":
        return [tallies.build_table2(report.results, quotes, titles)], []
    if kind == "results":
        return [], results_paragraphs(report.result, titles)
    if kind == "cooccurrence":
        return [tallies.build_cooccurrence(report.result, matrix=matrix)], []
    return [tallies.build_presence(report.result)], []


def write_report(
    project: ProjectHandle,
    kind: str,
    out: Path | str,
    *,
    fmt: str | None = None,
    layer: str = "auto",
    codebook: str | None = None,
    by: str | Sequence[str] | None = None,
    rollup: bool = True,
    matrix: bool = False,
    actor: str | None = None,
) -> Path:
    """Build report ``kind`` and write it to ``out``; the export is logged in the audit log."""
    from themeqa.reports.writers import write_tables

    tables, paragraphs = report_tables(
        project, kind, layer=layer, codebook=codebook, by=by, rollup=rollup, matrix=matrix
    )
    try:
        written = write_tables(tables, out, fmt, paragraphs=paragraphs)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror or exc}") from exc
    with project.transaction() as s:
        record(
            s,
            actor or project.actor,
            "export",
            "report",
            None,
            after={"report": kind, "file": str(written), "layer": layer, "codebook": codebook},
        )
    from themeqa.services.deid_check import warn_if_identifiable

    warn_if_identifiable(project, written)  # code names can carry a name too
    return written


@dataclass(frozen=True)
class TallyOverview:
    """What the TUI's tallies screen shows: Table 2 and per-theme counts for the chart."""

    table: ReportTable
    layer: str
    conditions: list[str]
    #: (theme label, {condition: participants}) in codebook order
    chart: list[tuple[str, dict[str, int]]]
    #: which documents read consensus, partly reconciled checks, unattributed codings
    notes: list[str] = field(default_factory=list)


def tally_overview(
    project: ProjectHandle,
    *,
    layer: str = "auto",
    codebook: str | None = None,
    by: str | Sequence[str] | None = "condition",
) -> TallyOverview:
    """Table 2 and its bar-chart data from one tally (the screen and the file agree)."""
    from themeqa.reports.tallies import build_table2

    report = tally_report(project, layer=layer, codebook=codebook, by=by)
    result = report.result
    quotes = {c: (q.text, q.participant, q.condition) for c, q in report.quotes.items()}
    table = build_table2(report.results, quotes, report.frames.codebooks)
    chart = [
        (str(code.label), result.by_condition(code.code))
        for code in result.codes.itertuples(index=False)
    ]
    return TallyOverview(
        table=table, layer=result.layer, conditions=list(result.conditions), chart=chart,
        notes=list(result.notes),
    )
