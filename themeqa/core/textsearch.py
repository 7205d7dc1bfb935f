"""Text search over token tables: words, phrases, word forms, wildcards and regular expressions.

Why lemma matching by default: a researcher looking for "relax" means relaxed, relaxing,
relaxes (inflections, which the lemmatiser maps to ``relax``) and usually relaxation too (a
derivation the lemmatiser keeps apart). ``derived=True`` adds the derivations formed by a
common suffix (``DERIVATIONAL_SUFFIXES``), the way a stemmer would conflate them (cf. Porter
1980, step 2–4 suffix classes), but only on top of the lemma and only for listed suffixes:
"care" finds "careful" and "carefully" but not "career" (agentive ``-er`` is left out because
it makes too many unrelated words).

Query syntax (``parse_query``): terms separated by spaces are alternatives (a hit for any of
them), a double-quoted string is a phrase (consecutive words, punctuation between them
ignored), a trailing ``*`` matches any ending (``compass*``).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

import numpy as np

from themeqa.core.tokens import TokenTable, Vocabulary

__all__ = [
    "DERIVATIONAL_SUFFIXES",
    "Kwic",
    "QueryError",
    "compile_phrases",
    "kwic",
    "match_compiled",
    "match_phrases",
    "matching_ids",
    "parse_query",
    "regex_spans",
    "split_filters",
]

#: ``key:value`` words a search box understands (the TUI's one-line filter syntax)
FILTER_KEYS = ("condition", "timepoint", "session", "speaker", "kind", "in", "notin", "coder",
               "mode", "only")

#: English derivational suffixes conflated with their base when ``derived`` is on.
DERIVATIONAL_SUFFIXES = frozenset({
    "ation", "ations", "ion", "ions", "ment", "ments", "ness", "ity", "ful", "fully",
    "ly", "ive", "ively", "al", "ally", "able", "ably", "ing", "ings", "ed", "s", "es",
    "ism", "ist", "ists",
})


class QueryError(ValueError):
    """A query that cannot be searched (empty, unbalanced quotes, a bad regular expression)."""


def split_filters(text: str) -> tuple[str, dict[str, str]]:
    """Take ``key:value`` filters (``FILTER_KEYS``) out of a one-line search.

    ``relax condition:I in:inhibitors::2`` gives ``("relax", {"condition": "I", "in":
    "inhibitors::2"})``. Only the listed keys count, so a code reference or a regex with a
    colon elsewhere stays in the query; the first colon splits key from value.
    """
    filters: dict[str, str] = {}
    kept = []
    for word in text.split(" "):
        key, sep, value = word.partition(":")
        if sep and key.lower() in FILTER_KEYS and value:
            filters[key.lower()] = value
        else:
            kept.append(word)
    return " ".join(kept).strip(), filters


def parse_query(query: str) -> list[tuple[str, ...]]:
    """Split a query into phrases (tuples of lower-cased words); see the module docstring."""
    try:
        parts = shlex.split(query, posix=True)
    except ValueError as exc:  # unbalanced quotes
        raise QueryError(f"cannot read the query {query!r}: {exc}") from None
    phrases = []
    for part in parts:
        words = tuple(w.lower() for w in re.findall(r"[\w'’*-]+", part))
        if words:
            phrases.append(words)
    if not phrases:
        raise QueryError("the query has no words")
    return phrases


def matching_ids(vocab: Vocabulary, term: str, derived: bool) -> np.ndarray:
    """Vocabulary ids whose word matches ``term`` (exactly, by wildcard or as a derivation)."""
    words = vocab.array()
    if term.endswith("*"):
        stem = term.rstrip("*")
        if not stem:
            return np.arange(len(words), dtype=np.int32)
        return np.flatnonzero(np.char.startswith(words, stem)).astype(np.int32)
    ids = set()
    exact = vocab.get(term)
    if exact is not None:
        ids.add(exact)
    if derived and len(term) >= 3:
        # "care" + "ful"; and a dropped final e: "relate" -> "relation"
        bases = [term] + ([term[:-1]] if term.endswith("e") and len(term) >= 4 else [])
        for base in bases:
            for i in np.flatnonzero(np.char.startswith(words, base)).tolist():
                if words[i][len(base):] in DERIVATIONAL_SUFFIXES:
                    ids.add(i)
    return np.array(sorted(ids), dtype=np.int32)


def compile_phrases(
    vocab: Vocabulary, phrases: list[tuple[str, ...]], *, derived: bool = True
) -> list[list[np.ndarray]]:
    """For each phrase, for each word, the vocabulary ids it matches (done once per search)."""
    return [[matching_ids(vocab, w, derived) for w in phrase] for phrase in phrases]


def match_compiled(
    table: TokenTable, compiled: list[list[np.ndarray]], *, field: str = "lemma"
) -> list[tuple[int, int]]:
    """Spans of ``compiled`` phrases in one table; see ``match_phrases``."""
    if len(table) == 0:
        return []
    words = np.flatnonzero(table.is_word)
    if words.size == 0:
        return []
    column = getattr(table, field)[words]
    found: set[tuple[int, int]] = set()
    for phrase in compiled:
        n = len(phrase)
        if n > words.size or any(ids.size == 0 for ids in phrase):
            continue
        hit = np.isin(column[: words.size - n + 1], phrase[0])
        for k in range(1, n):
            hit &= np.isin(column[k : words.size - n + 1 + k], phrase[k])
        for i in np.flatnonzero(hit).tolist():
            found.add((int(table.start[words[i]]), int(table.end[words[i + n - 1]])))
    return sorted(found)


def match_phrases(
    table: TokenTable,
    phrases: list[tuple[str, ...]],
    *,
    field: str = "lemma",
    derived: bool = True,
) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of every occurrence of any phrase, sorted, duplicates removed.

    ``phrases`` must already be in the form of ``field`` (lemmas for ``lemma``, lower-cased
    forms for ``norm``). Words of a phrase must be consecutive word tokens; punctuation
    between them is skipped ("fear, of" matches the phrase "fear of").
    """
    compiled = compile_phrases(table.vocab, phrases, derived=derived)
    return match_compiled(table, compiled, field=field)


def regex_spans(text: str, pattern: str, *, ignore_case: bool = True) -> list[tuple[int, int]]:
    """Non-empty matches of a regular expression (Python ``re`` syntax)."""
    try:
        rx = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    except re.error as exc:
        raise QueryError(f"bad regular expression {pattern!r}: {exc}") from None
    return [(m.start(), m.end()) for m in rx.finditer(text) if m.end() > m.start()]


@dataclass(frozen=True)
class Kwic:
    """A keyword-in-context line: ``left`` + ``match`` + ``right`` on one line."""

    left: str
    match: str
    right: str

    def line(self) -> str:
        return f"{self.left}[{self.match}]{self.right}"


def _flat(s: str) -> str:
    return " ".join(s.split())


def kwic(text: str, start: int, end: int, width: int = 40) -> Kwic:
    """The hit with up to ``width`` characters of context each side, line breaks flattened."""
    left = _flat(text[max(0, start - width * 2) : start])[-width:]
    right = _flat(text[end : end + width * 2])[:width]
    if start > 0 and text[start - 1].isspace():
        left = left + " " if not left.endswith(" ") else left
    if end < len(text) and text[end].isspace():
        right = " " + right.lstrip()
    return Kwic(left, _flat(text[start:end]), right)
