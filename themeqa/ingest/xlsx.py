"""Read one worksheet of an ``.xlsx`` as rows of values, in bounded time and memory.

Why not ``worksheet.iter_rows()``: openpyxl pads every missing row and cell up to the
sheet's dimension, so a 5 KB workbook whose one stray cell sits at XFD1048576 makes it yield
a million rows of 16,384 cells (minutes, or a MemoryError if the rows are kept). Here the
sheet's XML is streamed in read-only mode and only the cells that are in the file are seen;
empty rows are skipped (rows keep their spreadsheet numbers), and a table whose values would
span more than :data:`themeqa.limits.MAX_TABLE_CELLS` cells (rows x widest row) is refused
naming its farthest cell, before any padded row is built.

The streaming uses openpyxl's worksheet parser (``openpyxl.worksheet._reader``), the one its
own read-only worksheets use; ``tests/ingest/test_xlsx_limits.py`` pins it.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from themeqa.limits import MAX_TABLE_CELLS, LimitError

__all__ = ["MAX_COLUMN", "MAX_ROW", "xlsx_rows"]

#: Excel's own limits: a cell beyond them is not in any worksheet Excel can make
MAX_ROW = 1_048_576
MAX_COLUMN = 16_384


def _cell_name(row: int, column: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column)}{row}" if 1 <= column <= MAX_COLUMN else f"R{row}C{column}"


def _sparse_rows(ws: Any) -> list[tuple[int, dict[int, Any]]]:
    """``(row number, {column: value})`` for every row holding a value, from the XML."""
    from openpyxl.worksheet._reader import WorkSheetParser

    wb = ws.parent
    out: list[tuple[int, dict[int, Any]]] = []
    n_cells = 0
    with ws._get_source() as src:
        parser = WorkSheetParser(src, ws._shared_strings, data_only=wb.data_only,
                                 epoch=wb.epoch, date_formats=wb._date_formats,
                                 timedelta_formats=wb._timedelta_formats)
        for number, cells in parser.parse():
            values = {c["column"]: c["value"] for c in cells if c["value"] is not None}
            if not values:
                continue
            far = max(values)
            if number > MAX_ROW or far > MAX_COLUMN or number < 1 or min(values) < 1:
                raise LimitError(f"cell {_cell_name(number, far)} is outside a worksheet")
            n_cells += len(values)
            if n_cells > MAX_TABLE_CELLS:
                raise LimitError(f"more than {MAX_TABLE_CELLS:,} cells hold values; "
                                 "split the table")
            out.append((number, values))
    return out


def _dense(rows: list[tuple[int, dict[int, Any]]]) -> list[tuple[int, list[Any]]]:
    """Rows as lists as wide as the widest row, refusing a table that would be too big."""
    if not rows:
        return []
    width = max(max(values) for _, values in rows)
    if width * len(rows) > MAX_TABLE_CELLS:
        far_row, far_values = max(rows, key=lambda r: max(r[1]))
        last_row = rows[-1][0]
        usual = sorted(max(v) for _, v in rows)[len(rows) // 2]
        raise LimitError(
            f"a value in cell {_cell_name(far_row, max(far_values))} makes the table "
            f"{width:,} columns wide over {last_row:,} rows (most rows end by column "
            f"{_cell_name(1, usual)[:-1]}); delete that cell or save the sheet as CSV"
        )
    out = []
    for number, values in rows:
        dense = [None] * max(values)
        for column, value in values.items():
            dense[column - 1] = value
        out.append((number, dense))
    return out


def xlsx_rows(
    source: bytes | str | Path,
    choose: Callable[[Any], Any] | None = None,
) -> list[tuple[int, list[Any]]]:
    """``(spreadsheet row number, values)`` of each non-empty row of one worksheet.

    ``choose(workbook)`` picks the sheet (default: the first). Values are openpyxl's
    (``data_only``: cached formula results); a row's list ends at its last value. Raises
    :class:`LimitError` for a cell outside Excel's grid or too many cells, and lets
    openpyxl's and zipfile's own errors through for the caller to report as a damaged file.
    """
    from openpyxl import load_workbook

    handle = io.BytesIO(source) if isinstance(source, bytes) else source
    wb = load_workbook(handle, read_only=True, data_only=True)
    try:
        if not wb.worksheets:
            return []
        ws = choose(wb) if choose is not None else wb.worksheets[0]
        if ws is None or not hasattr(ws, "_get_source"):  # a chart sheet holds no cells
            return []
        return _dense(_sparse_rows(ws))
    finally:
        wb.close()
