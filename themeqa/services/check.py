"""Agreement between two coders on a credibility check: the per-code table and span matching.

Why here and not in core: the formulas live in ``core.agreement`` (each cites its source) and
the unit logic in ``core.agreement_units``; this module only chooses the documents, codes and
units from the project, runs them, and shapes one row per code plus a pooled row, so the CLI,
the TUI screen and the report all print the same numbers.

Conventions (DESIGN.md, "Statistics conventions"):
- Rows: every code of the selected codebooks in tree order. With ``rollup`` (default) a
  superordinate theme is present on a unit where it *or any descendant* was applied.
- Pooled row: the sum of the per-code 2x2 tables of the codes *as applied* (no roll-up, so a
  coding is never counted twice through its parent), with every coefficient on that sum.
- Bootstrap: a seeded percentile 95% CI for kappa that resamples documents (clusters) -- for
  the participant unit the cluster is the participant, since a participant spans documents.
- "n/a" (``core.agreement.NA``) wherever a coefficient is undefined, e.g. a code neither coder
  used.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from themeqa.errors import InputError, NotFoundError
from themeqa.services.check_frames import (
    UNITS,
    CheckScope,
    CodeRow,
    check_scope,
    coders_by_name,
    codings_frame,
    compared_documents,
    selected_codes,
    units_frame,
)
from themeqa.services.check_sample import resolve_check
from themeqa.services.project import ProjectHandle

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = [
    "AgreementRow",
    "AgreementTable",
    "SpanRow",
    "SpanTable",
    "agreement_table",
    "coefficient_json",
    "double_coded_pairs",
    "span_table",
    "speech_phrase",
]


def coefficient_json(value: Any) -> Any:
    """NA -> the string "n/a" (JSON has no typed n/a); floats rounded to 6 places."""
    from themeqa.core.agreement import is_na

    if is_na(value):
        return "n/a"
    if isinstance(value, float):
        return round(value, 6)
    return value


@dataclass(frozen=True)
class AgreementRow:
    """One code (or the pooled row, ``code_id is None``): 2x2 counts and coefficients."""

    code_id: int | None
    codebook: str
    label: str
    name: str
    depth: int
    units: int
    both: int
    only_a: int
    only_b: int
    neither: int
    percent: Any
    kappa: Any
    alpha: Any
    ac1: Any
    pabak: Any
    ci_low: Any
    ci_high: Any

    @property
    def pooled(self) -> bool:
        return self.code_id is None

    def to_dict(self) -> dict:
        return {k: coefficient_json(getattr(self, k)) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class AgreementTable:
    """Everything needed to print, chart and report one agreement comparison."""

    coder_a: str
    coder_b: str
    unit: str
    check: str | None
    documents: list[str]
    rollup: bool
    seed: int
    n_boot: int
    level: float
    rows: list[AgreementRow]
    pooled: AgreementRow
    notes: list[str] = field(default_factory=list)
    #: facilitator turns/sentences counted as units (default: participant speech only)
    include_facilitator: bool = False
    #: a check's finished and pending documents (None when comparing coders without a check)
    scope: CheckScope | None = None

    @property
    def speech(self) -> str:
        """What the turn/sentence units cover, in words for outputs and the methods text."""
        return speech_phrase(self.unit, self.include_facilitator)

    def to_dict(self) -> dict:
        return {
            "coder_a": self.coder_a, "coder_b": self.coder_b, "unit": self.unit,
            "check": self.check, "documents": self.documents, "rollup": self.rollup,
            "seed": self.seed, "n_boot": self.n_boot, "level": self.level,
            "rows": [r.to_dict() for r in self.rows], "pooled": self.pooled.to_dict(),
            "notes": self.notes, "include_facilitator": self.include_facilitator,
            "speech": self.speech,
            "scope": self.scope.to_dict() if self.scope is not None else None,
        }


def speech_phrase(unit: str, include_facilitator: bool) -> str:
    """"participant speech only (facilitator turns excluded)" or "... included" ("" for units
    where it does not apply: character and document cover all text, participant none of the
    facilitator's)."""
    if unit not in ("turn", "sentence"):
        return ""
    if include_facilitator:
        return "participant and facilitator speech (facilitator turns included)"
    return "participant speech only (facilitator turns excluded)"


@dataclass(frozen=True)
class SpanRow:
    """Span matching for one code: codings of A and B paired by overlap of the shorter."""

    code_id: int | None
    codebook: str
    label: str
    name: str
    depth: int
    a_codings: int
    b_codings: int
    matched: int
    only_a: int
    only_b: int

    @property
    def match_rate(self) -> Any:
        """matched / (matched + only_a + only_b): share of segments both coders marked."""
        from themeqa.core.agreement import NA

        total = self.matched + self.only_a + self.only_b
        return self.matched / total if total else NA("code used by neither coder")

    def to_dict(self) -> dict:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["match_rate"] = coefficient_json(self.match_rate)
        return out


@dataclass(frozen=True)
class SpanTable:
    coder_a: str
    coder_b: str
    threshold: float
    documents: list[str]
    rows: list[SpanRow]
    pooled: SpanRow

    def to_dict(self) -> dict:
        return {
            "coder_a": self.coder_a, "coder_b": self.coder_b, "threshold": self.threshold,
            "documents": self.documents, "rows": [r.to_dict() for r in self.rows],
            "pooled": self.pooled.to_dict(),
        }


# ---------------------------------------------------------------------------------------------
# loading


@dataclass
class _Loaded:
    coder_a: str
    coder_b: str
    check: str | None
    docs: list
    codings: pd.DataFrame
    units: pd.DataFrame | None
    codes: list[CodeRow]
    scope: CheckScope | None = None


def _resolve_coders(s, check_row, coders: tuple[str, str] | None):
    from themeqa.store.models import Coder

    if coders is None:
        if check_row is None:
            raise InputError("name two coders (--coders A,B) or a credibility check")
        if check_row.coder_a_id is None:
            raise InputError(
                f"check {check_row.name!r} has no coder A; name both coders (--coders A,B)"
            )
        a, b = s.get(Coder, check_row.coder_a_id), s.get(Coder, check_row.coder_b_id)
        return a, b
    if len(coders) != 2:
        raise InputError("compare exactly two coders, e.g. --coders amira,ben")
    return coders_by_name(s, coders[0], coders[1])


def load_comparison(
    project: ProjectHandle,
    *,
    coders: tuple[str, str] | None = None,
    check: int | str | None = None,
    unit: str | None = "turn",
    codebook: str | None = None,
    code: str | None = None,
    include_facilitator: bool = False,
) -> _Loaded:
    """One read of everything a comparison needs (documents, codings, units, codes).

    With a check, the documents are its *finished* ones (``check_frames.check_scope``)."""
    if unit is not None and unit not in UNITS:
        raise InputError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    with project.reading() as s:
        if check is not None:
            check_row = resolve_check(s, check)
        elif coders is None:  # neither given: the most recent check, as the CLI promises
            try:
                check_row = resolve_check(s, None)
            except NotFoundError:
                check_row = None
        else:
            check_row = None
        a, b = _resolve_coders(s, check_row, coders)
        scope = None
        if check_row is not None:
            scope = check_scope(s, check_row.id, b)
            docs = scope.finished
            if not docs:
                raise InputError(f"no document of check {check_row.name!r} is finished yet "
                                 f"({scope.sentence()})")
        else:
            docs = compared_documents(s, a, b, None)
            if not docs:
                raise InputError(f"{a.name} and {b.name} have not both coded any document")
        ids = [d.id for d in docs]
        codings = codings_frame(s, ids, [a, b])
        units = (units_frame(s, docs, unit, include_facilitator=include_facilitator)
                 if unit not in (None, "character") else None)
        codes = selected_codes(s, codebook=codebook, code=code)
    return _Loaded(a.name, b.name, check_row.name if check_row else None, docs, codings,
                   units, codes, scope)


# ---------------------------------------------------------------------------------------------
# agreement on units


def _per_group_counts(
    loaded: _Loaded, unit: str, codings: pd.DataFrame, rollup: Mapping | None
) -> tuple[dict[Hashable, np.ndarray], list]:
    """Per code an (n_groups, 4) array of both/only_a/only_b/neither per cluster."""
    import numpy as np

    from themeqa.core import agreement_units as au

    coders = [loaded.coder_a, loaded.coder_b]
    codes = [c.id for c in loaded.codes]
    if unit == "character":
        lengths = {d.id: d.n_chars for d in loaded.docs if d.n_chars > 0}
        groups = sorted(lengths)
        src = au.rollup_codings(codings, rollup) if rollup else codings
        out = {}
        for code, seg in au.character_segments(src, lengths, coders, codes).items():
            part = au.per_document_counts(seg.presence[0], seg.presence[1], seg.documents,
                                          weights=seg.lengths)
            full = np.zeros((len(groups), 4), dtype=np.int64)
            present = np.unique(seg.documents.astype(np.int64)) if len(seg.documents) else []
            for row, doc in zip(part, present, strict=True):
                full[groups.index(int(doc))] = row
            out[code] = full
        return out, groups
    units = loaded.units
    if unit == "participant":
        pp = au.participant_presence(codings, units, coders, codes, rollup=rollup)
        groups = pp.participants
        cluster = np.arange(len(groups))
        return {c: au.per_document_counts(m[0], m[1], cluster) for c, m in
                pp.presence.items()}, groups
    presence = au.presence_matrix(codings, units, coders, codes)
    if rollup:
        presence = au.rollup_codes(presence, rollup)
    docs = units["document"].to_numpy(dtype=np.int64)
    groups = sorted(set(docs.tolist()))
    return {c: au.per_document_counts(m[0], m[1], docs) for c, m in presence.items()}, groups


def _row(code: CodeRow | None, counts: np.ndarray, ci) -> AgreementRow:
    """A table row from a code's per-document counts and its bootstrap CI (None: unused)."""
    from themeqa.core.agreement import NA, from_counts

    total = counts.sum(axis=0) if len(counts) else [0, 0, 0, 0]
    summary = from_counts(*(int(x) for x in total))
    if ci is None or summary.both + summary.only_a + summary.only_b == 0:
        low = high = NA("code used by neither coder")
    else:
        low, high = ci.low, ci.high
    if code is None:
        ident = (None, "", "pooled", "All codes (pooled)", 0)
    else:
        ident = (code.id, code.codebook, code.label, code.name, code.depth)
    return AgreementRow(
        *ident, units=summary.n, both=summary.both, only_a=summary.only_a,
        only_b=summary.only_b, neither=summary.neither, percent=summary.percent,
        kappa=summary.kappa, alpha=summary.alpha, ac1=summary.ac1, pabak=summary.pabak,
        ci_low=low, ci_high=high,
    )


def _bootstrap_all(tables: list, *, seed: int, n_boot: int, level: float) -> list:
    """Kappa CIs for every code at once (one set of document draws shared by all codes);
    None for a code neither coder used."""
    import numpy as np

    from themeqa.core.agreement import bootstrap_tables_ci

    used = [i for i, t in enumerate(tables) if len(t) and t[:, :3].sum() > 0]
    out: list = [None] * len(tables)
    if used:
        stacked = np.stack([np.asarray(tables[i], dtype=np.float64) for i in used])
        for i, ci in zip(used, bootstrap_tables_ci(stacked, "kappa", n_boot=n_boot, seed=seed,
                                                   level=level), strict=True):
            out[i] = ci
    return out


def agreement_table(
    project: ProjectHandle,
    *,
    coders: tuple[str, str] | None = None,
    check: int | str | None = None,
    unit: str = "turn",
    codebook: str | None = None,
    code: str | None = None,
    rollup: bool = True,
    seed: int = 0,
    n_boot: int = 1000,
    level: float = 0.95,
    include_facilitator: bool = False,
) -> AgreementTable:
    """Per-code and pooled agreement of two coders on ``unit`` (see the module docstring).

    Documents: the check's finished documents when ``check`` is given
    (``check_frames.CheckScope``), else every document both coders coded. Coders:
    ``coders`` or the check's coder A and B. Codings: each coder's own layer. Turn and
    sentence units cover participant speech only unless ``include_facilitator``
    (``check_frames.units_frame``).
    """
    import numpy as np

    loaded = load_comparison(project, coders=coders, check=check, unit=unit,
                             codebook=codebook, code=code,
                             include_facilitator=include_facilitator)
    if not loaded.codes:
        raise InputError("no codes to compare (is a codebook imported?)")
    parent_of = {c.id: c.parent_id for c in loaded.codes}
    own, groups = _per_group_counts(loaded, unit, loaded.codings, None)
    rolled = _per_group_counts(loaded, unit, loaded.codings, parent_of)[0] if rollup else own
    pooled_counts = np.sum([own[c.id] for c in loaded.codes], axis=0)
    per_code = [rolled[c.id] for c in loaded.codes]
    cis = _bootstrap_all([*per_code, pooled_counts], seed=seed, n_boot=n_boot, level=level)
    rows = [_row(c, t, ci) for c, t, ci in zip(loaded.codes, per_code, cis, strict=False)]
    pooled = _row(None, pooled_counts, cis[-1])
    cluster = "participant" if unit == "participant" else "document"
    notes = []
    if loaded.scope is not None:
        notes.append(f"Check {loaded.check}: {loaded.scope.sentence()}.")
    phrase = speech_phrase(unit, include_facilitator)
    if phrase:
        notes.append(f"Units cover {phrase}.")
    notes += [
        f"Units: {unit}s of {len(loaded.docs)} document(s); {len(groups)} {cluster}s "
        f"resampled for the bootstrap (seed {seed}, {n_boot} replicates, percentile "
        f"{level:.0%} CI of kappa).",
        "Pooled row: the per-code tables of the codes as applied (no roll-up) summed.",
    ]
    if rollup:
        notes.append("Superordinate themes include their subordinate themes (roll-up).")
    if len(groups) < 10:
        notes.append(f"Only {len(groups)} {cluster}s to resample: the bootstrap intervals are "
                     "crude and should be read with caution.")
    return AgreementTable(loaded.coder_a, loaded.coder_b, unit, loaded.check,
                          [d.name for d in loaded.docs], rollup, seed, n_boot, level, rows,
                          pooled, notes, include_facilitator, loaded.scope)


# ---------------------------------------------------------------------------------------------
# span matching


def span_table(
    project: ProjectHandle,
    *,
    coders: tuple[str, str] | None = None,
    check: int | str | None = None,
    codebook: str | None = None,
    code: str | None = None,
    threshold: float = 0.5,
    rollup: bool = True,
) -> SpanTable:
    """Per code, A's and B's codings paired when they share >= ``threshold`` of the shorter.

    The rule and the greedy one-to-one pairing are ``core.agreement_units.match_spans``.
    Identical duplicate codings of one coder count once. With ``rollup`` a parent theme's
    row pairs the codings of it and all its descendants.
    """
    from themeqa.core import agreement_units as au

    if not 0.0 < threshold <= 1.0:
        raise InputError("--threshold is a fraction of the shorter span, between 0 and 1")
    loaded = load_comparison(project, coders=coders, check=check, unit=None,
                             codebook=codebook, code=code)
    keep = {c.id for c in loaded.codes}
    codings = loaded.codings[loaded.codings["code"].isin(keep)]
    if rollup:
        codings = au.rollup_codings(codings, {c.id: c.parent_id for c in loaded.codes})
        codings = codings[codings["code"].isin(keep)]
    codings = codings.drop_duplicates(["document", "start", "end", "code", "coder"])
    codings = codings.reset_index(drop=True)
    a = codings[codings["coder"] == loaded.coder_a]
    b = codings[codings["coder"] == loaded.coder_b]
    match = au.match_spans(a, b, threshold)
    code_of = codings["code"].to_dict()
    tallies: dict[int, list[int]] = {cid: [0, 0, 0, 0, 0] for cid in keep}
    for ia, _ in match.matched:
        tallies[code_of[ia]][2] += 1
    for ia in match.only_a:
        tallies[code_of[ia]][3] += 1
    for ib in match.only_b:
        tallies[code_of[ib]][4] += 1
    for cid, n in a["code"].value_counts().items():
        tallies[int(cid)][0] = int(n)
    for cid, n in b["code"].value_counts().items():
        tallies[int(cid)][1] = int(n)
    rows = [SpanRow(c.id, c.codebook, c.label, c.name, c.depth, *tallies[c.id])
            for c in loaded.codes]
    leaves = rows if not rollup else [
        SpanRow(c.id, c.codebook, c.label, c.name, c.depth, *_own_tally(loaded, c.id, threshold))
        for c in loaded.codes
    ]
    total = [sum(getattr(r, f) for r in leaves)
             for f in ("a_codings", "b_codings", "matched", "only_a", "only_b")]
    pooled = SpanRow(None, "", "pooled", "All codes (pooled)", 0, *total)
    return SpanTable(loaded.coder_a, loaded.coder_b, threshold, [d.name for d in loaded.docs],
                     rows, pooled)


def _own_tally(loaded: _Loaded, code_id: int, threshold: float) -> list[int]:
    """A code's span counts without roll-up (the pooled row must not count a coding twice)."""
    from themeqa.core.agreement_units import match_spans

    frame = loaded.codings[loaded.codings["code"] == code_id]
    frame = frame.drop_duplicates(["document", "start", "end", "code", "coder"])
    a = frame[frame["coder"] == loaded.coder_a]
    b = frame[frame["coder"] == loaded.coder_b]
    m = match_spans(a, b, threshold)
    return [len(a), len(b), m.n_matched, m.n_only_a, m.n_only_b]


def double_coded_pairs(project: ProjectHandle) -> list[tuple[str, str]]:
    """Pairs of coders who both coded some document (own layers), for choosing a comparison.

    Ordered by how many documents they share (most first), then by name; within a pair the
    coder with more codings comes first (usually the main coder, A). Current documents only
    (``services.versions``): a de-identified transcript's original holds the same codings
    again and would count as a second shared document.
    """
    from collections import Counter
    from itertools import combinations

    from sqlmodel import func, select

    from themeqa.services.versions import is_current
    from themeqa.store.models import Coder, Coding

    with project.reading() as s:
        rows = s.exec(
            select(Coding.document_id, Coder.name, func.count())
            .join(Coder, Coding.coder_id == Coder.id)
            .where(Coding.layer == "coder", is_current(Coding.document_id))
            .group_by(Coding.document_id, Coder.name)
        ).all()
    per_doc: dict[int, set[str]] = {}
    volume: Counter[str] = Counter()
    for doc, name, n in rows:
        per_doc.setdefault(doc, set()).add(name)
        volume[name] += n
    shared: Counter[tuple[str, str]] = Counter()
    for names in per_doc.values():
        for x, y in combinations(sorted(names), 2):
            shared[(x, y)] += 1

    def ordered(pair: tuple[str, str]) -> tuple[str, str]:
        x, y = pair
        return (x, y) if (-volume[x], x) <= (-volume[y], y) else (y, x)

    return [ordered(p) for p, _ in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))]
