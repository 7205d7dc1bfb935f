"""Units of agreement, chosen by the user: turn codings into per-unit presence for two+ coders.

Agreement coefficients (``themeqa.core.agreement``) need, per code, a "did this coder apply the
code to this unit?" table. What a *unit* is changes the answer, so DESIGN.md lets the user pick
it: a sentence, a turn, a whole document, a participant, or a single character. This module is
the bridge from codings (spans of text) to those tables. It is pure (stdlib, numpy, pandas) so
the service layer can build its inputs with one query each:

- ``codings``: a DataFrame with columns ``document`` (int id), ``start``, ``end`` (code-point
  offsets, end-exclusive), ``code`` (int id) and ``coder`` (str).
- ``units``: a DataFrame with columns ``document``, ``start``, ``end`` and optionally
  ``participant`` (str, or None/NA for a facilitator turn or text before the first label) --
  sentences, turns, or one row per document covering its whole text.

Overlap rule (used everywhere here): a coding ``[s, e)`` touches a unit ``[u, v)`` when they
share at least one character, i.e. ``s < v and e > u``. A coding that *ends exactly where a unit
starts* (``e == u``) shares no character with it and does not count -- offsets are
end-exclusive, so counting it would credit a coder for text they did not select. Codings of
zero length (``s >= e``) mark no text and are ignored.

Units of one document must not overlap each other (sentences, turns and whole documents never
do). That is what makes the mapping from codings to units fast: with units sorted by start,
their ends are sorted too, so the units one coding touches form a contiguous run found by two
``np.searchsorted`` calls, and runs are painted with a difference array -- no Python loop over
codings x units, and a coding may span any number of units.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = [
    "CharacterSegments",
    "Counts2x2",
    "ParticipantPresence",
    "SpanMatch",
    "character_presence",
    "character_segments",
    "match_spans",
    "participant_presence",
    "per_document_counts",
    "presence_matrix",
    "rollup_codes",
    "rollup_codings",
]

_CODING_COLUMNS = ("document", "start", "end", "code", "coder")
_UNIT_COLUMNS = ("document", "start", "end")


class Counts2x2(NamedTuple):
    """One code's 2x2 table for two coders (A, B); feed to ``agreement.from_counts``."""

    both: int
    only_a: int
    only_b: int
    neither: int


class ParticipantPresence(NamedTuple):
    """Per code a (n_coders, n_participants) boolean array; ``participants`` gives the columns."""

    presence: dict[Hashable, np.ndarray]
    participants: list[str]


@dataclass(frozen=True, slots=True)
class CharacterSegments:
    """One code's character-level presence, compressed to distinct segments.

    Every document is cut at each coding boundary (of any coder) into segments over which no
    coder's decision changes; ``presence[i, j]`` says whether coder ``i`` coded segment ``j``
    and ``lengths[j]`` is how many characters it stands for. This is the exact character-unit
    data without materialising one column per character, and works for any number of coders.
    """

    documents: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    presence: np.ndarray

    @property
    def lengths(self) -> np.ndarray:
        """Characters per segment (the weight of each column of ``presence``)."""
        return self.ends - self.starts


@dataclass(frozen=True, slots=True)
class SpanMatch:
    """Result of :func:`match_spans`: index labels of matched pairs and unmatched codings."""

    matched: list[tuple[Hashable, Hashable]]
    only_a: list[Hashable]
    only_b: list[Hashable]

    @property
    def n_matched(self) -> int:
        return len(self.matched)

    @property
    def n_only_a(self) -> int:
        return len(self.only_a)

    @property
    def n_only_b(self) -> int:
        return len(self.only_b)


# ---------------------------------------------------------------------------------------------
# helpers


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks column(s) {missing}")


def _ints(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype=np.int64)


def _selected_codings(
    codings: pd.DataFrame, coders: Sequence[str], codes: Sequence[Hashable]
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Non-empty codings by the chosen coders with the chosen codes, with their positions."""
    _require(codings, _CODING_COLUMNS, "codings")
    if len(set(coders)) != len(coders) or len(set(codes)) != len(codes):
        raise ValueError("coders and codes must not repeat")
    coder_pos = pd.Index(list(coders), dtype=object).get_indexer(codings["coder"].astype(object))
    code_pos = pd.Index(list(codes), dtype=object).get_indexer(codings["code"].astype(object))
    keep = (coder_pos >= 0) & (code_pos >= 0) & (_ints(codings["start"]) < _ints(codings["end"]))
    return codings.loc[keep], coder_pos[keep], code_pos[keep]


def _paint(n_rows: int, width: int, rows: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Boolean (n_rows, width) array with ``[lo, hi)`` of row ``rows[k]`` set, via a diff array."""
    keep = lo < hi
    rows, lo, hi = rows[keep], lo[keep], hi[keep]
    stride = width + 1
    size = n_rows * stride
    diff = np.bincount(rows * stride + lo, minlength=size) - np.bincount(
        rows * stride + hi, minlength=size
    )
    return (np.cumsum(diff.reshape(n_rows, stride), axis=1)[:, :width]) > 0


# ---------------------------------------------------------------------------------------------
# 1. units from a table (sentences, turns, documents)


def presence_matrix(
    codings: pd.DataFrame,
    units: pd.DataFrame,
    coders: Sequence[str],
    codes: Sequence[Hashable],
) -> dict[Hashable, np.ndarray]:
    """Per code, a boolean (n_coders, n_units) array: did this coder's coding touch this unit?

    Rows follow ``coders``, columns follow the rows of ``units`` (positionally). A cell is True
    when any coding by that coder with that code shares at least one character with the unit
    (module docstring: ``start < unit_end and end > unit_start``). A coding spanning several
    units marks them all. Codings on documents without units, by other coders or with other
    codes are ignored -- the units define what is being compared (e.g. the double-coded
    sample). Raises ``ValueError`` when a unit is empty or units of one document overlap.
    """
    _require(units, _UNIT_COLUMNS, "units")
    n_coders, n_units = len(coders), len(units)
    selected, coder_pos, code_pos = _selected_codings(codings, coders, codes)

    u_doc = units["document"].to_numpy()
    u_start, u_end = _ints(units["start"]), _ints(units["end"])
    if np.any(u_start >= u_end):
        raise ValueError("every unit needs start < end")
    doc_ids = pd.Index(pd.unique(u_doc))
    u_rank = doc_ids.get_indexer(u_doc).astype(np.int64)
    c_rank = doc_ids.get_indexer(selected["document"].to_numpy()).astype(np.int64)
    on_unit_doc = c_rank >= 0
    c_start, c_end = _ints(selected["start"])[on_unit_doc], _ints(selected["end"])[on_unit_doc]
    c_rank, coder_pos, code_pos = c_rank[on_unit_doc], coder_pos[on_unit_doc], code_pos[on_unit_doc]

    # One sorted key space for all documents: key = document rank * span + offset, with span
    # larger than any offset, so a search never crosses into another document's units.
    span = int(max(u_end.max(initial=0), c_end.max(initial=0))) + 1
    order = np.lexsort((u_start, u_rank))
    start_key = u_rank[order] * span + u_start[order]
    end_key = u_rank[order] * span + u_end[order]
    same_doc = u_rank[order][1:] == u_rank[order][:-1]
    if np.any(same_doc & (u_start[order][1:] < u_end[order][:-1])):
        raise ValueError("units of one document overlap; sentence/turn units must be disjoint")

    # Touched units are sorted positions [lo, hi): ends past the coding start, starts before
    # its end. Strict inequalities give the "one shared character" rule at boundaries.
    lo = np.searchsorted(end_key, c_rank * span + c_start, side="right")
    hi = np.searchsorted(start_key, c_rank * span + c_end, side="left")
    rows = code_pos * n_coders + coder_pos
    painted = _paint(len(codes) * n_coders, n_units, rows, lo, hi)
    out = np.empty_like(painted)
    out[:, order] = painted  # back from sorted order to the caller's row order
    out = out.reshape(len(codes), n_coders, n_units)
    return {code: out[k] for k, code in enumerate(codes)}


# ---------------------------------------------------------------------------------------------
# 2. character units


def character_segments(
    codings: pd.DataFrame,
    doc_lengths: Mapping[Hashable, int],
    coders: Sequence[str],
    codes: Sequence[Hashable],
) -> dict[Hashable, CharacterSegments]:
    """Per code, character-unit presence for any number of coders as weighted segments.

    Every character of every document in ``doc_lengths`` ({document: n_chars}) is a unit. For
    each code and document the text is cut at 0, its length and every start/end of that code's
    codings; each piece between cuts is one segment (one column), weighted by its length.
    Summing the segment lengths over a pattern of coder decisions gives exactly the count of
    characters with that pattern, so the 2x2 table, Fleiss' kappa or alpha on characters follow
    without a per-character array. Overlapping codings by one coder count a character once
    (the union of that coder's spans). Codings on documents absent from ``doc_lengths`` are
    ignored; a coding running past its document's end raises ``ValueError``.
    """
    n_coders, n_codes = len(coders), len(codes)
    selected, coder_pos, code_pos = _selected_codings(codings, coders, codes)
    docs = list(doc_lengths)
    lengths = np.array([int(doc_lengths[d]) for d in docs], dtype=np.int64)
    n_docs = len(docs)
    c_rank = pd.Index(docs, dtype=object).get_indexer(selected["document"].astype(object))
    known = c_rank >= 0
    c_rank = c_rank[known].astype(np.int64)
    c_start, c_end = _ints(selected["start"])[known], _ints(selected["end"])[known]
    coder_pos, code_pos = coder_pos[known], code_pos[known]
    if np.any(c_start < 0) or np.any(c_end > lengths[c_rank]):
        raise ValueError("a coding lies outside its document (check doc_lengths)")

    # Group = (code, document); key = group * span + offset keeps groups apart when sorted.
    span = int(lengths.max(initial=0)) + 1
    group = code_pos * n_docs + c_rank
    all_groups = np.arange(n_codes * n_docs, dtype=np.int64)
    all_lengths = np.tile(lengths, n_codes)
    cuts = np.unique(
        np.concatenate(
            [
                all_groups * span,
                all_groups * span + all_lengths,
                group * span + c_start,
                group * span + c_end,
            ]
        )
    )
    cut_group = cuts // span
    inside = cut_group[:-1] == cut_group[1:]  # consecutive cuts in one group bound a segment
    seg_start_key, seg_end_key = cuts[:-1][inside], cuts[1:][inside]
    seg_group = seg_start_key // span
    # Coding starts/ends are cuts, so the segments they cover are found by exact lookup.
    lo = np.searchsorted(seg_start_key, group * span + c_start, side="left")
    hi = np.searchsorted(seg_start_key, group * span + c_end, side="left")
    painted = _paint(n_coders, len(seg_start_key), coder_pos, lo, hi)

    doc_array = np.empty(n_docs, dtype=object)
    doc_array[:] = docs
    seg_code = seg_group // max(n_docs, 1)
    bounds = np.searchsorted(seg_code, np.arange(n_codes + 1), side="left")
    out: dict[Hashable, CharacterSegments] = {}
    for k, code in enumerate(codes):  # loop over codes only, to slice the result
        part = slice(bounds[k], bounds[k + 1])
        grp = seg_group[part]
        out[code] = CharacterSegments(
            documents=doc_array[grp % n_docs] if n_docs else doc_array[:0],
            starts=seg_start_key[part] - grp * span,
            ends=seg_end_key[part] - grp * span,
            presence=painted[:, part],
        )
    return out


def character_presence(
    codings: pd.DataFrame,
    doc_lengths: Mapping[Hashable, int],
    coders: Sequence[str],
    codes: Sequence[Hashable],
) -> dict[Hashable, Counts2x2]:
    """Per code, the 2x2 table in *characters* for exactly two coders (A = coders[0]).

    ``both`` counts characters inside the union of both coders' spans of the code, ``only_a``/
    ``only_b`` those inside one coder's union only, ``neither`` the rest of the documents in
    ``doc_lengths``. For more coders use :func:`character_segments` directly; for a per-document
    table (bootstrap) pass its segments to :func:`per_document_counts` with
    ``weights=segments.lengths``.
    """
    if len(coders) != 2:
        raise ValueError("character_presence compares two coders; use character_segments for n")
    out: dict[Hashable, Counts2x2] = {}
    for code, seg in character_segments(codings, doc_lengths, coders, codes).items():
        a, b = seg.presence
        w = seg.lengths
        out[code] = Counts2x2(
            int(w[a & b].sum()), int(w[a & ~b].sum()), int(w[~a & b].sum()), int(w[~a & ~b].sum())
        )
    return out


# ---------------------------------------------------------------------------------------------
# 3. participants, 4. roll-up


def _ancestors(code: Hashable, parent_of: Mapping[Hashable, Hashable | None]) -> list[Hashable]:
    seen: list[Hashable] = []
    parent = parent_of.get(code)
    while parent is not None:
        if parent == code or parent in seen:
            raise ValueError(f"codebook cycle through code {parent!r}")
        seen.append(parent)
        parent = parent_of.get(parent)
    return seen


def rollup_codes(
    presence: Mapping[Hashable, np.ndarray], parent_of: Mapping[Hashable, Hashable | None]
) -> dict[Hashable, np.ndarray]:
    """Superordinate themes present wherever they or any descendant are (logical OR).

    DESIGN.md: a theme is present "when a coding of it (or of any descendant, for roll-up)"
    overlaps the unit. Coders often apply only the subordinate theme ("2a"), so without roll-up
    the parent ("2") would look absent. ``parent_of`` maps code -> parent (None at the top);
    every code in ``presence`` is ORed into each ancestor that is also a key of ``presence``
    (include the parents in ``codes`` when building the matrices). Works on any of the
    same-shaped matrices here (units, participants). Input arrays are not modified.
    """
    out = {code: np.array(m, dtype=bool, copy=True) for code, m in presence.items()}
    for code, matrix in presence.items():
        for ancestor in _ancestors(code, parent_of):
            if ancestor in out:
                out[ancestor] |= np.asarray(matrix, dtype=bool)
    return out


def rollup_codings(
    codings: pd.DataFrame, parent_of: Mapping[Hashable, Hashable | None]
) -> pd.DataFrame:
    """Copy each coding once per ancestor code, for roll-up where units depend on the code.

    Character segments and span matching are built per code, so rolling up their *results*
    is not possible; rolling up the codings first is equivalent (a parent then covers the union
    of its descendants' spans). The original index labels are kept on the copies.
    """
    parts = [codings]
    for code in pd.unique(codings["code"]):
        ancestors = _ancestors(code, parent_of)
        rows = codings[codings["code"] == code]
        parts.extend(rows.assign(code=ancestor) for ancestor in ancestors)
    return pd.concat(parts)


def participant_presence(
    codings: pd.DataFrame,
    units: pd.DataFrame,
    coders: Sequence[str],
    codes: Sequence[Hashable],
    *,
    rollup: Mapping[Hashable, Hashable | None] | None = None,
) -> ParticipantPresence:
    """Unit = participant: a theme is present for a participant when a coding touches a turn.

    ``units`` are turns with a ``participant`` column; turns whose participant is None/NA
    (facilitator, unlabelled preamble) are not participant units and are dropped, so a coding
    on a facilitator turn credits nobody. A participant is one unit however many turns or
    documents they speak in: presence is the OR over their turns. This matches DESIGN.md's
    tallies, which count distinct participants. ``rollup`` is a ``parent_of`` mapping (see
    :func:`rollup_codes`). Participants are ordered by sorted id.
    """
    _require(units, (*_UNIT_COLUMNS, "participant"), "units")
    speaking = units[units["participant"].notna()]
    presence = presence_matrix(codings, speaking, coders, codes)
    if rollup is not None:
        presence = rollup_codes(presence, rollup)
    who = speaking["participant"].astype(str).to_numpy()
    participants, column = np.unique(who, return_inverse=True)
    out: dict[Hashable, np.ndarray] = {}
    for code, matrix in presence.items():
        per = np.zeros((len(coders), len(participants)), dtype=bool)
        rows, cols = np.nonzero(matrix)
        per[rows, column[cols]] = True
        out[code] = per
    return ParticipantPresence(out, [str(p) for p in participants])


# ---------------------------------------------------------------------------------------------
# 5. span matching


def match_spans(
    codings_a: pd.DataFrame, codings_b: pd.DataFrame, threshold: float = 0.5
) -> SpanMatch:
    """Pair coder A's and coder B's codings that mark "the same" segment of text.

    Rule: two codings match when they are on the same document with the same code and the
    characters they share are at least ``threshold`` of the *shorter* one's length (and at
    least one). Measuring against the shorter span means a coder who marked a whole
    paragraph still matches a colleague who marked the key sentence inside it -- the usual
    "overlap of the shorter" segment-agreement rule that QDA programs expose as a percentage
    setting (MAXQDA's segment agreement, for instance). Matching is one-to-one and greedy:
    candidate pairs are taken by largest shared length first (ties: earlier A, then earlier
    B), and a coding already paired is not reused, so two B spans inside one A span give one
    match and one B-only. Results are the DataFrames' index labels; ``coder`` is not used.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError("threshold is a fraction of the shorter span, in (0, 1]")
    for frame, name in ((codings_a, "codings_a"), (codings_b, "codings_b")):
        _require(frame, ("document", "start", "end", "code"), name)
    a = pd.DataFrame(
        {
            "document": codings_a["document"].to_numpy(),
            "code": codings_a["code"].to_numpy(),
            "a_start": _ints(codings_a["start"]),
            "a_end": _ints(codings_a["end"]),
            "a_pos": np.arange(len(codings_a)),
        }
    )
    b = pd.DataFrame(
        {
            "document": codings_b["document"].to_numpy(),
            "code": codings_b["code"].to_numpy(),
            "b_start": _ints(codings_b["start"]),
            "b_end": _ints(codings_b["end"]),
            "b_pos": np.arange(len(codings_b)),
        }
    )
    pairs = a.merge(b, on=["document", "code"], how="inner")
    shared = np.minimum(pairs["a_end"], pairs["b_end"]) - np.maximum(
        pairs["a_start"], pairs["b_start"]
    )
    shorter = np.minimum(pairs["a_end"] - pairs["a_start"], pairs["b_end"] - pairs["b_start"])
    # Small tolerance so that e.g. 51 of 100 passes threshold 0.51 despite binary floats.
    ok = (shared > 0) & (shared >= threshold * shorter - 1e-9)
    pairs = pairs.assign(shared=shared)[ok]
    pairs = pairs.sort_values(["shared", "a_pos", "b_pos"], ascending=[False, True, True])

    used_a: set[int] = set()
    used_b: set[int] = set()
    matched: list[tuple[Hashable, Hashable]] = []
    for ia, ib in zip(pairs["a_pos"].tolist(), pairs["b_pos"].tolist(), strict=True):
        if ia in used_a or ib in used_b:
            continue
        used_a.add(ia)
        used_b.add(ib)
        matched.append((codings_a.index[ia], codings_b.index[ib]))
    only_a = [codings_a.index[i] for i in range(len(codings_a)) if i not in used_a]
    only_b = [codings_b.index[i] for i in range(len(codings_b)) if i not in used_b]
    return SpanMatch(matched, only_a, only_b)


# ---------------------------------------------------------------------------------------------
# 6. per-document tables for the document bootstrap


def per_document_counts(
    presence_a: np.ndarray,
    presence_b: np.ndarray,
    unit_documents: Sequence[Hashable] | np.ndarray,
    *,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """(n_documents, 4) int array of both/only_a/only_b/neither per document.

    The document bootstrap (``agreement.bootstrap``) resamples whole documents because units
    inside one transcript are not independent; each document is reduced to its 2x2 table and
    replicate tables are sums of those. Rows follow ``np.unique(unit_documents)`` (sorted ids);
    rows sum to the pooled table. ``weights`` (e.g. ``CharacterSegments.lengths``) counts each
    unit that many times. Stack the results of several codes to call
    ``agreement.bootstrap_tables_ci``.
    """
    a = np.asarray(presence_a, dtype=bool)
    b = np.asarray(presence_b, dtype=bool)
    docs = np.asarray(unit_documents)
    if not (a.shape == b.shape == docs.shape) or a.ndim != 1:
        raise ValueError("presence_a, presence_b and unit_documents must be equal-length 1-D")
    _, inverse = np.unique(docs, return_inverse=True)
    n_docs = int(inverse.max(initial=-1)) + 1
    cell = np.where(a, np.where(b, 0, 1), np.where(b, 2, 3))
    w = None if weights is None else np.asarray(weights, dtype=np.int64)
    counts = np.bincount(inverse.ravel() * 4 + cell, weights=w, minlength=n_docs * 4)
    return counts.reshape(n_docs, 4).astype(np.int64)
