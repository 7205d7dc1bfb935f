"""Guess a document's language from its function words, so each text gets its own pipeline.

Why stop words: function words ("the", "de", "und", "het") are the most frequent words of any
running text and differ sharply between languages, so the share of a text's words found in
each language's stop-word list separates languages reliably on a few hundred words, with no
model to download (the lists ship with spaCy). This is the classic "common words" method
(Ingle 1976; used by Cavnar & Trenkle 1994 as a baseline). Short texts (under
``MIN_WORDS``) keep the default, since a dozen words cannot be told apart safely.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

__all__ = ["LANGUAGES", "MIN_WORDS", "detect_language"]

#: languages considered (spaCy language codes with stop-word lists and lookup lemmas)
LANGUAGES = ("en", "fr", "de", "nl", "es", "it", "pt", "da", "sv", "nb", "pl", "fi")
MIN_WORDS = 25
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@functools.cache
def _stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop words for ``lang``, read from ``spacy/lang/<lang>/stop_words.py`` alone.

    Why by file: importing ``spacy.lang.<lang>.stop_words`` runs the language package's
    ``__init__`` (tokenizer exceptions, lexical attributes), ~2 s per language on a busy
    machine; the stop-word module itself is a plain set literal and loads in a millisecond.
    """
    import importlib.util

    spacy_spec = importlib.util.find_spec("spacy")
    if spacy_spec is None or not spacy_spec.submodule_search_locations:
        return frozenset()
    for root in spacy_spec.submodule_search_locations:
        path = Path(root) / "lang" / lang / "stop_words.py"
        if path.is_file():
            spec = importlib.util.spec_from_file_location(f"_themeqa_stop_{lang}", path)
            module = importlib.util.module_from_spec(spec)
            try:
                spec.loader.exec_module(module)
            except Exception:  # a changed layout: no stop words rather than a crash
                return frozenset()
            return frozenset(w.lower() for w in getattr(module, "STOP_WORDS", ()))
    return frozenset()


def detect_language(text: str, default: str = "en", sample: int = 20_000) -> str:
    """The language (spaCy code) whose stop words cover most of ``text``'s words."""
    words = [w.lower() for w in _WORD.findall(text[:sample])]
    if len(words) < MIN_WORDS:
        return default
    best, best_share = default, 0.0
    for lang in LANGUAGES:
        stops = _stop_words(lang)
        if not stops:
            continue
        share = sum(1 for w in words if w in stops) / len(words)
        if share > best_share + 1e-9:
            best, best_share = lang, share
    return best if best_share >= 0.15 else default
