"""Word frequencies and how distinctive a word is of one group against another.

Two keyness measures are offered because methods sections cite both:

- **Log-odds ratio with an informative Dirichlet prior** (Monroe, Colaresi & Quinn 2008,
  "Fightin' words", *Political Analysis* 16(4), eqs. 16, 18–22): for word *w* with counts
  y_a, y_b in groups of n_a, n_b tokens and prior pseudo-counts α_w summing to α_0,
  δ_w = ln[(y_a+α_w)/(n_a+α_0−y_a−α_w)] − ln[(y_b+α_w)/(n_b+α_0−y_b−α_w)],
  σ²(δ_w) ≈ 1/(y_a+α_w) + 1/(y_b+α_w), and z_w = δ_w / σ(δ_w). Positive z: typical of A.
  The prior is the pooled counts of both groups scaled to ``prior_total`` pseudo-tokens, so
  frequent words are shrunk less than rare ones.
- **Log-likelihood G²** (Dunning 1993; in the two-cell form of Rayson & Garside 2000, the
  form Wmatrix and AntConc report): E_a = n_a(y_a+y_b)/(n_a+n_b), E_b likewise,
  G² = 2[y_a ln(y_a/E_a) + y_b ln(y_b/E_b)], with 0·ln 0 = 0; signed + when the word's rate
  is higher in A.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from themeqa.core.tokens import TokenTable

__all__ = ["count_lemmas", "distinctive_words", "g2", "log_odds_z", "tokens_in_spans"]


def tokens_in_spans(table: TokenTable, spans: Iterable[tuple[int, int]]) -> np.ndarray:
    """Mask of tokens lying wholly inside any of ``spans`` (used for "words of a theme")."""
    mask = np.zeros(len(table), bool)
    spans = sorted(spans)
    if not spans or len(table) == 0:
        return mask
    for a, b in spans:  # spans per document are few; tokens are located by binary search
        lo = np.searchsorted(table.start, a, side="left")
        hi = np.searchsorted(table.end, b, side="right")
        if hi > lo:
            mask[lo:hi] = True
    return mask


def count_lemmas(
    tables: Iterable[tuple[TokenTable, np.ndarray | None]],
    *,
    min_length: int = 3,
    exclude: Iterable[str] = (),
    keep_stop_words: bool = False,
) -> Counter:
    """Lemma counts over ``(table, mask)`` pairs (mask None = all tokens).

    Only word tokens count; stop words (the language's spaCy list), words shorter than
    ``min_length`` and the ``exclude`` set (speaker labels, participant ids) are left out.
    """
    excluded = {e.lower() for e in exclude}
    totals: dict[int, int] = {}
    vocab = None
    for table, mask in tables:
        if len(table) == 0:
            continue
        vocab = table.vocab
        keep = table.is_word.copy()
        if not keep_stop_words:
            keep &= ~table.is_stop
        if mask is not None:
            keep &= mask
        ids, n = np.unique(table.lemma[keep], return_counts=True)
        for i, k in zip(ids.tolist(), n.tolist(), strict=True):
            totals[i] = totals.get(i, 0) + k
    counts: Counter = Counter()
    if vocab is None:
        return counts
    for i, k in totals.items():
        word = vocab.words[i]
        if len(word) >= min_length and word not in excluded:
            counts[word] += k
    return counts


def log_odds_z(
    y_a: np.ndarray, y_b: np.ndarray, alpha: np.ndarray
) -> np.ndarray:
    """z-scores of the log-odds ratio with Dirichlet prior ``alpha`` (Monroe et al. 2008)."""
    y_a = np.asarray(y_a, float)
    y_b = np.asarray(y_b, float)
    alpha = np.asarray(alpha, float)
    n_a, n_b, a0 = y_a.sum(), y_b.sum(), alpha.sum()
    delta = np.log((y_a + alpha) / (n_a + a0 - y_a - alpha)) - np.log(
        (y_b + alpha) / (n_b + a0 - y_b - alpha)
    )
    var = 1.0 / (y_a + alpha) + 1.0 / (y_b + alpha)
    return delta / np.sqrt(var)


def g2(y_a: np.ndarray, y_b: np.ndarray, n_a: float, n_b: float) -> np.ndarray:
    """Signed log-likelihood G² per word (Rayson & Garside 2000); see the module docstring."""
    y_a = np.asarray(y_a, float)
    y_b = np.asarray(y_b, float)
    total = y_a + y_b
    e_a = n_a * total / (n_a + n_b)
    e_b = n_b * total / (n_a + n_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_a = np.where(y_a > 0, y_a * np.log(y_a / e_a), 0.0)
        t_b = np.where(y_b > 0, y_b * np.log(y_b / e_b), 0.0)
    value = 2.0 * (t_a + t_b)
    sign = np.where(y_a / n_a >= y_b / n_b, 1.0, -1.0)
    return sign * value


def distinctive_words(
    counts_a: Mapping[str, int],
    counts_b: Mapping[str, int],
    *,
    prior_total: float | None = None,
    min_count: int = 1,
) -> pd.DataFrame:
    """One row per word used by either group, sorted by z (most typical of A first).

    Columns: word, count_a, count_b, per_1000_a, per_1000_b, z (log-odds, informative
    prior), g2 (signed). ``prior_total`` (α_0) defaults to the pooled token count, i.e. the
    prior has the weight of the data; smaller values shrink less.
    """
    words = sorted(set(counts_a) | set(counts_b))
    y_a = np.array([counts_a.get(w, 0) for w in words], float)
    y_b = np.array([counts_b.get(w, 0) for w in words], float)
    keep = (y_a + y_b) >= min_count
    n_a, n_b = y_a.sum(), y_b.sum()
    if not words or n_a == 0 or n_b == 0:
        return pd.DataFrame(
            columns=["word", "count_a", "count_b", "per_1000_a", "per_1000_b", "z", "g2"]
        )
    pooled = y_a + y_b
    a0 = float(pooled.sum()) if prior_total is None else float(prior_total)
    alpha = pooled / pooled.sum() * a0
    frame = pd.DataFrame({
        "word": words,
        "count_a": y_a.astype(int),
        "count_b": y_b.astype(int),
        "per_1000_a": y_a / n_a * 1000,
        "per_1000_b": y_b / n_b * 1000,
        "z": log_odds_z(y_a, y_b, alpha),
        "g2": g2(y_a, y_b, n_a, n_b),
    })
    frame = frame[keep]
    return frame.sort_values(["z", "word"], ascending=[False, True]).reset_index(drop=True)
