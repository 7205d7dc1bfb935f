"""Read RR/NN interval recordings (milliseconds) from text, CSV and Polar ``.hrm`` files.

Formats (chosen by :func:`read_rr` from the extension and the content):

* **plain text**: one value per line, or several per line separated by whitespace, commas
  or semicolons; blank lines and ``#`` comments (whole-line or trailing) are ignored.
* **CSV** (``.csv``/``.tsv``, or a text file whose first data line is a header): the column
  named ``rr``, ``rri``, ``nn`` or ``ibi`` (case-insensitive, an optional unit suffix such as
  ``RR (ms)`` or ``rr_ms`` allowed), otherwise the only numeric column. Delimiter ``,``,
  ``;`` or tab, taken from the header line.
* **Polar .hrm**: the ``[HRData]`` section, first column, when ``[Params]`` says the file
  holds R-R data (``Interval=238`` in Polar's HRM format); heart-rate sample files
  (``Interval=1``, ``5``...) hold no intervals and are refused.

Units: when every value is below 10 the file is taken to be in seconds and converted to ms.

Zero values are dropped and their line numbers reported in ``RRRecording.dropped_lines``:
some exporters write ``0`` as a placeholder/terminator (e.g. the last line of the ``hrv``
package's ``real_rri.txt``), and a zero interval adds no time, so dropping it does not shift
later beats. Negative values, non-numbers and binary content raise :class:`RRFormatError`
(a ``ValueError``) naming the file and line.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["RRFormatError", "RRRecording", "parse_rr_text", "read_rr"]

SECONDS_LIMIT = 10.0
RR_COLUMN_NAMES = ("rr", "rri", "nn", "ibi")
_UNIT_SUFFIX = re.compile(r"(\s*[\(\[]\s*(ms|s|msec|sec)\s*[\)\]]|_(ms|s))$")
_SPLIT = re.compile(r"[\s,;]+")


class RRFormatError(ValueError):
    """A file cannot be read as RR intervals. Carries ``path`` and ``line`` (1-based)."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = message
        where = f"{self.path}, line {line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class RRRecording:
    """Intervals read from a file.

    ``rr``: intervals in ms (float array). ``format``: ``text`` | ``csv`` | ``hrm``.
    ``converted_from_seconds``: the file held seconds. ``dropped_lines``: lines whose zero
    value was dropped. ``column``: the CSV column used, if any.
    """

    path: str
    rr: np.ndarray
    format: str
    converted_from_seconds: bool = False
    dropped_lines: tuple[int, ...] = ()
    column: str | None = None

    def __len__(self) -> int:
        return int(self.rr.size)


def _decode(path: Path, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise RRFormatError(path, None, f"invalid UTF-16 text ({exc.reason})") from None
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise RRFormatError(path, line, "binary content (NUL byte); not a text file of intervals")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _to_float(path: str | Path, line: int, token: str) -> float:
    try:
        value = float(token)
    except ValueError:
        raise RRFormatError(path, line, f"{token!r} is not a number") from None
    if not math.isfinite(value):
        raise RRFormatError(path, line, f"{token!r} is not a finite number")
    if value < 0:
        raise RRFormatError(path, line, f"negative interval {token}")
    return value


def _finish(
    path: str | Path,
    values: list[float],
    lines: list[int],
    fmt: str,
    column: str | None = None,
) -> RRRecording:
    dropped = tuple(ln for v, ln in zip(values, lines, strict=True) if v == 0)
    kept = np.array([v for v in values if v != 0], dtype=float)
    if kept.size == 0:
        raise RRFormatError(path, None, "no RR intervals found")
    seconds = bool(kept.max() < SECONDS_LIMIT)
    if seconds:
        kept = kept * 1000.0
    return RRRecording(
        path=str(path),
        rr=kept,
        format=fmt,
        converted_from_seconds=seconds,
        dropped_lines=dropped,
        column=column,
    )


def _strip_comment(line: str) -> str:
    return line.split("#", 1)[0].strip()


def parse_rr_text(text: str, path: str | Path = "<text>") -> RRRecording:
    """Parse plain-text intervals (see module docstring); ``path`` is used in messages."""
    values: list[float] = []
    lines: list[int] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        body = _strip_comment(raw)
        if not body:
            continue
        for token in _SPLIT.split(body):
            if token:
                values.append(_to_float(path, lineno, token))
                lines.append(lineno)
    return _finish(path, values, lines, "text")


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _normalise_header(name: str) -> str:
    return _UNIT_SUFFIX.sub("", name.strip().strip('"').strip().lower())


def _parse_csv(text: str, path: str | Path) -> RRRecording:
    raw_lines = text.splitlines()
    data_lines = [
        (no, ln)
        for no, ln in enumerate(raw_lines, start=1)
        if ln.strip() and not ln.lstrip().startswith("#")
    ]
    if not data_lines:
        raise RRFormatError(path, None, "no RR intervals found")
    first_no, first = data_lines[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    if first.count(delimiter) == 0:
        rows = [(no, ln.split()) for no, ln in data_lines]  # whitespace-separated columns
    else:
        rows = [
            (no, [c.strip() for c in next(csv.reader([ln], delimiter=delimiter))])
            for no, ln in data_lines
        ]
    header = rows[0][1]
    has_header = any(c and not _is_number(c) for c in header)
    body = rows[1:] if has_header else rows
    ncols = len(header)

    col_idx: int | None = None
    col_name: str | None = None
    if has_header:
        names = [_normalise_header(c) for c in header]
        hits = [i for i, nm in enumerate(names) if nm in RR_COLUMN_NAMES]
        if len(hits) > 1:
            raise RRFormatError(path, first_no, f"several RR columns: {[header[i] for i in hits]}")
        if hits:
            col_idx = hits[0]
    if col_idx is None:
        numeric = [
            j
            for j in range(ncols)
            if all(j < len(cells) and _is_number(cells[j]) for _, cells in body)
        ]
        if len(numeric) != 1:
            cols = header if has_header else [f"column {j + 1}" for j in range(ncols)]
            raise RRFormatError(
                path,
                first_no,
                f"cannot tell which column holds the intervals ({len(numeric)} numeric "
                f"columns among {cols}); name it rr, rri, nn or ibi",
            )
        col_idx = numeric[0]
    if has_header:
        col_name = header[col_idx]

    values: list[float] = []
    lines: list[int] = []
    for no, cells in body:
        if col_idx >= len(cells) or cells[col_idx] == "":
            raise RRFormatError(path, no, f"missing value in column {col_name or col_idx + 1}")
        values.append(_to_float(path, no, cells[col_idx]))
        lines.append(no)
    return _finish(path, values, lines, "csv", column=col_name)


def _parse_hrm(text: str, path: str | Path) -> RRRecording:
    section = ""
    interval: str | None = None
    values: list[float] = []
    lines: list[int] = []
    saw_data = False
    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            saw_data = saw_data or section == "hrdata"
            continue
        if section == "params" and "=" in line:
            name, _, value = line.partition("=")
            if name.strip().lower() == "interval":
                interval = value.strip()
        elif section == "hrdata" and line:
            if interval != "238":
                raise RRFormatError(
                    path,
                    no,
                    "this Polar file holds heart-rate samples, not R-R intervals "
                    f"([Params] Interval={interval or 'missing'}; R-R files have Interval=238)",
                )
            first = line.split()[0]
            values.append(_to_float(path, no, first))
            lines.append(no)
    if not saw_data:
        raise RRFormatError(path, None, "no [HRData] section: not a Polar .hrm file")
    return _finish(path, values, lines, "hrm")


def _looks_like_csv(text: str) -> bool:
    for raw in text.splitlines():
        body = _strip_comment(raw)
        if body:
            return any(t and not _is_number(t) for t in _SPLIT.split(body))
    return False


def read_rr(path: str | Path) -> RRRecording:
    """Read RR intervals (ms) from ``path``; the format follows the extension and content.

    ``.hrm`` or a ``[HRData]`` section -> Polar; ``.csv``/``.tsv`` or a text file whose first
    data line has a non-numeric cell (a header, e.g. ``,rr``) -> CSV; otherwise plain text.
    Raises :class:`RRFormatError` (a ``ValueError``) naming the file and line.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise RRFormatError(p, None, f"cannot read file ({exc.strerror or exc})") from None
    text = _decode(p, data)
    suffix = p.suffix.lower()
    if suffix == ".hrm" or "[HRData]" in text:
        return _parse_hrm(text, p)
    if suffix in (".csv", ".tsv") or _looks_like_csv(text):
        return _parse_csv(text, p)
    return parse_rr_text(text, p)
