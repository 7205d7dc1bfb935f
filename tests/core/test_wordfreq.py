"""Word counts and keyness against hand calculations and scipy's G-test."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import power_divergence

from themeqa.core.tokens import TokenTable, Vocabulary
from themeqa.core.wordfreq import (
    count_lemmas,
    distinctive_words,
    g2,
    log_odds_z,
    tokens_in_spans,
)


def test_g2_matches_hand_calculation_and_scipy_g_test():
    # y_a = 10 of 1,000 tokens, y_b = 2 of 1,000: E_a = E_b = 6
    # G2 = 2 (10 ln(10/6) + 2 ln(2/6)) = 5.822063
    hand = 2 * (10 * math.log(10 / 6) + 2 * math.log(2 / 6))
    assert g2(np.array([10]), np.array([2]), 1000, 1000)[0] == pytest.approx(hand)
    assert hand == pytest.approx(5.822063, abs=1e-6)
    scipy_g = power_divergence([10, 2], f_exp=[6, 6], lambda_="log-likelihood").statistic
    assert hand == pytest.approx(scipy_g)
    # the sign says which group uses the word more; a zero count contributes 0 ln 0 = 0
    assert g2(np.array([2]), np.array([10]), 1000, 1000)[0] == pytest.approx(-hand)
    assert g2(np.array([0]), np.array([4]), 100, 100)[0] == pytest.approx(-2 * 4 * math.log(2))


def test_log_odds_z_hand_calculation():
    # y_a = (3, 1), y_b = (1, 3), prior alpha = (1, 1), alpha_0 = 2, n_a = n_b = 4
    # delta_0 = ln(4 / (4+2-3-1)) - ln(2 / (4+2-1-1)) = ln 2 + ln 2
    # var_0 = 1/4 + 1/2; z_0 = 2 ln 2 / sqrt(0.75) = 1.386294 / 0.866025 = 1.600755
    z = log_odds_z([3, 1], [1, 3], [1, 1])
    assert z[0] == pytest.approx(2 * math.log(2) / math.sqrt(0.75))
    assert z[0] == pytest.approx(1.600755, abs=1e-6)
    assert z[1] == pytest.approx(-z[0])


def test_distinctive_words_on_a_toy_corpus_with_a_known_answer():
    a = {"calm": 30, "warm": 12, "feel": 20, "tree": 1}
    b = {"fear": 25, "tense": 10, "feel": 21, "tree": 1}
    frame = distinctive_words(a, b)
    assert frame.iloc[0]["word"] == "calm"
    assert frame.iloc[-1]["word"] == "fear"
    shared = frame.set_index("word").loc["feel"]
    assert abs(shared["z"]) < 0.5 and abs(shared["g2"]) < 0.5
    assert frame.set_index("word").loc["calm", "count_b"] == 0
    assert list(frame.columns) == [
        "word", "count_a", "count_b", "per_1000_a", "per_1000_b", "z", "g2"
    ]


def _table():
    v = Vocabulary()
    toks = [
        (0, 3, "the", "the", True, True),
        (4, 9, "trees", "tree", False, True),
        (9, 10, ",", ",", False, False),
        (11, 15, "tree", "tree", False, True),
        (16, 19, "p03", "p03", False, True),
        (20, 22, "ok", "ok", False, True),
        (23, 29, "warmth", "warmth", False, True),
    ]
    return TokenTable.from_tokens(toks, v)


def test_count_lemmas_excludes_stop_words_short_words_and_labels():
    t = _table()
    counts = count_lemmas([(t, None)], min_length=3, exclude={"P03"})
    assert counts == {"tree": 2, "warmth": 1}
    assert count_lemmas([(t, None)], min_length=2, keep_stop_words=True, exclude=())["the"] == 1


def test_tokens_in_spans_takes_whole_tokens_only():
    t = _table()
    mask = tokens_in_spans(t, [(4, 15), (25, 29)])
    assert mask.tolist() == [False, True, True, True, False, False, False]
    counts = count_lemmas([(t, mask)])
    assert counts == {"tree": 2}
