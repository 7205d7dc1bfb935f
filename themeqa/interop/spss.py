"""Write the merged participant dataset to SPSS ``.sav``, CSV and XLSX.

Why: researchers check the numbers of the joint display in SPSS (DESIGN.md: results must
match what SPSS reports), so the participant x variable dataset goes out with SPSS-valid
variable names, variable labels (the original name or the theme's name), value labels
(presence 0 = absent, 1 = present; labels imported from a .sav) and user-missing
declarations, via ``pyreadstat.write_sav``. CSV and XLSX get the same names and values; the
caller passes the cell escaping against formula injection (``reports.escape.escape_formula``)
because ``interop`` and ``reports`` are sibling layers that may not import each other.

SPSS variable-name rules (IBM SPSS Statistics, "Variable names"): at most 64 bytes, start
with a letter, then letters, digits, ``.`` or ``_``; must not end with ``.``; unique without
regard to case; not a reserved word (ALL AND BY EQ GE GT LE LT NE NOT OR TO WITH).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["RESERVED", "Dataset", "SpssError", "spss_names", "write_dataset"]

RESERVED = frozenset(
    ["ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"]
)
_BAD = re.compile(r"[^A-Za-z0-9_.]+")


class SpssError(ValueError):
    """The dataset cannot be written (unknown format, a file that cannot be created...)."""


@dataclass
class Dataset:
    """A participant x variable table with SPSS metadata, keyed by the frame's column names.

    ``frame``: first column the participant id, then one column per variable (numbers as
    float with NaN for missing, text as str or None). ``labels``: variable labels.
    ``value_labels``: column -> {numeric code: label}. ``missing``: column -> user-missing
    codes (numbers, or ``{"lo", "hi"}`` ranges) as SPSS declares them. ``measure``: column ->
    ``nominal`` | ``ordinal`` | ``scale``.
    """

    frame: pd.DataFrame
    labels: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[float, str]] = field(default_factory=dict)
    missing: dict[str, list[Any]] = field(default_factory=dict)
    measure: dict[str, str] = field(default_factory=dict)


def spss_names(columns: Iterable[str]) -> dict[str, str]:
    """A valid, case-insensitively unique SPSS name for each column (see module docstring).

    A run of invalid characters becomes one ``_`` (``theme inhibitors::2a`` ->
    ``theme_inhibitors_2a``: SPSS allows no ``:`` or space), a name not starting with a
    letter gets a ``v`` in front, reserved words get a trailing ``_``, names are cut to 64
    bytes, and clashes get ``_2``, ``_3``...
    """
    out: dict[str, str] = {}
    used: set[str] = set()
    for col in columns:
        name = _BAD.sub("_", str(col).strip()).strip("_") or "v"
        if not name[0].isascii() or not name[0].isalpha():
            name = "v" + name
        name = name.rstrip(".")
        if name.upper() in RESERVED:
            name += "_"
        name = name[:64]
        base, k = name, 2
        while name.upper() in used:
            suffix = f"_{k}"
            name = base[: 64 - len(suffix)] + suffix
            k += 1
        used.add(name.upper())
        out[str(col)] = name
    return out


def _valid_missing(codes: list[Any]) -> list[Any] | None:
    """pyreadstat/SPSS allow up to three discrete codes, or one range plus one code."""
    ranges = [c for c in codes if isinstance(c, dict)]
    values = [float(c) for c in codes if not isinstance(c, dict)]
    if (not ranges and 0 < len(values) <= 3) or (len(ranges) == 1 and len(values) <= 1):
        return [dict(lo=float(r["lo"]), hi=float(r["hi"])) for r in ranges] + values
    return None


def _renamed(ds: Dataset) -> tuple[pd.DataFrame, dict[str, str]]:
    names = spss_names(ds.frame.columns)
    return ds.frame.rename(columns=names), names


def _write_sav(ds: Dataset, path: Path) -> None:
    import pyreadstat

    frame, names = _renamed(ds)
    labels = {names[c]: (ds.labels.get(c) or "")[:256] for c in ds.frame.columns}
    value_labels = {
        names[c]: {float(k): str(v) for k, v in vl.items()}
        for c, vl in ds.value_labels.items()
        if vl and c in names
    }
    missing = {}
    for c, codes in ds.missing.items():
        ok = _valid_missing(list(codes)) if c in names and codes else None
        if ok and pd.api.types.is_numeric_dtype(ds.frame[c]):
            missing[names[c]] = ok
    measure = {names[c]: m for c, m in ds.measure.items() if c in names}
    frame = frame.copy()
    for col in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[col]):
            frame[col] = frame[col].map(lambda v: "" if v is None or v != v else str(v))
    try:
        pyreadstat.write_sav(
            frame,
            str(path),
            column_labels=labels,
            variable_value_labels=value_labels,
            missing_ranges=missing,
            variable_measure=measure,
        )
    except Exception as exc:  # pyreadstat.ReadstatError, OSError
        raise SpssError(f"{path.name}: cannot write the SPSS file ({exc})") from exc


def _cells(frame: pd.DataFrame, escape: Callable[[object], object]) -> list[list[object]]:
    rows = []
    for rec in frame.itertuples(index=False):
        row = []
        for v in rec:
            if v is None or (isinstance(v, float) and v != v):
                row.append(None)
            elif isinstance(v, float) and v.is_integer():
                row.append(int(v))
            else:
                row.append(escape(v if isinstance(v, int | float) else str(v)))
        rows.append(row)
    return rows


def write_dataset(
    ds: Dataset,
    path: str | Path,
    fmt: str | None = None,
    *,
    escape: Callable[[object], object],
) -> Path:
    """Write ``ds`` as ``sav``, ``csv`` (UTF-8 with BOM, for Excel) or ``xlsx`` (a ``data``
    sheet and a ``variables`` sheet of names, labels and value labels). ``fmt`` defaults to
    the suffix. ``escape`` is applied to every text cell of CSV/XLSX."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in ("sav", "csv", "xlsx"):
        raise SpssError(f"cannot tell the dataset format of {path.name!r}: use .sav, .csv or .xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "sav":
        _write_sav(ds, path)
        return path
    frame, names = _renamed(ds)
    header = [escape(c) for c in frame.columns]
    rows = _cells(frame, escape)
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(["" if v is None else v for v in r] for r in rows)
        return path
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(header)
    for r in rows:
        ws.append(r)
    meta = wb.create_sheet("variables")
    meta.append(["variable", "label", "value labels", "user-missing codes"])
    for c in ds.frame.columns:
        vl = "; ".join(f"{k:g} = {v}" for k, v in (ds.value_labels.get(c) or {}).items())
        miss = ", ".join(str(m) for m in ds.missing.get(c) or [])
        meta.append([escape(names[c]), escape(ds.labels.get(c) or ""), escape(vl), escape(miss)])
    wb.save(path)
    return path
