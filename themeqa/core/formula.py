"""Formula-injection escaping for cells of files users open in spreadsheets.

Why: a cell that begins with ``= + - @`` (or a tab / carriage return) is run as a formula by
Excel, LibreOffice and Google Sheets, so a participant's quote such as "=HYPERLINK(...)" or
"-- I never felt that" could execute or corrupt the sheet. OWASP's "CSV Injection" guidance
prescribes prefixing such cells with a single quote, which the spreadsheet shows as text.
Numbers are left alone: ``-1.5`` as a float is data, not a formula. One pure implementation,
used by the report writers, the codings CSV and the de-identification review file, so a
file written by one of them reads back the same through another.
"""

from __future__ import annotations

__all__ = ["FORMULA_TRIGGERS", "escape_formula", "unescape_formula"]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: object) -> object:
    """Return ``value`` safe for a CSV/XLSX cell: strings starting with a trigger get a ``'``.

    Non-strings (int, float, None, bool) are returned unchanged, so numeric cells stay numeric.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unescape_formula(value: str) -> str:
    """Undo :func:`escape_formula`: drop the apostrophe only where the writer put one."""
    if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value
