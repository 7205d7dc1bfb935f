"""APA coefficients: no leading zero, and a value that rounds to zero is ".00", never "-.00"
(issue 22: κ printed as "-.00" and a CI as "[-.01, -.00]")."""

from __future__ import annotations

import pytest

from themeqa.core.agreement.result import NA, fmt_coef
from themeqa.services.check import AgreementRow
from themeqa.services.check_report import coefficient_cells
from themeqa.tui.components.agreement_screen import cells


@pytest.mark.parametrize(("value", "text"), [
    (-0.004, ".00"), (-0.0, ".00"), (0.0, ".00"), (0.004, ".00"), (-0.005001, "-.01"),
    (-0.012, "-.01"), (0.456, ".46"), (-0.456, "-.46"), (1.0, "1.00"), (-1.0, "-1.00"),
    (NA("no variation"), "n/a"),
])
def test_fmt_coef_exact_text(value: object, text: str) -> None:
    assert fmt_coef(value) == text


def test_three_digits_and_negative_zero() -> None:
    assert fmt_coef(-0.0004, digits=3) == ".000"
    assert fmt_coef(-0.0006, digits=3) == "-.001"


def _row() -> AgreementRow:
    return AgreementRow(code_id=1, codebook="inhibitors", label="1", name="Doubt", depth=1,
                        units=40, both=1, only_a=2, only_b=2, neither=35, percent=0.9,
                        kappa=-0.003, alpha=-0.0049, ac1=0.8, pabak=0.8,
                        ci_low=-0.012, ci_high=-0.001)


def test_report_and_screen_print_the_same_cells() -> None:
    report = coefficient_cells(_row())
    assert report[8:] == [".00", ".00", ".80", ".80", "[-.01, .00]"]
    assert list(cells(_row())[8:]) == report[8:]
