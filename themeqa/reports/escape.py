"""Formula-injection escaping for cells of files users open in spreadsheets.

Why: a cell that begins with ``= + - @`` (or a tab / carriage return followed by one) is run
as a formula by Excel, LibreOffice and Google Sheets, so a participant's quote such as
"=HYPERLINK(...)" or "-- I never felt that" could execute or corrupt the sheet. OWASP's
"CSV Injection" guidance prescribes prefixing such cells with a single quote, which the
spreadsheet shows as text. Numbers are left alone: ``-1.5`` as a float is data, not a formula.
"""

from __future__ import annotations

__all__ = ["escape_formula"]

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: object) -> object:
    """Return ``value`` safe for a CSV/XLSX cell: strings starting with a trigger get a ``'``.

    Non-strings (int, float, None, bool) are returned unchanged, so numeric cells stay numeric.
    """
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value
