"""Load a user-defined questionnaire scoring key from YAML into a core ``ScaleKey``.

File format (item *text* never goes in a key, only numbers)::

    name: brief_resilience        # optional; default: the file name without extension
    items: 6                      # number of items, numbered 1..items
    range: {min: 1, max: 5}       # or: range: [1, 5]
    reversed: [2, 4, 6]           # optional, default []
    subscales:                    # optional: name -> item numbers
      bounce_back: [1, 3, 5]
      struggle: [2, 4, 6]
    raw_subscales: [struggle]     # optional: reported on raw items (total still reversed)
    total: mean_of_items          # mean_of_subscales | mean_of_items | sum_of_items
                                  # default: mean_of_subscales with subscales, else mean_of_items
    max_missing_per_subscale: 1   # optional, default 1
    max_missing_total: 2          # optional
    citation: "Smith et al. 2008" # optional

Unknown fields are refused (so a typo such as ``reverse:`` does not silently score nothing).
Every problem raises :class:`ScaleKeyFileError` (a ``ValueError``) naming the file and field.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from themeqa.core.scales import TOTAL_RULES, ScaleKey, ScaleKeyError
from themeqa.limits import load_yaml

__all__ = ["ScaleKeyFileError", "load_scale_key", "scale_key_from_mapping"]

FIELDS = (
    "name",
    "items",
    "range",
    "reversed",
    "subscales",
    "raw_subscales",
    "total",
    "max_missing_per_subscale",
    "max_missing_total",
    "citation",
)


class ScaleKeyFileError(ValueError):
    """A scale key file is invalid. ``source`` is the file, ``field`` the offending field."""

    def __init__(self, source: str, field: str | None, message: str) -> None:
        self.source = source
        self.field = field
        where = f"{source}: field {field!r}" if field else source
        super().__init__(f"{where}: {message}")


def _int(source: str, field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScaleKeyFileError(source, field, f"must be a whole number, got {value!r}")
    return value


def _number(source: str, field: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScaleKeyFileError(source, field, f"must be a number, got {value!r}")
    return value


def _int_list(source: str, field: str, value: Any) -> tuple[int, ...]:
    if not isinstance(value, list):
        raise ScaleKeyFileError(source, field, f"must be a list of item numbers, got {value!r}")
    return tuple(_int(source, field, v) for v in value)


def _str_list(source: str, field: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ScaleKeyFileError(source, field, f"must be a list of names, got {value!r}")
    return tuple(value)


def scale_key_from_mapping(
    data: Any, *, source: str = "<scale key>", default_name: str | None = None
) -> ScaleKey:
    """Build a :class:`ScaleKey` from a parsed mapping (see module docstring for fields)."""
    if not isinstance(data, Mapping):
        raise ScaleKeyFileError(
            source, None, f"expected a mapping of fields, got {type(data).__name__}"
        )
    unknown = [k for k in data if k not in FIELDS]
    if unknown:
        raise ScaleKeyFileError(
            source, str(unknown[0]), f"unknown field; allowed fields: {', '.join(FIELDS)}"
        )

    name = data.get("name", default_name)
    if not isinstance(name, str) or not name.strip():
        raise ScaleKeyFileError(source, "name", f"must be a non-empty string, got {name!r}")

    if "items" not in data:
        raise ScaleKeyFileError(source, "items", "is required (the number of items)")
    n_items = _int(source, "items", data["items"])

    if "range" not in data:
        raise ScaleKeyFileError(source, "range", "is required, e.g. {min: 1, max: 5}")
    rng = data["range"]
    if isinstance(rng, Mapping):
        extra = [k for k in rng if k not in ("min", "max")]
        if extra or "min" not in rng or "max" not in rng:
            raise ScaleKeyFileError(source, "range", f"needs exactly min and max, got {rng!r}")
        lo, hi = rng["min"], rng["max"]
    elif isinstance(rng, list) and len(rng) == 2:
        lo, hi = rng
    else:
        raise ScaleKeyFileError(source, "range", f"must be {{min: .., max: ..}}, got {rng!r}")
    lo = _number(source, "range.min", lo)
    hi = _number(source, "range.max", hi)

    reversed_items = _int_list(source, "reversed", data.get("reversed") or [])

    subs_raw = data.get("subscales") or {}
    if not isinstance(subs_raw, Mapping):
        raise ScaleKeyFileError(
            source, "subscales", f"must map subscale names to item lists, got {subs_raw!r}"
        )
    subscales: dict[str, tuple[int, ...]] = {}
    for sname, sitems in subs_raw.items():
        if not isinstance(sname, str):
            raise ScaleKeyFileError(source, "subscales", f"name {sname!r} is not a string")
        subscales[sname] = _int_list(source, f"subscales.{sname}", sitems)

    raw_subscales = _str_list(source, "raw_subscales", data.get("raw_subscales") or [])

    total = data.get("total", "mean_of_subscales" if subscales else "mean_of_items")
    if total not in TOTAL_RULES:
        raise ScaleKeyFileError(
            source, "total", f"must be one of {', '.join(TOTAL_RULES)}, got {total!r}"
        )

    max_sub = _int(source, "max_missing_per_subscale", data.get("max_missing_per_subscale", 1))
    max_tot = data.get("max_missing_total")
    if max_tot is not None:
        max_tot = _int(source, "max_missing_total", max_tot)

    citation = data.get("citation", "")
    if not isinstance(citation, str):
        raise ScaleKeyFileError(source, "citation", f"must be text, got {citation!r}")

    try:
        return ScaleKey(
            name=name.strip(),
            n_items=n_items,
            min_value=lo,
            max_value=hi,
            reversed_items=reversed_items,
            subscales=subscales,
            total=total,
            raw_subscales=raw_subscales,
            max_missing_per_subscale=max_sub,
            max_missing_total=max_tot,
            citation=citation,
        )
    except ScaleKeyError as exc:
        raise ScaleKeyFileError(source, exc.field, exc.reason) from None


def load_scale_key(path: str | Path) -> ScaleKey:
    """Read a scale key YAML file (``yaml.SafeLoader`` limited by
    :func:`themeqa.limits.load_yaml`) into a :class:`ScaleKey`."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ScaleKeyFileError(str(p), None, f"cannot read file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ScaleKeyFileError(str(p), None, "not UTF-8 text") from None
    try:
        data = load_yaml(text)  # yaml.SafeLoader with limits on aliases, depth and size
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        problem = " ".join(problem.split())  # ReaderError spans two lines; keep one
        raise ScaleKeyFileError(str(p), None, f"invalid YAML{where}: {problem}") from None
    return scale_key_from_mapping(data, source=str(p), default_name=p.stem)
