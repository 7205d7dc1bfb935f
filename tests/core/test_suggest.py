"""TF-IDF code suggestions: the idf formula by hand, ranking and leave-one-out on a toy set."""

from __future__ import annotations

import math

import pytest

from themeqa.core.suggest import build_model, leave_one_out_topk

REFERENCE = [
    ["garden", "flower", "sun"],
    ["hospital", "nurse", "bed"],
    ["garden", "bench"],
]
CODED = [
    (["garden", "flower"], "place"),
    (["garden", "bench", "sun"], "place"),
    (["hospital", "nurse"], "care"),
    (["nurse", "bed", "hospital"], "care"),
]


def test_idf_is_smoothed_as_documented():
    model = build_model(REFERENCE, CODED)
    # N = 3 reference + 4 coded passages = 7; "bench" occurs in 2 of them
    j = model.vocabulary["bench"]
    assert model.idf[j] == pytest.approx(math.log((1 + 7) / (1 + 2)) + 1)


def test_rank_puts_the_similar_code_first_and_skips_zero_scores():
    model = build_model(REFERENCE, CODED)
    ranked = model.rank(["flower", "garden", "path"], k=3)
    assert [c for c, _ in ranked] == ["place"], "care shares no word and scores 0"
    assert 0 < ranked[0][1] <= 1
    assert model.rank(["unknown"], k=3) == []


def test_leave_one_out_on_separable_toy_data():
    hits, trials = leave_one_out_topk(REFERENCE, CODED, k=1)
    assert (hits, trials) == (4, 4)
    # a code with one example cannot be suggested for itself: skipped
    hits, trials = leave_one_out_topk(REFERENCE, [*CODED, (["sun"], "weather")], k=1)
    assert trials == 4
