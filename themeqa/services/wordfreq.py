"""Word frequencies by condition, timepoint, session or theme, and distinctive words.

What is counted: lemmas of what participants said or wrote — the content of participant turns
in transcripts (facilitators and speaker labels are left out) and whole written responses —
without stop words, words shorter than ``min_length``, participant ids and speaker labels.
With ``code``, only the words inside codings of that theme (or its subordinate themes).
Rates are per 1,000 counted words of the group. Current documents only
(``search.load_corpus``): a de-identified transcript is counted once, in its new version,
not again in the original it replaced (whose names would also come back as words).

The tables the user sees (``frequency_table``, ``keyness_table``) are built here once, as plain
title/columns/rows, so ``themeqa words`` and the TUI's words screen cannot drift apart; the
callers only choose how many rows and whether the keyness table shows rates.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from themeqa.errors import InputError
from themeqa.services.project import ProjectHandle
from themeqa.services.search import CorpusDoc, _code_spans, load_corpus, token_cache

__all__ = [
    "GROUPINGS",
    "WordCount",
    "WordTable",
    "distinctive_words",
    "frequency_table",
    "group_counts",
    "keyness_table",
    "word_frequencies",
    "write_word_table",
]

GROUPINGS = ("condition", "timepoint", "session", "all")


@dataclass(frozen=True)
class WordCount:
    group: str
    word: str
    count: int
    per_1000: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class WordTable:
    """A words table as shown and exported: cells are plain values, rounded for reading.

    ``notes`` say what was counted; they go under the table when it is written to a file.
    """

    title: str
    columns: list[str]
    rows: list[list]
    notes: list[str] = field(default_factory=list)


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
    counts = group_counts(project, by=by, code=code, coder=coder, min_length=min_length)
    return _keyness(counts, group_a, group_b, by=by, min_count=min_count)


def _keyness(counts: dict[str, Counter], group_a: str, group_b: str, *, by: str,
             min_count: int):
    """``distinctive_words`` on counts already made (so a caller that first looks at the
    groups does not count every word twice)."""
    from themeqa.core.wordfreq import distinctive_words as keyness

    missing = [g for g in (group_a, group_b) if g not in counts]
    if missing:
        known = ", ".join(counts) or "none"
        raise InputError(f"no words for {by} {' and '.join(missing)} (groups: {known})")
    return keyness(counts[group_a], counts[group_b], min_count=min_count)


def _notes(code: str | None, min_length: int) -> list[str]:
    return [f"Words inside codings of {code}." if code else "All participant text.",
            f"Stop words, speaker labels and words under {min_length} letters left out."]


def frequency_table(
    project: ProjectHandle,
    *,
    by: str = "condition",
    code: str | None = None,
    coder: str | None = None,
    min_length: int = 3,
    top: int = 20,
) -> WordTable:
    """The ``top`` most frequent lemmas of each group as a table (``by``, word, count,
    rate per 1,000 words)."""
    counts = word_frequencies(project, by=by, code=code, coder=coder, min_length=min_length,
                              top=top)
    return WordTable(
        title=f"Most frequent words by {by}",
        columns=[by, "word", "count", "per 1000"],
        rows=[[c.group, c.word, c.count, round(c.per_1000, 2)] for c in counts],
        notes=_notes(code, min_length),
    )


def keyness_table(
    project: ProjectHandle,
    group_a: str | None = None,
    group_b: str | None = None,
    *,
    by: str = "condition",
    code: str | None = None,
    coder: str | None = None,
    min_length: int = 3,
    min_count: int = 2,
    top: int = 20,
    rates: bool = True,
) -> WordTable:
    """Distinctive words of ``group_a`` against ``group_b`` as a table: the ``top`` words most
    typical of A (most typical first), then the ``top`` most typical of B (most typical
    first), with counts, rates per 1,000 words (unless ``rates`` is False), log-odds z and G².

    Without groups, the first two groups of ``by`` in order, leaving out "?" (no value), so
    a screen can offer "compare the groups" without asking which.
    """
    counts = group_counts(project, by=by, code=code, coder=coder, min_length=min_length)
    if group_a is None or group_b is None:
        groups = [g for g in counts if g != "?"]
        if len(groups) < 2:
            raise InputError(f"keyness needs two {by} groups; found {len(groups)}")
        group_a, group_b = groups[:2]
    frame = _keyness(counts, group_a, group_b, by=by, min_count=min_count)
    part = [*frame.head(top).itertuples(), *frame.tail(top).iloc[::-1].itertuples()]
    if rates:
        columns = ["word", f"n {group_a}", f"n {group_b}", f"per 1000 {group_a}",
                   f"per 1000 {group_b}", "log-odds z", "G2"]
        rows = [[r.word, r.count_a, r.count_b, round(r.per_1000_a, 2), round(r.per_1000_b, 2),
                 round(r.z, 2), round(r.g2, 2)] for r in part]
    else:
        columns = ["word", f"n {group_a}", f"n {group_b}", "log-odds z", "G2"]
        rows = [[r.word, r.count_a, r.count_b, round(r.z, 2), round(r.g2, 2)] for r in part]
    return WordTable(
        title=f"Distinctive words, {by} {group_a} vs {group_b}",
        columns=columns,
        rows=rows,
        notes=_notes(code, min_length),
    )


def write_word_table(
    project: ProjectHandle,
    table: WordTable,
    path: str | Path,
    *,
    actor: str | None = None,
    **details: object,
) -> Path:
    """Write ``table`` to ``path`` (format by suffix: .csv, .xlsx, .md, .docx) and log the
    export (``details``: filters for the audit log, JSON-able). Returns the written file."""
    from themeqa.reports.table import ReportTable
    from themeqa.reports.writers import write_tables
    from themeqa.services.export_log import log_export

    written = write_tables([ReportTable(key="words", title=table.title, columns=table.columns,
                                        rows=table.rows, notes=list(table.notes))], path)
    log_export(project, "words", written, actor=actor, **details)
    return written
