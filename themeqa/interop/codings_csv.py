"""The codings CSV exchange format (``docs/CONVENTIONS.md``, "Codings CSV"), read and written.

Columns ``document,start,end,code,coder,layer,quote`` and an optional ``memo``; UTF-8 (a BOM
is accepted), header required, header names matched case-insensitively, extra columns
ignored. ``start``/``end`` are code-point offsets into the stored text, end-exclusive.
``layer`` is ``coder`` (the coder's own layer) or ``consensus``. ``quote`` is ``1``/``0``,
``true``/``false`` or ``yes``/``no`` (any case); empty means 0. ``code`` is a code reference
(``2a``, ``inhibitors::2a``, a path of names); it is resolved against the codebooks later,
by :func:`themeqa.core.codebook.resolve_reference`, not here.

Reading checks every row before returning anything and raises one
:class:`CodingsFormatError` listing each bad row by its spreadsheet row number (header =
row 1). ``document``, ``code`` and ``coder`` are trimmed; a memo is kept as written, and an
empty memo reads as no memo.

**Formula injection.** Text cells (document, code, coder, memo) beginning with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return are written with a leading apostrophe (OWASP "CSV
Injection"; the rule of ``themeqa.core.formula``), because this file is routinely
opened in a spreadsheet. The reader removes exactly that apostrophe again, so the format
still round-trips (a memo may well start with ``-``). Numeric cells are never touched.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from themeqa.core.formula import escape_formula, unescape_formula
from themeqa.limits import LimitError, check_table_size, csv_rows, parse_count, short

__all__ = [
    "COLUMNS",
    "LAYERS",
    "CodingRow",
    "CodingsFormatError",
    "read_codings_csv",
    "write_codings_csv",
]

COLUMNS = ("document", "start", "end", "code", "coder", "layer", "quote")
MEMO_COLUMN = "memo"
_NEEDS_QUOTES = (",", '"', "\n", "\r")
LAYERS = ("coder", "consensus")
_TRUE = frozenset({"1", "true", "yes", "y", "t"})
_FALSE = frozenset({"", "0", "false", "no", "n", "f"})
#: At most this many problems are spelt out in the exception message (all are in ``problems``).
MESSAGE_LIMIT = 50


@dataclass(frozen=True)
class CodingRow:
    """One coding as exchanged in the CSV.

    ``row`` is the spreadsheet row it was read from (header = row 1; 0 for rows made in
    code) and takes no part in comparisons, so rows read back from a written file compare
    equal to the originals.
    """

    document: str
    start: int
    end: int
    code: str
    coder: str
    layer: str = "coder"
    quote: bool = False
    memo: str | None = None
    row: int = field(default=0, compare=False)


class CodingsFormatError(ValueError):
    """A codings CSV that cannot be used. ``problems`` lists ``(row, message)`` for every
    problem (``row`` is ``None`` for problems with the file as a whole); ``file`` is the file
    name."""

    def __init__(self, file: str, problems: Sequence[tuple[int | None, str]]) -> None:
        self.file = file
        self.problems = list(problems)
        rows = {row for row, _ in self.problems if row is not None}
        parts = [f"row {row}: {text}" if row is not None else text for row, text in self.problems]
        shown = parts[:MESSAGE_LIMIT]
        if len(parts) > MESSAGE_LIMIT:
            shown.append(f"... and {len(parts) - MESSAGE_LIMIT} more")
        head = f"{len(rows)} bad row{'s' if len(rows) != 1 else ''}: " if rows else ""
        super().__init__(f"{file}: {head}{'; '.join(shown)}")


# --------------------------------------------------------------------------------------------
# reading


def _read_text(source: str | os.PathLike[str] | IO[str] | IO[bytes]) -> tuple[str, str]:
    """Return ``(text, file name for messages)``."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            check_table_size(path.stat().st_size)
            data = path.read_bytes()
        except LimitError as exc:
            raise CodingsFormatError(path.name, [(None, str(exc))]) from None
        except OSError as exc:
            raise CodingsFormatError(
                path.name, [(None, f"cannot read file: {exc.strerror or exc}")]
            ) from exc
        name = path.name
    else:
        content = source.read()
        name = Path(str(getattr(source, "name", "<codings>"))).name
        if isinstance(content, str):
            return content.removeprefix("\ufeff"), name
        data = content
    try:
        return data.decode("utf-8-sig"), name
    except UnicodeDecodeError as exc:
        raise CodingsFormatError(
            name,
            [
                (
                    None,
                    f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                    "save it as 'CSV UTF-8'",
                )
            ],
        ) from exc


def _non_negative_int(value: str, column: str) -> tuple[int | None, str | None]:
    try:
        number = parse_count(value)
    except LimitError as exc:
        return None, f"{column} {exc}"
    if number is not None:
        return number, None
    if not value.strip():
        return None, f"{column} is empty"
    return None, f"{column} {short(value)} is not a non-negative whole number"


def _parse_quote(value: str) -> tuple[bool | None, str | None]:
    text = value.strip().lower()
    if text in _TRUE:
        return True, None
    if text in _FALSE:
        return False, None
    return None, f"quote {value!r} is not 1/0, true/false or yes/no"


def read_codings_csv(source: str | os.PathLike[str] | IO[str] | IO[bytes]) -> list[CodingRow]:
    """Read a codings CSV from a path or an open text/binary stream.

    Raises :class:`CodingsFormatError` (a ``ValueError``) naming every bad row when any row
    is bad (nothing is returned then), or the problem with the file as a whole (not UTF-8,
    no header, a required column missing). Blank rows are skipped.
    """
    text, name = _read_text(source)
    try:
        records = list(enumerate(csv_rows(text), start=1))
    except LimitError as exc:
        raise CodingsFormatError(name, [(None, str(exc))]) from None
    records = [(number, cells) for number, cells in records if any(c.strip() for c in cells)]
    if not records:
        raise CodingsFormatError(name, [(None, "no header row (the file is empty)")])
    _, header = records[0]
    index: dict[str, int] = {}
    for position, raw in enumerate(header):
        folded = raw.strip().lower()
        if folded in (*COLUMNS, MEMO_COLUMN):
            if folded in index:
                raise CodingsFormatError(name, [(None, f"column {folded!r} appears twice")])
            index[folded] = position
    missing = [column for column in COLUMNS if column not in index]
    if missing:
        found = ", ".join(short(h) for h in header[:20] if h.strip()) or "none"
        plural = "s" if len(missing) > 1 else ""
        raise CodingsFormatError(
            name,
            [
                (
                    None,
                    f"missing required column{plural} {', '.join(map(repr, missing))} "
                    f"(found {found}; expected {','.join(COLUMNS)})",
                )
            ],
        )

    rows: list[CodingRow] = []
    problems: list[tuple[int | None, str]] = []
    for number, cells in records[1:]:

        def cell(column: str, cells: list[str] = cells) -> str:
            position = index.get(column)
            return cells[position] if position is not None and position < len(cells) else ""

        row_problems: list[str] = []
        document = unescape_formula(cell("document").strip())
        code = unescape_formula(cell("code").strip())
        coder = unescape_formula(cell("coder").strip())
        for column, value in (("document", document), ("code", code), ("coder", coder)):
            if not value:
                row_problems.append(f"{column} is empty")
        start, problem = _non_negative_int(cell("start"), "start")
        if problem:
            row_problems.append(problem)
        end, problem = _non_negative_int(cell("end"), "end")
        if problem:
            row_problems.append(problem)
        if start is not None and end is not None and start >= end:
            row_problems.append(f"start {start} is not before end {end}")
        layer = cell("layer").strip().lower()
        if layer not in LAYERS:
            row_problems.append(f"layer {short(cell('layer'))} is not 'coder' or 'consensus'")
        quote, problem = _parse_quote(cell("quote"))
        if problem:
            row_problems.append(problem)
        if row_problems:
            problems.extend((number, message) for message in row_problems)
            continue
        assert start is not None and end is not None and quote is not None
        memo = unescape_formula(cell(MEMO_COLUMN))
        rows.append(
            CodingRow(
                document=document,
                start=start,
                end=end,
                code=code,
                coder=coder,
                layer=layer,
                quote=quote,
                memo=memo if memo else None,
                row=number,
            )
        )
    if problems:
        raise CodingsFormatError(name, problems)
    return rows


# --------------------------------------------------------------------------------------------
# writing


def _csv_line(values: Sequence[str]) -> str:
    """One CSV record ending in ``\\n``. A field is quoted when it holds a comma, a quote or
    any line break (``csv.writer`` with a ``\\n`` terminator would leave a lone ``\\r``
    unquoted, and readers take that for the end of the record)."""
    cells = []
    for value in values:
        if any(ch in value for ch in _NEEDS_QUOTES):
            value = '"' + value.replace('"', '""') + '"'
        cells.append(value)
    return ",".join(cells) + "\n"


def write_codings_csv(
    rows: Iterable[CodingRow],
    destination: str | os.PathLike[str] | IO[str] | IO[bytes],
) -> None:
    """Write codings as CSV (UTF-8, no BOM, ``\\n`` line ends, minimal quoting).

    Columns ``document,start,end,code,coder,layer,quote`` (``quote`` as ``1``/``0``), plus
    ``memo`` when any row has one. Text cells starting with ``= + - @`` get a leading
    apostrophe against formula injection (see the module notes), which
    ``read_codings_csv`` removes, so it gives the same rows back.
    """
    materialised = list(rows)
    with_memo = any(row.memo for row in materialised)
    header = [*COLUMNS, MEMO_COLUMN] if with_memo else list(COLUMNS)
    lines = [_csv_line(header)]
    for row in materialised:
        values = [
            escape_formula(row.document),
            str(row.start),
            str(row.end),
            escape_formula(row.code),
            escape_formula(row.coder),
            row.layer,
            "1" if row.quote else "0",
        ]
        if with_memo:
            values.append(escape_formula(row.memo or ""))
        lines.append(_csv_line(values))
    text = "".join(lines)

    if isinstance(destination, str | os.PathLike):
        Path(destination).write_bytes(text.encode("utf-8"))
    elif isinstance(destination, io.TextIOBase) or "b" not in getattr(destination, "mode", ""):
        try:
            destination.write(text)  # type: ignore[arg-type]
        except TypeError:
            destination.write(text.encode("utf-8"))  # type: ignore[arg-type]
    else:
        destination.write(text.encode("utf-8"))  # type: ignore[arg-type]
