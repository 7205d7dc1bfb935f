"""Questionnaire scoring from scoring keys (no item text is ever shipped, only keys).

A :class:`ScaleKey` says how many items a scale has, their response range, which items are
reverse-scored, which items form each subscale and how the total is formed. The Self-Compassion
Scale (``scs26``, Neff 2003) and its short form (``scs_sf``, Raes et al. 2011) are built-in
keys; a user-defined key is the same dataclass (``themeqa.ingest.scale_key`` reads one from
YAML).

Conventions (see :func:`score_scale` for the full rules):

* a reverse-scored item ``x`` becomes ``min + max - x`` (``6 - x`` on the SCS 1-5 scale);
* a subscale score is the mean of its items;
* subscales listed in ``ScaleKey.raw_subscales`` are *reported* on their raw items, while the
  total still uses their reversed items. This is Neff's convention for the SCS: "self-judgment",
  "isolation" and "over-identification" means are reported as raw means (higher = more
  uncompassionate responding), and the total is the mean of the six subscale means computed
  with those three reversed (Neff 2003, *Self and Identity* 2:223-250; scoring key on
  self-compassion.org).

References
----------
Neff, K. D. (2003). The development and validation of a scale to measure self-compassion.
*Self and Identity*, 2, 223-250.

Raes, F., Pommier, E., Neff, K. D., & Van Gucht, D. (2011). Construction and factorial
validation of a short form of the Self-Compassion Scale. *Clinical Psychology &
Psychotherapy*, 18, 250-255.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

__all__ = [
    "BUILTIN_KEYS",
    "SCS26",
    "SCS_SF",
    "TOTAL_RULES",
    "ScaleError",
    "ScaleKey",
    "ScaleKeyError",
    "detect_item_columns",
    "get_key",
    "score_scale",
    "split_groups",
]

TotalRule = Literal["mean_of_subscales", "mean_of_items", "sum_of_items"]
TOTAL_RULES: tuple[str, ...] = ("mean_of_subscales", "mean_of_items", "sum_of_items")


class ScaleKeyError(ValueError):
    """A scoring key is inconsistent. ``field`` names the offending key field."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.reason = message
        super().__init__(f"scale key field {field!r}: {message}")


class ScaleError(ValueError):
    """Item data cannot be scored. ``row`` (index label) and ``column`` say where, when known."""

    def __init__(
        self, message: str, *, row: Hashable | None = None, column: Hashable | None = None
    ) -> None:
        self.row = row
        self.column = column
        super().__init__(message)


@dataclass(frozen=True)
class ScaleKey:
    """A scoring key. Items are numbered 1..``n_items`` in questionnaire order.

    ``subscales`` may be given as a mapping ``name -> item numbers``; it is stored as a tuple of
    ``(name, items)`` pairs so that the key stays immutable and hashable (use
    :attr:`subscale_map` for a dict). ``reversed_items`` and ``raw_subscales`` are stored as
    sorted / ordered tuples.

    Fields
    ------
    name: short identifier (``scs26``).
    n_items: number of items.
    min_value, max_value: response range; reversal is ``min_value + max_value - x``.
    reversed_items: item numbers that are reverse-scored.
    subscales: subscale name -> item numbers (each item in at most one subscale).
    total: ``mean_of_subscales`` | ``mean_of_items`` | ``sum_of_items``.
    raw_subscales: subscales reported on raw (unreversed) items; the total still uses the
        reversed items. Every item of such a subscale must be a reversed item.
    max_missing_per_subscale: a subscale is prorated (mean of the answered items) when at most
        this many of its items are missing, otherwise it is missing.
    max_missing_total: for item-based totals, the total is missing when more than this many of
        the scale's items are missing (``None``: only the subscale rule applies; a key without
        subscales then uses ``max_missing_per_subscale`` over all items).
    citation: where the key comes from.
    """

    name: str
    n_items: int
    min_value: float
    max_value: float
    reversed_items: tuple[int, ...] = ()
    subscales: tuple[tuple[str, tuple[int, ...]], ...] | Mapping[str, Sequence[int]] = ()
    total: TotalRule = "mean_of_items"
    raw_subscales: tuple[str, ...] = ()
    max_missing_per_subscale: int = 1
    max_missing_total: int | None = None
    citation: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ScaleKeyError("name", "must be a non-empty string")
        if isinstance(self.n_items, bool) or not isinstance(self.n_items, int):
            raise ScaleKeyError("items", f"must be a whole number, got {self.n_items!r}")
        if self.n_items < 1:
            raise ScaleKeyError("items", f"must be at least 1, got {self.n_items}")
        for fname, value in (("min", self.min_value), ("max", self.max_value)):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ScaleKeyError(f"range.{fname}", f"must be a number, got {value!r}")
            if not math.isfinite(value):
                raise ScaleKeyError(f"range.{fname}", f"must be finite, got {value!r}")
        if self.min_value >= self.max_value:
            raise ScaleKeyError(
                "range", f"min ({self.min_value}) must be below max ({self.max_value})"
            )

        rev = self._item_tuple("reversed", self.reversed_items)
        if len(set(rev)) != len(rev):
            raise ScaleKeyError("reversed", "lists an item more than once")
        object.__setattr__(self, "reversed_items", tuple(sorted(rev)))

        raw_sub = self.subscales
        pairs = list(raw_sub.items()) if isinstance(raw_sub, Mapping) else list(raw_sub)
        subs: list[tuple[str, tuple[int, ...]]] = []
        seen_items: dict[int, str] = {}
        for pair in pairs:
            if not (isinstance(pair, tuple | list) and len(pair) == 2):
                raise ScaleKeyError("subscales", f"expected (name, items) pairs, got {pair!r}")
            sname, sitems = pair
            if not isinstance(sname, str) or not sname.strip():
                raise ScaleKeyError("subscales", f"subscale name must be a string: {sname!r}")
            if sname == "total":
                raise ScaleKeyError("subscales", "'total' is reserved for the total score")
            if any(sname == s for s, _ in subs):
                raise ScaleKeyError(f"subscales.{sname}", "subscale defined twice")
            items = self._item_tuple(f"subscales.{sname}", sitems)
            if not items:
                raise ScaleKeyError(f"subscales.{sname}", "has no items")
            for i in items:
                if i in seen_items:
                    raise ScaleKeyError(
                        f"subscales.{sname}",
                        f"item {i} is already in subscale {seen_items[i]!r}",
                    )
                seen_items[i] = sname
            subs.append((sname, items))
        object.__setattr__(self, "subscales", tuple(subs))

        if self.total not in TOTAL_RULES:
            raise ScaleKeyError(
                "total", f"must be one of {', '.join(TOTAL_RULES)}; got {self.total!r}"
            )
        if self.total == "mean_of_subscales" and not subs:
            raise ScaleKeyError("total", "mean_of_subscales needs at least one subscale")

        raws = tuple(self.raw_subscales)
        names = [s for s, _ in subs]
        for r in raws:
            if r not in names:
                raise ScaleKeyError("raw_subscales", f"{r!r} is not a defined subscale")
            not_rev = [i for i in dict(subs)[r] if i not in rev]
            if not_rev:
                raise ScaleKeyError(
                    "raw_subscales",
                    f"{r!r} has items that are not reverse-scored: {not_rev}",
                )
        object.__setattr__(self, "raw_subscales", raws)

        for fname, value in (
            ("max_missing_per_subscale", self.max_missing_per_subscale),
            ("max_missing_total", self.max_missing_total),
        ):
            if value is None and fname == "max_missing_total":
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ScaleKeyError(fname, f"must be a whole number >= 0, got {value!r}")

    def _item_tuple(self, fname: str, values: object) -> tuple[int, ...]:
        if isinstance(values, str | bytes) or not isinstance(values, Iterable):
            raise ScaleKeyError(fname, f"must be a list of item numbers, got {values!r}")
        out: list[int] = []
        for v in values:
            if isinstance(v, bool) or not isinstance(v, int | np.integer):
                raise ScaleKeyError(fname, f"item numbers must be whole numbers, got {v!r}")
            if not 1 <= int(v) <= self.n_items:
                raise ScaleKeyError(fname, f"item {v} is outside 1..{self.n_items}")
            out.append(int(v))
        return tuple(out)

    @property
    def subscale_map(self) -> dict[str, tuple[int, ...]]:
        """Subscales as an ordered ``dict`` name -> item numbers."""
        return dict(self.subscales)  # type: ignore[arg-type]

    @property
    def output_columns(self) -> list[str]:
        """Columns returned by :func:`score_scale`: subscales in key order, then ``total``."""
        return [*self.subscale_map, "total"]


# The SCS subscale -> item mapping and reverse-scoring follow Neff (2003) and her published
# scoring key; subscale order follows the key: SK, SJ, CH, IS, MI, OI.
SCS26 = ScaleKey(
    name="scs26",
    n_items=26,
    min_value=1,
    max_value=5,
    reversed_items=(1, 8, 11, 16, 21, 4, 13, 18, 25, 2, 6, 20, 24),
    subscales={
        "self_kindness": (5, 12, 19, 23, 26),
        "self_judgment": (1, 8, 11, 16, 21),
        "common_humanity": (3, 7, 10, 15),
        "isolation": (4, 13, 18, 25),
        "mindfulness": (9, 14, 17, 22),
        "over_identification": (2, 6, 20, 24),
    },
    total="mean_of_subscales",
    raw_subscales=("self_judgment", "isolation", "over_identification"),
    citation="Neff (2003), Self and Identity 2:223-250",
)

# SCS-SF: Raes et al. (2011). Short-form item k corresponds to long-form item
# (6, 26, 14, 13, 15, 12, 9, 25, 2, 10, 1, 11)[k-1]; the subscale item sets below are those of
# the SCS-26 subscales carried through that correspondence (Raes et al. 2011, appendix).
# Raes et al. recommend the total score; the 2-item subscales are less reliable.
SCS_SF = ScaleKey(
    name="scs_sf",
    n_items=12,
    min_value=1,
    max_value=5,
    reversed_items=(1, 4, 8, 9, 11, 12),
    subscales={
        "self_kindness": (2, 6),
        "self_judgment": (11, 12),
        "common_humanity": (5, 10),
        "isolation": (4, 8),
        "mindfulness": (3, 7),
        "over_identification": (1, 9),
    },
    total="mean_of_items",
    raw_subscales=("self_judgment", "isolation", "over_identification"),
    citation="Raes, Pommier, Neff & Van Gucht (2011), Clin Psychol Psychother 18:250-255",
)

BUILTIN_KEYS: dict[str, ScaleKey] = {SCS26.name: SCS26, SCS_SF.name: SCS_SF}


def get_key(scale: str | ScaleKey) -> ScaleKey:
    """Return ``scale`` itself, or the built-in key of that name (case-insensitive)."""
    if isinstance(scale, ScaleKey):
        return scale
    key = BUILTIN_KEYS.get(str(scale).strip().lower())
    if key is None:
        raise ScaleError(
            f"unknown scale {scale!r}; built-in scales: {', '.join(BUILTIN_KEYS)} "
            "(or pass a ScaleKey)"
        )
    return key


_ITEM_NAME = re.compile(r"^(.*?)(\d+)$")


def detect_item_columns(columns: Iterable[Hashable], n_items: int) -> list[Hashable]:
    """Find the item columns ``<prefix>1 .. <prefix>n`` among ``columns``, in item order.

    A column is an item column when its name ends in a number (``scs_1``, ``SCS1``,
    ``item01``); the whole trailing number is read, so ``scs_11`` is item 11, never item 1.
    Columns are grouped by prefix (case-insensitive); exactly one prefix must carry each of the
    numbers 1..``n_items`` once and no other number. Raises :class:`ScaleError` otherwise.
    """
    groups: dict[str, dict[int, list[Hashable]]] = {}
    for col in columns:
        if not isinstance(col, str):
            continue
        m = _ITEM_NAME.match(col.strip())
        if not m:
            continue
        groups.setdefault(m.group(1).lower(), {}).setdefault(int(m.group(2)), []).append(col)
    wanted = set(range(1, n_items + 1))
    matches = [
        (prefix, nums)
        for prefix, nums in groups.items()
        if set(nums) == wanted and all(len(c) == 1 for c in nums.values())
    ]
    if len(matches) == 1:
        nums = matches[0][1]
        return [nums[i][0] for i in range(1, n_items + 1)]
    if not matches:
        found = (
            "; ".join(
                f"{p or '(no prefix)'}: {len(nums)} numbered columns"
                for p, nums in sorted(groups.items())
            )
            or "no columns ending in a number"
        )
        raise ScaleError(
            f"could not find item columns numbered 1..{n_items} ({found}); "
            "pass items=[...] in item order"
        )
    raise ScaleError(
        f"several column sets look like items 1..{n_items} "
        f"(prefixes {', '.join(repr(p) for p, _ in matches)}); pass items=[...]"
    )


def _numeric_items(df: pd.DataFrame, items: list[Hashable], key: ScaleKey) -> np.ndarray:
    """Item values as a float array (NaN = missing); raise ScaleError on bad cells."""
    out = np.empty((len(df), len(items)), dtype=float)
    for j, col in enumerate(items):
        series = df[col]
        if pd.api.types.is_bool_dtype(series.dtype):
            raise ScaleError(
                f"column {col!r} holds true/false values, not item responses", column=col
            )
        if pd.api.types.is_numeric_dtype(series.dtype):
            values = series.to_numpy(dtype=float, na_value=np.nan)
        else:
            values = np.empty(len(series), dtype=float)
            for i, (label, cell) in enumerate(series.items()):
                values[i] = _cell_to_float(cell, label, col)
        bad = ~np.isnan(values) & (
            ~np.isfinite(values) | (values < key.min_value) | (values > key.max_value)
        )
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            label = df.index[i]
            raise ScaleError(
                f"row {label!r}, column {col!r}: value {series.iloc[i]!r} is outside the "
                f"{key.name} response range {key.min_value:g}-{key.max_value:g}",
                row=label,
                column=col,
            )
        out[:, j] = values
    return out


def _cell_to_float(cell: object, label: Hashable, col: Hashable) -> float:
    if cell is None or cell is pd.NA or cell is pd.NaT:
        return np.nan
    if isinstance(cell, float) and math.isnan(cell):
        return np.nan
    if isinstance(cell, bool):
        raise ScaleError(
            f"row {label!r}, column {col!r}: {cell!r} is not a numeric response",
            row=label,
            column=col,
        )
    if isinstance(cell, int | float | np.integer | np.floating):
        return float(cell)
    if isinstance(cell, str):
        text = cell.strip()
        if text == "":
            return np.nan
        try:
            return float(text)
        except ValueError:
            pass
    raise ScaleError(
        f"row {label!r}, column {col!r}: {cell!r} is not a numeric response",
        row=label,
        column=col,
    )


def _prorated_mean(block: np.ndarray, max_missing: int) -> np.ndarray:
    """Row means over answered items; NaN where more than ``max_missing`` are missing."""
    n_missing = np.isnan(block).sum(axis=1)
    ok = (n_missing <= max_missing) & (n_missing < block.shape[1])
    means = np.full(block.shape[0], np.nan)
    if ok.any():
        means[ok] = np.nanmean(block[ok], axis=1)
    return means


def score_scale(
    df: pd.DataFrame,
    scale: str | ScaleKey,
    items: Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    """Score a questionnaire: one row per row of ``df`` (index preserved).

    Parameters
    ----------
    df: item responses, one respondent per row.
    scale: ``"scs26"``, ``"scs_sf"`` or a :class:`ScaleKey`.
    items: the item columns in item order (item 1 first). By default they are detected with
        :func:`detect_item_columns` (names ending in the item number).

    Returns
    -------
    A float DataFrame with one column per subscale (key order) and ``total``. For ``scs26``:
    ``self_kindness, self_judgment, common_humanity, isolation, mindfulness,
    over_identification, total``.

    Scoring rules
    -------------
    * Reverse-scored items ``x`` become ``min + max - x``.
    * A subscale is the mean of its items. Subscales in ``key.raw_subscales`` are reported as
      raw-item means (Neff's convention: the SCS "self_judgment", "isolation" and
      "over_identification" columns are raw means, higher = more self-judgment); all other
      subscales use reversed items where keyed.
    * ``mean_of_subscales``: total = mean of the subscale means, each computed with its
      reverse-scored items reversed (so for the SCS the negative subscales enter as
      ``6 - raw mean``), as in Neff (2003).
    * ``mean_of_items`` / ``sum_of_items``: mean / sum of all items after reversal.

    Missing data
    ------------
    * A subscale with at most ``key.max_missing_per_subscale`` (default 1) missing items is
      prorated: the mean of its answered items. With more missing items it is NaN.
    * ``mean_of_subscales``: the total is NaN when any subscale is NaN.
    * ``mean_of_items`` / ``sum_of_items``: the total is NaN when any subscale is NaN or (if
      set) more than ``key.max_missing_total`` items are missing; a key without subscales
      allows ``max_missing_per_subscale`` missing items overall. Otherwise the mean of the
      answered items is used, and a prorated sum is that mean times ``n_items``.

    Raises
    ------
    ScaleError: unknown scale, item columns not found, or a value that is non-numeric or
        outside the response range (the message names the row's index label and the column).
    """
    key = get_key(scale)
    if items is None:
        item_cols = detect_item_columns(df.columns, key.n_items)
    else:
        item_cols = list(items)
        if len(item_cols) != key.n_items:
            raise ScaleError(
                f"{key.name} has {key.n_items} items but {len(item_cols)} columns were given"
            )
        missing_cols = [c for c in item_cols if c not in df.columns]
        if missing_cols:
            raise ScaleError(f"item columns not in the data: {missing_cols}")

    raw = _numeric_items(df, item_cols, key)
    keyed = raw.copy()
    rev_idx = [i - 1 for i in key.reversed_items]
    keyed[:, rev_idx] = key.min_value + key.max_value - raw[:, rev_idx]

    result: dict[str, np.ndarray] = {}
    keyed_subscales: list[np.ndarray] = []
    for sname, sitems in key.subscale_map.items():
        idx = [i - 1 for i in sitems]
        keyed_mean = _prorated_mean(keyed[:, idx], key.max_missing_per_subscale)
        keyed_subscales.append(keyed_mean)
        if sname in key.raw_subscales:
            # every item of a raw subscale is reversed, so raw mean = min + max - keyed mean
            result[sname] = key.min_value + key.max_value - keyed_mean
        else:
            result[sname] = keyed_mean

    any_sub_missing = (
        np.isnan(np.column_stack(keyed_subscales)).any(axis=1)
        if keyed_subscales
        else np.zeros(len(df), dtype=bool)
    )
    if key.total == "mean_of_subscales":
        total = np.column_stack(keyed_subscales).mean(axis=1)  # NaN propagates
    else:
        n_missing = np.isnan(keyed).sum(axis=1)
        limit = key.max_missing_total
        if limit is None and not keyed_subscales:
            limit = key.max_missing_per_subscale
        too_many = any_sub_missing | (n_missing >= key.n_items)
        if limit is not None:
            too_many |= n_missing > limit
        total = np.full(len(df), np.nan)
        ok = ~too_many
        if ok.any():
            total[ok] = np.nanmean(keyed[ok], axis=1)
        if key.total == "sum_of_items":
            total = total * key.n_items
    result["total"] = total
    return pd.DataFrame(result, index=df.index, columns=key.output_columns)


def split_groups(
    scores: pd.Series | Sequence[float] | np.ndarray,
    method: Literal["median", "cut"] = "median",
    *,
    cut: float | None = None,
    labels: tuple[str, str] = ("Low", "High"),
) -> pd.Series:
    """Label scores ``Low`` / ``High`` by a median split or a fixed cut-off.

    ``method="median"`` splits at the median of the non-missing scores; passing ``cut=2.85``
    (or ``method="cut", cut=...``) splits at that value.

    Tie rule: a score *equal to* the median or cut goes to the **high** group (``>=`` is High,
    ``<`` is Low). Missing scores get a missing label (``NaN``). The threshold used is stored
    in ``result.attrs["threshold"]``. The index of a Series input is preserved.
    """
    s = scores.copy() if isinstance(scores, pd.Series) else pd.Series(scores)
    values = pd.to_numeric(s, errors="raise").astype(float)
    if len(labels) != 2:
        raise ValueError("labels must be a pair (low_label, high_label)")
    if cut is not None:
        if method not in ("median", "cut"):
            raise ValueError(f"unknown method {method!r}")
        threshold = float(cut)
    elif method == "cut":
        raise ValueError("method='cut' needs cut=<value>")
    elif method == "median":
        if values.notna().sum() == 0:
            raise ValueError("cannot take the median of scores that are all missing")
        threshold = float(values.median())
    else:
        raise ValueError(f"unknown method {method!r}; use 'median' or cut=<value>")
    low, high = labels
    out = pd.Series(
        np.where(values >= threshold, high, low), index=values.index, dtype=object, name=s.name
    )
    out[values.isna()] = np.nan
    out.attrs["threshold"] = threshold
    return out
