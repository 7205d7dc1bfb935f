"""Gwet's AC1 and the Brennan-Prediger coefficient for any number of coders, missing allowed.

Both keep kappa's form (p_a - p_e) / (1 - p_e) but change the chance term p_e so that it does not
explode when one category dominates -- the usual case for a qualitative code, which is absent
from most units. They share the observed agreement p_a, computed over units with >= 2 ratings.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable
from typing import Any

import numpy as np

from themeqa.core.agreement._data import ReliabilityCodes, reliability_codes
from themeqa.core.agreement.result import NA, Coefficient

__all__ = ["brennan_prediger", "gwet_ac1"]


def _unit_counts(rc: ReliabilityCodes, n_categories: int) -> np.ndarray:
    """units x categories matrix r_uk: how many coders put unit u in category k."""
    codes = rc.codes.astype(np.int64)
    n_units = codes.shape[1]
    present = codes >= 0
    cells = np.arange(n_units, dtype=np.int64) * n_categories + codes
    flat = np.bincount(cells[present], minlength=n_units * n_categories)
    return flat.reshape(n_units, n_categories)


def _q(rc: ReliabilityCodes, categories: Collection[Hashable] | None) -> int:
    if categories is None:
        return rc.n_categories
    allowed = set(categories)
    unknown = [c for c in rc.categories if c not in allowed]
    if unknown:
        raise ValueError(f"values not among the categories: {unknown[:5]!r}")
    return len(allowed)


def _observed(r_uk: np.ndarray) -> tuple[float, np.ndarray] | NA:
    """Gwet's p_a over units rated by >= 2 coders, and r_u for every unit."""
    r_u = r_uk.sum(axis=1)
    multi = r_u >= 2
    if not multi.any():
        return NA("no unit was rated by two or more coders")
    r = r_uk[multi]
    ru = r_u[multi]
    p_a = float(np.mean((r * (r - 1)).sum(axis=1) / (ru * (ru - 1))))
    return p_a, r_u


def gwet_ac1(data: Any, categories: Collection[Hashable] | None = None) -> Coefficient:
    """Gwet's first-order agreement coefficient AC1 for a coders x units matrix.

    Rows are coders, columns units, missing values ``None`` or NaN. With q categories, r_uk the
    number of coders putting unit u in category k and r_u = sum_k r_uk (Gwet 2008, Br J Math
    Stat Psychol 61:29-48, the multiple-rater AC1; Gwet 2014, Handbook of
    Inter-Rater Reliability, 4th ed., ch. 2, the AC1 for multiple raters with missing ratings):

    - p_a = mean over units with r_u >= 2 of sum_k r_uk (r_uk - 1) / (r_u (r_u - 1));
    - pi_k = mean over units with r_u >= 1 of r_uk / r_u;
    - p_e = sum_k pi_k (1 - pi_k) / (q - 1);  AC1 = (p_a - p_e) / (1 - p_e).

    Chance agreement is largest when categories are equally used and small when one dominates,
    which is why AC1 stays stable for rare codes where kappa does not. ``q`` is the number of
    categories actually used unless ``categories`` lists every possible one (it matters: p_e
    divides by q - 1). n/a with fewer than two categories or no unit rated twice.
    """
    rc = reliability_codes(data)
    q = _q(rc, categories)
    if q < 2:
        return NA("fewer than two categories: chance agreement is undefined")
    r_uk = _unit_counts(rc, rc.n_categories)
    observed = _observed(r_uk)
    if isinstance(observed, NA):
        return observed
    p_a, r_u = observed
    rated = r_u >= 1
    pi_k = (r_uk[rated] / r_u[rated, None]).mean(axis=0)
    p_e = float(np.dot(pi_k, 1.0 - pi_k) / (q - 1))
    return float((p_a - p_e) / (1.0 - p_e))


def brennan_prediger(data: Any, categories: Collection[Hashable] | None = None) -> Coefficient:
    """Brennan & Prediger's (1981) coefficient for a coders x units matrix.

    kappa_n = (p_a - 1/q) / (1 - 1/q): chance agreement is fixed at 1/q, as if each coder chose
    uniformly among q categories (Brennan & Prediger 1981, Educ Psychol Meas 41:687-699, for
    free marginals; the multiple-rater p_a with missing ratings is Gwet's, 2014 Handbook ch. 2,
    the same p_a as :func:`gwet_ac1`). For two coders and two categories it equals PABAK. Give
    ``categories`` when some possible categories went unused, since q sets the chance level.
    """
    rc = reliability_codes(data)
    q = _q(rc, categories)
    if q < 2:
        return NA("fewer than two categories: chance agreement is 1")
    observed = _observed(_unit_counts(rc, rc.n_categories))
    if isinstance(observed, NA):
        return observed
    p_a = observed[0]
    return float((p_a - 1.0 / q) / (1.0 - 1.0 / q))
