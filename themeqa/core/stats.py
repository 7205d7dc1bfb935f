"""Inferential statistics linking themes to measures: the tests SPSS users expect, from scipy.

Why a module of its own: the joint display reports, for each theme, a measure compared between
participants with and without the theme, theme x group contingency tables, and correlations
between measures, and every number must match what SPSS prints for the same data (DESIGN.md,
"Statistics conventions"). Everything here is pure (numpy/scipy), takes plain sequences and
returns frozen dataclasses with the statistic, df, p, effect size with CI, n and warnings.

Sources
-------
* Student and Welch t: Welch (1947), *Biometrika* 34:28-35 (Welch-Satterthwaite df);
  scipy ``ttest_ind(equal_var=True/False)``.
* Levene's test centred on the **mean** (Levene 1960), which is what SPSS reports in
  "Independent Samples Test"; scipy's default is the median (Brown & Forsythe 1974).
* Cohen's d with the pooled SD (Cohen 1988, eq. 2.5.2); Hedges' g = J d with the exact
  small-sample factor J = Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2)) (Hedges 1981; Hedges &
  Olkin 1985, eq. 5.4.7 gives the approximation 1 - 3/(4 df - 1)).
* CI of d, default ``"normal"``: d +/- z sqrt((n1+n2)/(n1 n2) + d^2/(2(n1+n2))) (Hedges &
  Olkin 1985, eq. 5.4.14 / 5.4.15); the g interval is J times the d interval.
  ``"nct"``: inverting the noncentral t distribution of t = d sqrt(n1 n2/(n1+n2)) (Steiger &
  Fouladi 1997; recommended by Goulet-Pelletier & Cousineau 2018, *TQMP* 14:242-265).
* Point-biserial r: Pearson r between the measure and 0/1 presence, r = t / sqrt(t^2 + df).
* Chi-square with and without Yates's continuity correction (Yates 1934), Fisher's exact test
  (two-sided: the sum of the probabilities of tables no more likely than the observed one,
  as in SPSS and scipy), odds ratio with Woolf's (1955) logit CI; when a cell is 0, 0.5 is
  added to every cell first (Haldane 1940 / Anscombe 1956), and the result says so.
* Pearson r and Spearman rho with CIs through Fisher's z (Fisher 1921): z = atanh(r),
  SE = 1/sqrt(n-3) for Pearson; for Spearman SE = sqrt((1 + rho^2/2)/(n-3)) (Bonett &
  Wright 2000, *Psychometrika* 65:23-28).
* Multiple comparisons: Holm (1979, *Scand J Stat* 6:65-70) step-down (the default) and
  Benjamini & Hochberg (1995, *JRSS B* 57:289-300) step-up adjusted p-values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
from scipy import optimize, special
from scipy import stats as sps

__all__ = [
    "MIN_EXPECTED",
    "SMALL_N",
    "ContingencyResult",
    "CorrelationResult",
    "GroupComparison",
    "StatsError",
    "adjust_pvalues",
    "cohens_d",
    "compare_groups",
    "contingency",
    "correlate",
    "crosstab",
    "hedges_correction",
    "odds_ratio",
]

#: Below this total n a result carries a warning (DESIGN.md: warn when n is small).
SMALL_N = 20
#: Expected counts under this value make the chi-square approximation doubtful (Cochran 1954).
MIN_EXPECTED = 5.0

CIMethod = Literal["normal", "nct"]


class StatsError(ValueError):
    """The data cannot be analysed as asked (too few values, a constant table...)."""


def _clean(values: Sequence[float] | np.ndarray) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    return arr[~np.isnan(arr)]


def _z(ci: float) -> float:
    if not 0 < ci < 1:
        raise StatsError(f"ci must be between 0 and 1, got {ci}")
    return float(sps.norm.ppf(0.5 + ci / 2))


def hedges_correction(df: float) -> float:
    """Exact small-sample bias factor J(df) of Hedges (1981): g = J d."""
    if df <= 1:
        return float("nan")
    return float(
        math.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / math.sqrt(df / 2)
    )


def _nct_ci(t: float, df: float, scale: float, ci: float) -> tuple[float, float]:
    """Noncentral-t interval for d = ncp * scale (Steiger & Fouladi 1997)."""
    alpha = 1 - ci

    def solve(target: float) -> float:
        f = lambda ncp: float(sps.nct.cdf(t, df, ncp)) - target  # noqa: E731
        width = 10.0 + abs(t)
        lo, hi = t - width, t + width
        while f(lo) < 0:
            lo -= width
        while f(hi) > 0:
            hi += width
        return float(optimize.brentq(f, lo, hi, xtol=1e-10))

    return solve(1 - alpha / 2) * scale, solve(alpha / 2) * scale


def cohens_d(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    *,
    ci: float = 0.95,
    ci_method: CIMethod = "normal",
) -> tuple[float, float, float]:
    """Cohen's d = (mean x - mean y) / pooled SD, with its CI: ``(d, low, high)``.

    Pooled SD = sqrt(((n1-1) s1^2 + (n2-1) s2^2) / (n1+n2-2)) (Cohen 1988). The CI is the
    Hedges & Olkin (1985) normal approximation by default, or the noncentral-t inversion
    (``ci_method="nct"``); see the module docstring. Missing values (NaN) are dropped.
    """
    a, b = _clean(x), _clean(y)
    n1, n2 = a.size, b.size
    if n1 < 2 or n2 < 2:
        raise StatsError(f"Cohen's d needs at least 2 values per group (got {n1} and {n2})")
    df = n1 + n2 - 2
    sp = math.sqrt(((n1 - 1) * a.var(ddof=1) + (n2 - 1) * b.var(ddof=1)) / df)
    if sp == 0:
        raise StatsError("Cohen's d is undefined: both groups have no spread (SD = 0)")
    d = float((a.mean() - b.mean()) / sp)
    if ci_method == "normal":
        se = math.sqrt((n1 + n2) / (n1 * n2) + d * d / (2 * (n1 + n2)))
        z = _z(ci)
        return d, d - z * se, d + z * se
    if ci_method == "nct":
        _z(ci)
        scale = math.sqrt((n1 + n2) / (n1 * n2))
        lo, hi = _nct_ci(d / scale, df, scale, ci)
        return d, lo, hi
    raise StatsError(f"ci_method must be 'normal' or 'nct', got {ci_method!r}")


@dataclass(frozen=True)
class GroupComparison:
    """A measure compared between two groups (group 1 = theme present).

    ``t, df, p``: Student's t (pooled variance); ``welch_*``: Welch's t; ``levene_*``:
    Levene's test (mean-centred, as SPSS); ``d``/``g`` with ``*_low``/``*_high`` CI bounds;
    ``r_pb``: point-biserial r (presence coded 1/0) and its p (= Student's p).
    """

    n1: int
    n2: int
    mean1: float
    mean2: float
    sd1: float
    sd2: float
    t: float
    df: float
    p: float
    welch_t: float
    welch_df: float
    welch_p: float
    levene_f: float
    levene_df1: int
    levene_df2: int
    levene_p: float
    d: float
    d_low: float
    d_high: float
    g: float
    g_low: float
    g_high: float
    r_pb: float
    ci: float
    ci_method: str
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["warnings"] = list(self.warnings)
        return out


def compare_groups(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    *,
    ci: float = 0.95,
    ci_method: CIMethod = "normal",
) -> GroupComparison:
    """Student t with Levene's test and Welch t, d, g and point-biserial r for x vs y.

    ``x`` is group 1 (e.g. participants with the theme), ``y`` group 2; NaN values are
    dropped. Each group needs at least two values and the groups some spread. A warning is
    added when the total n is under :data:`SMALL_N`.
    """
    a, b = _clean(x), _clean(y)
    n1, n2 = a.size, b.size
    if n1 < 2 or n2 < 2:
        raise StatsError(f"a t test needs at least 2 values per group (got {n1} and {n2})")
    student = sps.ttest_ind(a, b, equal_var=True)
    welch = sps.ttest_ind(a, b, equal_var=False)
    lev = sps.levene(a, b, center="mean")
    df = n1 + n2 - 2
    v1, v2 = a.var(ddof=1) / n1, b.var(ddof=1) / n2
    welch_df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    d, d_lo, d_hi = cohens_d(a, b, ci=ci, ci_method=ci_method)
    j = hedges_correction(df)
    t = float(student.statistic)
    warnings: list[str] = []
    if n1 + n2 < SMALL_N:
        warnings.append(f"n = {n1 + n2} is under {SMALL_N}: treat the test as descriptive")
    return GroupComparison(
        n1=n1,
        n2=n2,
        mean1=float(a.mean()),
        mean2=float(b.mean()),
        sd1=float(a.std(ddof=1)),
        sd2=float(b.std(ddof=1)),
        t=t,
        df=float(df),
        p=float(student.pvalue),
        welch_t=float(welch.statistic),
        welch_df=float(welch_df),
        welch_p=float(welch.pvalue),
        levene_f=float(lev.statistic),
        levene_df1=1,
        levene_df2=df,
        levene_p=float(lev.pvalue),
        d=d,
        d_low=d_lo,
        d_high=d_hi,
        g=j * d,
        g_low=j * d_lo,
        g_high=j * d_hi,
        r_pb=t / math.sqrt(t * t + df),
        ci=ci,
        ci_method=ci_method,
        warnings=tuple(warnings),
    )


def odds_ratio(
    table: Sequence[Sequence[float]] | np.ndarray, *, ci: float = 0.95
) -> tuple[float, float, float, bool]:
    """Sample odds ratio ``(a d) / (b c)`` of a 2x2 table with Woolf's CI.

    Returns ``(or, low, high, haldane)``. Woolf (1955): ln OR +/- z sqrt(1/a + 1/b + 1/c +
    1/d). When any cell is 0 the odds ratio or its SE is undefined; then 0.5 is added to every
    cell (Haldane 1940; Anscombe 1956) and ``haldane`` is True.
    """
    t = np.asarray(table, dtype=float)
    if t.shape != (2, 2):
        raise StatsError(f"an odds ratio needs a 2x2 table, got shape {t.shape}")
    haldane = bool((t == 0).any())
    if haldane:
        t = t + 0.5
    (a, b), (c, d) = t
    ratio = (a * d) / (b * c)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    z = _z(ci)
    return (
        float(ratio),
        math.exp(math.log(ratio) - z * se),
        math.exp(math.log(ratio) + z * se),
        haldane,
    )


@dataclass(frozen=True)
class ContingencyResult:
    """A two-way table and its tests.

    ``chi2/df/p``: Pearson chi-square; ``chi2_yates/p_yates``: with Yates's correction (2x2
    only, else None); ``fisher_p``: Fisher's exact two-sided p (2x2 only); ``odds_ratio``
    with ``or_low``/``or_high`` (Woolf; ``haldane`` says 0.5 was added to every cell).
    Rows and columns are in the order of ``row_labels``/``col_labels``; for a 2x2 table the
    odds ratio is (row 1 col 1 x row 2 col 2) / (row 1 col 2 x row 2 col 1).
    """

    table: tuple[tuple[int, ...], ...]
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    n: int
    chi2: float
    df: int
    p: float
    chi2_yates: float | None
    p_yates: float | None
    fisher_p: float | None
    odds_ratio: float | None
    or_low: float | None
    or_high: float | None
    haldane: bool
    min_expected: float
    n_expected_below_5: int
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["table"] = [list(r) for r in self.table]
        out["row_labels"] = list(self.row_labels)
        out["col_labels"] = list(self.col_labels)
        out["warnings"] = list(self.warnings)
        return out


def contingency(
    table: Sequence[Sequence[int]] | np.ndarray,
    *,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    ci: float = 0.95,
) -> ContingencyResult:
    """Chi-square (with and without Yates), Fisher's exact test and the odds ratio.

    The table must have at least 2 rows and 2 columns and no empty row or column (a theme
    present for everyone cannot be tested: :class:`StatsError`). Warnings: an expected count
    under :data:`MIN_EXPECTED` (Cochran 1954: prefer Fisher's exact test), n under
    :data:`SMALL_N`, and the Haldane correction of the odds ratio.
    """
    t = np.asarray(table)
    if t.ndim != 2 or t.shape[0] < 2 or t.shape[1] < 2:
        raise StatsError(f"a contingency table needs at least 2 rows and 2 columns, got {t.shape}")
    if (t < 0).any() or not np.allclose(t, np.round(t)):
        raise StatsError("a contingency table holds whole non-negative counts")
    t = t.astype(int)
    rows = tuple(str(x) for x in (row_labels or range(1, t.shape[0] + 1)))
    cols = tuple(str(x) for x in (col_labels or range(1, t.shape[1] + 1)))
    empty_r = [rows[i] for i in range(t.shape[0]) if t[i].sum() == 0]
    empty_c = [cols[j] for j in range(t.shape[1]) if t[:, j].sum() == 0]
    if empty_r or empty_c:
        raise StatsError(
            "cannot test a table with an empty row or column ("
            + ", ".join(empty_r + empty_c)
            + " has no participants)"
        )
    plain = sps.chi2_contingency(t, correction=False)
    expected = plain.expected_freq
    is2x2 = t.shape == (2, 2)
    chi2_y = p_y = fisher_p = ratio = lo = hi = None
    haldane = False
    if is2x2:
        # scipy moves each observed count 0.5 towards its expected count, never past it,
        # i.e. N (max(0, |ad - bc| - N/2))^2 / (row and column totals), as SPSS's
        # "Continuity Correction".
        yates = sps.chi2_contingency(t, correction=True)
        chi2_y, p_y = float(yates.statistic), float(yates.pvalue)
        fisher_p = float(sps.fisher_exact(t, alternative="two-sided").pvalue)
        ratio, lo, hi, haldane = odds_ratio(t, ci=ci)
    n = int(t.sum())
    below = int((expected < MIN_EXPECTED).sum())
    warnings: list[str] = []
    if below:
        warnings.append(
            f"{below} of {expected.size} expected counts under {MIN_EXPECTED:g} (smallest "
            f"{expected.min():.2f}): read Fisher's exact test, not chi-square"
            if is2x2
            else f"{below} of {expected.size} expected counts under {MIN_EXPECTED:g} "
            f"(smallest {expected.min():.2f}): chi-square is approximate"
        )
    if n < SMALL_N:
        warnings.append(f"n = {n} is under {SMALL_N}: treat the test as descriptive")
    if haldane:
        warnings.append("a cell is 0: 0.5 added to every cell for the odds ratio (Haldane)")
    return ContingencyResult(
        table=tuple(tuple(int(v) for v in r) for r in t),
        row_labels=rows,
        col_labels=cols,
        n=n,
        chi2=float(plain.statistic),
        df=int(plain.dof),
        p=float(plain.pvalue),
        chi2_yates=chi2_y,
        p_yates=p_y,
        fisher_p=fisher_p,
        odds_ratio=ratio,
        or_low=lo,
        or_high=hi,
        haldane=haldane,
        min_expected=float(expected.min()),
        n_expected_below_5=below,
        warnings=tuple(warnings),
    )


def crosstab(
    rows: Sequence[object],
    cols: Sequence[object],
    *,
    row_order: Sequence[object] | None = None,
    col_order: Sequence[object] | None = None,
    ci: float = 0.95,
) -> ContingencyResult:
    """Cross-tabulate two aligned sequences (pairs with a missing value dropped) and test.

    ``row_order``/``col_order`` fix the category order (default: sorted, with ``True``
    before ``False`` so a presence row "with theme" comes first).
    """
    if len(rows) != len(cols):
        raise StatsError(f"crosstab needs aligned sequences ({len(rows)} vs {len(cols)})")

    def missing(v: object) -> bool:
        return v is None or (isinstance(v, float) and math.isnan(v))

    pairs = [(r, c) for r, c in zip(rows, cols, strict=True) if not missing(r) and not missing(c)]

    def order(values: list[object], given: Sequence[object] | None) -> list[object]:
        if given is not None:
            return list(given)
        uniq = set(values)
        if uniq <= {True, False}:
            return [True, False]
        return sorted(uniq, key=str)

    r_levels = order([r for r, _ in pairs], row_order)
    c_levels = order([c for _, c in pairs], col_order)
    t = np.zeros((len(r_levels), len(c_levels)), dtype=int)
    for r, c in pairs:
        if r in r_levels and c in c_levels:
            t[r_levels.index(r), c_levels.index(c)] += 1
    return contingency(
        t, row_labels=[str(x) for x in r_levels], col_labels=[str(x) for x in c_levels], ci=ci
    )


@dataclass(frozen=True)
class CorrelationResult:
    """A correlation with its Fisher-z CI; pairs with a missing value are dropped."""

    method: str
    r: float
    p: float
    n: int
    low: float
    high: float
    ci: float
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["warnings"] = list(self.warnings)
        return out


def correlate(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    *,
    method: Literal["pearson", "spearman"] = "pearson",
    ci: float = 0.95,
) -> CorrelationResult:
    """Pearson r or Spearman rho with p (scipy) and a Fisher-z CI (see module docstring)."""
    a = np.asarray(x, dtype=float).ravel()
    b = np.asarray(y, dtype=float).ravel()
    if a.size != b.size:
        raise StatsError(f"correlation needs paired values ({a.size} vs {b.size})")
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    n = int(a.size)
    if n < 4:
        raise StatsError(f"a correlation with a CI needs at least 4 complete pairs, got {n}")
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        raise StatsError("a correlation is undefined when a variable is constant")
    if method == "pearson":
        res = sps.pearsonr(a, b)
        r, p = float(res.statistic), float(res.pvalue)
        se = 1 / math.sqrt(n - 3)
    elif method == "spearman":
        res = sps.spearmanr(a, b)
        r, p = float(res.statistic), float(res.pvalue)
        se = math.sqrt((1 + r * r / 2) / (n - 3))
    else:
        raise StatsError(f"method must be 'pearson' or 'spearman', got {method!r}")
    z = _z(ci)
    if abs(r) >= 1:
        lo = hi = r
    else:
        zr = math.atanh(r)
        lo, hi = math.tanh(zr - z * se), math.tanh(zr + z * se)
    warnings = (
        (f"n = {n} is under {SMALL_N}: treat the correlation as descriptive",)
        if n < SMALL_N
        else ()
    )
    return CorrelationResult(
        method=method, r=r, p=p, n=n, low=lo, high=hi, ci=ci, warnings=warnings
    )


def adjust_pvalues(
    pvalues: Sequence[float] | np.ndarray, method: Literal["holm", "bh"] = "holm"
) -> np.ndarray:
    """Adjusted p-values across a family; NaN entries stay NaN and are not counted in m.

    * ``holm`` (Holm 1979): with p sorted ascending, p~(i) = max_{j<=i} min(1, (m-j+1) p(j)).
    * ``bh`` (Benjamini & Hochberg 1995): p~(i) = min_{j>=i} min(1, m p(j) / j).

    A hypothesis is rejected at level alpha when its adjusted p is <= alpha; the results
    are the same as R's ``p.adjust(p, "holm")`` and ``p.adjust(p, "BH")``.
    """
    p = np.asarray(pvalues, dtype=float).ravel()
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    vals = p[ok]
    if ((vals < 0) | (vals > 1)).any():
        raise StatsError("p-values must lie between 0 and 1")
    m = vals.size
    if m == 0:
        return out
    order = np.argsort(vals, kind="mergesort")
    sorted_p = vals[order]
    ranks = np.arange(1, m + 1)
    if method == "holm":
        adj = np.maximum.accumulate(np.minimum(1.0, (m - ranks + 1) * sorted_p))
    elif method == "bh":
        adj = np.minimum.accumulate((np.minimum(1.0, m * sorted_p / ranks))[::-1])[::-1]
    else:
        raise StatsError(f"correction must be 'holm' or 'bh', got {method!r}")
    back = np.empty(m)
    back[order] = adj
    out[ok] = back
    return out
