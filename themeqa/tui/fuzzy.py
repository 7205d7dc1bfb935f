"""Fuzzy ranking for the pickers (code palette, documents, speakers).

Why rapidfuzz scorers per field: a coder types a label (``2a``), part of a name (``unreli``)
or a word from a definition; an exact label must win, a name match should beat a word that
only appears in a long definition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, utils

__all__ = ["Candidate", "rank"]


@dataclass(frozen=True)
class Candidate:
    """One pickable thing: ``key`` (exact, e.g. a label), ``name``, and ``detail`` text."""

    value: object
    key: str
    name: str = ""
    detail: str = ""
    prompt: str = ""  # what the picker shows (Rich markup); defaults to key and name


def _score(query: str, c: Candidate) -> float:
    q = utils.default_process(query)
    if not q:
        return 0.0
    key = utils.default_process(c.key)
    if q == key:
        return 200.0
    best = 0.0
    if key.startswith(q):
        best = 150.0 - len(key)
    name = utils.default_process(c.name)
    if name:
        best = max(best, fuzz.WRatio(q, name), fuzz.partial_ratio(q, name) * 0.95)
    if c.detail:
        best = max(best, fuzz.partial_ratio(q, utils.default_process(c.detail)) * 0.8)
    best = max(best, fuzz.WRatio(q, key) * 0.9)
    return best


def rank(query: str, candidates: Sequence[Candidate], *, limit: int = 50,
         cutoff: float = 65.0) -> list[Candidate]:
    """Candidates best first; with an empty query, all of them in their given order."""
    if not query.strip():
        return list(candidates[:limit])
    scored = [(s, i, c) for i, c in enumerate(candidates) if (s := _score(query, c)) >= cutoff]
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [c for _, _, c in scored[:limit]]
