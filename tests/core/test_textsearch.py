"""Matching on token tables: phrases, word forms, wildcards, regex, keyword in context.

Tables are built by hand here (no spaCy), so each expected span is visible in the test.
"""

from __future__ import annotations

import pytest

from themeqa.core.textsearch import (
    QueryError,
    kwic,
    match_phrases,
    matching_ids,
    parse_query,
    regex_spans,
)
from themeqa.core.tokens import TokenTable, Vocabulary

TEXT = "I relaxed. Relaxation, of course, helps; fear of others too."


def _table(vocab=None):
    # (start, end, norm, lemma, is_stop, is_word) written out by hand for TEXT
    toks = [
        (0, 1, "i", "i", True, True),
        (2, 9, "relaxed", "relax", False, True),
        (9, 10, ".", ".", False, False),
        (11, 21, "relaxation", "relaxation", False, True),
        (21, 22, ",", ",", False, False),
        (23, 25, "of", "of", True, True),
        (26, 32, "course", "course", False, True),
        (32, 33, ",", ",", False, False),
        (34, 39, "helps", "help", False, True),
        (39, 40, ";", ";", False, False),
        (41, 45, "fear", "fear", False, True),
        (46, 48, "of", "of", True, True),
        (49, 55, "others", "other", True, True),
        (56, 59, "too", "too", True, True),
        (59, 60, ".", ".", False, False),
    ]
    for a, b, norm, *_ in toks:
        assert TEXT[a:b].lower() == norm
    return TokenTable.from_tokens(toks, vocab or Vocabulary())


def test_parse_query_splits_alternatives_and_phrases():
    assert parse_query('relax "fear of" Compass*') == [("relax",), ("fear", "of"), ("compass*",)]
    with pytest.raises(QueryError):
        parse_query('"unbalanced')
    with pytest.raises(QueryError):
        parse_query("  ")


def test_lemma_match_finds_inflection_and_derivation():
    t = _table()
    spans = match_phrases(t, [("relax",)])
    assert [TEXT[a:b] for a, b in spans] == ["relaxed", "Relaxation"]
    assert [TEXT[a:b] for a, b in match_phrases(t, [("relax",)], derived=False)] == ["relaxed"]


def test_exact_match_on_forms_does_not_use_lemmas():
    t = _table()
    assert match_phrases(t, [("relax",)], field="norm", derived=False) == []
    assert match_phrases(t, [("helps",)], field="norm", derived=False) == [(34, 39)]


def test_phrase_skips_punctuation_but_needs_consecutive_words():
    t = _table()
    assert [TEXT[a:b] for a, b in match_phrases(t, [("fear", "of")])] == ["fear of"]
    # "relaxation, of course": punctuation between words of a phrase is skipped
    assert [TEXT[a:b] for a, b in match_phrases(t, [("relaxation", "of")], derived=False)] == [
        "Relaxation, of"
    ]
    assert match_phrases(t, [("fear", "course")]) == []


def test_wildcard_and_alternatives_are_sorted_and_unique():
    t = _table()
    spans = match_phrases(t, [("rela*",), ("help",), ("relax",)])
    assert [TEXT[a:b] for a, b in spans] == ["relaxed", "Relaxation", "helps"]


def test_derivations_stop_at_listed_suffixes():
    v = Vocabulary()
    v.ids(["care", "careful", "carefully", "career", "relate", "relation", "caress"])
    found = {v.words[i] for i in matching_ids(v, "care", derived=True)}
    assert found == {"care", "careful", "carefully"}
    assert {v.words[i] for i in matching_ids(v, "relate", derived=True)} == {"relate", "relation"}


def test_regex_spans_and_bad_pattern():
    assert regex_spans(TEXT, r"\brelax\w*") == [(2, 9), (11, 21)]
    assert regex_spans(TEXT, r"\b") == [], "empty matches are not hits"
    with pytest.raises(QueryError):
        regex_spans(TEXT, "(")


def test_kwic_keeps_one_line_and_the_match():
    text = "first line\nsecond relaxed line\nthird"
    k = kwic(text, 18, 25, width=8)
    assert k.match == "relaxed"
    assert "\n" not in k.left + k.right
    assert k.line() == "e second [relaxed] line thi"


def test_table_round_trips_through_arrays_into_another_vocabulary():
    t = _table()
    other = Vocabulary()
    other.ids(["zzz", "fear"])  # ids differ in the new vocabulary
    back = TokenTable.from_arrays(t.to_arrays(), other)
    assert [other.words[i] for i in back.lemma] == [t.vocab.words[i] for i in t.lemma]
    assert back.start.tolist() == t.start.tolist()


def test_split_filters_takes_known_keys_only():
    from themeqa.core.textsearch import split_filters

    assert split_filters("relax condition:I in:inhibitors::2 kind:written") == (
        "relax", {"condition": "I", "in": "inhibitors::2", "kind": "written"}
    )
    assert split_filters(r"time:\d+ mode:regex") == (r"time:\d+", {"mode": "regex"})
    assert split_filters('"fear of" speaker:P03') == ('"fear of"', {"speaker": "P03"})
    assert split_filters("calm only:participants") == ("calm", {"only": "participants"})
