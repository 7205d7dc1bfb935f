"""Word frequencies by condition, timepoint, session or theme, and distinctive words.

What is counted: lemmas of what participants said or wrote — the content of participant turns
in transcripts (facilitators and speaker labels are left out) and whole written responses —
without stop words, words shorter than ``min_length``, participant ids and speaker labels.
With ``code``, only the words inside codings of that theme (or its subordinate themes).
Rates are per 1,000 counted words of the group.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass

from themeqa.errors import InputError
from themeqa.services.project import ProjectHandle
from themeqa.services.search import CorpusDoc, _code_spans, load_corpus, token_cache

__all__ = ["GROUPINGS", "WordCount", "distinctive_words", "group_counts", "word_frequencies"]

GROUPINGS = ("condition", "timepoint", "session", "all")


@dataclass(frozen=True)
class WordCount:
    group: str
    word: str
    count: int
    per_1000: float

    def to_dict(self) -> dict:
        return asdict(self)


def _intersect(spans: list[tuple[int, int]], clip: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for a, b in spans:
        for c, d in clip:
            lo, hi = max(a, c), min(b, d)
            if hi > lo:
                out.append((lo, hi))
    return out


def _participant_spans(doc: CorpusDoc, by: str) -> dict[str, list[tuple[int, int]]]:
    """Spans of participant speech in ``doc``, grouped by the value of ``by``."""
    groups: dict[str, list[tuple[int, int]]] = {}

    def key(condition):
        if by == "condition":
            return condition or "?"
        if by == "timepoint":
            return doc.timepoint or "?"
        if by == "session":
            return doc.session or "?"
        return "all"

    if doc.kind == "written":
        groups.setdefault(key(doc.participant_condition), []).append((0, len(doc.text)))
        return groups
    for t in doc.turns:
        if t.role == "participant" and t.end > t.content_start:
            groups.setdefault(key(t.condition or doc.session_condition), []).append(
                (t.content_start, t.end)
            )
    return groups


def group_counts(
    project: ProjectHandle,
    *,
    by: str = "condition",
    code: str | None = None,
    coder: str | None = None,
    min_length: int = 3,
) -> dict[str, Counter]:
    """Lemma counts per group (see the module docstring for what counts)."""
    from themeqa.core.wordfreq import count_lemmas, tokens_in_spans

    if by not in GROUPINGS:
        raise InputError(f"group by one of {', '.join(GROUPINGS)}, not {by!r}")
    docs = load_corpus(project)
    coded = _code_spans(project, code, coder) if code else None
    tables = token_cache(project).get_many([(d.sha256, d.language, d.text) for d in docs])
    exclude: set[str] = set()
    for d in docs:
        exclude.update(x.lower() for t in d.turns for x in (t.speaker, t.participant) if x)
        if d.participant:
            exclude.add(d.participant.lower())
    per_group: dict[str, list] = {}
    for doc, table in zip(docs, tables, strict=True):
        for group, spans in _participant_spans(doc, by).items():
            if coded is not None:
                spans = _intersect(spans, coded.get(doc.id, []))
                if not spans:
                    continue
            per_group.setdefault(group, []).append((table, tokens_in_spans(table, spans)))
    return {
        g: count_lemmas(items, min_length=min_length, exclude=exclude)
        for g, items in sorted(per_group.items())
    }


def word_frequencies(
    project: ProjectHandle,
    *,
    by: str = "condition",
    code: str | None = None,
    coder: str | None = None,
    min_length: int = 3,
    top: int = 20,
) -> list[WordCount]:
    """The ``top`` most frequent lemmas of each group, most frequent first (ties by word)."""
    out = []
    for group, counts in group_counts(
        project, by=by, code=code, coder=coder, min_length=min_length
    ).items():
        total = sum(counts.values())
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        out.extend(WordCount(group, w, n, n / total * 1000 if total else 0.0) for w, n in ranked)
    return out


def distinctive_words(
    project: ProjectHandle,
    group_a: str,
    group_b: str,
    *,
    by: str = "condition",
    code: str | None = None,
    coder: str | None = None,
    min_length: int = 3,
    min_count: int = 2,
):
    """Words typical of ``group_a`` against ``group_b`` (DataFrame, most typical of A first);
    log-odds z with an informative prior and signed G² (``core.wordfreq``)."""
    from themeqa.core.wordfreq import distinctive_words as keyness

    counts = group_counts(project, by=by, code=code, coder=coder, min_length=min_length)
    missing = [g for g in (group_a, group_b) if g not in counts]
    if missing:
        known = ", ".join(counts) or "none"
        raise InputError(f"no words for {by} {' and '.join(missing)} (groups: {known})")
    return keyness(counts[group_a], counts[group_b], min_count=min_count)
