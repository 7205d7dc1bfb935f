"""Seeded percentile bootstrap confidence intervals that resample *documents*.

Units inside a document (turns, sentences) are not independent: a coder's reading of one
transcript colours every unit in it. Resampling units would pretend otherwise and give
intervals that are too narrow, so DESIGN.md asks for a bootstrap over documents (a cluster
bootstrap): each replicate draws documents with replacement, keeps each drawn document whole,
and recomputes the statistic on their concatenation. The percentile interval follows Efron &
Tibshirani (1993, An Introduction to the Bootstrap, ch. 13). Randomness comes from a numpy
Generator seeded with a recorded seed, so every interval can be reproduced exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from themeqa.core.agreement.binary import (
    COEFFICIENTS,
    binary_code_agreement,
    binary_coefficients,
    from_counts,
)
from themeqa.core.agreement.result import NA, Coefficient

__all__ = ["BootstrapCI", "bootstrap_binary_ci", "bootstrap_ci", "bootstrap_tables_ci"]

_CHUNK_CELLS = 1 << 22  # draws held in memory at once (replicates x documents)


@dataclass(frozen=True, slots=True)
class BootstrapCI:
    """A percentile interval with everything needed to report and reproduce it.

    ``estimate`` is the statistic on all documents; ``low``/``high`` are :class:`NA` when the
    interval is undefined (fewer than two documents, or too few replicates where the statistic
    was defined -- e.g. most resamples missed the only documents where a code was used).
    """

    estimate: Coefficient
    low: Coefficient
    high: Coefficient
    level: float
    seed: int
    n_boot: int
    n_defined: int
    n_groups: int


def _seed(seed: int | None) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy)  # fresh, but recorded in the result
    if int(seed) < 0:
        raise ValueError("seed must be a non-negative integer")
    return int(seed)


def _draw_chunks(seed: int, n_boot: int, n_groups: int) -> Iterator[np.ndarray]:
    """Document indices for every replicate, in chunks; the same stream for every caller."""
    rng = np.random.default_rng(seed)
    rows = max(1, _CHUNK_CELLS // max(n_groups, 1))
    for start in range(0, n_boot, rows):
        yield rng.integers(0, n_groups, size=(min(rows, n_boot - start), n_groups))


def _concat(parts: Sequence[Any]) -> Any:
    if all(isinstance(p, np.ndarray) for p in parts):
        return np.concatenate(parts, axis=-1)  # coders x units arrays join along units
    return list(itertools.chain.from_iterable(parts))


def _combine(groups: Sequence[Sequence[Any]], picks: Sequence[int]) -> list[Any]:
    width = len(groups[0])
    return [_concat([groups[g][i] for g in picks]) for i in range(width)]


def _as_value(value: Any) -> float:
    if isinstance(value, NA):
        return np.nan
    out = float(value)
    return out


def _interval(
    estimate: Coefficient,
    replicates: np.ndarray,
    *,
    level: float,
    seed: int,
    n_boot: int,
    n_groups: int,
    min_defined: float,
) -> BootstrapCI:
    finite = replicates[np.isfinite(replicates)]
    common = {"level": level, "seed": seed, "n_boot": n_boot, "n_groups": n_groups}
    if n_groups < 2:
        na = NA("fewer than two documents: nothing to resample")
        return BootstrapCI(estimate, na, na, n_defined=finite.size, **common)
    if finite.size < max(2, min_defined * n_boot):
        na = NA(f"statistic defined in only {finite.size} of {n_boot} bootstrap replicates")
        return BootstrapCI(estimate, na, na, n_defined=finite.size, **common)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(finite, [tail, 1.0 - tail])
    return BootstrapCI(estimate, float(low), float(high), n_defined=finite.size, **common)


def _check(n_boot: int, level: float, min_defined: float) -> None:
    if n_boot < 1:
        raise ValueError("n_boot must be at least 1")
    if not 0.0 < level < 1.0:
        raise ValueError("level must be between 0 and 1")
    if not 0.0 <= min_defined <= 1.0:
        raise ValueError("min_defined is a fraction of n_boot, between 0 and 1")


def bootstrap_ci(
    groups: Sequence[Sequence[Any]],
    statistic: Callable[..., Coefficient],
    *,
    n_boot: int = 1000,
    seed: int | None = None,
    level: float = 0.95,
    min_defined: float = 0.5,
) -> BootstrapCI:
    """Percentile bootstrap CI for ``statistic`` resampling whole documents.

    ``groups`` holds one entry per document, each a tuple of that document's data per argument
    of ``statistic`` -- e.g. ``[(a_units, b_units), ...]`` for ``cohen_kappa``. A replicate draws
    len(groups) documents with replacement and calls ``statistic(*parts)`` where each part is the
    concatenation of the drawn documents' parts (lists are chained, numpy arrays joined along
    their last axis, so coders x units matrices work for ``krippendorff_alpha``).

    Replicates where the statistic is :class:`NA` (or NaN) are dropped; when fewer than
    ``min_defined * n_boot`` remain the interval is NA rather than a biased guess. ``seed=None``
    draws a fresh seed, which is still recorded in the result.
    """
    _check(n_boot, level, min_defined)
    if not groups:
        raise ValueError("no documents to resample")
    seed = _seed(seed)
    d = len(groups)
    estimate = statistic(*_combine(groups, range(d)))
    replicates = np.empty(n_boot)
    pos = 0
    for chunk in _draw_chunks(seed, n_boot, d):
        for picks in chunk:
            replicates[pos] = _as_value(statistic(*_combine(groups, picks.tolist())))
            pos += 1
    return _interval(
        estimate,
        replicates,
        level=level,
        seed=seed,
        n_boot=n_boot,
        n_groups=d,
        min_defined=min_defined,
    )


def bootstrap_binary_ci(
    groups: Sequence[tuple[Sequence[bool] | np.ndarray, Sequence[bool] | np.ndarray]],
    coefficient: str = "kappa",
    *,
    n_boot: int = 1000,
    seed: int | None = None,
    level: float = 0.95,
    min_defined: float = 0.5,
) -> BootstrapCI:
    """Fast document bootstrap for one code's 2x2 agreement (``groups`` = per-document pairs).

    Same resampling scheme and random stream as :func:`bootstrap_ci` (so the same seed gives the
    same interval as ``bootstrap_ci(groups, lambda a, b: getattr(binary_code_agreement(a, b),
    coefficient))``), but vectorised: each document is reduced once to its 2x2 counts, a
    replicate's table is the draw-count-weighted sum of those (one matrix product per chunk of
    replicates), and the closed forms of :func:`binary_coefficients` run on all tables at once.
    ``coefficient`` is one of "percent", "kappa", "alpha", "ac1", "pabak".
    """
    if not groups:
        raise ValueError("no documents to resample")
    tables = np.empty((len(groups), 4))
    for g, (a_present, b_present) in enumerate(groups):
        s = binary_code_agreement(a_present, b_present)
        tables[g] = (s.both, s.only_a, s.only_b, s.neither)
    [ci] = bootstrap_tables_ci(tables[None], coefficient, n_boot=n_boot, seed=seed,
                               level=level, min_defined=min_defined)
    return ci


def bootstrap_tables_ci(
    tables: np.ndarray,
    coefficient: str = "kappa",
    *,
    n_boot: int = 1000,
    seed: int | None = None,
    level: float = 0.95,
    min_defined: float = 0.5,
) -> list[BootstrapCI]:
    """The document bootstrap of :func:`bootstrap_binary_ci` for many codes at once.

    ``tables``: (codes, documents, 4) counts both/only_a/only_b/neither per document (e.g.
    ``agreement_units.per_document_counts`` for each code, same document order). Every code
    sees the same draws — the random stream of :func:`bootstrap_ci` for that seed — so each
    interval equals the one-code call; the draws are made once and applied to all codes in
    one matrix product per chunk, which is what keeps a whole codebook on 10,000 documents
    to seconds (a replicate's table is the draw-count-weighted sum of document tables).
    """
    _check(n_boot, level, min_defined)
    if coefficient not in COEFFICIENTS:
        raise ValueError(f"coefficient must be one of {COEFFICIENTS}, got {coefficient!r}")
    tables = np.asarray(tables, dtype=np.float64)
    if tables.ndim != 3 or tables.shape[2] != 4:
        raise ValueError("tables must have shape (codes, documents, 4)")
    k, d, _ = tables.shape
    if d == 0:
        raise ValueError("no documents to resample")
    seed = _seed(seed)
    totals = tables.sum(axis=1).astype(np.int64)
    flat = tables.transpose(1, 0, 2).reshape(d, k * 4)  # documents x (codes x cells)
    replicates = np.empty((k, n_boot))
    pos = 0
    for chunk in _draw_chunks(seed, n_boot, d):
        rows = chunk.shape[0]
        offsets = (np.arange(rows)[:, None] * d + chunk).ravel()
        weights = np.bincount(offsets, minlength=rows * d).reshape(rows, d)
        counts = (weights @ flat).reshape(rows, k, 4)
        values = binary_coefficients(*np.moveaxis(counts, 2, 0))[coefficient]  # rows x k
        replicates[:, pos : pos + rows] = values.T
        pos += rows
    out = []
    for i in range(k):
        estimate = getattr(from_counts(*(int(x) for x in totals[i])), coefficient)
        out.append(_interval(estimate, replicates[i], level=level, seed=seed, n_boot=n_boot,
                             n_groups=d, min_defined=min_defined))
    return out
