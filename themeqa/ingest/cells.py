"""Spreadsheet cell values as text, the same way for every reader of .xlsx files.

Why one function: participants, written responses and (later) measures all come from Excel,
where a whole number arrives as ``3.0`` and a date as a ``datetime``; every reader must turn
them into the text a researcher sees in the cell, or ids like ``3`` and ``3.0`` diverge.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["cell_text"]


def cell_text(value: object) -> str:
    """The text of one openpyxl cell value (``None`` -> ``""``, ``3.0`` -> ``"3"``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
