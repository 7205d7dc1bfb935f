"""Tables of written responses (``.csv``, ``.xlsx``): one row per participant.

The participant id column is the one named by ``id_column``, else the first column named
``id``, ``participant`` or ``participant_id`` (any case). An optional ``timepoint`` column gives
each row's timepoint. Every other column is a question, and every non-empty cell one written
document named ``<file>#<participant>/<question>`` (docs/CONVENTIONS.md) with one turn over
its whole text whose speaker is the participant id. Cell text is normalised like any text and
otherwise kept as written, so offsets computed on the cell stay valid.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from themeqa.core.text import normalize_text, sha256_bytes
from themeqa.core.turns import whole_text_turn
from themeqa.ingest.cells import cell_text
from themeqa.ingest.encoding import decode_bytes
from themeqa.ingest.model import IngestError, ParsedDocument, SourceFile
from themeqa.ingest.xlsx import xlsx_rows
from themeqa.limits import LimitError, csv_rows

__all__ = ["ID_COLUMNS", "read_csv", "read_xlsx", "rows_to_documents"]

ID_COLUMNS = ("id", "participant", "participant_id")
TIMEPOINT_COLUMN = "timepoint"


def rows_to_documents(
    rows: Iterable[Sequence[object]],
    filename: str,
    fmt: str,
    id_column: str | None = None,
) -> list[ParsedDocument]:
    """Turn a table (header row first) into written documents; see the module docstring."""
    it: Iterator[Sequence[object]] = iter(rows)
    header: list[str] | None = None
    for row in it:
        cells = [cell_text(v).strip() for v in row]
        if any(cells):
            header = cells
            break
    if header is None:
        raise IngestError(filename, "no text (the table is empty)")
    folded = [h.casefold() for h in header]
    if id_column is not None:
        if id_column.strip().casefold() not in folded:
            raise IngestError(filename, f"no column named {id_column!r} for participant ids")
        id_idx = folded.index(id_column.strip().casefold())
    else:
        id_idx = next((i for i, h in enumerate(folded) if h in ID_COLUMNS), -1)
        if id_idx < 0:
            raise IngestError(
                filename,
                "no participant id column (name one id, participant or participant_id)",
            )
    tp_idx = next((i for i, h in enumerate(folded) if h == TIMEPOINT_COLUMN and i != id_idx), None)
    questions: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        if i in (id_idx, tp_idx):
            continue
        name = h or f"column_{i + 1}"
        if name.casefold() in seen:
            raise IngestError(filename, f"two columns are named {name!r}")
        seen[name.casefold()] = i
        questions.append((i, name))

    docs: list[ParsedDocument] = []
    names: dict[str, int] = {}
    for line_no, row in enumerate(it, start=2):
        cells = [cell_text(v) for v in row]
        if not any(c.strip() for c in cells):
            continue
        pid = cells[id_idx].strip() if id_idx < len(cells) else ""
        timepoint = cells[tp_idx].strip() if tp_idx is not None and tp_idx < len(cells) else ""
        answered = [(q, cells[i]) for i, q in questions if i < len(cells) and cells[i].strip()]
        stray = next((i for i in range(len(header), len(cells)) if cells[i].strip()), None)
        if stray is not None:
            raise IngestError(
                filename, f"row {line_no} has a value in column {stray + 1}, which has no header"
            )
        if not pid:
            if answered:
                raise IngestError(filename, f"row {line_no} has answers but no participant id")
            continue
        for question, raw in answered:
            text = normalize_text(raw)
            name = f"{filename}#{pid}/{question}"
            if name in names:
                raise IngestError(
                    filename,
                    f"participant {pid!r} appears in rows {names[name]} and {line_no}",
                )
            names[name] = line_no
            turn = whole_text_turn(text, pid)
            docs.append(
                ParsedDocument(
                    name=name,
                    text=text,
                    kind="written",
                    format=fmt,
                    turns=(turn,) if turn else (),
                    participant=pid,
                    question=question,
                    timepoint=timepoint or None,
                )
            )
    if not docs:
        raise IngestError(filename, "no text (no non-empty answers in the table)")
    return docs


def _check_kind(filename: str, kind: str | None) -> None:
    if kind not in (None, "written"):
        raise IngestError(filename, f"a table of written responses cannot be imported as {kind!r}")


def read_csv(
    data: bytes,
    filename: str,
    kind: str | None = "written",
    id_column: str | None = None,
) -> SourceFile:
    """Read the raw bytes of a CSV (comma, semicolon or tab separated) of written responses."""
    _check_kind(filename, kind)
    text, encoding = decode_bytes(data, filename)
    if not text.strip():
        raise IngestError(filename, "no text (the file is empty)")
    # The header row decides the delimiter (csv.Sniffer is misled by commas in long answers).
    first = text.lstrip("\n").split("\n", 1)[0]
    delimiter = max(",;\t", key=lambda d: (first.count(d), d == ","))
    try:
        rows = csv_rows(text, delimiter)
    except LimitError as exc:
        raise IngestError(filename, str(exc)) from None
    docs = rows_to_documents(rows, filename, "csv", id_column)
    return SourceFile(filename, sha256_bytes(data), "csv", encoding, tuple(docs))


def read_xlsx(
    data: bytes,
    filename: str,
    kind: str | None = "written",
    id_column: str | None = None,
) -> SourceFile:
    """Read the first worksheet of an ``.xlsx`` workbook of written responses."""
    from themeqa.ingest.readers.docx import check_office_zip

    _check_kind(filename, kind)
    if not data:
        raise IngestError(filename, "no text (the file is empty)")
    check_office_zip(data, filename, "xl/workbook.xml", ".xlsx")
    try:
        # streamed, only the cells in the file (themeqa.ingest.xlsx): a stray far cell is cheap
        numbered = xlsx_rows(data)
    except LimitError as exc:
        raise IngestError(filename, str(exc)) from None
    except Exception as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise IngestError(filename, f"not a readable .xlsx ({reason})") from exc
    # rows_to_documents numbers rows by position: give it the empty rows back (cheaply: the
    # number of rows is bounded by the cells in the file, see ingest.xlsx)
    rows: list[Sequence[object]] = []
    for number, values in numbered:
        rows.extend([()] * (number - 1 - len(rows)))
        rows.append(values)
    docs = rows_to_documents(rows, filename, "xlsx", id_column)
    return SourceFile(filename, sha256_bytes(data), "xlsx", None, tuple(docs))
