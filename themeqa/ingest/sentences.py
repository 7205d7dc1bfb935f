"""Sentence boundaries, for sentence-level agreement and "code this sentence" in the TUI.

spaCy's rule-based ``sentencizer`` on a blank pipeline of the document's language (``xx``, the
multi-language one, when spaCy has no such language). When the environment variable
``THEMEQA_SPACY_MODEL`` names an installed trained pipeline (``en_core_web_sm``), its parser or
senter is used instead. A sentence never crosses a line break: a line ends a turn in every
transcript format themeqa writes, and a paragraph in the others.

spaCy is imported when the first sentences are asked for, not when this module is imported.

Why some lines never reach spaCy: with the rule-based sentencizer (the default) a sentence
starts only after a token that *is* one of its punctuation characters (``.``, ``?``, ``!``,
``。`` ...), so a line holding none of them is one sentence however spaCy tokenises it; and
a line's sentences depend on nothing but the line, so a line that recurs is split once.
Exports of comments or survey fields (one short field per line: ids, dates, names, the same
title again and again) are mostly such lines -- in the largest NVivo sample, 84% of the lines
-- and spaCy's cost is per line and per new word, so skipping them makes splitting that
source 2.5x faster (1.8x as the first text of a process); the spans are exactly those of
running every line through spaCy (``tests/ingest/test_sentence_shortcuts.py`` compares the
two; ``bench/bench_big_import.py`` times it). With a trained pipeline
(``THEMEQA_SPACY_MODEL``) every line still goes through it.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator, Sequence

__all__ = ["MODEL_ENV_VAR", "content_lines", "sentence_spans"]

MODEL_ENV_VAR = "THEMEQA_SPACY_MODEL"

# Components a trained pipeline does not need for sentence boundaries.
_NOT_NEEDED = (
    "ner",
    "lemmatizer",
    "textcat",
    "textcat_multilabel",
    "entity_linker",
    "entity_ruler",
)


@functools.lru_cache(maxsize=8)
def _pipeline(language: str, model: str | None):
    import spacy

    nlp = None
    if model:
        try:
            nlp = spacy.load(model, exclude=list(_NOT_NEEDED))
        except Exception:  # not installed or incompatible: fall back to the rules
            nlp = None
        if nlp is not None and not {"parser", "senter", "sentencizer"} & set(nlp.pipe_names):
            nlp.add_pipe("sentencizer")
    if nlp is None:
        try:
            nlp = spacy.blank(language)
        except Exception:  # unknown language code
            nlp = spacy.blank("xx")
        nlp.add_pipe("sentencizer")
    return nlp


def content_lines(texts: Sequence[str]) -> Iterator[tuple[int, int, str]]:
    """``(text index, offset, line)`` for every line holding more than white space."""
    for i, text in enumerate(texts):
        pos, n = 0, len(text)
        while pos < n:
            nl = text.find("\n", pos)
            end = n if nl < 0 else nl
            line = text[pos:end]
            if line and not line.isspace():
                yield i, pos, line
            pos = end + 1


@functools.lru_cache(maxsize=8)
def _boundary_chars(nlp) -> re.Pattern[str] | None:
    """A pattern for the characters that can end a sentence, when ``nlp`` is spaCy's own
    tokeniser followed by the rule-based sentencizer alone; ``None`` for anything else.

    Only then is "no such character, one sentence" certain: another component (a parser, an
    attribute ruler) may start sentences anywhere, and another tokeniser may not keep the
    text as it is.
    """
    from spacy.pipeline import Sentencizer
    from spacy.tokenizer import Tokenizer

    if nlp.pipe_names != ["sentencizer"] or type(nlp.tokenizer) is not Tokenizer:
        return None
    sentencizer = nlp.get_pipe("sentencizer")
    chars = getattr(sentencizer, "punct_chars", None)
    if type(sentencizer) is not Sentencizer or not chars or any(len(c) != 1 for c in chars):
        return None
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]")


def _trimmed(line: str, a: int, b: int) -> tuple[int, int] | None:
    """``line[a:b]`` without surrounding white space, as offsets; ``None`` if nothing is left."""
    while a < b and line[a].isspace():
        a += 1
    while b > a and line[b - 1].isspace():
        b -= 1
    return (a, b) if a < b else None


def _split(nlp, lines: list[str], batch_size: int) -> Iterator[list[tuple[int, int]]]:
    """Each line's trimmed sentence spans (offsets into the line), by spaCy, in order."""
    if not lines:
        return
    longest = max(len(line) for line in lines)
    if longest >= nlp.max_length:
        nlp.max_length = longest + 1
    for line, doc in zip(lines, nlp.pipe(lines, batch_size=batch_size), strict=True):
        spans = (_trimmed(line, sent.start_char, sent.end_char) for sent in doc.sents)
        yield [span for span in spans if span is not None]


def sentence_spans(
    texts: Sequence[str], language: str = "en", batch_size: int = 256
) -> list[list[tuple[int, int]]]:
    """For each text, its sentences as ``(start, end)`` offsets (end-exclusive), in order.

    Spans are trimmed of surrounding white space and never cross a line break; blank texts
    give an empty list. Lines are run through spaCy one by one (``nlp.pipe``): that is what
    keeps a sentence inside its line, and spaCy tokenises many short docs several times faster
    than one long one. With the rule-based sentencizer, lines without sentence punctuation
    and repeats of a line already split skip spaCy (module docstring).
    """
    results: list[list[tuple[int, int]]] = [[] for _ in texts]
    lines = list(content_lines(texts))
    if not lines:
        return results
    nlp = _pipeline(language or "xx", os.environ.get(MODEL_ENV_VAR) or None)
    boundary = _boundary_chars(nlp)
    if boundary is None:  # a trained pipeline: every line, as it comes
        per_line = _split(nlp, [line for _, _, line in lines], batch_size)
        for (i, offset, _line), spans in zip(lines, per_line, strict=True):
            results[i].extend((offset + a, offset + b) for a, b in spans)
        return results
    # distinct lines that may hold more than one sentence, in first-seen order
    todo = list(dict.fromkeys(line for _, _, line in lines if boundary.search(line)))
    known = dict(zip(todo, _split(nlp, todo, batch_size), strict=True))
    for i, offset, line in lines:
        spans = known.get(line)
        if spans is None:  # no sentence punctuation: the whole line is one sentence
            whole = _trimmed(line, 0, len(line))
            spans = [whole] if whole else []
        results[i].extend((offset + a, offset + b) for a, b in spans)
    return results
