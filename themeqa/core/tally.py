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

from collections.abc import Hashable, Mapping, Sequence
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
]

#: Breakdowns a tally may be split by (participant attributes and the document timepoint).
GROUPINGS = ("condition", "timepoint", "session")
TOTAL = "total"


# ---------------------------------------------------------------------------------------------
# layers


def select_layer(codings: pd.DataFrame, layer: str = "auto") -> tuple[pd.DataFrame, str]:
    """The codings of one layer and a description of it for table notes.

    ``consensus``: the reconciled layer. ``union``: every coder's own layer together (a theme
    is present when any coder saw it). ``coder:NAME``: one coder's own layer. ``auto``:
    consensus when the project has any consensus coding (reconciled work supersedes the
    coders'), otherwise the union. Raises ``ValueError`` for an unknown layer or coder.
    """
    layer = (layer or "auto").strip()
    has_consensus = bool((codings["layer"] == "consensus").any()) if len(codings) else False
    if layer == "auto":
        layer = "consensus" if has_consensus else "union"
    if layer == "consensus":
        return codings[codings["layer"] == "consensus"], "consensus"
    own = codings[codings["layer"] == "coder"]
    if layer == "union":
        coders = sorted(pd.unique(own["coder"]).tolist())
        return own, "union of coders" + (f" ({', '.join(coders)})" if coders else "")
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
    hits["participant"] = hits["participant"].astype(str)
    hits = hits.groupby(["coding", "participant"], as_index=False, sort=True)["overlap"].sum()
    hits["coding"] = hits["coding"].astype(np.int64)
    return hits


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
    participant once however many of its subordinate themes they reported.
    """
    timepoint = documents.set_index("document")["timepoint"]
    doc = codings["document"].to_numpy()[hits["coding"].to_numpy()]
    frame = pd.DataFrame(
        {
            "participant": hits["participant"].to_numpy(),
            "code": codings["code"].to_numpy()[hits["coding"].to_numpy()],
            "timepoint": timepoint.reindex(doc).to_numpy(dtype=object),
        }
    ).drop_duplicates()
    if rollup:
        frame = frame.merge(ancestor_pairs(codes), on="code").drop(columns="code")
        frame = frame.rename(columns={"theme": "code"}).drop_duplicates()
    return frame[frame["code"].isin(codes["code"])].reset_index(drop=True)


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
    participants: pd.DataFrame, presence: pd.DataFrame, documents_tp: pd.DataFrame
) -> pd.DataFrame:
    """Participant x timepoint rows: registered for it, or contributed a text at it."""
    rows = []
    if "timepoints" in participants.columns:
        reg = participants[["participant", "timepoints"]].explode("timepoints")
        reg = reg.rename(columns={"timepoints": "timepoint"}).dropna()
        rows.append(reg)
    rows.append(documents_tp[["participant", "timepoint"]].dropna())
    rows.append(presence[["participant", "timepoint"]].dropna())
    out = pd.concat(rows, ignore_index=True).drop_duplicates()
    return out[out["participant"].isin(participants["participant"])]


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
) -> TallyResult:
    """Count participants per theme (module docstring rules), overall and per ``by`` cell.

    ``by`` is a subset of :data:`GROUPINGS` (condition and session are the participant's;
    timepoint is the document's). Conditions keep their order of first appearance among
    participants sorted by id, so no arm label is hard-coded. Themes nobody reported are kept
    with 0. ``hits`` may be passed when already computed for the same layer.
    """
    by = tuple(by)
    bad = [b for b in by if b not in GROUPINGS]
    if bad or len(set(by)) != len(by):
        raise ValueError(f"cannot break down by {bad or list(by)}: use {', '.join(GROUPINGS)}")
    chosen, layer_label = select_layer(codings, layer)
    chosen = chosen.reset_index(drop=True)
    if hits is None:
        hits = attribute_codings(chosen, turns, documents)
    presence = presence_long(chosen, hits, documents, codes, rollup=rollup)
    people = participants.sort_values("participant").reset_index(drop=True)
    presence = presence[presence["participant"].isin(people["participant"])]
    conditions = _ordered(people["condition"].tolist(), None)

    # contributors per timepoint: who has a participant turn or a written response there
    tp_of = documents.set_index("document")["timepoint"]
    spoke = turns.loc[turns["participant"].notna(), ["document", "participant"]]
    wrote = documents.loc[documents["participant"].notna(), ["document", "participant"]]
    contrib = pd.concat([spoke, wrote], ignore_index=True).drop_duplicates()
    contrib["timepoint"] = tp_of.reindex(contrib["document"]).to_numpy(dtype=object)
    contrib["participant"] = contrib["participant"].astype(str)

    code_ids = codes["code"].tolist()
    code_index = pd.Index(code_ids)
    total = presence.groupby("code")["participant"].nunique().reindex(code_ids, fill_value=0)
    blocks = [total.to_numpy(dtype=np.int64)]
    denominators: dict[Hashable, int] = {TOTAL: len(people)}
    columns: list[tuple] = []
    if by:
        keys = list(by)
        attrs = [b for b in keys if b != "timepoint"]
        members = people[["participant", *attrs]]
        pres = presence.merge(people[["participant", *attrs]], on="participant")
        if "timepoint" in keys:
            members = members.merge(_membership(people, presence, contrib), on="participant")
        levels = {
            "condition": conditions,
            "session": sorted(people["session"].dropna().unique().tolist())
            if "session" in people
            else [],
            "timepoint": _ordered(members["timepoint"].tolist(), timepoint_order)
            if "timepoint" in members
            else [],
        }
        columns = [tuple(c) for c in pd.MultiIndex.from_product([levels[k] for k in keys])]
        cell_index = {c: j for j, c in enumerate(columns)}
        denom = members.dropna(subset=keys).groupby(keys)["participant"].nunique()
        for cell_key, d in denom.items():
            cell = cell_key if isinstance(cell_key, tuple) else (cell_key,)
            denominators[cell] = int(d)
        for cell in columns:
            denominators.setdefault(cell, 0)
        num = pres.dropna(subset=keys).groupby([*keys, "code"])["participant"].nunique()
        grid = np.zeros((len(code_ids), len(columns)), dtype=np.int64)
        if len(num):
            idx = num.index.to_frame(index=False)
            cells = list(zip(*(idx[k].tolist() for k in keys), strict=True))
            col = np.array([cell_index[c] for c in cells], dtype=np.int64)
            row = code_index.get_indexer(idx["code"])
            grid[row, col] = num.to_numpy()
        blocks.append(grid)
    counts = np.column_stack(blocks) if len(blocks) > 1 else blocks[0][:, None]
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
    best = hits.sort_values(["coding", "overlap", "participant"], ascending=[True, False, True])
    best = best.drop_duplicates("coding")
    pos = best["coding"].to_numpy()
    length = _ints(codings["end"])[pos] - _ints(codings["start"])[pos]
    flagged = (
        codings["quote"].fillna(False).astype(bool).to_numpy()[pos]
        if "quote" in codings
        else np.zeros(len(pos), bool)
    )
    inside = (length >= window[0]) & (length <= window[1])
    cand = pd.DataFrame(
        {
            "pos": pos,
            "code": codings["code"].to_numpy()[pos],
            "rank": np.where(flagged, 0, np.where(inside, 1, 2)),
            "length": length,
            "document": codings["document"].to_numpy()[pos],
            "start": _ints(codings["start"])[pos],
            "participant": best["participant"].to_numpy(),
        }
    )
    cand = cand.sort_values(["code", "rank", "length", "document", "start"], kind="stable")
    cand = cand.drop_duplicates("code")
    out = {}
    ids = codings["id"].to_numpy() if "id" in codings else np.arange(len(codings))
    ends = _ints(codings["end"])
    for row in cand.itertuples(index=False):  # one row per code
        out[row.code] = QuoteChoice(
            code=row.code,
            coding=ids[row.pos].item() if hasattr(ids[row.pos], "item") else ids[row.pos],
            document=row.document,
            start=int(row.start),
            end=int(ends[row.pos]),
            participant=str(row.participant),
        )
    return out


def clean_quote(text: str, *, limit: int = 300) -> str:
    """A coded span as a quote: white space collapsed, cut at ``limit`` with an ellipsis."""
    words = " ".join(text.split())
    if len(words) > limit:
        words = words[: limit - 1].rsplit(" ", 1)[0] + "…"
    return words
