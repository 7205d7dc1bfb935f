"""Table 1: participant characteristics at each timepoint, by condition and overall.

Why per timepoint: participants drop out between the initial session and follow-up, so the
sample described at follow-up is not the one described initially; reviewers ask for both.
Numeric characteristics are summarised as M (SD) with the sample standard deviation
(n − 1 denominator, as SPSS DESCRIPTIVES and ``statistics.stdev``), age also as a range;
categorical ones as n (%) of the column's participants, with a "missing" row when any value
is missing. A column of demographics is numeric when every present value is a number.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

import pandas as pd

from themeqa.core.tally import percent
from themeqa.reports.table import ReportTable

__all__ = ["build_table1", "describe_numeric", "is_numeric_column"]

DASH = "–"


def _number(value: object) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def _missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def is_numeric_column(values: Sequence[object]) -> bool:
    """True when every non-missing value reads as a number (and there is at least one)."""
    present = [v for v in values if not _missing(v)]
    return bool(present) and all(_number(v) is not None for v in present)


def describe_numeric(values: Sequence[object]) -> tuple[str, str]:
    """``("M (SD)", "min–max")`` with one decimal; SD is the sample SD (n − 1)."""
    nums = [x for x in (_number(v) for v in values) if x is not None]
    if not nums:
        return DASH, DASH
    mean = statistics.fmean(nums)
    sd = f"{statistics.stdev(nums):.1f}" if len(nums) > 1 else DASH
    lo, hi = min(nums), max(nums)
    fmt = (
        (lambda x: f"{x:.0f}")
        if all(float(x).is_integer() for x in nums)
        else (lambda x: f"{x:.1f}")
    )
    return f"{mean:.1f} ({sd})", f"{fmt(lo)}{DASH}{fmt(hi)}"


def _pretty(column: str) -> str:
    text = column.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def build_table1(
    participants: pd.DataFrame,
    timepoint_order: Sequence[str] = (),
    demographics: Sequence[str] | None = None,
    *,
    number: int = 1,
) -> ReportTable:
    """Table 1 from the participants frame (``participant, condition, timepoints, age, …``).

    Column groups: each timepoint (participants registered for it) then, within it, each
    condition and "Overall". Without timepoint data one group covers everyone.
    """
    people = participants.sort_values("participant").reset_index(drop=True)
    conditions = list(dict.fromkeys(people["condition"].tolist()))
    if demographics is None:
        skip = {"participant", "condition", "session", "timepoints"}
        demographics = [c for c in people.columns if c not in skip]
    registered = [
        tuple(t) if isinstance(t, (list, tuple)) else ()
        for t in people.get("timepoints", pd.Series([()] * len(people)))
    ]
    seen = list(dict.fromkeys(t for tps in registered for t in tps))
    tps = [t for t in timepoint_order if t in seen] + [t for t in seen if t not in timepoint_order]

    groups: list[tuple[str, pd.DataFrame]] = []
    for tp in tps or [None]:
        at = people if tp is None else people[[tp in r for r in registered]]
        prefix = "" if tp is None else f"{tp}: "
        for cond in conditions:
            sub = at[at["condition"] == cond]
            groups.append((f"{prefix}{cond} (n = {len(sub)})", sub))
        groups.append((f"{prefix}Overall (n = {len(at)})", at))

    columns = ["Characteristic", *[g[0] for g in groups]]
    rows: list[list[object]] = [["n", *[len(g[1]) for g in groups]]]
    indent = [0]
    for col in demographics:
        if col not in people.columns:
            continue
        label = _pretty(col)
        if is_numeric_column(people[col].tolist()):
            described = [describe_numeric(g[1][col].tolist()) for g in groups]
            rows.append([f"{label}, M (SD)", *[d[0] for d in described]])
            indent.append(0)
            if col == "age":
                rows.append([f"{label}, range", *[d[1] for d in described]])
                indent.append(0)
            continue
        values = people[col].tolist()
        counts = pd.Series([v for v in values if not _missing(v)], dtype=object).value_counts()
        order = sorted(counts.index.tolist(), key=lambda v: (-int(counts[v]), str(v)))
        rows.append([f"{label}, n (%)", *[""] * len(groups)])
        indent.append(0)
        for value in order:
            cells = []
            for _, sub in groups:
                n = sum(1 for v in sub[col].tolist() if not _missing(v) and v == value)
                p = percent(n, len(sub))
                cells.append(f"{n} ({DASH if p is None else p})")
            rows.append([str(value), *cells])
            indent.append(1)
        if any(_missing(v) for v in values):
            cells = []
            for _, sub in groups:
                n = sum(1 for v in sub[col].tolist() if _missing(v))
                p = percent(n, len(sub))
                cells.append(f"{n} ({DASH if p is None else p})")
            rows.append(["missing", *cells])
            indent.append(1)
    return ReportTable(
        key=f"table{number}",
        title=f"Table {number}\nParticipant characteristics"
        + (" at each timepoint" if tps else "")
        + " by condition",
        columns=columns,
        rows=rows,
        notes=[
            "Percentages are of the participants in the column. SD is the sample standard "
            "deviation (n − 1)."
            + (" A participant is described at each timepoint they took part in." if tps else "")
        ],
        indent=indent,
    )
