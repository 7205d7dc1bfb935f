"""Agreement on one code: the 2x2 table of "coder A applied it" x "coder B applied it".

This is the table a credibility check reports per code (and pooled over codes): for each unit
(turn, sentence, participant...) whether each coder applied the code. All coefficients are
computed from the four counts, with closed forms that also work on arrays of counts -- which is
what makes the document bootstrap fast (resampled tables are sums of per-document tables).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from themeqa.core.agreement.result import NA, Coefficient

__all__ = [
    "COEFFICIENTS",
    "BinaryAgreement",
    "binary_code_agreement",
    "binary_coefficients",
    "from_counts",
]

NEITHER = "code used by neither coder"
COEFFICIENTS = ("percent", "kappa", "alpha", "ac1", "pabak")


def binary_coefficients(
    both: np.ndarray, only_a: np.ndarray, only_b: np.ndarray, neither: np.ndarray
) -> dict[str, np.ndarray]:
    """Every coefficient from 2x2 counts, elementwise over arrays; NaN marks "undefined".

    With a = both, b = only_a, c = only_b, d = neither, N = a + b + c + d:

    - percent: p_o = (a + d) / N.
    - kappa (Cohen 1960, eq. 1): p_e = ((a+b)(a+c) + (c+d)(b+d)) / N^2.
    - alpha (Krippendorff 2011, two coders, binary data, no missing): with n = 2N values,
      n_1 = 2a + b + c and n_0 = 2d + b + c, alpha = 1 - (n - 1)(b + c) / (n_0 n_1).
    - ac1 (Gwet 2008, Br J Math Stat Psychol 61:29-48, two raters): pi = (2a + b + c) / 2N,
      p_e = 2 pi (1 - pi).
    - pabak (Byrt, Bishop & Carlin 1993) = Brennan-Prediger (1981) with q = 2: 2 p_o - 1.

    NaN here is internal (vectorised bootstrap); public functions turn it into :class:`NA`.
    A table where neither coder used the code gives NaN for every chance-corrected coefficient
    (DESIGN.md: "n/a" for a code neither coder used), and percent 1.0.
    """
    a, b, c, d = (np.asarray(x, dtype=np.float64) for x in (both, only_a, only_b, neither))
    n = a + b + c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        p_o = (a + d) / n
        p_e = ((a + b) * (a + c) + (c + d) * (b + d)) / (n * n)
        kappa = (p_o - p_e) / (1.0 - p_e)
        n1 = 2 * a + b + c
        n0 = 2 * d + b + c
        alpha = 1.0 - (2 * n - 1) * (b + c) / (n0 * n1)
        pi = n1 / (2 * n)
        pe_ac1 = 2 * pi * (1 - pi)
        ac1 = (p_o - pe_ac1) / (1.0 - pe_ac1)
        pabak = 2 * p_o - 1
    unused = (a + b + c) == 0
    constant = (n0 == 0) | (n1 == 0)  # nothing varies: kappa's p_e = 1 and alpha's D_e = 0
    nan = np.nan
    return {
        "percent": np.where(n > 0, p_o, nan),
        "kappa": np.where(constant | (n == 0), nan, kappa),
        "alpha": np.where(constant | (n == 0), nan, alpha),
        "ac1": np.where(unused | (n == 0), nan, ac1),
        "pabak": np.where(unused | (n == 0), nan, pabak),
    }


@dataclass(frozen=True, slots=True)
class BinaryAgreement:
    """Two coders' agreement on one code: the 2x2 counts and every coefficient.

    ``both``/``only_a``/``only_b``/``neither`` count units where both coders, only coder A,
    only coder B, or neither applied the code; ``n`` is their total. ``pabak`` is also the
    two-coder Brennan-Prediger coefficient (see :attr:`brennan_prediger`).
    """

    both: int
    only_a: int
    only_b: int
    neither: int
    n: int
    percent: Coefficient
    kappa: Coefficient
    alpha: Coefficient
    ac1: Coefficient
    pabak: Coefficient

    @property
    def brennan_prediger(self) -> Coefficient:
        """Brennan & Prediger (1981) with q = 2, identical to PABAK for two coders."""
        return self.pabak


def _reason(name: str, both: int, only_a: int, only_b: int, neither: int) -> str:
    if both + only_a + only_b + neither == 0:
        return "no units were rated"
    if both + only_a + only_b == 0:
        return NEITHER
    if name in ("kappa", "alpha") and only_a + only_b + neither == 0:
        return "both coders applied the code to every unit: no variation, expected agreement is 1"
    return "undefined for these counts"


def from_counts(both: int, only_a: int, only_b: int, neither: int) -> BinaryAgreement:
    """Build the summary from the four 2x2 counts (e.g. when already tallied by a query)."""
    counts = (int(both), int(only_a), int(only_b), int(neither))
    if min(counts) < 0:
        raise ValueError(f"2x2 counts must be non-negative, got {counts}")
    values = binary_coefficients(*(np.array(x) for x in counts))
    coefficients: dict[str, Coefficient] = {}
    for name in COEFFICIENTS:
        value = float(values[name])
        coefficients[name] = NA(_reason(name, *counts)) if np.isnan(value) else value
    return BinaryAgreement(*counts, n=sum(counts), **coefficients)  # type: ignore[arg-type]


def binary_code_agreement(
    a_present: Sequence[bool] | np.ndarray, b_present: Sequence[bool] | np.ndarray
) -> BinaryAgreement:
    """Agreement of two coders on one code over the same units (True = code applied).

    Decision for a code neither coder used (DESIGN.md): percent agreement is reported as 1.0
    -- they did agree on every unit -- while kappa, alpha, AC1 and PABAK are :class:`NA` with
    reason "code used by neither coder", since a code nobody applied carries no evidence about
    how reliably it is applied.
    """
    a = np.asarray(a_present, dtype=bool)
    b = np.asarray(b_present, dtype=bool)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"need two equal-length 1-D sequences, got shapes {a.shape}, {b.shape}")
    both = int(np.count_nonzero(a & b))
    only_a = int(np.count_nonzero(a & ~b))
    only_b = int(np.count_nonzero(~a & b))
    return from_counts(both, only_a, only_b, a.size - both - only_a - only_b)
