"""Limits on hostile input, shared by every reader (ingest, interop, services).

Why a module of its own, beside ``errors``: a file from another machine may be built to
exhaust time or memory (a 200 KiB CSV field, a billion-digit number, a YAML "billion
laughs", a cycle, XML nested thousands deep). Each reader refuses such a file with one line
(:class:`LimitError`, which it turns into its own error naming the file) instead of a
traceback, a hang or a crash. The numbers are chosen far above anything a study needs and
are listed, with the reasons, in ``docs/safety.md``; change them there and here together.

Nothing here imports a heavy library at module level (``yaml`` only inside
:func:`load_yaml`), so the CSV readers stay cheap to import.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from typing import Any

__all__ = [
    "MAX_CSV_FIELD",
    "MAX_DOCUMENT_MB",
    "MAX_INT_DIGITS",
    "MAX_TABLE_BYTES",
    "MAX_TABLE_CELLS",
    "MAX_XML_DEPTH",
    "MAX_YAML_ALIASES",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "LimitError",
    "check_document_size",
    "check_table_size",
    "csv_rows",
    "document_limit",
    "load_yaml",
    "parse_count",
    "short",
]

#: characters in one CSV field (Python's csv module stops at 131,072 with an obscure error;
#: a written answer or memo of a million characters is still read)
MAX_CSV_FIELD = 1024 * 1024
#: bytes of one table file (participants, measures, codings, written answers, review CSV)
MAX_TABLE_BYTES = 64 * 1024 * 1024
#: cells of one table (CSV, or an .xlsx sheet as rows x widest row)
MAX_TABLE_CELLS = 5_000_000
#: digits of a whole number read from a cell (offsets, counts); 18 digits fit any offset
MAX_INT_DIGITS = 18
#: aliases (``*name``) in one YAML file
MAX_YAML_ALIASES = 100
#: nodes of one YAML file, counting each alias as the whole node it stands for
MAX_YAML_NODES = 250_000
#: nesting of YAML collections (a codebook theme level is three: list, mapping, children)
MAX_YAML_DEPTH = 100
#: nesting of XML elements in a .qdpx project or .qdc codebook
MAX_XML_DEPTH = 100
#: bytes (of the file, and characters of its text) of one transcript or other document, by
#: default; ``THEMEQA_MAX_DOCUMENT_MB`` changes it. Import time and memory grow linearly,
#: about 5-9 s and 30 MB per MB of text on a busy 2-core machine (bench/bench_transcript_size.py),
#: so 10 MB (1.7 million words, ~200 hours of talk) takes minutes, not hours.
MAX_DOCUMENT_MB = 10
DOCUMENT_LIMIT_ENV = "THEMEQA_MAX_DOCUMENT_MB"


class LimitError(ValueError):
    """Input beyond a limit, or malformed in a way its parser reports obscurely. The message
    is one line without the file name; the reader adds it."""


def short(value: object, limit: int = 40) -> str:
    """``repr`` of a value for a message, cut to about ``limit`` characters, so that a
    100,000-digit cell does not become a 100,000-character error line."""
    text = repr(value) if isinstance(value, str) else repr(str(value))
    if len(text) <= limit:
        return text
    length = len(value) if isinstance(value, str) else len(str(value))
    return f"{text[: limit - 1]}…' ({length:,} characters)"


def parse_count(text: str, *, max_digits: int = MAX_INT_DIGITS) -> int | None:
    """A non-negative whole number written in ASCII digits, or ``None`` when ``text`` is not
    one. Raises :class:`LimitError` for more than ``max_digits`` digits (``int()`` would
    refuse beyond 4,300 with a ``ValueError`` and take quadratic time before that)."""
    stripped = text.strip()
    if not (stripped.isascii() and stripped.isdigit()):
        return None
    digits = stripped.lstrip("0") or "0"
    if len(digits) > max_digits:
        raise LimitError(f"{short(stripped)} has {len(digits):,} digits (at most {max_digits})")
    return int(digits)


def document_limit() -> int:
    """The largest document imported, in bytes (or characters): :data:`MAX_DOCUMENT_MB`
    unless ``THEMEQA_MAX_DOCUMENT_MB`` holds another positive number."""
    raw = os.environ.get(DOCUMENT_LIMIT_ENV, "").strip()
    try:
        mb = float(raw) if raw else MAX_DOCUMENT_MB
    except ValueError:
        mb = MAX_DOCUMENT_MB
    if not (mb > 0 and mb < 1e6):
        mb = MAX_DOCUMENT_MB
    return int(mb * 2**20)


def check_document_size(n: int, unit: str = "the file") -> None:
    """Refuse a document over :func:`document_limit` (``n`` bytes or characters) up front,
    before its text is split into turns and sentences."""
    limit = document_limit()
    if n > limit:
        raise LimitError(
            f"{unit} is {n / 2**20:,.1f} MB; documents of up to {limit / 2**20:,.0f} MB are "
            f"imported (split it, or set {DOCUMENT_LIMIT_ENV}; see docs/safety.md)"
        )


def check_table_size(n_bytes: int) -> None:
    """Refuse a table file over :data:`MAX_TABLE_BYTES` before reading it."""
    if n_bytes > MAX_TABLE_BYTES:
        raise LimitError(
            f"the file is {n_bytes / 2**20:,.0f} MB; tables of up to "
            f"{MAX_TABLE_BYTES // 2**20} MB are read (split it)"
        )


def _iter_csv(text: str, delimiter: str) -> Iterator[list[str]]:
    csv.field_size_limit(MAX_CSV_FIELD)  # process-wide; the same value everywhere
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            where = f"row {reader.line_num}: " if reader.line_num else ""
            if "field larger than field limit" in str(exc):
                raise LimitError(
                    f"{where}a field longer than {MAX_CSV_FIELD:,} characters (or a quote "
                    "that is never closed)"
                ) from None
            raise LimitError(f"{where}not a readable CSV file ({exc})") from None
        yield row


def csv_rows(text: str, delimiter: str = ",") -> list[list[str]]:
    """All records of CSV ``text``, with the limits above: a field over
    :data:`MAX_CSV_FIELD` characters, more than :data:`MAX_TABLE_CELLS` cells, or anything
    the csv module cannot parse raises :class:`LimitError` (with the row number)."""
    rows: list[list[str]] = []
    cells = 0
    for row in _iter_csv(text, delimiter):
        cells += len(row)
        if cells > MAX_TABLE_CELLS:
            raise LimitError(
                f"more than {MAX_TABLE_CELLS:,} cells (row {len(rows) + 1:,}); split the table"
            )
        rows.append(row)
    return rows


# ------------------------------------------------------------------------------------------
# YAML

_LOADERS: dict[type, type] = {}


def _limited(base: type) -> type:
    """A subclass of the PyYAML loader ``base`` whose composer counts as it goes: nesting
    depth, aliases, nodes with each alias counted as the node it repeats, and an alias to a
    node that is still open (a cycle) are refused before anything is constructed."""
    if base in _LOADERS:
        return _LOADERS[base]
    from yaml.composer import ComposerError
    from yaml.events import AliasEvent
    from yaml.scanner import ScannerError

    class Limited(base):  # type: ignore[misc, valid-type]
        def __init__(self, stream: Any) -> None:
            super().__init__(stream)
            self._depth = 0
            self._aliases = 0
            self._nodes = 0
            self._open: set[str] = set()
            self._sizes: dict[str, int] = {}

        def fetch_flow_collection_start(self, token_class: Any) -> None:
            # The scanner looks ahead through a whole flow collection for a possible key,
            # in time quadratic in its nesting: stop it before the composer would.
            if self.flow_level >= MAX_YAML_DEPTH:
                raise ScannerError(None, None, f"nested more than {MAX_YAML_DEPTH} levels deep",
                                   self.get_mark())
            super().fetch_flow_collection_start(token_class)

        def _refuse(self, problem: str, mark: Any) -> None:
            raise ComposerError(None, None, problem, mark)

        def _count(self, n: int, mark: Any) -> None:
            self._nodes += n
            if self._nodes > MAX_YAML_NODES:
                self._refuse(f"more than {MAX_YAML_NODES:,} values once aliases are expanded "
                             "(an alias bomb?)", mark)

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.peek_event()
            if isinstance(event, AliasEvent):
                self._aliases += 1
                if self._aliases > MAX_YAML_ALIASES:
                    self._refuse(f"more than {MAX_YAML_ALIASES} aliases", event.start_mark)
                if event.anchor in self._open:
                    self._refuse(f"alias *{event.anchor} refers to a value that contains it "
                                 "(a cycle)", event.start_mark)
                self._count(self._sizes.get(event.anchor, 1), event.start_mark)
                return super().compose_node(parent, index)
            self._depth += 1
            if self._depth > MAX_YAML_DEPTH:
                self._refuse(f"nested more than {MAX_YAML_DEPTH} levels deep", event.start_mark)
            anchor = getattr(event, "anchor", None)
            start = self._nodes
            self._count(1, event.start_mark)
            if anchor:
                self._open.add(anchor)
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
                if anchor:
                    self._open.discard(anchor)
                    self._sizes[anchor] = self._nodes - start

    Limited.__name__ = f"Limited{base.__name__}"
    _LOADERS[base] = Limited
    return Limited


def load_yaml(text: str, loader: type | None = None) -> Any:
    """``yaml.load`` with a safe loader (``loader``, a ``yaml.SafeLoader`` subclass, or
    SafeLoader itself) limited as described in :func:`_limited`. Errors are PyYAML's own
    (``yaml.YAMLError``), so callers report them as they report any invalid YAML."""
    import yaml

    base = loader or yaml.SafeLoader
    if not issubclass(base, yaml.SafeLoader):
        raise TypeError("load_yaml needs a SafeLoader subclass")
    return yaml.load(text, Loader=_limited(base))  # a SafeLoader subclass: safe
