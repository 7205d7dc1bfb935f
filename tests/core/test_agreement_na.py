"""The typed n/a result: where coefficients are undefined, and input validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from themeqa.core.agreement import (
    NA,
    binary_code_agreement,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    is_na,
    krippendorff_alpha,
    pabak,
    percent_agreement,
)


def test_na_prints_as_na_and_keeps_reason() -> None:
    value = NA("code used by neither coder")
    assert str(value) == "n/a"
    assert f"{value:.3f}" == "n/a"
    assert value.reason == "code used by neither coder"
    assert is_na(value) and not is_na(0.0) and not is_na(math.nan)
    with pytest.raises(AttributeError):
        value.reason = "x"  # type: ignore[misc]


def test_code_used_by_neither_coder() -> None:
    s = binary_code_agreement([False] * 8, [False] * 8)
    assert (s.both, s.only_a, s.only_b, s.neither, s.n) == (0, 0, 0, 8, 8)
    assert s.percent == 1.0
    for value in (s.kappa, s.alpha, s.ac1, s.pabak, s.brennan_prediger):
        assert is_na(value)
        assert value.reason == "code used by neither coder"


def test_code_applied_everywhere_by_both() -> None:
    s = binary_code_agreement([True] * 5, [True] * 5)
    assert is_na(s.kappa) and is_na(s.alpha)
    assert s.ac1 == 1.0 and s.pabak == 1.0  # defined: chance terms do not depend on variation


def test_empty_inputs() -> None:
    s = binary_code_agreement([], [])
    assert s.n == 0
    assert all(is_na(v) for v in (s.percent, s.kappa, s.alpha, s.ac1, s.pabak))
    assert is_na(percent_agreement([], []))
    assert is_na(cohen_kappa([], []))


def test_constant_data() -> None:
    constant = [["x"] * 6, ["x"] * 6, ["x"] * 6]
    assert is_na(cohen_kappa(constant[0], constant[1]))
    assert is_na(krippendorff_alpha(constant))
    assert is_na(gwet_ac1(constant))  # one category: q - 1 = 0
    assert is_na(brennan_prediger(constant))
    assert is_na(pabak(constant[0], constant[1]))
    assert pabak(constant[0], constant[1], categories=("x", "y")) == 1.0
    assert is_na(fleiss_kappa([[3, 0]] * 6))
    for level in ("nominal", "ordinal", "interval", "ratio"):
        assert is_na(krippendorff_alpha([[2.0, 2.0], [2.0, 2.0]], level))  # type: ignore[arg-type]


def test_fewer_than_two_pairable_values() -> None:
    data = [[1, None, None], [None, 2, None]]  # no unit coded twice
    result = krippendorff_alpha(data)
    assert is_na(result) and "pairable" in result.reason
    assert is_na(gwet_ac1(data))
    assert is_na(krippendorff_alpha([[1, 2, 3]]))  # a single coder
    assert is_na(krippendorff_alpha(np.full((3, 4), np.nan)))


def test_never_zero_or_nan_where_undefined() -> None:
    for value in (
        cohen_kappa(["a"] * 4, ["a"] * 4),
        krippendorff_alpha([[1, 1], [1, 1]]),
        binary_code_agreement([0, 0], [0, 0]).kappa,
    ):
        assert isinstance(value, NA)


def test_validation() -> None:
    with pytest.raises(ValueError, match="different numbers"):
        cohen_kappa([1, 2], [1])
    with pytest.raises(ValueError, match="missing"):
        cohen_kappa([1, None], [1, 2])
    with pytest.raises(ValueError, match="unequal"):
        fleiss_kappa([[2, 1], [1, 1]])
    with pytest.raises(ValueError, match="at least two"):
        fleiss_kappa([[1, 0], [0, 1]])
    with pytest.raises(ValueError, match="negative"):
        fleiss_kappa([[3, -1], [1, 1]])
    with pytest.raises(ValueError, match="whole-number"):
        fleiss_kappa([[1.5, 0.5], [1.0, 1.0]])
    with pytest.raises(ValueError, match="2-D"):
        krippendorff_alpha([1, 2, 3])
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha([[1, 2], [1, 2]], "cardinal")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="numeric"):
        krippendorff_alpha([["a", "b"], ["a", "a"]], "interval")
    with pytest.raises(ValueError, match="infinite"):
        krippendorff_alpha([[1.0, np.inf], [1.0, 2.0]])
    with pytest.raises(ValueError, match="categories"):
        pabak(["a", "b"], ["a", "c"], categories=("a", "b"))
    with pytest.raises(ValueError, match="categories"):
        gwet_ac1([["a", "b"], ["a", "c"]], categories=("a", "b"))
