"""Krippendorff's alpha for any number of coders, missing values and four levels of measurement.

Alpha is the coefficient content analysts expect (Krippendorff 2004, 2011) because it accepts
missing codings and any number of coders. This implementation follows Krippendorff (2011),
"Computing Krippendorff's Alpha-Reliability" (Annenberg School for Communication, departmental
paper 43), which defines, for the coincidence matrix o_ck of pairable values:

    alpha = 1 - D_o / D_e = 1 - (n - 1) * sum_ck o_ck delta2_ck / sum_ck n_c n_k delta2_ck

with o_ck = sum_u (number of c-k pairs of values in unit u) / (m_u - 1), n_c = sum_k o_ck,
n = sum_c n_c the number of pairable values, and the difference functions delta2 of its metric
sections: nominal [c != k]; ordinal (sum_{g=c..k} n_g - (n_c + n_k)/2)^2; interval (c - k)^2;
ratio ((c - k)/(c + k))^2. Units with fewer than two values are not pairable and are dropped.

Speed: the numerator sum_ck o_ck delta2_ck is the same as summing delta2 over the ordered pairs
of values inside each unit, weighted 1/(m_u - 1); everything below evaluates those sums with
whole-array numpy operations (over units, looping at most over pairs of *coders*), never a Python
loop per unit. For nominal, interval and ordinal data the sums reduce to per-unit moments, so no
categories x categories matrix is needed and data with thousands of distinct values stay cheap.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from themeqa.core.agreement._data import ReliabilityCodes, reliability_codes
from themeqa.core.agreement.result import NA, Coefficient

__all__ = ["LEVELS", "Level", "coincidence_matrix", "krippendorff_alpha"]

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")

# Above this many coders, nominal within-unit agreement is counted from a units x categories table
# (cost ~ m) rather than by comparing every pair of coders (cost ~ m^2).
_PAIR_LOOP_MAX_CODERS = 8
_BLOCK = 1 << 22  # elements per temporary block when a units x categories or k x k table is needed


def _pairable(rc: ReliabilityCodes) -> tuple[np.ndarray, np.ndarray]:
    """Codes restricted to pairable units (>= 2 values), and m_u for those units."""
    present = rc.codes >= 0
    m_u = present.sum(axis=0, dtype=np.int64)
    keep = m_u >= 2
    if keep.all():
        return rc.codes, m_u
    return rc.codes[:, keep], m_u[keep]


def _same_pairs_nominal(codes: np.ndarray, k: int) -> np.ndarray:
    """Per unit, the number of ordered pairs of values (from different coders) that are equal."""
    m, n_units = codes.shape
    if m <= _PAIR_LOOP_MAX_CODERS:
        # Give each coder's missing values their own negative code so a missing value never
        # equals anything: then equal pairs are plain comparisons, with no mask per pair.
        wide = np.int16 if codes.dtype.itemsize == 1 else codes.dtype
        marked = np.where(codes >= 0, codes, -1 - np.arange(m, dtype=wide)[:, None])
        same = np.zeros(n_units, dtype=np.uint8)
        for i in range(m):
            for j in range(i + 1, m):
                same += marked[i] == marked[j]
        return 2 * same.astype(np.int64)
    # n_uc by counting (unit, category) cells; sum_c n_uc (n_uc - 1) = sum_c n_uc^2 - m_u.
    out = np.empty(n_units, dtype=np.int64)
    step = max(1, _BLOCK // max(k, 1))
    for start in range(0, n_units, step):
        block = codes[:, start : start + step].astype(np.int64)
        width = block.shape[1]
        present = block >= 0
        cells = np.arange(width, dtype=np.int64) * k + block
        n_uc = np.bincount(cells[present], minlength=width * k).reshape(width, k)
        out[start : start + width] = (n_uc * n_uc).sum(axis=1) - present.sum(axis=0)
    return out


def _pair_sums_squared(t: np.ndarray, codes: np.ndarray, m_u: np.ndarray) -> np.ndarray:
    """Per unit, sum over ordered pairs i != j of (t_i - t_j)^2 = 2 m_u sum_i (t_i - mean_u)^2."""
    present = codes >= 0
    tv = np.where(present, t[np.maximum(codes, 0)], 0.0)
    mean_u = tv.sum(axis=0) / m_u
    dev = np.where(present, tv - mean_u, 0.0)
    return 2.0 * m_u * np.einsum("ij,ij->j", dev, dev)


def _ratio_delta2(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    total = x + y
    diff = np.divide(x - y, total, out=np.zeros(np.broadcast(x, y).shape), where=total != 0)
    return diff * diff


def _ratio_observed(v: np.ndarray, codes: np.ndarray, w: np.ndarray) -> float:
    m = codes.shape[0]
    total = 0.0
    for i in range(m):
        ci = codes[i]
        for j in range(i + 1, m):
            cj = codes[j]
            both = (ci >= 0) & (cj >= 0)
            d2 = _ratio_delta2(v[ci[both]], v[cj[both]])
            total += 2.0 * float(np.dot(d2, w[both]))
    return total


def _ratio_expected(v: np.ndarray, n_c: np.ndarray) -> float:
    used = n_c > 0
    v, n_c = v[used], n_c[used].astype(np.float64)
    step = max(1, _BLOCK // max(v.size, 1))
    total = 0.0
    for start in range(0, v.size, step):
        block = _ratio_delta2(v[start : start + step, None], v[None, :])
        total += float(n_c[start : start + step] @ block @ n_c)
    return total


def _alpha_from_codes(rc: ReliabilityCodes, level: Level) -> Coefficient:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    codes, m_u = _pairable(rc)
    n = int(m_u.sum())
    if n < 2:
        return NA("fewer than two pairable values (no unit has values from two coders)")
    k = rc.n_categories
    n_c = np.bincount(codes[codes >= 0], minlength=k)
    w = 1.0 / (m_u - 1)

    if level == "nominal":
        same = _same_pairs_nominal(codes, k)
        observed = float(np.dot(m_u * (m_u - 1) - same, w))
        expected = float(n * n - int(np.dot(n_c, n_c)))
    elif level == "ratio":
        v = rc.numeric_values("ratio alpha")
        observed = _ratio_observed(v, codes, w)
        expected = _ratio_expected(v, n_c)
    else:
        if level == "interval":
            t = rc.numeric_values("interval alpha")
        else:
            # Ordinal: delta_ck = sum_{g=c..k} n_g - (n_c + n_k)/2 equals the difference of the
            # categories' mid-ranks  S_c - n_c/2  (S the cumulative n), so the ordinal metric is
            # the interval metric applied to mid-ranks -- which lets both use the moment sums.
            t = np.cumsum(n_c) - n_c / 2.0
        t = t - np.dot(n_c, t) / n  # centring keeps the sums of squares accurate
        observed = float(np.dot(_pair_sums_squared(t, codes, m_u), w))
        # sum_ck n_c n_k (t_c - t_k)^2 = 2 n sum_c n_c (t_c - mean)^2
        expected = 2.0 * n * float(np.dot(n_c, t * t))
    if expected <= 0.0:
        return NA("no variation: every pairable value is the same, so expected disagreement is 0")
    return float(1.0 - (n - 1) * observed / expected)


def krippendorff_alpha(data: Any, level: Level = "nominal") -> Coefficient:
    """Krippendorff's alpha for a coders x units matrix (rows = coders, columns = units).

    Missing values are ``None`` or NaN. ``level`` is "nominal", "ordinal", "interval" or "ratio"
    (Krippendorff 2011, sections on the nominal, ordinal, interval and ratio metrics); labels may
    be any hashable for nominal data, must be orderable for ordinal data, and numbers for interval
    and ratio data. Returns :class:`NA` when fewer than two values are pairable, or when all
    pairable values are identical (D_e = 0): agreement then says nothing about reliability.
    """
    rc = reliability_codes(data)
    if level == "ordinal" and rc.numeric is None:
        try:
            sorted(rc.categories)
        except TypeError as exc:
            raise TypeError("ordinal alpha needs labels that can be ordered") from exc
    return _alpha_from_codes(rc, level)


def coincidence_matrix(data: Any) -> tuple[list[Any], np.ndarray]:
    """Krippendorff's (2011) coincidence matrix o_ck over pairable values, with its categories.

    Reported alongside alpha so disagreements can be read off (which codes get confused). Built
    by ``np.bincount`` over every pair of coders, each pair weighted 1/(m_u - 1); its row sums
    are the n_c of the alpha formulas and its total is n, the number of pairable values.
    """
    rc = reliability_codes(data)
    codes, m_u = _pairable(rc)
    k = rc.n_categories
    w = 1.0 / (m_u - 1) if m_u.size else np.empty(0)
    flat = np.zeros(k * k)
    for i in range(codes.shape[0]):
        ci = codes[i]
        for j in range(i + 1, codes.shape[0]):
            cj = codes[j]
            both = (ci >= 0) & (cj >= 0)
            flat += np.bincount(ci[both] * k + cj[both], weights=w[both], minlength=k * k)
    half = flat.reshape(k, k)
    return rc.categories, half + half.T
