"""The typed "not applicable" result shared by every agreement coefficient.

DESIGN.md ("Statistics conventions") asks for "n/a" -- never 0, never NaN -- where a coefficient is
undefined (a code neither coder used, no variation, too few pairable values). 0 would read as
"chance-level agreement" and NaN silently poisons sums and sorts, so both misreport. A small
frozen value that carries the *reason* lets reports print "n/a" and tooltips explain why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias, TypeGuard

__all__ = ["NA", "Coefficient", "fmt_coef", "is_na"]


@dataclass(frozen=True, slots=True)
class NA:
    """A coefficient that is not defined for the data, with the reason why.

    ``str(NA(...))`` and any ``format`` spec give ``"n/a"`` so report code can write
    ``f"{kappa:.3f}"`` without branching; ``reason`` is kept for explanations and logs.
    """

    reason: str

    def __str__(self) -> str:
        return "n/a"

    def __format__(self, format_spec: str) -> str:
        # A float spec such as ".3f" is meaningless here; honour only the width/alignment intent
        # by returning the plain marker, which is what tables and CSV writers need.
        return "n/a"


Coefficient: TypeAlias = float | NA
"""What every coefficient returns: a plain float, or :class:`NA` when it is undefined."""


def is_na(value: object) -> TypeGuard[NA]:
    """True when ``value`` is the typed "not applicable" result."""
    return isinstance(value, NA)


def fmt_coef(value: Any, digits: int = 2) -> str:
    """A coefficient as printed in tables and prose: no leading zero (APA), or "n/a".

    The one formatter for every report, the CLI and the TUI, so they cannot disagree. A value
    that rounds to zero prints ".00", never "-.00" (nor "[-.01, -.00]" in a CI): the sign of a
    number too small to show is noise, and "-.00" reads as a typo. Leading zero dropped because
    coefficients cannot exceed 1 (APA Publication Manual, 7th ed., section 6.36).
    """
    if is_na(value):
        return "n/a"
    text = f"{float(value):.{digits}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text
