"""Fleiss' kappa: chance-corrected agreement for a fixed number of raters per subject.

Used when more than two coders double-code the same units; with two coders it reduces to
Scott's pi (chance agreement from the pooled marginals), not to Cohen's kappa.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from themeqa.core.agreement.result import NA, Coefficient

__all__ = ["fleiss_kappa"]


def _validated_table(table: Any) -> np.ndarray:
    arr = np.asarray(table)
    if arr.ndim != 2:
        raise ValueError(f"table must be 2-D (subjects x categories), got shape {arr.shape}")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"table must hold counts, got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and not (np.isfinite(arr).all() and (arr == np.floor(arr)).all()):
        raise ValueError("table must hold whole-number counts")
    counts = arr.astype(np.int64)
    if (counts < 0).any():
        raise ValueError("table holds negative counts")
    return counts


def fleiss_kappa(table: Any) -> Coefficient:
    """Fleiss' kappa from a subjects x categories table of rater counts.

    ``table[i, j]`` is the number of raters who put subject ``i`` in category ``j``; every row
    must sum to the same number of raters n >= 2 (Fleiss's design: not necessarily the same
    raters, but the same number). In the notation of Fleiss (1971, Psychol Bull 76:378-382,
    "Measuring nominal scale agreement among many raters", section on overall agreement):

    - p_j = sum_i n_ij / (N n), the share of all assignments to category j;
    - P_i = sum_j n_ij (n_ij - 1) / (n (n - 1)), agreement among the raters of subject i;
    - P-bar = mean_i P_i, P-bar_e = sum_j p_j^2;
    - kappa = (P-bar - P-bar_e) / (1 - P-bar_e).

    n/a when every assignment fell in one category (P-bar_e = 1), or the table has no subjects.
    """
    counts = _validated_table(table)
    n_subjects = counts.shape[0]
    if n_subjects == 0:
        return NA("no subjects were rated")
    raters = counts.sum(axis=1)
    n = int(raters[0])
    if (raters != n).any():
        raise ValueError(
            f"subjects have unequal numbers of ratings: {sorted(set(raters.tolist()))}"
        )
    if n < 2:
        raise ValueError("each subject needs at least two ratings")
    totals = counts.sum(axis=0)
    grand = n_subjects * n
    # Exact integer test: P-bar_e == 1 iff one category holds every assignment.
    if int(np.dot(totals.astype(object), totals.astype(object))) == grand * grand:
        return NA("expected agreement is 1: every rating fell in the same category")
    p_j = totals / grand
    p_i = (counts * (counts - 1)).sum(axis=1) / (n * (n - 1))
    p_bar = float(p_i.mean())
    p_bar_e = float(np.dot(p_j, p_j))
    return float((p_bar - p_bar_e) / (1.0 - p_bar_e))
