"""Formula-injection escaping for report cells (see ``themeqa.core.formula`` for the rule).

Kept as the reports' import point; the implementation is shared with the codings CSV and the
de-identification review file.
"""

from __future__ import annotations

from themeqa.core.formula import escape_formula

__all__ = ["escape_formula"]
