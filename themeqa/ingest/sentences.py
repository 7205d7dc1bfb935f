"""Sentence boundaries, for sentence-level agreement and "code this sentence" in the TUI.

spaCy's rule-based ``sentencizer`` on a blank pipeline of the document's language (``xx``, the
multi-language one, when spaCy has no such language). When the environment variable
``THEMEQA_SPACY_MODEL`` names an installed trained pipeline (``en_core_web_sm``), its parser or
senter is used instead. A sentence never crosses a line break: a line ends a turn in every
transcript format themeqa writes, and a paragraph in the others.

spaCy is imported when the first sentences are asked for, not when this module is imported.
"""

from __future__ import annotations

import functools
import os
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


def sentence_spans(
    texts: Sequence[str], language: str = "en", batch_size: int = 256
) -> list[list[tuple[int, int]]]:
    """For each text, its sentences as ``(start, end)`` offsets (end-exclusive), in order.

    Spans are trimmed of surrounding white space and never cross a line break; blank texts
    give an empty list. Lines are run through spaCy one by one (``nlp.pipe``): that is what
    keeps a sentence inside its line, and spaCy tokenises many short docs several times faster
    than one long one.
    """
    results: list[list[tuple[int, int]]] = [[] for _ in texts]
    lines = list(content_lines(texts))
    if not lines:
        return results
    nlp = _pipeline(language or "xx", os.environ.get(MODEL_ENV_VAR) or None)
    longest = max(len(line) for _, _, line in lines)
    if longest >= nlp.max_length:
        nlp.max_length = longest + 1
    docs = nlp.pipe((line for _, _, line in lines), batch_size=batch_size)
    for (i, offset, line), doc in zip(lines, docs, strict=True):
        out = results[i]
        for sent in doc.sents:
            a, b = sent.start_char, sent.end_char
            while a < b and line[a].isspace():
                a += 1
            while b > a and line[b - 1].isspace():
                b -= 1
            if a < b:
                out.append((offset + a, offset + b))
    return results
