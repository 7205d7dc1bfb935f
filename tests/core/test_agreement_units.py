"""Units of agreement: codings -> per-unit presence, character counts, participants, matching.

The fixture is small enough to work every answer out by hand (see the comments next to it).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from themeqa.core.agreement import binary_code_agreement, bootstrap_binary_ci, bootstrap_tables_ci
from themeqa.core.agreement_units import (
    Counts2x2,
    character_presence,
    character_segments,
    match_spans,
    participant_presence,
    per_document_counts,
    presence_matrix,
    rollup_codes,
    rollup_codings,
)

PARENT, CHILD = 1, 2
PARENT_OF = {PARENT: None, CHILD: PARENT}
CODERS = ["ann", "ben"]
CODES = [PARENT, CHILD]
T, F = True, False

# Two documents of 30 characters, three turns each (unit index in brackets):
#   doc 1: [0] 0-10 P01   [1] 10-20 facilitator   [2] 20-30 P02
#   doc 2: [3] 0-10 P01   [4] 10-20 P03           [5] 20-30 P02
UNITS = pd.DataFrame(
    {
        "document": [1, 1, 1, 2, 2, 2],
        "start": [0, 10, 20, 0, 10, 20],
        "end": [10, 20, 30, 10, 20, 30],
        "participant": ["P01", None, "P02", "P01", "P03", "P02"],
    }
)
DOC_LENGTHS = {1: 30, 2: 30}
CODINGS = pd.DataFrame(
    [
        (1, 2, 8, CHILD, "ann"),  # unit 0
        (1, 5, 15, CHILD, "ben"),  # spans units 0 and 1
        (1, 12, 20, PARENT, "ann"),  # unit 1 only: ends exactly where unit 2 starts
        (2, 20, 25, PARENT, "ben"),  # unit 5
        (2, 8, 10, CHILD, "ann"),  # unit 3 only: end == start of unit 4
        (2, 10, 18, CHILD, "ben"),  # unit 4
        (1, 6, 9, CHILD, "ann"),  # overlaps ann's own 2-8 coding: union 2-9
        (1, 0, 30, PARENT, "cat"),  # a third coder, not compared
    ],
    columns=["document", "start", "end", "code", "coder"],
)


def test_presence_matrix_by_hand() -> None:
    got = presence_matrix(CODINGS, UNITS, CODERS, CODES)
    assert set(got) == {PARENT, CHILD}
    np.testing.assert_array_equal(got[PARENT], [[F, T, F, F, F, F], [F, F, F, F, F, T]])
    np.testing.assert_array_equal(got[CHILD], [[T, F, F, T, F, F], [T, T, F, F, T, F]])
    assert got[CHILD].shape == (2, 6) and got[CHILD].dtype == bool


def test_coding_spanning_two_units_marks_both() -> None:
    one = CODINGS.iloc[[1]]  # ben, doc 1, 5-15
    got = presence_matrix(one, UNITS, CODERS, [CHILD])[CHILD]
    np.testing.assert_array_equal(got, [[F] * 6, [T, T, F, F, F, F]])


def test_touching_a_boundary_is_not_overlap() -> None:
    codings = pd.DataFrame(
        {
            "document": [1, 1, 1],
            "start": [5, 20, 19],
            "end": [10, 25, 21],  # ends at unit 1's start; starts at unit 2's start; 1 char each
            "code": [CHILD] * 3,
            "coder": ["ann", "ben", "ann"],
        }
    )
    got = presence_matrix(codings, UNITS, CODERS, [CHILD])[CHILD]
    # ann: 5-10 -> unit 0 only; 19-21 shares char 19 with unit 1 and char 20 with unit 2.
    np.testing.assert_array_equal(got, [[T, T, T, F, F, F], [F, F, T, F, F, F]])


def test_unit_order_is_the_callers() -> None:
    shuffled = UNITS.iloc[[5, 2, 0, 4, 1, 3]].reset_index(drop=True)
    got = presence_matrix(CODINGS, shuffled, CODERS, CODES)
    expected = presence_matrix(CODINGS, UNITS, CODERS, CODES)
    for code in CODES:
        np.testing.assert_array_equal(got[code], expected[code][:, [5, 2, 0, 4, 1, 3]])


def test_whole_document_units_and_codings_elsewhere_ignored() -> None:
    docs = pd.DataFrame({"document": [2], "start": [0], "end": [30]})  # doc 1 not sampled
    got = presence_matrix(CODINGS, docs, CODERS, CODES)
    np.testing.assert_array_equal(got[PARENT], [[F], [T]])
    np.testing.assert_array_equal(got[CHILD], [[T], [T]])


def test_empty_and_overlapping_units_are_rejected_and_empty_codings_ignored() -> None:
    overlapping = pd.DataFrame({"document": [1, 1], "start": [0, 5], "end": [10, 15]})
    with pytest.raises(ValueError, match="overlap"):
        presence_matrix(CODINGS, overlapping, CODERS, CODES)
    empty = pd.DataFrame({"document": [1], "start": [3], "end": [3]})
    with pytest.raises(ValueError, match="start < end"):
        presence_matrix(CODINGS, empty, CODERS, CODES)
    zero = pd.DataFrame(
        {"document": [1], "start": [4], "end": [4], "code": [CHILD], "coder": ["ann"]}
    )
    assert not presence_matrix(zero, UNITS, CODERS, [CHILD])[CHILD].any()


def test_character_counts_by_hand() -> None:
    got = character_presence(CODINGS, DOC_LENGTHS, CODERS, CODES)
    # CHILD: ann = doc1 2-9 (7 chars, union of 2-8 and 6-9) + doc2 8-10 (2) = 9 characters;
    # ben = doc1 5-15 (10) + doc2 10-18 (8) = 18. Shared: doc1 5-9 = 4; doc2 none (8-10 vs 10-18).
    # only_a = 9 - 4 = 5, only_b = 18 - 4 = 14, neither = 60 - 4 - 5 - 14 = 37.
    assert got[CHILD] == Counts2x2(4, 5, 14, 37)
    # PARENT: ann doc1 12-20 (8), ben doc2 20-25 (5), never together; "cat" is ignored.
    assert got[PARENT] == Counts2x2(0, 8, 5, 47)
    assert sum(got[CHILD]) == sum(DOC_LENGTHS.values())


def test_character_segments_n_coders_and_per_document() -> None:
    seg = character_segments(CODINGS, DOC_LENGTHS, ["ann", "ben", "cat"], [PARENT])[PARENT]
    # Doc 1 cuts at 0, 12, 20, 30; doc 2 at 0, 20, 25, 30.
    np.testing.assert_array_equal(seg.documents, [1, 1, 1, 2, 2, 2])
    np.testing.assert_array_equal(seg.starts, [0, 12, 20, 0, 20, 25])
    np.testing.assert_array_equal(seg.lengths, [12, 8, 10, 20, 5, 5])
    np.testing.assert_array_equal(
        seg.presence,
        [[F, T, F, F, F, F], [F, F, F, F, T, F], [T, T, T, F, F, F]],
    )
    per_doc = per_document_counts(
        seg.presence[0], seg.presence[1], seg.documents, weights=seg.lengths
    )
    np.testing.assert_array_equal(per_doc, [[0, 8, 0, 22], [0, 0, 5, 25]])


def test_character_coding_outside_document_raises() -> None:
    with pytest.raises(ValueError, match="outside"):
        character_presence(CODINGS, {1: 30, 2: 20}, CODERS, CODES)
    with pytest.raises(ValueError, match="two coders"):
        character_presence(CODINGS, DOC_LENGTHS, ["ann"], CODES)


def test_participant_presence_by_hand() -> None:
    got = participant_presence(CODINGS, UNITS, CODERS, CODES)
    assert got.participants == ["P01", "P02", "P03"]
    # PARENT: ann's only coding is on the facilitator turn -> credits nobody; ben's is P02's.
    np.testing.assert_array_equal(got.presence[PARENT], [[F, F, F], [F, T, F]])
    # CHILD: ann codes P01 in both of P01's turns (one participant, counted once);
    # ben codes P01 (doc 1), the facilitator (ignored) and P03.
    np.testing.assert_array_equal(got.presence[CHILD], [[T, F, F], [T, F, T]])
    rolled = participant_presence(CODINGS, UNITS, CODERS, CODES, rollup=PARENT_OF)
    np.testing.assert_array_equal(rolled.presence[PARENT], [[T, F, F], [T, T, T]])
    np.testing.assert_array_equal(rolled.presence[CHILD], got.presence[CHILD])


def test_rollup_ors_child_into_parent() -> None:
    presence = presence_matrix(CODINGS, UNITS, CODERS, CODES)
    rolled = rollup_codes(presence, PARENT_OF)
    np.testing.assert_array_equal(rolled[PARENT], [[T, T, F, T, F, F], [T, T, F, F, T, T]])
    np.testing.assert_array_equal(rolled[CHILD], presence[CHILD])
    assert not presence[PARENT][0, 0]  # input untouched


def test_rollup_through_grandchildren_and_codings() -> None:
    parent_of = {1: None, 2: 1, 3: 2}
    presence = {1: np.array([F, F, F]), 2: np.array([F, F, F]), 3: np.array([F, T, F])}
    rolled = rollup_codes(presence, parent_of)
    np.testing.assert_array_equal(rolled[1], [F, T, F])
    np.testing.assert_array_equal(rolled[2], [F, T, F])
    with pytest.raises(ValueError, match="cycle"):
        rollup_codes(presence, {1: 3, 2: 1, 3: 2})
    # Rolling up codings first gives the same unit presence as rolling up the matrices.
    via_codings = presence_matrix(rollup_codings(CODINGS, PARENT_OF), UNITS, CODERS, CODES)
    via_matrix = rollup_codes(presence_matrix(CODINGS, UNITS, CODERS, CODES), PARENT_OF)
    for code in CODES:
        np.testing.assert_array_equal(via_codings[code], via_matrix[code])


def _spans(rows: list[tuple[int, int, int, int]], index: list[int] | None = None) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["document", "start", "end", "code"], index=index)


@pytest.mark.parametrize(
    ("b_start", "shared", "matches"), [(51, 49, False), (50, 50, True), (49, 51, True)]
)
def test_span_match_threshold_of_the_shorter(b_start: int, shared: int, matches: bool) -> None:
    # A is 1000 characters, B is 100: the share is measured against B, the shorter.
    a = _spans([(1, 0, 1000, CHILD)])
    b = _spans([(1, 1000 - shared, 1000 - shared + 100, CHILD)])
    got = match_spans(a, b, threshold=0.5)
    assert (got.n_matched, got.n_only_a, got.n_only_b) == ((1, 0, 0) if matches else (0, 1, 1))
    # Equal lengths: B shifted against A [0, 100).
    a100 = _spans([(1, 0, 100, CHILD)])
    b100 = _spans([(1, b_start, b_start + 100, CHILD)])
    assert match_spans(a100, b100, threshold=0.5).n_matched == int(matches)


def test_span_match_threshold_boundary_other_fraction() -> None:
    a = _spans([(1, 0, 100, CHILD)])
    b = _spans([(1, 49, 149, CHILD)])  # 51 of 100 shared
    assert match_spans(a, b, threshold=0.51).n_matched == 1
    assert match_spans(a, b, threshold=0.52).n_matched == 0
    with pytest.raises(ValueError):
        match_spans(a, b, threshold=0.0)


def test_span_match_is_one_to_one_and_greedy_by_overlap() -> None:
    a = _spans([(1, 0, 100, CHILD), (1, 200, 260, CHILD)], index=[10, 11])
    b = _spans(
        [
            (1, 50, 100, CHILD),  # 50 shared with A10, listed first
            (1, 0, 60, CHILD),  # 60 shared with A10: the larger overlap wins
            (1, 200, 260, PARENT),  # same place, other code: no match
            (2, 200, 260, CHILD),  # same place, other document: no match
        ],
        index=[20, 21, 22, 23],
    )
    got = match_spans(a, b)
    assert got.matched == [(10, 21)]
    assert got.only_a == [11]
    assert got.only_b == [20, 22, 23]
    assert (got.n_matched, got.n_only_a, got.n_only_b) == (1, 1, 3)


def test_per_document_counts_sum_to_pooled_and_feed_the_bootstrap() -> None:
    presence = presence_matrix(CODINGS, UNITS, CODERS, CODES)
    ann, ben = presence[CHILD]
    counts = per_document_counts(ann, ben, UNITS["document"].to_numpy())
    # doc 1: unit 0 both, unit 1 only ben, unit 2 neither; doc 2: only ann, only ben, neither.
    np.testing.assert_array_equal(counts, [[1, 0, 1, 1], [0, 1, 1, 1]])
    pooled = binary_code_agreement(ann, ben)
    assert tuple(counts.sum(axis=0)) == (pooled.both, pooled.only_a, pooled.only_b, pooled.neither)

    groups = [(ann[:3], ben[:3]), (ann[3:], ben[3:])]
    direct = bootstrap_binary_ci(groups, "percent", n_boot=200, seed=3)
    [rebuilt] = bootstrap_tables_ci(counts[None], "percent", n_boot=200, seed=3)
    assert direct == rebuilt


# --- properties ------------------------------------------------------------------------------


@st.composite
def _inputs(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    units = []
    for doc in range(3):
        cuts = sorted(draw(st.sets(st.integers(0, 40), max_size=8)))
        for lo, hi in itertools.pairwise(cuts):
            if draw(st.booleans()):  # leave gaps between some units
                units.append((doc, lo, hi))
    units = draw(st.permutations(units))
    coding = st.tuples(
        st.integers(0, 3),  # document 3 never has units
        st.integers(0, 39),
        st.integers(1, 12),
        st.integers(0, 2),  # code 2 not asked for
        st.sampled_from(["a", "b", "c"]),  # coder c not asked for
    )
    rows = [(d, s, s + n, code, who) for d, s, n, code, who in draw(st.lists(coding, max_size=15))]
    return (
        pd.DataFrame(rows, columns=["document", "start", "end", "code", "coder"]),
        pd.DataFrame(units, columns=["document", "start", "end"]),
    )


@settings(max_examples=200, deadline=None)
@given(_inputs())
def test_presence_matrix_equals_naive_double_loop(data: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    codings, units = data
    coders, codes = ["a", "b"], [0, 1]
    got = presence_matrix(codings, units, coders, codes)
    for k, code in enumerate(codes):
        expected = np.zeros((len(coders), len(units)), dtype=bool)
        for c in codings.itertuples():
            if c.code != code or c.coder not in coders:
                continue
            for j, u in enumerate(units.itertuples()):
                if c.document == u.document and c.start < u.end and c.end > u.start:
                    expected[coders.index(c.coder), j] = True
        np.testing.assert_array_equal(got[code], expected, err_msg=f"code {codes[k]}")


@settings(max_examples=100, deadline=None)
@given(_inputs())
def test_character_counts_equal_per_character_arrays(
    data: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    codings, _ = data
    lengths = {0: 55, 1: 60, 2: 0, 5: 7}  # document 3 not in the comparison; 5 never coded
    codings = codings[codings["document"] != 2]
    got = character_presence(codings, lengths, ["a", "b"], [0, 1])
    for code in (0, 1):
        a_all, b_all = [], []
        for doc, n in lengths.items():
            a, b = np.zeros(n, bool), np.zeros(n, bool)
            for c in codings.itertuples():
                if c.document == doc and c.code == code:
                    if c.coder == "a":
                        a[c.start : c.end] = True
                    elif c.coder == "b":
                        b[c.start : c.end] = True
            a_all.append(a)
            b_all.append(b)
        s = binary_code_agreement(np.concatenate(a_all), np.concatenate(b_all))
        assert got[code] == Counts2x2(s.both, s.only_a, s.only_b, s.neither)
