"""Read a table of participant measures (questionnaire items, scores) from CSV, XLSX or SPSS.

One row per participant, one column per variable, plus a participant id column: named by the
caller (``id_column``) or found by name (``id``, ``pid``, ``participant``, ``participant_id``,
``subject``, ``ppt``, ``code``; case, spaces and hyphens ignored), else the first column when
its values are non-empty and unique.

* **CSV**: bytes decoded by :func:`themeqa.ingest.encoding.decode_bytes` (BOMs, UTF-8,
  Windows-1252, ...); delimiter ``,``, ``;`` or tab taken from the header line; with ``;``
  or tab a decimal comma (``3,5``) is read as ``3.5`` (what Excel writes in much of Europe).
* **XLSX**: the first sheet; the header is the first non-empty row.
* **SPSS .sav** (pyreadstat): variable labels, value labels and user-missing codes are kept.
  The file is read with ``user_missing=True`` so the codes are *seen*; a value that is a
  user-missing code (a discrete value or inside a range) becomes missing, and the codes are
  kept in :attr:`MeasureColumn.missing_values` so an export can write them back. Value
  labels are kept as metadata; the stored value is the numeric code, as SPSS stores it.

A column is numeric when every non-empty cell is a number; otherwise it is a string column.
Every problem raises :class:`MeasuresError` (a ``ValueError``) naming the file, and the row
(spreadsheet numbering, header = row 1) or column where it applies.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from themeqa.ingest.cells import cell_text
from themeqa.ingest.encoding import decode_bytes
from themeqa.ingest.model import IngestError
from themeqa.ingest.xlsx import xlsx_rows
from themeqa.limits import LimitError, check_table_size, csv_rows

__all__ = [
    "ID_COLUMN_NAMES",
    "MeasureColumn",
    "MeasureTable",
    "MeasuresError",
    "code_key",
    "read_measures",
]

ID_COLUMN_NAMES = (
    "id",
    "pid",
    "participant",
    "participant_id",
    "participantid",
    "subject",
    "subject_id",
    "ppt",
    "code",
)
_FOLD = re.compile(r"[\s\-]+")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


class MeasuresError(ValueError):
    """A measures file that cannot be used; the message names the file and the place."""


@dataclass(frozen=True)
class MeasureColumn:
    """One variable's metadata. ``value_labels`` maps :func:`code_key` of a code to its
    label; ``missing_values`` lists user-missing codes (a number, or ``{"lo", "hi"}`` for a
    range) as SPSS declares them."""

    name: str
    label: str = ""
    kind: str = "numeric"  # numeric | string
    value_labels: dict[str, str] = field(default_factory=dict)
    missing_values: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class MeasureTable:
    """What :func:`read_measures` returns.

    ``data``: index = participant ids as text (file order), one column per variable (float
    with NaN for numeric columns, ``None`` for missing strings). ``n_user_missing``: cells
    turned missing because they held a user-missing code.
    """

    path: str
    format: str
    id_column: str
    columns: list[MeasureColumn]
    data: pd.DataFrame
    encoding: str | None = None
    n_user_missing: int = 0

    @property
    def ids(self) -> list[str]:
        return [str(i) for i in self.data.index]


def code_key(value: float | int | str) -> str:
    """The text key of a value-label code: ``1.0`` -> ``"1"``, ``2.5`` -> ``"2.5"``."""
    if isinstance(value, str):
        return value
    f = float(value)
    return str(int(f)) if f.is_integer() else repr(f)


def _fold(name: str) -> str:
    return _FOLD.sub("_", name.strip().casefold())


def _id_text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _find_id_column(
    file: str, names: list[str], id_column: str | None, first_values: list[str]
) -> str:
    if id_column is not None:
        for n in names:
            if n == id_column:
                return n
        for n in names:
            if _fold(n) == _fold(id_column):
                return n
        raise MeasuresError(f"{file}: no column {id_column!r} (columns: {', '.join(names)})")
    for wanted in ID_COLUMN_NAMES:
        for n in names:
            if _fold(n) == wanted:
                return n
    if names and all(first_values) and len(set(first_values)) == len(first_values):
        return names[0]
    raise MeasuresError(
        f"{file}: cannot tell which column holds participant ids (none is named id, pid or "
        "participant); pass --id-column"
    )


def _to_number(cell: str, decimal_comma: bool) -> float | None:
    text = cell.strip()
    if decimal_comma and _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _frame_from_cells(
    file: str,
    header: list[str],
    rows: list[tuple[int, list[Any]]],
    id_column: str | None,
    *,
    decimal_comma: bool = False,
) -> tuple[str, list[MeasureColumn], pd.DataFrame]:
    """Build the id-indexed frame from header + (row number, cells) of a CSV or XLSX."""
    names = [str(h).strip() for h in header]
    blank = [i + 1 for i, n in enumerate(names) if not n]
    if blank:
        raise MeasuresError(f"{file}: column {blank[0]} has no name in the header row")
    dup = sorted(n for n, k in Counter(names).items() if k > 1)
    if dup:
        raise MeasuresError(f"{file}: column names used twice: {', '.join(dup)}")
    rows = [(no, cells + [None] * (len(names) - len(cells))) for no, cells in rows]
    rows = [(no, c) for no, c in rows if any(_id_text(v) for v in c)]
    id_col = _find_id_column(file, names, id_column, [_id_text(c[0]) for _, c in rows])
    j_id = names.index(id_col)
    ids: list[str] = []
    seen: dict[str, int] = {}
    for no, cells in rows:
        pid = _id_text(cells[j_id])
        if not pid:
            raise MeasuresError(f"{file}: row {no}: no participant id in column {id_col!r}")
        if pid in seen:
            raise MeasuresError(
                f"{file}: row {no}: participant {pid!r} again (first on row {seen[pid]})"
            )
        seen[pid] = no
        ids.append(pid)
    columns: list[MeasureColumn] = []
    data: dict[str, list[Any]] = {}
    for j, name in enumerate(names):
        if j == j_id:
            continue
        raw = [cells[j] for _, cells in rows]
        numbers: list[float] = []
        numeric = True
        for v in raw:
            if v is None or (isinstance(v, str) and not v.strip()):
                numbers.append(math.nan)
            elif isinstance(v, bool):
                numeric = False
                break
            elif isinstance(v, int | float):
                numbers.append(float(v))
            else:
                num = _to_number(str(v), decimal_comma)
                if num is None:
                    numeric = False
                    break
                numbers.append(num)
        if numeric:
            columns.append(MeasureColumn(name=name, kind="numeric"))
            data[name] = numbers
        else:
            columns.append(MeasureColumn(name=name, kind="string"))
            data[name] = [cell_text(v).strip() or None for v in raw]
    frame = _frame(data, columns, ids, id_col)
    return id_col, columns, frame


def _frame(
    data: dict[str, list[Any]], columns: list[MeasureColumn], ids: list[str], id_col: str
) -> pd.DataFrame:
    """The wide table, string columns as ``object`` so a missing string stays ``None``.

    pandas 3 infers its ``str`` dtype for a list of strings and turns ``None`` into ``NaN``;
    callers (and the import's "missing" rule) rely on ``None`` for a missing string, so the
    dtype is set here instead of inferred.
    """
    index = pd.Index(ids, name=id_col, dtype=object)
    return pd.DataFrame(
        {
            c.name: pd.Series(
                data[c.name], index=index, dtype=object if c.kind == "string" else float
            )
            for c in columns
        },
        index=index,
    )


def _read_csv(path: Path, id_column: str | None) -> MeasureTable:
    data = path.read_bytes()
    try:
        text, encoding = decode_bytes(data, path.name)
    except IngestError as exc:
        raise MeasuresError(str(exc)) from exc
    lines = text.split("\n")
    first = next((ln for ln in lines if ln.strip()), "")
    if not first:
        raise MeasuresError(f"{path.name}: the file is empty")
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        all_rows = list(enumerate(csv_rows(text, delimiter), start=1))
    except LimitError as exc:
        raise MeasuresError(f"{path.name}: {exc}") from None
    header_at = next((i for i, (_, r) in enumerate(all_rows) if any(c.strip() for c in r)), None)
    if header_at is None:  # only white space and quotes
        raise MeasuresError(f"{path.name}: the file is empty")
    header = all_rows[header_at][1]
    body = []
    for no, row in all_rows[header_at + 1 :]:
        if len(row) > len(header) and any(c.strip() for c in row[len(header) :]):
            raise MeasuresError(
                f"{path.name}: row {no} has {len(row)} cells, the header {len(header)}"
            )
        body.append((no, list(row[: len(header)])))
    id_col, columns, frame = _frame_from_cells(
        path.name, header, body, id_column, decimal_comma=delimiter != ","
    )
    return MeasureTable(
        path=str(path),
        format="csv",
        id_column=id_col,
        columns=columns,
        data=frame,
        encoding=encoding,
    )


def _read_xlsx(path: Path, id_column: str | None) -> MeasureTable:
    try:
        # streamed, only the cells in the file (themeqa.ingest.xlsx): a stray far cell is cheap
        rows = xlsx_rows(path)
    except LimitError as exc:
        raise MeasuresError(f"{path.name}: {exc}") from None
    except Exception as exc:  # zip or XML errors from a damaged file
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise MeasuresError(f"{path.name}: not a readable .xlsx file ({reason})") from exc
    non_empty = [(no, r) for no, r in rows if any(_id_text(v) for v in r)]
    if not non_empty:
        raise MeasuresError(f"{path.name}: the first sheet is empty")
    hdr_no, header = non_empty[0]
    while header and _id_text(header[-1]) == "":
        header = header[:-1]
    body = []
    for no, r in rows:
        if no <= hdr_no:
            continue
        if len(r) > len(header) and any(_id_text(v) for v in r[len(header):]):
            raise MeasuresError(
                f"{path.name}: row {no} has a value in column {len(r)}, which has no header"
            )
        body.append((no, list(r[: len(header)])))
    id_col, columns, frame = _frame_from_cells(
        path.name, [cell_text(h) for h in header], body, id_column
    )
    return MeasureTable(
        path=str(path), format="xlsx", id_column=id_col, columns=columns, data=frame
    )


def _is_user_missing(value: float, ranges: list[dict[str, float]]) -> bool:
    return any(r["lo"] <= value <= r["hi"] for r in ranges)


def _read_sav(path: Path, id_column: str | None) -> MeasureTable:
    from themeqa.ingest.sav_child import SavReadError, read_sav_isolated

    try:
        meta = read_sav_isolated(path)  # in a child process: a damaged file may crash ReadStat
    except SavReadError as exc:
        raise MeasuresError(f"cannot read {path.name}: {exc}") from None
    cells = meta.columns
    names = list(meta.column_names)
    labels = dict(zip(names, meta.column_labels, strict=True))
    ranges: dict[str, list[dict[str, float]]] = dict(meta.missing_ranges or {})
    user_values: dict[str, list[Any]] = dict(meta.missing_user_values or {})
    types = meta.readstat_variable_types
    first_values = [_id_text(v) for v in cells[names[0]]] if names else []
    id_col = _find_id_column(path.name, names, id_column, first_values)
    ids = [_id_text(v) for v in cells[id_col]]
    for i, pid in enumerate(ids):
        if not pid:
            raise MeasuresError(f"{path.name}: case {i + 1}: no participant id in {id_col!r}")
    dupes = sorted(p for p, k in Counter(ids).items() if k > 1)
    if dupes:
        raise MeasuresError(f"{path.name}: participant ids used twice: {', '.join(dupes)}")
    columns: list[MeasureColumn] = []
    data: dict[str, list[Any]] = {}
    n_user_missing = 0
    for name in names:
        if name == id_col:
            continue
        vlabels = {
            code_key(k): str(v) for k, v in (meta.variable_value_labels.get(name) or {}).items()
        }
        if types.get(name) == "string":
            codes = [str(v) for v in user_values.get(name, [])]
            values = []
            for v in cells[name]:
                text = None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
                if text is not None and text in codes:
                    n_user_missing += 1
                    text = None
                values.append(text if text else None)
            columns.append(MeasureColumn(name, labels.get(name) or "", "string", vlabels, codes))
            data[name] = values
            continue
        var_ranges = [{"lo": float(r["lo"]), "hi": float(r["hi"])} for r in ranges.get(name, [])]
        numbers = []
        for v in (math.nan if x is None else float(x) for x in cells[name]):
            if not math.isnan(v) and _is_user_missing(v, var_ranges):
                n_user_missing += 1
                v = math.nan
            numbers.append(float(v))
        missing = [r["lo"] if r["lo"] == r["hi"] else dict(r) for r in var_ranges]
        columns.append(MeasureColumn(name, labels.get(name) or "", "numeric", vlabels, missing))
        data[name] = numbers
    frame = _frame(data, columns, ids, id_col)
    return MeasureTable(
        path=str(path),
        format="sav",
        id_column=id_col,
        columns=columns,
        data=frame,
        encoding=meta.file_encoding,
        n_user_missing=n_user_missing,
    )


def read_measures(path: str | Path, *, id_column: str | None = None) -> MeasureTable:
    """Read a measures table (``.csv``/``.tsv``/``.txt``, ``.xlsx``, ``.sav``); see the module
    docstring. Raises :class:`MeasuresError`."""
    p = Path(path)
    if not p.is_file():
        raise MeasuresError(f"{p}: no such file")
    try:
        check_table_size(p.stat().st_size)
    except LimitError as exc:
        raise MeasuresError(f"{p.name}: {exc}") from None
    suffix = p.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        table = _read_csv(p, id_column)
    elif suffix in (".xlsx", ".xlsm"):
        table = _read_xlsx(p, id_column)
    elif suffix == ".sav":
        table = _read_sav(p, id_column)
    else:
        raise MeasuresError(
            f"{p.name}: unsupported measures file type {suffix or '(none)'} "
            "(use .csv, .xlsx or .sav)"
        )
    if not table.columns:
        raise MeasuresError(f"{p.name}: no variables besides the id column {table.id_column!r}")
    if table.data.empty:
        raise MeasuresError(f"{p.name}: no participant rows")
    return table
