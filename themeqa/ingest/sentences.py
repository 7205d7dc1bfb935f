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
from collections.abc import Sequence

__all__ = ["MODEL_ENV_VAR", "sentence_spans"]

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


def _split_lines(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    """Append the pieces of ``text[start:end]`` between line breaks, trimmed, non-empty."""
    while start < end:
        nl = text.find("\n", start, end)
        stop = end if nl < 0 else nl
        a, b = start, stop
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
        start = stop + 1


def sentence_spans(
    texts: Sequence[str], language: str = "en", batch_size: int = 32
) -> list[list[tuple[int, int]]]:
    """For each text, its sentences as ``(start, end)`` offsets (end-exclusive), in order.

    Spans are trimmed of surrounding white space and never cross a line break; blank texts
    give an empty list.
    """
    results: list[list[tuple[int, int]]] = [[] for _ in texts]
    todo = [i for i, t in enumerate(texts) if t.strip()]
    if not todo:
        return results
    nlp = _pipeline(language or "xx", os.environ.get(MODEL_ENV_VAR) or None)
    longest = max(len(texts[i]) for i in todo)
    if longest >= nlp.max_length:
        nlp.max_length = longest + 1
    docs = nlp.pipe((texts[i] for i in todo), batch_size=batch_size)
    for i, doc in zip(todo, docs, strict=True):
        text = texts[i]
        out = results[i]
        for sent in doc.sents:
            _split_lines(text, sent.start_char, sent.end_char, out)
    return results
