"""Read the participants table (CSV or XLSX), as fixed in ``docs/CONVENTIONS.md``.

Columns (header on the first non-empty row, matched case-insensitively, white space and
hyphens read as ``_``, so ``Speaker labels`` is ``speaker_labels``):

* required ``id`` (also ``participant`` or ``participant_id``) and ``condition``;
* optional ``session``, ``timepoints`` (``;``-separated, e.g. ``initial;follow-up``),
  ``age`` (a whole number 0–120), ``gender``, ``speaker_labels`` (``;``-separated labels that
  name this participant in transcripts, in addition to the id itself);
* every other named column is kept, as text, in ``ParticipantRow.extra``.

Cells are trimmed; blank rows are skipped. CSV files may be UTF-8 (with or without BOM),
UTF-16 with a BOM, or Windows-1252 (what Excel writes on Windows); the delimiter is ``,``,
``;`` or tab, taken from the header line.

The whole table is checked before anything is returned: every bad row is reported in one
:class:`ParticipantsError`, with spreadsheet row numbers (the header is row 1), e.g.
``participants.csv: 2 bad rows: row 4: duplicate id 'P03' (first on row 2); row 7: age
'forty' is not a whole number``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from themeqa.core.text import normalize_text
from themeqa.ingest.cells import cell_text
from themeqa.ingest.xlsx import xlsx_rows
from themeqa.limits import LimitError, check_table_size, csv_rows, short

__all__ = [
    "ParticipantRow", "ParticipantsError", "participant_columns", "read_participants"]

ID_COLUMNS = ("id", "participant_id", "participant")
KNOWN_COLUMNS = ("condition", "session", "timepoints", "age", "gender", "speaker_labels")
MAX_AGE = 120
LIST_SEPARATOR = ";"
#: At most this many problems are spelt out in the exception message (all are in ``problems``).
MESSAGE_LIMIT = 50

_HEADER_FOLD = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class ParticipantRow:
    """One participant. ``speaker_labels`` holds only the extra labels (not the id)."""

    id: str
    condition: str
    session: str | None = None
    timepoints: tuple[str, ...] = ()
    age: int | None = None
    gender: str | None = None
    speaker_labels: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def all_speaker_labels(self) -> tuple[str, ...]:
        """The id followed by the extra speaker labels."""
        return (self.id, *(label for label in self.speaker_labels if label != self.id))


class ParticipantsError(ValueError):
    """A participants table that cannot be used.

    ``problems`` lists ``(row, message)`` for every problem found (``row`` is the spreadsheet
    row number, ``None`` for problems with the file as a whole); ``file`` is the file name.
    """

    def __init__(self, file: str, problems: Sequence[tuple[int | None, str]]) -> None:
        self.file = file
        self.problems = list(problems)
        super().__init__(_format_problems(file, self.problems))


def _format_problems(file: str, problems: list[tuple[int | None, str]]) -> str:
    rows = {row for row, _ in problems if row is not None}
    parts = [f"row {row}: {message}" if row is not None else message for row, message in problems]
    shown = parts[:MESSAGE_LIMIT]
    if len(parts) > MESSAGE_LIMIT:
        shown.append(f"... and {len(parts) - MESSAGE_LIMIT} more")
    head = f"{len(rows)} bad row{'s' if len(rows) != 1 else ''}: " if rows else ""
    return f"{file}: {head}{'; '.join(shown)}"


# --------------------------------------------------------------------------------------------
# decoding and table reading


def _decode(data: bytes, file: str) -> str:
    """Decode a CSV file with the shared decoder (``themeqa.ingest.encoding.decode_bytes``)
    when it is available, otherwise with the local rules of :func:`_decode_locally`."""
    try:
        from themeqa.ingest.encoding import decode_bytes
    except ImportError:  # pragma: no cover - the shared decoder is part of themeqa
        return _decode_locally(data)
    try:
        text, _encoding = decode_bytes(data, file)
    except Exception as exc:  # IngestError: binary data, or bytes that break their BOM
        reason = getattr(exc, "reason", None) or str(exc)
        raise ParticipantsError(file, [(None, reason)]) from exc
    return text


def _decode_locally(data: bytes) -> str:
    """BOMs first (UTF-8, UTF-16), then UTF-8, then Windows-1252, then charset-normalizer's
    best guess, then Latin-1 (which cannot fail)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best is not None else data.decode("latin-1")


def _sniff_delimiter(text: str) -> str:
    for line in text.split("\n"):
        if line.strip():
            counts = {delimiter: line.count(delimiter) for delimiter in (",", ";", "\t")}
            best = max(counts, key=lambda d: (counts[d], d == ","))
            return best if counts[best] else ","
    return ","


def _csv_rows(data: bytes, file: str) -> Iterator[tuple[int, list[str]]]:
    text = normalize_text(_decode(data, file))
    yield from enumerate(csv_rows(text, _sniff_delimiter(text)), start=1)


def _participants_sheet(workbook):
    for name in workbook.sheetnames:
        if name.strip().lower() == "participants":
            return workbook[name]
    return workbook.active


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    # streamed, only the cells in the file (themeqa.ingest.xlsx): a stray far cell is cheap
    for number, values in xlsx_rows(path, _participants_sheet):
        yield number, [normalize_text(cell_text(value)) for value in values]


# --------------------------------------------------------------------------------------------
# validation


def _fold_header(name: str) -> str:
    return _HEADER_FOLD.sub("_", name.strip()).lower()


def _split_list(value: str) -> tuple[str, ...]:
    parts = (part.strip() for part in value.split(LIST_SEPARATOR))
    return tuple(dict.fromkeys(part for part in parts if part))


def _parse_age(value: str) -> tuple[int | None, str | None]:
    if not value:
        return None, None
    if len(value) > 40:  # no age needs more; Decimal of a 100,000-digit cell is slow
        return None, f"age {short(value)} is not a whole number between 0 and {MAX_AGE}"
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None, f"age {short(value)} is not a whole number"
    if not number.is_finite() or number != number.to_integral_value():
        return None, f"age {short(value)} is not a whole number"
    # check the size before int(): int(Decimal("1e999999999")) builds a billion digits
    if number.adjusted() > 3 or not 0 <= (age := int(number)) <= MAX_AGE:
        return None, f"age {short(value)} is not between 0 and {MAX_AGE}"
    return age, None


def read_participants(path: str | os.PathLike[str]) -> list[ParticipantRow]:
    """Read a participants table from a ``.csv``/``.tsv``/``.txt`` or ``.xlsx``/``.xlsm`` file.

    Returns the participants in file order. Raises :class:`ParticipantsError` (a
    ``ValueError``) listing every bad row when any row is bad (nothing is returned then), or
    naming the problem when the file cannot be read or lacks a required column.
    """
    path = Path(path)
    file = path.name
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ParticipantsError(
            file, [(None, "old .xls workbooks are not read: save as .xlsx or .csv")]
        )
    try:
        check_table_size(path.stat().st_size)
        if suffix in (".xlsx", ".xlsm"):
            rows = list(_xlsx_rows(path))
        else:
            rows = list(_csv_rows(path.read_bytes(), file))
    except LimitError as exc:
        raise ParticipantsError(file, [(None, str(exc))]) from None
    except OSError as exc:
        raise ParticipantsError(file, [(None, f"cannot read file: {exc.strerror or exc}")]) from exc
    except ParticipantsError:
        raise
    except Exception as exc:  # openpyxl / zipfile errors for a damaged workbook
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ParticipantsError(file, [(None, f"cannot read workbook: {reason}")]) from exc
    return parse_participant_rows(rows, file)


def participant_columns(path: str | os.PathLike[str]) -> set[str]:
    """The known columns the file's header gives (``session``, ``age``, ...; ``id`` and
    ``condition`` always) plus ``extra:NAME`` for each other column.

    Why: re-importing a file with only some columns must leave the missing fields as they
    are (``services.participants``), so the importer needs to know which were there.
    """
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = list(_xlsx_rows(path))
    else:
        rows = list(_csv_rows(path.read_bytes(), path.name))
    header = next(([c.strip() for c in cells] for _n, cells in rows
                   if any(c.strip() for c in cells)), [])
    return set(_map_columns(header, path.name))


def parse_participant_rows(
    rows: Sequence[tuple[int, Sequence[str]]], file: str = "<participants>"
) -> list[ParticipantRow]:
    """Validate already-split rows ``(row number, cells)`` (header included); see
    :func:`read_participants`."""
    cleaned = [(number, [cell.strip() for cell in cells]) for number, cells in rows]
    data_rows = [(number, cells) for number, cells in cleaned if any(cells)]
    if not data_rows:
        raise ParticipantsError(file, [(None, "no header row (the file is empty)")])
    _, header = data_rows[0]
    columns = _map_columns(header, file)
    body = data_rows[1:]

    # a value under a column without a header would be lost: refuse it
    width = len(header)
    problems: list[tuple[int | None, str]] = []
    unnamed = {index for index, name in enumerate(header) if not name}
    for number, cells in body:
        stray = [
            index + 1
            for index, cell in enumerate(cells)
            if cell and (index in unnamed or index >= width)
        ]
        if stray:
            listed = ", ".join(str(index) for index in stray)
            problems.append((number, f"value in column {listed}, which has no header"))

    participants: list[ParticipantRow] = []
    first_row_of_id: dict[str, tuple[int, str]] = {}
    # folded label -> claims (row, participant id, label as written, is the id itself)
    claims: dict[str, list[tuple[int, str, str, bool, int]]] = {}
    for number, cells in body:

        def cell(name: str, cells: list[str] = cells) -> str:
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else ""

        row_problems: list[str] = []
        pid = cell("id")
        condition = cell("condition")
        if not pid:
            row_problems.append("missing id")
        if not condition:
            row_problems.append("missing condition")
        if pid:
            key = pid.casefold()
            if key in first_row_of_id:
                first_row, first_id = first_row_of_id[key]
                as_written = "" if first_id == pid else f" as {first_id!r}"
                row_problems.append(
                    f"duplicate id {short(pid)} (first on row {first_row}{as_written})")
            else:
                first_row_of_id[key] = (number, pid)
                claims.setdefault(key, []).append((number, pid, pid, True, -1))
        age, age_problem = _parse_age(cell("age"))
        if age_problem:
            row_problems.append(age_problem)
        speaker_labels = _split_list(cell("speaker_labels"))
        if pid:
            for position, label in enumerate(speaker_labels):
                if label.casefold() != pid.casefold():
                    claims.setdefault(label.casefold(), []).append(
                        (number, pid, label, False, position)
                    )
        problems.extend((number, message) for message in row_problems)
        if row_problems:
            continue
        participants.append(
            ParticipantRow(
                id=pid,
                condition=condition,
                session=cell("session") or None,
                timepoints=_split_list(cell("timepoints")),
                age=age,
                gender=cell("gender") or None,
                speaker_labels=speaker_labels,
                extra={
                    name.removeprefix("extra:"): cell(name)
                    for name in columns
                    if name.startswith("extra:")
                },
            )
        )

    problems.extend(_label_conflicts(claims))
    if problems:
        problems.sort(key=lambda item: item[0] or 0)  # stable: a row's problems keep their order
        raise ParticipantsError(file, problems)
    return participants


def _label_conflicts(
    claims: dict[str, list[tuple[int, str, str, bool, int]]],
) -> list[tuple[int | None, str]]:
    """A speaker label claimed by two participants (as an extra label or as an id).

    The problem is reported on the row that claims the label as an extra speaker label (the
    later one when both do); two rows with the same id are already a duplicate-id problem.
    """
    found: list[tuple[int, int, str]] = []
    for entries in claims.values():
        owners = {entry[1].casefold() for entry in entries}
        if len(owners) < 2:
            continue
        id_claims = [entry for entry in entries if entry[3]]
        first = id_claims[0] if id_claims else entries[0]
        for row, pid, label, is_id, position in entries:
            if is_id or pid.casefold() == first[1].casefold():
                continue
            first_row, first_pid, _, first_is_id, _ = first
            if first_is_id:
                message = f"speaker label {label!r} is the id of the participant on row {first_row}"
            else:
                message = (
                    f"speaker label {label!r} is also claimed by {first_pid!r} (row {first_row})"
                )
            found.append((row, position, message))
    return [(row, message) for row, _, message in sorted(found)]


def _map_columns(header: list[str], file: str) -> dict[str, int]:
    columns: dict[str, int] = {}
    problems: list[tuple[int | None, str]] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(header):
        if not raw:
            continue
        folded = _fold_header(raw)
        if folded in ID_COLUMNS:
            name = "id"
        elif folded in KNOWN_COLUMNS:
            name = folded
        else:
            name = f"extra:{raw}"
        if name in seen:
            problems.append(
                (
                    None,
                    f"columns {seen[name]!r} and {raw!r} both give {name.removeprefix('extra:')!r}",
                )
            )
            continue
        seen[name] = raw
        columns[name] = index
    missing = [name for name in ("id", "condition") if name not in columns]
    if missing:
        found = ", ".join(short(name) for name in header[:20] if name) or "none"
        problems.append(
            (
                None,
                "missing required column"
                + ("s " if len(missing) > 1 else " ")
                + " and ".join(repr(name) for name in missing)
                + f" (found {found})",
            )
        )
    if problems:
        raise ParticipantsError(file, problems)
    return columns
