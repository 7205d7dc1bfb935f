"""The typed "not applicable" result shared by every agreement coefficient.

DESIGN.md ("Statistics conventions") asks for "n/a" -- never 0, never NaN -- where a coefficient is
undefined (a code neither coder used, no variation, too few pairable values). 0 would read as
"chance-level agreement" and NaN silently poisons sums and sorts, so both misreport. A small
frozen value that carries the *reason* lets reports print "n/a" and tooltips explain why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias, TypeGuard

__all__ = ["NA", "Coefficient", "is_na"]


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
