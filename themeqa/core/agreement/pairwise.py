"""Two-coder coefficients on paired labels: percent agreement, Cohen's kappa, PABAK.

These are the numbers a second coder's credibility check is usually reported with. Each takes
two equal-length sequences of labels (any hashable: code names, True/False, 0/1) where position
``i`` in both is the same unit, and returns a float or :class:`NA` with the reason it is undefined.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence

import numpy as np

from themeqa.core.agreement._data import label_pair
from themeqa.core.agreement.result import NA, Coefficient

__all__ = ["cohen_kappa", "contingency_table", "pabak", "percent_agreement"]

NO_UNITS = "no units were rated"


def contingency_table(a: Sequence[Hashable], b: Sequence[Hashable]) -> np.ndarray:
    """Square table of counts: rows are coder A's category, columns coder B's (integers).

    Categories are indexed in first-seen order over ``a`` then ``b``; only the table's diagonal and
    margins enter the coefficients below, so the order never changes a result.
    """
    codes_a, codes_b, k = label_pair(a, b)
    return np.bincount(codes_a * k + codes_b, minlength=k * k).reshape(k, k)


def percent_agreement(a: Sequence[Hashable], b: Sequence[Hashable]) -> Coefficient:
    """Proportion of units on which the two coders gave the same label.

    p_o = (1/n) * sum_i [a_i == b_i]: the observed agreement p_o of Cohen (1960). It is
    reported next to every chance-corrected coefficient because it is the one number readers can
    check by hand, and it stays defined when a code is used by neither coder (it is then 1.0).
    """
    codes_a, codes_b, _ = label_pair(a, b)
    if codes_a.size == 0:
        return NA(NO_UNITS)
    return float(np.count_nonzero(codes_a == codes_b) / codes_a.size)


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> Coefficient:
    """Cohen's kappa for two coders on nominal labels.

    kappa = (p_o - p_e) / (1 - p_e), with p_e = sum_k p_A(k) * p_B(k), the agreement expected if
    each coder labelled independently with their own marginal proportions (Cohen 1960, Educ
    Psychol Meas 20:37-46, eq. 1, where p_e is written p_c). Kappa, not percent agreement, is the convention for reporting a
    credibility check because it discounts the agreement two coders reach by chance alone.

    n/a when no units were rated, and when p_e = 1: both coders used one and the same label for
    every unit, so there is no disagreement chance could explain and 0/0 results.
    """
    codes_a, codes_b, k = label_pair(a, b)
    n = codes_a.size
    if n == 0:
        return NA(NO_UNITS)
    rows = np.bincount(codes_a, minlength=k)
    cols = np.bincount(codes_b, minlength=k)
    agree = int(np.count_nonzero(codes_a == codes_b))
    # Integer arithmetic for p_e * n^2 so "expected agreement is exactly 1" is tested exactly.
    expected = int(np.dot(rows.astype(object), cols.astype(object)))
    if expected == n * n:
        return NA("expected agreement is 1: both coders gave every unit the same single label")
    p_o = agree / n
    p_e = expected / (n * n)
    return float((p_o - p_e) / (1.0 - p_e))


def pabak(
    a: Sequence[Hashable], b: Sequence[Hashable], categories: Collection[Hashable] | None = None
) -> Coefficient:
    """Prevalence-adjusted bias-adjusted kappa (PABAK) for two coders.

    For two categories PABAK = 2 * p_o - 1 (Byrt, Bishop & Carlin 1993, J Clin Epidemiol 46:423-429): kappa computed
    on the 2x2 table after replacing its off-diagonal cells by their mean (removing bias) and the
    diagonal by its mean (removing prevalence). It matters for codes that are rare in a corpus,
    where kappa collapses although the coders agree on almost every unit.

    With q categories this is (q * p_o - 1) / (q - 1), the two-coder form of Brennan & Prediger
    (1981) with chance agreement 1/q. ``q`` is ``len(categories)`` when given, otherwise the number
    of distinct labels either coder used; n/a when that is fewer than two (say which categories
    were possible, e.g. ``categories=(True, False)``, to get a value).
    """
    codes_a, codes_b, k = label_pair(a, b)
    n = codes_a.size
    if n == 0:
        return NA(NO_UNITS)
    if categories is not None:
        allowed = set(categories)
        unknown = (set(a) | set(b)) - allowed
        if unknown:
            raise ValueError(f"labels not among the categories: {sorted(map(repr, unknown))}")
        k = len(allowed)
    if k < 2:
        return NA("fewer than two categories: chance agreement is 1")
    p_o = np.count_nonzero(codes_a == codes_b) / n
    return float((k * p_o - 1.0) / (k - 1.0))
