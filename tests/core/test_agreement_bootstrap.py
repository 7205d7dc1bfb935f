"""Seeded document bootstrap: reproducibility, coverage of the estimate, documents kept whole."""

from __future__ import annotations

import numpy as np
import pytest

from themeqa.core.agreement import (
    binary_code_agreement,
    bootstrap_binary_ci,
    bootstrap_ci,
    cohen_kappa,
    is_na,
    krippendorff_alpha,
    percent_agreement,
)


def _documents(seed: int = 1, n_docs: int = 30) -> list[tuple[np.ndarray, np.ndarray]]:
    """Two coders who agree on about 85% of units, spread over documents of varied length."""
    rng = np.random.default_rng(seed)
    docs = []
    for size in rng.integers(5, 40, size=n_docs):
        a = rng.random(size) < 0.3
        b = np.where(rng.random(size) < 0.85, a, ~a)
        docs.append((a, b))
    return docs


def test_same_seed_same_interval() -> None:
    docs = _documents()
    first = bootstrap_ci(docs, cohen_kappa, n_boot=300, seed=42)
    again = bootstrap_ci(docs, cohen_kappa, n_boot=300, seed=42)
    assert first == again
    assert first.seed == 42 and first.n_boot == 300 and first.n_groups == len(docs)
    other = bootstrap_ci(docs, cohen_kappa, n_boot=300, seed=43)
    assert (other.low, other.high) != (first.low, first.high)


def test_unseeded_run_records_a_reproducible_seed() -> None:
    docs = _documents()
    first = bootstrap_ci(docs, percent_agreement, n_boot=100)
    assert bootstrap_ci(docs, percent_agreement, n_boot=100, seed=first.seed) == first


def test_interval_contains_estimate() -> None:
    docs = _documents()
    ci = bootstrap_ci(docs, cohen_kappa, n_boot=500, seed=7)
    everything_a = np.concatenate([a for a, _ in docs])
    everything_b = np.concatenate([b for _, b in docs])
    assert ci.estimate == pytest.approx(cohen_kappa(everything_a, everything_b))
    assert ci.low < ci.estimate < ci.high
    assert ci.n_defined == 500 and ci.level == 0.95


def test_fast_binary_path_equals_generic_path() -> None:
    docs = _documents(seed=5)
    for name in ("percent", "kappa", "alpha", "ac1", "pabak"):
        fast = bootstrap_binary_ci(docs, name, n_boot=400, seed=11)
        slow = bootstrap_ci(
            docs,
            lambda a, b, name=name: getattr(binary_code_agreement(a, b), name),
            n_boot=400,
            seed=11,
        )
        assert fast.estimate == pytest.approx(slow.estimate, abs=1e-12)
        assert fast.low == pytest.approx(slow.low, abs=1e-12)
        assert fast.high == pytest.approx(slow.high, abs=1e-12)
        assert fast.n_defined == slow.n_defined


def test_resamples_documents_not_units() -> None:
    # Nine short documents where the coders always agree and one long one where they never do.
    # Whole-document resampling leaves the long document out of about a third of replicates
    # ((9/10)^10 = 0.35), and those replicates have percent agreement exactly 1.0; resampling
    # units instead would keep every replicate near 90/190 = 0.47 and never reach 1.0.
    docs = [([1] * 10, [1] * 10) for _ in range(9)]
    docs.append(([1] * 100, [0] * 100))
    ci = bootstrap_ci(docs, percent_agreement, n_boot=2000, seed=3)
    assert ci.estimate == pytest.approx(90 / 190)
    assert ci.high == 1.0
    assert ci.low < 0.4

    # The number of units in a replicate varies only if documents are resampled whole.
    sizes = bootstrap_ci(docs, lambda a, b: float(len(a)), n_boot=200, seed=3, level=0.5)
    assert sizes.low < sizes.high


def test_alpha_on_coders_by_units_documents() -> None:
    rng = np.random.default_rng(2)
    docs = []
    for _ in range(12):
        truth = rng.integers(0, 3, size=15).astype(float)
        coded = np.vstack(
            [np.where(rng.random(15) < 0.8, truth, rng.integers(0, 3, 15)) for _ in range(3)]
        )
        coded[rng.random(coded.shape) < 0.1] = np.nan
        docs.append((coded,))
    ci = bootstrap_ci(docs, krippendorff_alpha, n_boot=200, seed=9)
    assert ci.low < ci.estimate < ci.high


def test_na_when_too_few_defined_replicates() -> None:
    # The code appears in one document of twenty, so kappa is defined only in replicates that
    # draw that document: 1 - (19/20)^20 = 64% of them. Demanding 90% defined gives n/a;
    # the default (50%) gives an interval over the defined replicates.
    docs = [([False] * 5, [False] * 5) for _ in range(19)]
    docs.append(([True] * 5, [True, False, True, False, True]))
    strict = bootstrap_binary_ci(docs, "kappa", n_boot=500, seed=1, min_defined=0.9)
    assert is_na(strict.low) and is_na(strict.high)
    assert "bootstrap replicates" in strict.low.reason
    assert 250 < strict.n_defined < 450
    assert not is_na(strict.estimate)
    lenient = bootstrap_binary_ci(docs, "kappa", n_boot=500, seed=1)
    assert lenient.n_defined == strict.n_defined
    assert lenient.low <= lenient.high


def test_na_with_a_single_document() -> None:
    ci = bootstrap_ci([([1, 0, 1], [1, 0, 0])], cohen_kappa, n_boot=50, seed=0)
    assert is_na(ci.low) and is_na(ci.high)


def test_argument_checks() -> None:
    docs = _documents()
    with pytest.raises(ValueError):
        bootstrap_ci(docs, cohen_kappa, level=1.5, seed=0)
    with pytest.raises(ValueError):
        bootstrap_binary_ci(docs, "gamma", seed=0)
    with pytest.raises(ValueError):
        bootstrap_ci([], cohen_kappa, seed=0)
