"""themeqa.core.stats against scipy's own results, published worked examples and hand sums.

Published examples written out here:
* Field, A. (2013). *Discovering Statistics Using IBM SPSS Statistics* (4th ed.), ch. 9:
  spider anxiety, picture (n=12) vs real spider (n=12). SPSS output: means 40.00 / 47.00,
  SD 9.293 / 11.029, Levene F = .782, Sig. = .386, t(22) = -1.681, p = .107, Welch
  t(21.385) = -1.681, p = .107.
* Field (2013), ch. 18: cats trained with food vs affection, danced or not:
  [[28, 10], [48, 114]]. SPSS: Pearson chi-square 25.356, continuity correction 23.520,
  odds ratio 6.65.
* Agresti, A. (2002). *Categorical Data Analysis* (2nd ed.), section 2.3: Physicians'
  Health Study, MI yes/no for placebo [189, 10845] and aspirin [104, 10933]: sample odds
  ratio 1.832, 95 % Woolf CI (1.44, 2.33).
* Fisher (1935), lady tasting tea, [[3, 1], [1, 3]]: two-sided exact p = 0.486
  (Agresti 2002, section 3.5.2).
* Anscombe, F. J. (1973). Graphs in statistical analysis. *Am Stat* 27:17-21, data set I:
  r = 0.816.
* Benjamini & Hochberg (1995), section 4: 15 p-values; at q = .05 BH rejects the four
  smallest, Bonferroni-type procedures (Holm) the three smallest.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from themeqa.core.stats import (
    StatsError,
    adjust_pvalues,
    cohens_d,
    compare_groups,
    contingency,
    correlate,
    crosstab,
    hedges_correction,
    odds_ratio,
)

PICTURE = [30, 35, 45, 40, 50, 35, 55, 25, 30, 45, 40, 50]
REAL = [40, 35, 50, 55, 65, 55, 50, 35, 30, 50, 60, 39]
ANSCOMBE_X = [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5]
ANSCOMBE_Y1 = [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68]
BH_P = [
    0.0001,
    0.0004,
    0.0019,
    0.0095,
    0.0201,
    0.0278,
    0.0298,
    0.0344,
    0.0459,
    0.3240,
    0.4262,
    0.5719,
    0.6528,
    0.7590,
    1.000,
]


# --- t tests ---------------------------------------------------------------------------------


def test_field_spider_example_matches_spss_output():
    r = compare_groups(PICTURE, REAL)
    assert (r.n1, r.n2) == (12, 12)
    assert r.mean1 == pytest.approx(40.0) and r.mean2 == pytest.approx(47.0)
    assert round(r.sd1, 3) == 9.293 and round(r.sd2, 3) == 11.029
    assert round(r.levene_f, 3) == 0.782 and round(r.levene_p, 3) == 0.386
    assert (r.levene_df1, r.levene_df2) == (1, 22)
    assert round(r.t, 3) == -1.681 and r.df == 22 and round(r.p, 3) == 0.107
    assert round(r.welch_t, 3) == -1.681 and round(r.welch_df, 3) == 21.385
    assert round(r.welch_p, 3) == 0.107


def test_t_tests_equal_scipy():
    rng = np.random.default_rng(7)
    a, b = rng.normal(3, 1, 17), rng.normal(2.4, 1.6, 11)
    r = compare_groups(a, b)
    st, we = sps.ttest_ind(a, b), sps.ttest_ind(a, b, equal_var=False)
    lev = sps.levene(a, b, center="mean")
    assert r.t == pytest.approx(st.statistic) and r.p == pytest.approx(st.pvalue)
    assert r.welch_t == pytest.approx(we.statistic) and r.welch_p == pytest.approx(we.pvalue)
    assert r.welch_df == pytest.approx(we.df)
    assert r.levene_f == pytest.approx(lev.statistic) and r.levene_p == pytest.approx(lev.pvalue)
    # Levene centred on the mean (SPSS), not scipy's median default (Brown-Forsythe)
    assert r.levene_f != pytest.approx(sps.levene(a, b).statistic)
    pb = sps.pointbiserialr(np.r_[np.ones(a.size), np.zeros(b.size)], np.r_[a, b])
    assert r.r_pb == pytest.approx(pb.statistic) and r.p == pytest.approx(pb.pvalue)


def test_missing_values_are_dropped_and_small_n_warns():
    r = compare_groups([1, 2, 3, float("nan")], [2, 3, 5])
    assert (r.n1, r.n2) == (3, 3)
    assert any("under 20" in w for w in r.warnings)
    with pytest.raises(StatsError, match="at least 2"):
        compare_groups([1.0], [2, 3])


# --- effect sizes ----------------------------------------------------------------------------


def test_cohens_d_and_normal_ci_by_hand():
    # pooled SD = sqrt((11 * 9.2932^2 + 11 * 11.0289^2) / 22) = sqrt((86.364 + 121.636)/2)
    sp = math.sqrt((np.var(PICTURE, ddof=1) + np.var(REAL, ddof=1)) / 2)
    assert sp == pytest.approx(10.198, abs=1e-3)
    d_hand = (40 - 47) / sp  # -0.6864
    d, lo, hi = cohens_d(PICTURE, REAL)
    assert d == pytest.approx(d_hand) and round(d, 4) == -0.6864
    # Hedges & Olkin (1985) eq. 5.4.14: var(d) = (n1+n2)/(n1 n2) + d^2 / (2 (n1+n2))
    se = math.sqrt(24 / 144 + d_hand**2 / 48)
    assert lo == pytest.approx(d_hand - 1.959964 * se, abs=1e-6)
    assert hi == pytest.approx(d_hand + 1.959964 * se, abs=1e-6)


def test_hedges_g_factor_and_interval():
    # J(22) exact = Gamma(11) / (sqrt(11) Gamma(10.5)); the approximation 1 - 3/(4*22 - 1)
    assert hedges_correction(22) == pytest.approx(
        math.gamma(11) / (math.sqrt(11) * math.gamma(10.5))
    )
    assert hedges_correction(22) == pytest.approx(1 - 3 / 87, abs=2e-4)
    r = compare_groups(PICTURE, REAL)
    j = hedges_correction(22)
    assert r.g == pytest.approx(j * r.d)
    assert (r.g_low, r.g_high) == pytest.approx((j * r.d_low, j * r.d_high))
    assert round(r.g, 3) == -0.663


def test_noncentral_t_interval_solves_its_defining_equations():
    d, lo, hi = cohens_d(PICTURE, REAL, ci_method="nct")
    scale = math.sqrt(24 / 144)
    t = d / scale
    # the lower limit's noncentral t puts 97.5 % below the observed t, the upper 2.5 %
    assert sps.nct.cdf(t, 22, lo / scale) == pytest.approx(0.975, abs=1e-7)
    assert sps.nct.cdf(t, 22, hi / scale) == pytest.approx(0.025, abs=1e-7)
    # for large samples it approaches the normal approximation
    rng = np.random.default_rng(1)
    a, b = rng.normal(0.5, 1, 2000), rng.normal(0, 1, 2000)
    n_lo, n_hi = cohens_d(a, b)[1:]
    t_lo, t_hi = cohens_d(a, b, ci_method="nct")[1:]
    assert (t_lo, t_hi) == pytest.approx((n_lo, n_hi), abs=2e-3)


# --- contingency -----------------------------------------------------------------------------


def test_field_cats_example_matches_spss_output():
    r = contingency([[28, 10], [48, 114]])
    assert round(r.chi2, 3) == 25.356 and r.df == 1
    assert round(r.chi2_yates, 3) == 23.520
    assert round(r.odds_ratio, 2) == 6.65
    assert r.fisher_p < 0.001 and not r.warnings
    # Woolf by hand: ln(6.65) +/- 1.96 sqrt(1/28 + 1/10 + 1/48 + 1/114)
    se = math.sqrt(1 / 28 + 1 / 10 + 1 / 48 + 1 / 114)
    assert r.or_low == pytest.approx(6.65 * math.exp(-1.959964 * se), rel=1e-6)
    assert r.or_high == pytest.approx(6.65 * math.exp(1.959964 * se), rel=1e-6)


def test_agresti_aspirin_odds_ratio_and_woolf_ci():
    ratio, lo, hi, haldane = odds_ratio([[189, 10845], [104, 10933]])
    assert round(ratio, 3) == 1.832 and (round(lo, 2), round(hi, 2)) == (1.44, 2.33)
    assert not haldane


def test_lady_tasting_tea_fisher_p_and_small_cell_warning():
    r = contingency([[3, 1], [1, 3]])
    assert round(r.fisher_p, 3) == 0.486
    assert r.n_expected_below_5 == 4 and r.min_expected == 2.0
    assert any("expected counts under 5" in w for w in r.warnings)
    assert any("under 20" in w for w in r.warnings)


def test_contingency_equals_scipy_for_random_tables():
    rng = np.random.default_rng(3)
    for _ in range(20):
        t = rng.integers(1, 40, size=(2, 2))
        r = contingency(t)
        assert r.chi2 == pytest.approx(sps.chi2_contingency(t, correction=False).statistic)
        assert r.p_yates == pytest.approx(sps.chi2_contingency(t, correction=True).pvalue)
        assert r.fisher_p == pytest.approx(sps.fisher_exact(t).pvalue)
        ref = sps.contingency.odds_ratio(t, kind="sample")
        ci = ref.confidence_interval(0.95)
        assert r.odds_ratio == pytest.approx(ref.statistic)
        assert (r.or_low, r.or_high) == pytest.approx((ci.low, ci.high))
    t3 = [[5, 9, 12], [11, 6, 4]]
    r3 = contingency(t3)
    assert r3.df == 2 and r3.chi2 == pytest.approx(sps.chi2_contingency(t3).statistic)
    assert r3.fisher_p is None and r3.odds_ratio is None and r3.chi2_yates is None


def test_yates_by_hand_formula():
    # N (|ad - bc| - N/2)^2 / (r1 r2 c1 c2) for Field's cats
    a, b, c, d = 28, 10, 48, 114
    n = a + b + c + d
    hand = n * (abs(a * d - b * c) - n / 2) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
    assert contingency([[a, b], [c, d]]).chi2_yates == pytest.approx(hand)


def test_haldane_correction_on_zero_cell():
    ratio, lo, _hi, haldane = odds_ratio([[5, 0], [3, 4]])
    assert haldane
    assert ratio == pytest.approx((5.5 * 4.5) / (0.5 * 3.5))
    se = math.sqrt(1 / 5.5 + 1 / 0.5 + 1 / 3.5 + 1 / 4.5)
    assert lo == pytest.approx(ratio * math.exp(-1.959964 * se), rel=1e-6)
    r = contingency([[5, 0], [3, 4]])
    assert r.haldane and any("Haldane" in w for w in r.warnings)


def test_empty_row_cannot_be_tested():
    with pytest.raises(StatsError, match="empty row or column"):
        contingency([[4, 6], [0, 0]])


def test_crosstab_orders_presence_first():
    present = [True, True, False, False, True, False]
    cond = ["M", "I", "M", "I", "M", "I"]
    r = crosstab(present, cond)
    assert r.row_labels == ("True", "False") and r.col_labels == ("I", "M")
    assert r.table == ((1, 2), (2, 1))


# --- correlations ----------------------------------------------------------------------------


def test_anscombe_pearson_r_and_fisher_z_ci_by_hand():
    r = correlate(ANSCOMBE_X, ANSCOMBE_Y1)
    assert round(r.r, 3) == 0.816 and r.n == 11
    ref = sps.pearsonr(ANSCOMBE_X, ANSCOMBE_Y1)
    assert r.p == pytest.approx(ref.pvalue)
    z, se = math.atanh(r.r), 1 / math.sqrt(8)
    assert r.low == pytest.approx(math.tanh(z - 1.959964 * se), abs=1e-6)
    assert r.high == pytest.approx(math.tanh(z + 1.959964 * se), abs=1e-6)
    assert (round(r.low, 3), round(r.high, 3)) == (0.424, 0.951)


def test_spearman_by_rank_formula_and_bonett_wright_ci():
    x = [1, 2, 3, 4, 5, 6, 7, 8]
    y = [2, 1, 4, 3, 6, 5, 8, 7]  # no ties: rho = 1 - 6 sum d^2 / (n (n^2 - 1))
    rho_hand = 1 - 6 * 8 / (8 * 63)
    r = correlate(x, y, method="spearman")
    assert r.r == pytest.approx(rho_hand)
    assert r.p == pytest.approx(sps.spearmanr(x, y).pvalue)
    se = math.sqrt((1 + rho_hand**2 / 2) / 5)
    assert r.low == pytest.approx(math.tanh(math.atanh(rho_hand) - 1.959964 * se), abs=1e-6)


def test_correlation_drops_incomplete_pairs():
    r = correlate([1, 2, 3, 4, 5, np.nan], [2, 4, 5, 4, 5, 9])
    assert r.n == 5
    with pytest.raises(StatsError, match="constant"):
        correlate([1, 1, 1, 1], [1, 2, 3, 4])


# --- multiple comparisons --------------------------------------------------------------------


def test_benjamini_hochberg_published_example():
    adj = adjust_pvalues(BH_P, "bh")
    assert int((adj <= 0.05).sum()) == 4
    assert adj == pytest.approx(sps.false_discovery_control(BH_P, method="bh"))


def test_holm_published_example_and_hand_values():
    adj = adjust_pvalues(BH_P, "holm")
    assert int((adj <= 0.05).sum()) == 3
    # 15 * .0001, 14 * .0004, 13 * .0019, 12 * .0095, 11 * .0201
    assert adj[:5] == pytest.approx([0.0015, 0.0056, 0.0247, 0.114, 0.2211])
    # 6th: 10 * .0278 = .278; 7th: 9 * .0298 = .2682 is raised to .278 (step-down monotone)
    assert adj[5] == pytest.approx(0.278) and adj[6] == pytest.approx(0.278)


def test_adjust_keeps_order_and_nan():
    adj = adjust_pvalues([0.04, np.nan, 0.01, 0.03], "holm")
    assert np.isnan(adj[1])
    # m = 3: sorted .01 -> .03, .03 -> .06, .04 -> max(.06, .04) = .06
    assert adj[[2, 3, 0]] == pytest.approx([0.03, 0.06, 0.06])
    with pytest.raises(StatsError):
        adjust_pvalues([0.2], "bonferroni")  # type: ignore[arg-type]
