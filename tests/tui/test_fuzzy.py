"""The fuzzy ranking behind the code palette."""

from __future__ import annotations

from themeqa.tui.fuzzy import Candidate, rank

CODES = [
    Candidate(1, "2", "Fear of compassion", "Being afraid of receiving kindness"),
    Candidate(2, "2a", "Others are unreliable", "Other people will let you down"),
    Candidate(3, "2b", "Undeserving", "Not worthy of kindness"),
    Candidate(4, "F1", "Safe place", "A place where one feels protected"),
]


def test_exact_label_wins():
    assert rank("2a", CODES)[0].value == 2
    assert rank("F1", CODES)[0].value == 4


def test_name_and_definition_words_match():
    assert rank("unreli", CODES)[0].value == 2
    assert rank("protected", CODES)[0].value == 4  # only in the definition
    assert [c.value for c in rank("zzzzqqq", CODES)] == []


def test_empty_query_lists_everything_in_order():
    assert [c.value for c in rank("", CODES)] == [1, 2, 3, 4]
