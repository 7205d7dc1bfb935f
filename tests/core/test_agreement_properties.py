"""Property tests: invariances, and alpha against the independent ``krippendorff`` package."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from themeqa.core.agreement import (
    LEVELS,
    NA,
    binary_code_agreement,
    brennan_prediger,
    cohen_kappa,
    coincidence_matrix,
    fleiss_kappa,
    gwet_ac1,
    is_na,
    krippendorff_alpha,
    pabak,
    percent_agreement,
)

labels = st.lists(st.sampled_from("abcd"), min_size=1, max_size=40)


@st.composite
def paired(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    a = draw(labels)
    b = draw(st.lists(st.sampled_from("abcd"), min_size=len(a), max_size=len(a)))
    return a, b


@st.composite
def reliability_data(draw: st.DrawFn, max_coders: int = 12) -> np.ndarray:
    """coders x units floats with NaN for missing; small or fractional value sets."""
    m = draw(st.integers(2, max_coders))
    u = draw(st.integers(1, 30))
    fractional = draw(st.booleans())
    values = draw(
        st.lists(st.integers(0, 6), min_size=m * u, max_size=m * u).map(
            lambda xs: np.array(xs, dtype=float)
        )
    )
    if fractional:
        values = values * 0.37 + 1.5
    missing = draw(st.lists(st.booleans(), min_size=m * u, max_size=m * u))
    values[np.array(missing)] = np.nan
    return values.reshape(m, u)


@settings(max_examples=300, deadline=None)
@given(data=reliability_data(), level=st.sampled_from(LEVELS))
def test_alpha_matches_krippendorff_package(data: np.ndarray, level: str) -> None:
    ours = krippendorff_alpha(data, level)  # type: ignore[arg-type]
    try:
        reference = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    except ValueError:
        # The package refuses < 2 distinct values or no pairable unit; we must say n/a there.
        assert is_na(ours)
        return
    if not np.isfinite(reference):  # 0/0: no variation among pairable values
        assert is_na(ours)
        return
    assert not is_na(ours)
    assert ours == pytest.approx(reference, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(data=reliability_data())
def test_alpha_from_coincidence_matrix(data: np.ndarray) -> None:
    # Textbook nominal alpha from the coincidence matrix (Krippendorff 2011):
    # 1 - (n - 1) (n - sum_c o_cc) / (n^2 - sum_c n_c^2).
    _, o = coincidence_matrix(data)
    n = o.sum()
    n_c = o.sum(axis=1)
    denominator = n * n - (n_c * n_c).sum()
    ours = krippendorff_alpha(data)
    if n < 2 or denominator <= 1e-9:
        assert is_na(ours)
    else:
        expected = 1 - (n - 1) * (n - np.trace(o)) / denominator
        assert ours == pytest.approx(expected, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(data=reliability_data(max_coders=5))
def test_alpha_same_for_lists_with_none(data: np.ndarray) -> None:
    as_lists = [[None if np.isnan(v) else float(v) for v in row] for row in data]
    as_labels = [[None if np.isnan(v) else f"v{v}" for v in row] for row in data]
    for level in LEVELS:
        assert krippendorff_alpha(as_lists, level) == _same(krippendorff_alpha(data, level))
    assert krippendorff_alpha(as_labels) == _same(krippendorff_alpha(data))


class _AnyNA:
    """Equal to every NA (reasons may be worded differently by different functions)."""

    def __eq__(self, other: object) -> bool:
        return is_na(other)

    def __hash__(self) -> int:
        return 0


def _same(value: float | NA) -> object:
    return _AnyNA() if is_na(value) else pytest.approx(value, abs=1e-12)


@given(a=labels)
def test_identical_coders_agree_perfectly(a: list[str]) -> None:
    assert percent_agreement(a, a) == 1.0
    kappa = cohen_kappa(a, a)
    alpha = krippendorff_alpha([a, a])
    if len(set(a)) >= 2:
        assert kappa == pytest.approx(1.0)
        assert alpha == pytest.approx(1.0)
        assert gwet_ac1([a, a]) == pytest.approx(1.0)
        assert brennan_prediger([a, a]) == pytest.approx(1.0)
        assert pabak(a, a) == pytest.approx(1.0)
    else:  # one label throughout: no variation, nothing for chance correction to work on
        assert is_na(kappa)
        assert is_na(alpha)


@given(pair=paired())
def test_swapping_coders_changes_nothing(pair: tuple[list[str], list[str]]) -> None:
    a, b = pair
    for f in (percent_agreement, cohen_kappa, pabak):
        assert f(a, b) == _same(f(b, a))  # type: ignore[operator]
    for g in (krippendorff_alpha, gwet_ac1, brennan_prediger):
        assert g([a, b]) == _same(g([b, a]))  # type: ignore[operator]


@given(data=reliability_data(max_coders=6), seed=st.integers(0, 2**32 - 1))
def test_permuting_coders_or_units_changes_nothing(data: np.ndarray, seed: int) -> None:
    rng = np.random.default_rng(seed)
    shuffled = data[rng.permutation(data.shape[0])][:, rng.permutation(data.shape[1])]
    for level in LEVELS:
        assert krippendorff_alpha(shuffled, level) == _same(krippendorff_alpha(data, level))
    assert gwet_ac1(shuffled) == _same(gwet_ac1(data))


@given(pair=paired())
def test_fleiss_with_two_coders_is_scotts_pi(pair: tuple[list[str], list[str]]) -> None:
    a, b = pair
    cats = sorted(set(a) | set(b))
    table = [[(x == c) + (y == c) for c in cats] for x, y in zip(a, b, strict=True)]
    # Scott (1955): pi = (p_o - p_e) / (1 - p_e), p_e = sum_k ((n_A(k) + n_B(k)) / 2n)^2.
    n = len(a)
    p_o = sum(x == y for x, y in zip(a, b, strict=True)) / n
    p_e = sum(((a.count(c) + b.count(c)) / (2 * n)) ** 2 for c in cats)
    result = fleiss_kappa(table)
    if p_e == 1:
        assert is_na(result)
    else:
        assert result == pytest.approx((p_o - p_e) / (1 - p_e), abs=1e-12)


@given(pair=st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=60))
def test_binary_summary_matches_general_functions(pair: list[tuple[bool, bool]]) -> None:
    a = [x for x, _ in pair]
    b = [y for _, y in pair]
    s = binary_code_agreement(a, b)
    assert s.percent == pytest.approx(percent_agreement(a, b))
    if not (any(a) or any(b)):
        assert all(is_na(v) for v in (s.kappa, s.alpha, s.ac1, s.pabak))
        return
    assert s.kappa == _same(cohen_kappa(a, b))
    assert s.alpha == _same(krippendorff_alpha([a, b]))
    assert s.ac1 == _same(gwet_ac1([a, b], categories=(True, False)))
    assert s.pabak == _same(pabak(a, b, categories=(True, False)))


@given(data=reliability_data(max_coders=4))
def test_ac1_and_bp_bounded(data: np.ndarray) -> None:
    for value in (gwet_ac1(data), brennan_prediger(data)):
        if not is_na(value):
            assert -1.0 - 1e-12 <= value <= 1.0 + 1e-12


def test_large_matrix_uses_many_distinct_values() -> None:
    # Thousands of distinct fractional values take the sorting path; compare with the package.
    rng = np.random.default_rng(3)
    data = rng.normal(size=(3, 120)).round(3) + 10
    data[rng.random(data.shape) < 0.2] = np.nan
    for level in ("interval", "ratio", "ordinal"):
        reference = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
        assert krippendorff_alpha(data, level) == pytest.approx(reference, abs=1e-9)
