"""Tallies of themes: which participants reported which theme, split by condition and timepoint.

DESIGN.md: "A theme is *present for a participant* when a coding of it (or of any descendant,
for roll-up) overlaps a turn of that participant. Tallies count distinct participants, never
codings." This module turns codings into that participant-level presence and into the counts
of Table 2, the co-occurrence matrix and the participant x theme matrix. It is pure (numpy,
pandas); the service layer loads the frames from the database.

Frames (column names are the contract with ``services/tally.py``):

- ``codings``: ``id, document, start, end, code, coder, layer`` (+ optional ``quote`` bool).
- ``turns``: ``document, start, end, participant`` (pid str, or None/NA for a facilitator or
  unlabelled text) + optional ``content_start`` (where speech starts after the label).
- ``documents``: ``document, kind`` (``transcript``/``written``), ``timepoint``, ``session``,
  ``participant`` (the writer of a written response).
- ``participants``: ``participant, condition`` + optional ``session``, ``timepoints``
  (a tuple/list of labels) and demographic columns.
- ``codes``: ``code, codebook, label, name, parent`` (None at the top) in display order.

Presence rules:

1. In a transcript a coding ``[s, e)`` credits the participant of every turn ``[u, v)`` it
   shares a character with (``s < v and e > u``, the rule of ``core.agreement_units``).
   Facilitator turns (participant None) credit nobody.
2. In a written response (one participant's own text) any coding credits its writer.
3. A participant counts once per theme however many codings, turns, documents or sessions.
4. Roll-up: a superordinate theme is present when it or any descendant is (a participant who
   reported 2a and 2b counts once under 2, not twice).
5. Per timepoint, presence comes from the documents of that timepoint; the denominator is the
   participants of the cell who took part at that timepoint (registered for it, or
   contributing a turn or written response there), so a follow-up-only participant is in the
   follow-up denominator and not the initial one.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from themeqa.core.agreement_units import _ancestors

__all__ = [
    "GROUPINGS",
    "TOTAL",
    "QuoteChoice",
    "TallyResult",
    "ancestor_pairs",
    "attribute_codings",
    "choose_quotes",
    "clean_quote",
    "cooccurrence",
    "cooccurrence_pairs",
    "percent",
    "presence_long",
    "presence_matrix",
    "select_layer",
    "tally",
    "unattributed_codings",
]

#: Breakdowns a tally may be split by (participant attributes and the document timepoint).
GROUPINGS = ("condition", "timepoint", "session")
TOTAL = "total"


# ---------------------------------------------------------------------------------------------
# layers


def select_layer(
    codings: pd.DataFrame,
    layer: str = "auto",
    *,
    reconciled_documents: Collection[Hashable] | None = None,
) -> tuple[pd.DataFrame, str]:
    """The codings of one layer and a description of it for table notes.

    ``union``: every coder's own layer together (a theme is present when any coder saw it).
    ``coder:NAME``: one coder's own layer. ``consensus``: the reconciled codings on the
    documents that were reconciled, and the coders' layers (union) on every other document --
    a credibility check double-codes and reconciles a sample, so the consensus layer exists
    only there, and counting it alone would silently drop every unsampled session.
    ``reconciled_documents`` defaults to the documents that have a consensus coding.
    ``auto``: consensus on ``reconciled_documents`` and the union elsewhere; the plain union
    when none is given or the collection is empty. Which documents count as reconciled is a
    question for the store (``services.layer_rule``: a document whose credibility check is
    complete) -- a consensus coding alone does not make one: ``check adopt`` writes the agreed
    codings long before the disagreements are decided, and reading that fragment would drop
    every theme still under discussion. Raises ``ValueError`` for an unknown layer or coder.
    """
    layer = (layer or "auto").strip()
    is_consensus = (codings["layer"] == "consensus").to_numpy(dtype=bool)
    if layer == "auto":
        layer = "consensus" if reconciled_documents else "union"
    own = codings[~is_consensus & (codings["layer"] == "coder").to_numpy(dtype=bool)]
    coders = sorted(pd.unique(own["coder"]).tolist())
    union_label = "union of coders" + (f" ({', '.join(coders)})" if coders else "")
    if layer == "consensus":
        if reconciled_documents is None:
            reconciled = set(codings.loc[is_consensus, "document"].tolist())
        else:
            reconciled = set(reconciled_documents)
        on_reconciled = codings["document"].isin(reconciled).to_numpy(dtype=bool)
        keep = (is_consensus & on_reconciled) | (
            ~on_reconciled & (codings["layer"] == "coder").to_numpy(dtype=bool)
        )
        n = len(reconciled)
        elsewhere = sorted(pd.unique(codings.loc[keep & ~is_consensus, "coder"]).tolist())
        label = f"consensus on the {n} reconciled document{'s' if n != 1 else ''}" + (
            f", union of coders ({', '.join(elsewhere)}) elsewhere" if elsewhere else ""
        )
        return codings[keep], label
    if layer == "union":
        return own, union_label
    if layer.startswith("coder:"):
        name = layer.split(":", 1)[1].strip()
        if name not in set(codings["coder"]):
            known = ", ".join(sorted(set(codings["coder"]))) or "none"
            raise ValueError(f"no codings by coder {name!r} (coders: {known})")
        return own[own["coder"] == name], f"coder {name}"
    raise ValueError(f"unknown layer {layer!r}: use auto, consensus, union or coder:NAME")


# ---------------------------------------------------------------------------------------------
# codings -> participants


def _ints(values) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def _distinct(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an int64 array.

    Sort-based on purpose: NumPy 2.4's ``np.unique`` takes a hash-table path for integers that
    measured 30x slower than sorting on 300,000 keys (bench/bench_tally.py).
    """
    keys = np.sort(np.asarray(keys, dtype=np.int64))
    if len(keys) < 2:
        return keys
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))]


def attribute_codings(
    codings: pd.DataFrame, turns: pd.DataFrame, documents: pd.DataFrame
) -> pd.DataFrame:
    """Which participant each coding credits: rows ``coding, participant, overlap``.

    ``coding`` is the positional index of the row in ``codings``; ``overlap`` the number of
    characters shared with that participant's turn(s) (the whole coding for written
    responses), used to attribute quotes. Transcript turns are matched with a sorted-key
    search, not a loop over codings x turns: turns are sorted by (document, start); the turns
    a coding may touch are those starting before its end (``searchsorted`` on starts) and
    after the first turn whose running-maximum end passes its start (``searchsorted`` on the
    cumulative maximum, which stays correct when turns overlap, e.g. cross-talk); candidates
    are expanded with ``np.repeat`` and filtered by the exact overlap rule.
    """
    c_doc = codings["document"].to_numpy()
    c_start, c_end = _ints(codings["start"]), _ints(codings["end"])
    live = c_start < c_end
    kinds = documents.set_index("document")["kind"]
    written = documents[(documents["kind"] == "written") & documents["participant"].notna()]
    writer = written.set_index("document")["participant"]

    # 2. written responses: the writer, whatever part of the text is coded
    in_written = pd.Series(c_doc).isin(writer.index).to_numpy()
    w_pos = np.flatnonzero(live & in_written)
    parts = [
        pd.DataFrame(
            {
                "coding": w_pos,
                "participant": writer.reindex(c_doc[w_pos]).to_numpy(dtype=object),
                "overlap": (c_end - c_start)[w_pos],
            }
        )
    ]

    # 1. transcripts: turns of participants (facilitators credit nobody)
    t = turns[turns["participant"].notna()]
    t = t[t["document"].map(kinds).ne("written").to_numpy()]
    t = t[_ints(t["start"]) < _ints(t["end"])]
    t_pos = np.flatnonzero(live & ~in_written)
    if len(t) and len(t_pos):
        both = pd.concat([t["document"], pd.Series(c_doc[t_pos])], ignore_index=True)
        doc_codes = pd.factorize(both)[0].astype(np.int64)
        t_rank, c_rank = doc_codes[: len(t)], doc_codes[len(t) :]
        ts, te = _ints(t["start"]), _ints(t["end"])
        cs, ce = c_start[t_pos], c_end[t_pos]
        span = int(max(te.max(), ce.max())) + 1
        order = np.lexsort((ts, t_rank))
        s_key = t_rank[order] * span + ts[order]
        e_key = t_rank[order] * span + te[order]
        reach = np.maximum.accumulate(e_key)  # monotone even when turns overlap
        lo = np.searchsorted(reach, c_rank * span + cs, side="right")
        hi = np.searchsorted(s_key, c_rank * span + ce, side="left")
        count = np.clip(hi - lo, 0, None)
        which = np.repeat(np.arange(len(t_pos)), count)
        firsts = np.repeat(lo - np.cumsum(count) + count, count)
        cand = order[firsts + np.arange(len(which))] if len(which) else np.zeros(0, np.int64)
        inter = np.minimum(te[cand], ce[which]) - np.maximum(ts[cand], cs[which])
        ok = inter > 0
        parts.append(
            pd.DataFrame(
                {
                    "coding": t_pos[which[ok]],
                    "participant": t["participant"].to_numpy(dtype=object)[cand[ok]],
                    "overlap": inter[ok],
                }
            )
        )
    hits = pd.concat(parts, ignore_index=True)
    # sum the overlap per (coding, participant) with integer keys (a participant may have
    # several turns under one coding); string group-bys are the slow part at scale
    who, names = pd.factorize(hits["participant"].astype(str))
    key = _ints(hits["coding"]) * max(len(names), 1) + who
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_key[1:] != sorted_key[:-1])))
    starts = starts[: len(sorted_key)]  # no codings: no groups
    uniq = sorted_key[starts]
    overlap = np.add.reduceat(_ints(hits["overlap"])[order], starts) if len(key) else key
    return pd.DataFrame(
        {
            "coding": uniq // max(len(names), 1),
            "participant": pd.Categorical.from_codes(
                uniq % max(len(names), 1), categories=pd.Index(names, dtype=object)
            )
            if len(names)
            else pd.Categorical([], categories=pd.Index([], dtype=object)),
            "overlap": overlap.astype(np.int64),
        }
    )


def unattributed_codings(
    codings: pd.DataFrame, hits: pd.DataFrame, turns: pd.DataFrame, documents: pd.DataFrame
) -> int:
    """How many codings credit nobody although they lie (partly) outside facilitator speech.

    Why: a coding that credits no participant is silently absent from every count. That is
    right for a facilitator's words (rule 1) and wrong for text whose speaker or writer is
    unknown (a written answer with no participant, a transcript line with no label), which a
    report must own up to. A coding of ``[s, e)`` with no row in ``hits`` is counted when some
    character of it is not inside a turn whose ``role`` is ``facilitator`` (turns without a
    ``role`` column: those without a participant count as unknown).
    """
    pos = np.setdiff1d(np.arange(len(codings)), _ints(hits["coding"]) if len(hits) else [])
    live = pos[_ints(codings["start"])[pos] < _ints(codings["end"])[pos]] if len(pos) else pos
    if not len(live):
        return 0
    roles = turns["role"] if "role" in turns.columns else pd.Series("", index=turns.index)
    fac = turns[(roles == "facilitator").to_numpy(dtype=bool)]
    spans: dict[Hashable, list[tuple[int, int]]] = {}
    for d, a, b in zip(fac["document"], _ints(fac["start"]), _ints(fac["end"]), strict=True):
        spans.setdefault(d, []).append((int(a), int(b)))
    n = 0
    for i in live:
        d = codings["document"].iat[i]
        s, e = int(codings["start"].iat[i]), int(codings["end"].iat[i])
        covered = 0
        for a, b in sorted(spans.get(d, [])):  # facilitator turns do not overlap each other
            covered += max(0, min(b, e) - max(a, s))
        n += covered < e - s
    return n


def ancestor_pairs(codes: pd.DataFrame) -> pd.DataFrame:
    """Rows ``code, theme``: each code with itself and every ancestor (for roll-up).

    Loops over codes (tens to hundreds), never over codings; cycles raise ``ValueError``.
    """
    parent_of = {
        c: (None if pd.isna(p) else p)
        for c, p in zip(codes["code"].tolist(), codes["parent"].tolist(), strict=True)
    }
    rows = [(c, c) for c in parent_of]
    rows += [(c, a) for c in parent_of for a in _ancestors(c, parent_of)]
    return pd.DataFrame(rows, columns=["code", "theme"])


def _ancestor_index(codes: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """CSR arrays: for code position i, ``targets[offsets[i]:offsets[i + 1]]`` are the
    positions of itself and its ancestors in ``codes``."""
    pairs = ancestor_pairs(codes)
    position = pd.Index(codes["code"])
    src = position.get_indexer(pairs["code"])
    dst = position.get_indexer(pairs["theme"])
    keep = dst >= 0
    src, dst = src[keep], dst[keep]
    order = np.argsort(src, kind="stable")
    offsets = np.concatenate([[0], np.cumsum(np.bincount(src, minlength=len(codes)))])
    return offsets.astype(np.int64), dst[order].astype(np.int64)


def presence_long(
    codings: pd.DataFrame,
    hits: pd.DataFrame,
    documents: pd.DataFrame,
    codes: pd.DataFrame,
    *,
    rollup: bool = True,
) -> pd.DataFrame:
    """Distinct ``participant, code, timepoint`` rows where a theme is present.

    ``hits`` comes from :func:`attribute_codings` for the same ``codings``. With ``rollup`` each
    presence is copied to every ancestor theme before de-duplication, so a parent counts a
    participant once however many of its subordinate themes they reported. Works on integer
    codes (participant, code position, timepoint) and sorting; strings come back at the
    end.
    """
    pos = _ints(hits["coding"])
    who, names = pd.factorize(hits["participant"])
    code_pos = pd.Index(codes["code"]).get_indexer(codings["code"].to_numpy()[pos])
    doc_tp = documents.set_index("document")["timepoint"]
    tp_codes, tp_names = pd.factorize(doc_tp.reindex(codings["document"].to_numpy()[pos]))
    keep = code_pos >= 0
    who, code_pos, tp = who[keep], code_pos[keep].astype(np.int64), tp_codes[keep] + 1  # 0 = NA
    if rollup:
        offsets, targets = _ancestor_index(codes)
        width = offsets[code_pos + 1] - offsets[code_pos]
        row = np.repeat(np.arange(len(code_pos)), width)
        step = np.arange(len(row)) - np.repeat(np.cumsum(width) - width, width)
        code_pos = targets[offsets[code_pos][row] + step]
        who, tp = who[row], tp[row]
    n_c, n_t = max(len(codes), 1), len(tp_names) + 1
    key = _distinct((who.astype(np.int64) * n_c + code_pos) * n_t + tp)
    tp_out = np.asarray([None, *tp_names], dtype=object)[key % n_t]
    code_out = codes["code"].to_numpy()[(key // n_t) % n_c]
    return pd.DataFrame(
        {
            "participant": pd.Categorical.from_codes(
                key // n_t // n_c, categories=pd.Index(names, dtype=object).astype(str)
            ),
            "code": code_out,
            "timepoint": tp_out,
        }
    )


# ---------------------------------------------------------------------------------------------
# counts


def percent(n: int, d: int) -> int | None:
    """Whole percent of ``n`` out of ``d``, rounded half up (None when ``d`` is 0).

    Integer arithmetic (``(200n + d) // 2d``) so 1/8 = 12.5 % shows as 13, not Python's
    round-half-even 12 and not a float artefact.
    """
    if d <= 0:
        return None
    return (200 * n + d) // (2 * d)


def _membership(
    people: pd.DataFrame,
    p_index: pd.Index,
    pres_p: np.ndarray,
    pres_tp: pd.Series,
    turns: pd.DataFrame,
    documents: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray]:
    """(participant position, timepoint) rows of who took part at each timepoint.

    A participant is in a timepoint's denominator when registered for it, or when they have a
    turn or a written response in a document of that timepoint (or a theme there), so a
    percentage never exceeds 100 when the participants sheet is incomplete.
    """
    tp_of = documents.set_index("document")["timepoint"]
    spoke = turns.loc[turns["participant"].notna(), ["document", "participant"]]
    wrote = documents.loc[documents["participant"].notna(), ["document", "participant"]]
    contrib = pd.concat([spoke, wrote], ignore_index=True).drop_duplicates()
    who = [p_index.get_indexer(contrib["participant"].astype(str))]
    when = [tp_of.reindex(contrib["document"]).to_numpy(dtype=object)]
    if "timepoints" in people.columns:
        reg = people[["participant", "timepoints"]].explode("timepoints")
        who.append(p_index.get_indexer(reg["participant"].astype(str)))
        when.append(reg["timepoints"].to_numpy(dtype=object))
    who.append(np.asarray(pres_p))
    when.append(pres_tp.to_numpy(dtype=object))
    p = np.concatenate(who)
    tp = pd.Series(np.concatenate(when), dtype=object)
    ok = (p >= 0) & tp.notna().to_numpy()
    frame = pd.DataFrame({"p": p[ok], "tp": tp[ok].to_numpy()}).drop_duplicates()
    return frame["p"].to_numpy(dtype=np.int64), frame["tp"].to_numpy(dtype=object)


@dataclass(frozen=True)
class TallyResult:
    """Participant counts per theme, overall and per cell of the breakdown ``by``.

    ``columns`` are the cells (tuples of values of ``by``, in order); ``counts[i, j]`` is the
    number of participants with code ``codes.code[i]`` present in cell ``keys[j]``, where
    ``keys = ["total", *columns]``; ``denominators`` gives the participants in each key.
    Prose and tables are both rendered from this one object, so they cannot disagree.
    """

    codes: pd.DataFrame
    by: tuple[str, ...]
    columns: list[tuple]
    counts: np.ndarray
    denominators: dict[Hashable, int]
    presence: pd.DataFrame
    participants: pd.DataFrame
    layer: str
    rollup: bool
    conditions: list[str] = field(default_factory=list)
    #: lines a report prints under the layer (set by the service: which documents read
    #: consensus, partly reconciled checks, codings attributed to nobody)
    notes: tuple[str, ...] = ()

    @property
    def keys(self) -> list[Hashable]:
        return [TOTAL, *self.columns]

    def n(self, code: Hashable, cell: Hashable = TOTAL) -> int:
        """Participants with ``code`` present in ``cell`` (a tuple of ``by`` values, or total)."""
        row = self.codes.index[self.codes["code"] == code]
        if not len(row):
            raise KeyError(code)
        return int(self.counts[row[0], self.keys.index(cell)])

    def pct(self, code: Hashable, cell: Hashable = TOTAL) -> int | None:
        return percent(self.n(code, cell), self.denominators[cell])

    def counts_frame(self) -> pd.DataFrame:
        """Counts as a DataFrame: index code, columns "total" and "M", "M / initial", …"""
        names = [TOTAL] + [" / ".join(map(str, c)) for c in self.columns]
        return pd.DataFrame(
            self.counts, index=pd.Index(self.codes["code"], name="code"), columns=names
        )

    @cached_property
    def _per_condition(self) -> pd.Series:
        merged = self.presence.merge(
            self.participants[["participant", "condition"]], on="participant"
        )
        return merged.groupby(["code", "condition"])["participant"].nunique()

    def by_condition(self, code: Hashable) -> dict[str, int]:
        """Participants per condition (any timepoint) with ``code`` present, in condition order."""
        per = self._per_condition
        return {c: int(per.get((code, c), 0)) for c in self.conditions}

    def condition_sizes(self) -> dict[str, int]:
        sizes = self.participants.groupby("condition")["participant"].nunique()
        return {c: int(sizes.get(c, 0)) for c in self.conditions}


def _ordered(values: Sequence, order: Sequence | None) -> list:
    seen = list(dict.fromkeys(v for v in values if v is not None and not pd.isna(v)))
    if order is None:
        return seen
    known = [v for v in order if v in set(seen)]
    return known + [v for v in seen if v not in set(known)]


def tally(
    codings: pd.DataFrame,
    turns: pd.DataFrame,
    documents: pd.DataFrame,
    participants: pd.DataFrame,
    codes: pd.DataFrame,
    *,
    layer: str = "auto",
    by: Sequence[str] = ("condition",),
    rollup: bool = True,
    timepoint_order: Sequence[str] | None = None,
    hits: pd.DataFrame | None = None,
    reconciled_documents: Collection[Hashable] | None = None,
) -> TallyResult:
    """Count participants per theme (module docstring rules), overall and per ``by`` cell.

    ``by`` is a subset of :data:`GROUPINGS` (condition and session are the participant's;
    timepoint is the document's). Conditions keep their order of first appearance among
    participants sorted by id, so no arm label is hard-coded. Themes nobody reported are kept
    with 0. ``hits`` may be passed when already computed for the same layer (then ``codings``
    must be that layer's selection: selecting a layer twice returns it unchanged).
    ``reconciled_documents``: see :func:`select_layer`.
    """
    by = tuple(by)
    bad = [b for b in by if b not in GROUPINGS]
    if bad or len(set(by)) != len(by):
        raise ValueError(f"cannot break down by {bad or list(by)}: use {', '.join(GROUPINGS)}")
    chosen, layer_label = select_layer(codings, layer, reconciled_documents=reconciled_documents)
    chosen = chosen.reset_index(drop=True)
    if hits is None:
        hits = attribute_codings(chosen, turns, documents)
    presence = presence_long(chosen, hits, documents, codes, rollup=rollup)
    people = participants.sort_values("participant").reset_index(drop=True)
    conditions = _ordered(people["condition"].tolist(), None)

    # Everything below counts distinct participants with integer keys (sorted, de-duplicated) and
    # np.bincount: p = participant position, c = code position, cell = breakdown column.
    p_index = pd.Index(people["participant"].astype(str))
    code_ids = codes["code"].tolist()
    n_p, n_c = len(people), len(code_ids)
    # map each distinct participant name once (presence is categorical), then drop strangers
    who = pd.Categorical(presence["participant"])
    pres_p = p_index.get_indexer(who.categories.astype(str))[who.codes].astype(np.int64)
    known = pres_p >= 0
    presence = presence[known].reset_index(drop=True)
    pres_p = pres_p[known]
    pres_c = pd.Index(code_ids).get_indexer(presence["code"]).astype(np.int64)
    pairs = _distinct(pres_c * max(n_p, 1) + pres_p)
    blocks = [np.bincount(pairs // max(n_p, 1), minlength=n_c).astype(np.int64)]
    denominators: dict[Hashable, int] = {TOTAL: n_p}
    columns: list[tuple] = []
    if by:
        keys = list(by)
        member_p = np.arange(n_p, dtype=np.int64)
        member_tp = np.zeros(0, dtype=object)
        if "timepoint" in keys:
            member_p, member_tp = _membership(
                people, p_index, pres_p, presence["timepoint"], turns, documents
            )
        levels: dict[str, list] = {
            "condition": conditions,
            "session": sorted(people["session"].dropna().unique().tolist())
            if "session" in people
            else [],
            "timepoint": _ordered(list(member_tp), timepoint_order),
        }
        columns = [tuple(c) for c in pd.MultiIndex.from_product([levels[k] for k in keys])]
        n_cells = len(columns)

        def cells(rows_p: np.ndarray, rows_tp) -> np.ndarray:
            cell = np.zeros(len(rows_p), dtype=np.int64)
            valid = np.ones(len(rows_p), dtype=bool)
            for k in keys:
                index = pd.Index(levels[k], dtype=object)
                if k == "timepoint":
                    lvl = index.get_indexer(np.asarray(rows_tp, dtype=object))
                else:
                    lvl = index.get_indexer(people[k].to_numpy(dtype=object))[rows_p]
                valid &= lvl >= 0
                cell = cell * len(levels[k]) + lvl
            return np.where(valid, cell, -1)

        m_cell = cells(member_p, member_tp)
        ok = m_cell >= 0
        members = _distinct(m_cell[ok] * max(n_p, 1) + member_p[ok])
        denom = np.bincount(members // max(n_p, 1), minlength=n_cells)
        r_cell = cells(pres_p, presence["timepoint"].to_numpy(dtype=object))
        ok = r_cell >= 0
        hits = _distinct((r_cell[ok] * max(n_c, 1) + pres_c[ok]) * max(n_p, 1) + pres_p[ok])
        flat = np.bincount(hits // max(n_p, 1), minlength=n_cells * n_c)
        blocks.append(flat.reshape(n_cells, n_c).T.astype(np.int64))
        for j, cell in enumerate(columns):
            denominators[cell] = int(denom[j])
    counts = np.column_stack(blocks)
    return TallyResult(
        codes=codes.reset_index(drop=True),
        by=by,
        columns=columns,
        counts=counts,
        denominators=denominators,
        presence=presence.reset_index(drop=True),
        participants=people,
        layer=layer_label,
        rollup=rollup,
        conditions=conditions,
    )


# ---------------------------------------------------------------------------------------------
# matrices


def presence_matrix(
    result: TallyResult, column_names: Mapping[Hashable, str] | None = None
) -> pd.DataFrame:
    """Participant x theme boolean DataFrame (every participant a row, every code a column)."""
    people = result.participants["participant"].tolist()
    codes = result.codes["code"].tolist()
    matrix = pd.DataFrame(False, index=pd.Index(people, name="pid"), columns=codes)
    if len(result.presence):
        rows = pd.Index(people).get_indexer(result.presence["participant"])
        cols = pd.Index(codes).get_indexer(result.presence["code"])
        values = matrix.to_numpy(copy=True)
        values[rows, cols] = True
        matrix = pd.DataFrame(values, index=matrix.index, columns=codes)
    if column_names is not None:
        matrix.columns = [column_names[c] for c in codes]
    return matrix


def cooccurrence(result: TallyResult) -> pd.DataFrame:
    """Theme x theme matrix of participants reporting both (diagonal: the theme's total).

    The product ``PᵀP`` of the 0/1 participant x theme matrix ``P`` counts, for each pair, the
    participants in whom both are present -- distinct participants, like every tally here.
    """
    p = presence_matrix(result).to_numpy(dtype=np.int64)
    codes = result.codes["code"].tolist()
    return pd.DataFrame(p.T @ p, index=codes, columns=codes)


def cooccurrence_pairs(result: TallyResult, *, min_count: int = 1) -> pd.DataFrame:
    """Rows ``a, b, n`` (a before b in codebook order) with ``n >= min_count``, most first.

    A code and its own ancestors are left out (under roll-up they co-occur by construction).
    """
    matrix = cooccurrence(result)
    codes = matrix.index.tolist()
    related = set(map(tuple, ancestor_pairs(result.codes)[["code", "theme"]].to_numpy().tolist()))
    i, j = np.triu_indices(len(codes), k=1)
    n = matrix.to_numpy()[i, j]
    rows = [
        (codes[a], codes[b], int(k))
        for a, b, k in zip(i.tolist(), j.tolist(), n.tolist(), strict=True)
        if k >= min_count
        and (codes[a], codes[b]) not in related
        and (codes[b], codes[a]) not in related
    ]
    out = pd.DataFrame(rows, columns=["a", "b", "n"])
    return out.sort_values("n", ascending=False, kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# quotes


@dataclass(frozen=True)
class QuoteChoice:
    """The coding chosen as a theme's indicative quote and who said it."""

    code: Hashable
    coding: Hashable
    document: Hashable
    start: int
    end: int
    participant: str


def choose_quotes(
    codings: pd.DataFrame,
    hits: pd.DataFrame,
    *,
    window: tuple[int, int] = (40, 300),
) -> dict[Hashable, QuoteChoice]:
    """One indicative quote per code from its own codings (``codings`` = the chosen layer).

    Order of preference: codings flagged ``quote`` (shortest first), then the shortest coding
    whose length lies in ``window`` (characters), then the shortest coding of any length.
    Only codings attributable to a participant qualify (facilitator speech is never quoted);
    the quote is attributed to the participant sharing most characters with it. Ties go to
    the earlier document and offset, so the choice is stable.
    """
    if not len(hits):
        return {}
    # the participant sharing most characters with each coding (ties: first by id)
    h_pos = _ints(hits["coding"])
    who, names = pd.factorize(hits["participant"], sort=True)
    order = np.lexsort((who, -_ints(hits["overlap"]), h_pos))
    first = np.ones(len(order), dtype=bool)
    first[1:] = h_pos[order][1:] != h_pos[order][:-1]
    pos, speaker = h_pos[order][first], who[order][first]

    starts, ends = _ints(codings["start"]), _ints(codings["end"])
    length = ends[pos] - starts[pos]
    flagged = (
        codings["quote"].fillna(False).astype(bool).to_numpy()[pos]
        if "quote" in codings
        else np.zeros(len(pos), bool)
    )
    inside = (length >= window[0]) & (length <= window[1])
    rank = np.where(flagged, 0, np.where(inside, 1, 2))
    code_of, code_names = pd.factorize(codings["code"].to_numpy()[pos])
    doc_rank = pd.factorize(codings["document"].to_numpy()[pos], sort=True)[0]
    best = np.lexsort((starts[pos], doc_rank, length, rank, code_of))
    lead = np.ones(len(best), dtype=bool)
    lead[1:] = code_of[best][1:] != code_of[best][:-1]
    ids = codings["id"].to_numpy() if "id" in codings else np.arange(len(codings))
    docs = codings["document"].to_numpy()
    out = {}
    for k in best[lead].tolist():  # one per code
        row = int(pos[k])
        coding_id = ids[row]
        out[code_names[code_of[k]]] = QuoteChoice(
            code=code_names[code_of[k]],
            coding=coding_id.item() if hasattr(coding_id, "item") else coding_id,
            document=docs[row].item() if hasattr(docs[row], "item") else docs[row],
            start=int(starts[row]),
            end=int(ends[row]),
            participant=str(names[speaker[k]]),
        )
    return out


def clean_quote(text: str, *, limit: int = 300) -> str:
    """A coded span as a quote: white space collapsed, cut at ``limit`` with an ellipsis."""
    words = " ".join(text.split())
    if len(words) > limit:
        words = words[: limit - 1].rsplit(" ", 1)[0] + "…"
    return words
