"""Agreement coefficients against published worked examples.

Every expected number below is copied from the cited publication (or, where said so, worked by
hand in the comment) -- never produced by running themeqa.
"""

from __future__ import annotations

from typing import ClassVar

import pytest

from themeqa.core.agreement import (
    binary_code_agreement,
    brennan_prediger,
    cohen_kappa,
    coincidence_matrix,
    fleiss_kappa,
    from_counts,
    gwet_ac1,
    krippendorff_alpha,
    pabak,
    percent_agreement,
)

N = None

# Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for
# Communication, departmental paper 43. Section "C. Nominal data, any number of observers,
# missing data": the reliability data matrix of 4 observers (rows A-D) x 12 units, with "."
# (here None) for values an observer did not supply.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],  # observer A
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],  # observer B
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],  # observer C
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],  # observer D
]


class TestKrippendorff2011:
    def test_nominal(self) -> None:
        # Section C: "alpha_nominal = .743".
        assert krippendorff_alpha(KRIPPENDORFF_2011, "nominal") == pytest.approx(0.743, abs=5e-4)

    @pytest.mark.parametrize(
        ("level", "published"),
        # The same data under the other metrics, as reported in the paper's section on
        # the ordinal, interval and ratio metrics: .815, .849, .797.
        [("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
    )
    def test_other_metrics(self, level: str, published: float) -> None:
        assert krippendorff_alpha(KRIPPENDORFF_2011, level) == pytest.approx(published, abs=5e-4)  # type: ignore[arg-type]

    def test_coincidence_matrix(self) -> None:
        # Section C's coincidence matrix: first row 7, 4/3, 1/3, 1/3, 0; value totals
        # n_c = 9, 13, 10, 5, 3 and n = 40 pairable values (unit 12 has a single value).
        categories, o = coincidence_matrix(KRIPPENDORFF_2011)
        assert categories == [1, 2, 3, 4, 5]
        assert o[0].tolist() == pytest.approx([7, 4 / 3, 1 / 3, 1 / 3, 0])
        assert o.sum(axis=1).tolist() == pytest.approx([9, 13, 10, 5, 3])
        assert o.sum() == pytest.approx(40)

    def test_nominal_with_labels(self) -> None:
        # Relabelling categories as strings cannot change nominal alpha.
        names = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
        labelled = [[None if v is None else names[v] for v in row] for row in KRIPPENDORFF_2011]
        assert krippendorff_alpha(labelled) == pytest.approx(0.743, abs=5e-4)


class TestGwetHandbookFourRaters:
    """The same 4 x 12 data are Gwet's (2014) Handbook of Inter-Rater Reliability, 4th ed.,
    example on p. 120, distributed as ``cac.raw4raters`` in Gwet's irrCAC R package."""

    def test_brennan_prediger_by_hand(self) -> None:
        # Units rated >= 2 times: 1-11 (unit 12 has one rating). Per-unit agreement
        # sum_k r_k(r_k-1) / (r(r-1)): units 1,3,4,5,7,9,10,11 -> 1; units 2 and 8 (three of
        # four agree) -> 6/12 = .5; unit 6 (all differ) -> 0. p_a = 9/11. q = 5 categories,
        # so BP = (9/11 - 1/5) / (1 - 1/5) = 34/44.
        assert brennan_prediger(KRIPPENDORFF_2011) == pytest.approx(34 / 44, abs=1e-12)

    def test_ac1(self) -> None:
        # irrCAC vignette "Calculating Chance-corrected Agreement Coefficients",
        # gwet.ac1.raw(cac.raw4raters): AC1 = 0.7754.
        assert gwet_ac1(KRIPPENDORFF_2011) == pytest.approx(0.7754, abs=5e-5)


def _expand(table: list[list[int]]) -> tuple[list[int], list[int]]:
    """Paired label lists from a contingency table (rows = rater A, columns = rater B)."""
    a: list[int] = []
    b: list[int] = []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a += [i] * count
            b += [j] * count
    return a, b


class TestIrrCACAbstractors:
    """Gwet's irrCAC package (R, 2019), vignette "Calculating Chance-corrected Agreement
    Coefficients (CAC)": dataset cont3x3abstractors, 100 pregnant women classified by two
    abstractors as Ectopic / AIU / NIU, with each coefficient's published value."""

    TABLE: ClassVar[list[list[int]]] = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]

    def test_all_coefficients(self) -> None:
        a, b = _expand(self.TABLE)
        assert percent_agreement(a, b) == pytest.approx(0.89, abs=1e-12)
        assert cohen_kappa(a, b) == pytest.approx(0.7964094, abs=5e-8)
        assert gwet_ac1([a, b]) == pytest.approx(0.8493305, abs=5e-8)
        assert brennan_prediger([a, b]) == pytest.approx(0.835, abs=1e-12)
        assert pabak(a, b) == pytest.approx(0.835, abs=1e-12)
        assert krippendorff_alpha([a, b]) == pytest.approx(0.7972585, abs=5e-8)

    def test_scott_pi_is_fleiss_for_two_raters(self) -> None:
        # scott2.table(cont3x3abstractors): Scott's Pi = 0.7962397. Fleiss' table: per unit,
        # how many of the two raters chose each category.
        a, b = _expand(self.TABLE)
        table = [[(x == k) + (y == k) for k in range(3)] for x, y in zip(a, b, strict=True)]
        assert fleiss_kappa(table) == pytest.approx(0.7962397, abs=5e-8)


def test_cohen_1960() -> None:
    # Cohen, J. (1960). A coefficient of agreement for nominal scales. Educ Psychol Meas 20:37-46,
    # worked example of 200 subjects in 3 categories: p_o = .70, p_c = .41, kappa = .492.
    # Marginal proportions .60/.30/.10 (judge A) and .50/.30/.20 (judge B) give
    # p_c = .30 + .09 + .02 = .41; diagonal 88 + 40 + 12 = 140 of 200 gives p_o = .70. Kappa
    # depends only on the diagonal and the margins; the off-diagonal split below is one table
    # consistent with them.
    table = [[88, 14, 18], [10, 40, 10], [2, 6, 12]]
    a, b = _expand(table)
    assert percent_agreement(a, b) == pytest.approx(0.70, abs=1e-12)
    assert cohen_kappa(a, b) == pytest.approx(0.492, abs=5e-4)
    assert cohen_kappa(a, b) == pytest.approx((0.70 - 0.41) / (1 - 0.41), abs=1e-12)


# Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychol Bull 76:
# 378-382, Table 1: 30 patients, 6 psychiatrists each, categories depression, personality
# disorder, schizophrenia, neurosis, other. Reported kappa = .430.
FLEISS_1971 = [
    [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0],
    [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6],
    [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
    [0, 0, 5, 0, 1], [3, 0, 0, 1, 2], [5, 1, 0, 0, 0], [0, 2, 0, 4, 0], [1, 0, 2, 0, 3],
    [0, 0, 0, 0, 6], [0, 1, 0, 5, 0], [0, 2, 0, 1, 3], [2, 0, 0, 4, 0], [1, 0, 0, 4, 1],
    [0, 5, 0, 1, 0], [4, 0, 0, 0, 2], [0, 2, 0, 4, 0], [1, 0, 5, 0, 0], [0, 0, 0, 0, 6],
]  # fmt: skip


def test_fleiss_1971() -> None:
    assert len(FLEISS_1971) == 30
    assert fleiss_kappa(FLEISS_1971) == pytest.approx(0.430, abs=5e-4)


class TestBinaryByHand:
    """A 2x2 table worked by hand: both = 40, only A = 5, only B = 10, neither = 45 (N = 100)."""

    def test_counts_and_coefficients(self) -> None:
        a = [True] * 40 + [True] * 5 + [False] * 10 + [False] * 45
        b = [True] * 40 + [False] * 5 + [True] * 10 + [False] * 45
        s = binary_code_agreement(a, b)
        assert (s.both, s.only_a, s.only_b, s.neither, s.n) == (40, 5, 10, 45, 100)
        # p_o = (40 + 45) / 100
        assert s.percent == pytest.approx(0.85, abs=1e-12)
        # Cohen: A applied it 45 times, B 50 times -> p_e = (.45 * .50 + .55 * .50) = .50,
        # kappa = (.85 - .50) / (1 - .50) = .70
        assert s.kappa == pytest.approx(0.70, abs=1e-12)
        # Gwet AC1 (two raters): pi = (45 + 50) / 200 = .475, p_e = 2 * .475 * .525 = .49875,
        # AC1 = (.85 - .49875) / (1 - .49875) = .35125 / .50125
        assert s.ac1 == pytest.approx(0.35125 / 0.50125, abs=1e-12)
        # PABAK = 2 p_o - 1 (Byrt et al. 1993) = .70; BP with q = 2 is the same
        assert s.pabak == pytest.approx(0.70, abs=1e-12)
        assert s.brennan_prediger == s.pabak
        # Krippendorff (binary, 2 coders): n = 200 values, n_1 = 95, n_0 = 105, 15 disagreeing
        # units -> alpha = 1 - 199 * 15 / (105 * 95) = 1 - 2985 / 9975
        assert s.alpha == pytest.approx(1 - 2985 / 9975, abs=1e-12)
        assert from_counts(40, 5, 10, 45) == s

    def test_general_functions_agree_with_hand_values(self) -> None:
        a = [1] * 45 + [0] * 55
        b = [1] * 40 + [0] * 5 + [1] * 10 + [0] * 45
        assert pabak(a, b) == pytest.approx(0.70, abs=1e-12)
        assert brennan_prediger([a, b]) == pytest.approx(0.70, abs=1e-12)
        assert gwet_ac1([a, b]) == pytest.approx(0.35125 / 0.50125, abs=1e-12)
