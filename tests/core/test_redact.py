"""Masking what de-identification removed: same length, nothing kept that the de-identified
version does not show, and the removed stretches found without the key."""

from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from themeqa.core.redact import MASK, mask_removed, term_pattern

ORIGINAL = (
    "Facilitator: Welcome back.\n"
    "P01: Ken Smith drove me from Leeds on 12 March 2024. It was calm.\n"
    "Dana: Sorry, Dana again. I may go in March.\n"
)
KEPT = (
    "Facilitator: Welcome back.\n"
    "P01: [PERSON 1] drove me from a city on [DATE]. It was calm.\n"
    "P01: Sorry, P01 again. I may go in March.\n"
)


def _m(s: str) -> str:
    return MASK * len(s)


def test_worked_example():
    masked, terms = mask_removed(ORIGINAL, KEPT)
    assert masked == (
        "Facilitator: Welcome back.\n"
        f"P01: {_m('Ken Smith')} drove me from {_m('Leeds')} on {_m('12 March 2024')}. "
        "It was calm.\n"
        f"{_m('Dana')}: Sorry, {_m('Dana')} again. I may go in March.\n"
    )
    # "March" alone is still in the kept text ("in March"): not a removed term.
    assert terms == ["Ken Smith", "Leeds", "12 March 2024", "Dana"]


def test_masking_twice_changes_nothing_and_finds_no_term():
    masked, _ = mask_removed(ORIGINAL, KEPT)
    assert mask_removed(masked, KEPT) == (masked, [])
    assert mask_removed(KEPT, KEPT) == (KEPT, [])


def test_term_pattern_finds_whole_words_as_written_or_in_capitals():
    p = term_pattern(["Ken", "Leeds"])
    assert p.search("ask KEN") and p.search("Leeds!") and p.search("(Ken)")
    assert not p.search("Kenneth") and not p.search("token") and not p.search("ken")
    assert not term_pattern([]).search("anything")


_WORDS = ["the", "a", "calm", "was", "it", "I", "go", "we", "and", "felt"]
_NAMES = ["Ken", "Dana", "Bess", "Leeds", "Amira"]


@st.composite
def _deidentified(draw):
    """An original of common words and names, and the same text with every name replaced
    by a placeholder sharing no word with the original (as ``apply_review`` writes it)."""
    rnd = random.Random(draw(st.integers(0, 10**9)))
    n = draw(st.integers(1, 60))
    tokens = []
    for _ in range(n):
        word = rnd.choice(_NAMES) if rnd.random() < 0.2 else rnd.choice(_WORDS)
        tokens.append(word + rnd.choice([" ", " ", ", ", ".\n", ": "]))
    original = "".join(tokens)
    kept = original
    for k, name in enumerate(_NAMES):
        kept = re.sub(rf"\b{name}\b", f"[PERSON {k + 1}]", kept)
    return original, kept


def _is_subsequence(small: str, big: str) -> bool:
    it = iter(big)
    return all(ch in it for ch in small)


@settings(max_examples=200, deadline=None)
@given(_deidentified())
def test_masked_original_keeps_offsets_and_reveals_nothing_new(pair):
    original, kept = pair
    masked, terms = mask_removed(original, kept)
    assert len(masked) == len(original)
    assert [i for i, ch in enumerate(masked) if ch == "\n"] == [
        i for i, ch in enumerate(original) if ch == "\n"]
    for name in _NAMES:
        assert not term_pattern([name]).search(masked)
    # What is not masked appears, in order, in the de-identified text.
    assert _is_subsequence(masked.replace(MASK, ""), kept)
    # Each removed stretch holds a name (never only common words, which would make the purge
    # blank every audit text holding "the").
    assert all(set(re.findall(r"\w+", t)) & set(_NAMES) for t in terms)
    assert {n for n in _NAMES if re.search(rf"\b{n}\b", original)} <= {
        w for t in terms for w in re.findall(r"\w+", t)}
