"""spaCy tokens and lemmas, and the per-text token cache."""

from __future__ import annotations

import pytest

from themeqa.ingest import lexicon
from themeqa.ingest.lexicon import TokenCache, lemmatize_words, tokenize


def _lemmas(table):
    return [table.vocab.words[i] for i in table.lemma]


def test_lookup_lemmas_for_english_inflections():
    [t] = tokenize(["I relaxed; she relaxes. The children ran."])
    assert _lemmas(t) == ["i", "relax", ";", "she", "relax", ".", "the", "child", "run", "."]
    assert lemmatize_words(["Relaxing", "children", "compass*"]) == ["relax", "child", "compass*"]


def test_everyday_forms_the_lookup_table_gets_wrong_are_kept():
    [t] = tokenize(["a bit better"])
    assert _lemmas(t) == ["a", "bit", "better"]


def test_offsets_are_code_points_and_lines_are_kept_apart():
    text = "P01: 🙂 calm\n\nP02: fine"
    [t] = tokenize([text])
    assert [text[a:b] for a, b in zip(t.start, t.end, strict=True)] == [
        "P01", ":", "🙂", "calm", "P02", ":", "fine"
    ]
    assert t.is_word.tolist() == [True, False, False, True, True, False, True]


@pytest.mark.parametrize(("lang", "text", "lemma"), [
    ("fr", "les enfants couraient", "courir"),
    ("de", "die Kinder liefen", "laufen"),
    ("nl", "de kinderen liepen", "lopen"),
])
def test_other_languages_have_lookup_lemmas(lang, text, lemma):
    [t] = tokenize([text], lang)
    assert lemma in _lemmas(t)


def test_cache_stores_on_disk_and_new_text_misses(tmp_path, monkeypatch):
    cache = TokenCache(tmp_path)
    [a] = cache.get_many([("sha-a", "en", "I relaxed.")])
    assert list(tmp_path.rglob("sha-a.tok"))
    # a fresh cache (another process) reads the file instead of running spaCy again
    calls = []
    real = lexicon.tokenize

    def counting(texts, language="en", vocab=None):
        calls.append(list(texts))
        return real(texts, language, vocab)

    monkeypatch.setattr(lexicon, "tokenize", counting)
    again = TokenCache(tmp_path)
    [b] = again.get_many([("sha-a", "en", "I relaxed.")])
    assert calls == []
    assert _lemmas(b) == _lemmas(a) == ["i", "relax", "."]
    # a corrected document is a new text with a new hash: it is tokenised anew
    [c] = again.get_many([("sha-b", "en", "I relax now.")])
    assert calls == [["I relax now."]]
    assert _lemmas(c) == ["i", "relax", "now", "."]


def test_damaged_cache_file_is_recomputed(tmp_path):
    cache = TokenCache(tmp_path)
    cache.get_many([("sha-a", "en", "calm")])
    [path] = list(tmp_path.rglob("sha-a.tok"))
    path.write_bytes(b"not a zip")
    [t] = TokenCache(tmp_path).get_many([("sha-a", "en", "calm")])
    assert _lemmas(t) == ["calm"]
