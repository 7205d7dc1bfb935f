"""What the readers hand to the import service: parsed documents of one source file.

Readers only read: they never touch the store. A source file (one ``.txt`` transcript, one
``.csv`` of written responses) yields one or more :class:`ParsedDocument`; names follow
docs/CONVENTIONS.md ("Documents and their names").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from themeqa.core.turns import Turn, parse_turns, whole_text_turn
from themeqa.limits import LimitError, check_document_size

__all__ = [
    "DocumentKind",
    "IngestError",
    "ParsedDocument",
    "SourceFile",
    "make_text_document",
]

DocumentKind = Literal["transcript", "written"]


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """One immutable document text, ready to store.

    ``text`` is already normalised (``themeqa.core.text.normalize_text``); turn offsets index it.
    ``participant``/``question``/``timepoint`` are filled for written responses from a table.
    """

    name: str
    text: str
    kind: DocumentKind
    format: str
    turns: tuple[Turn, ...]
    participant: str | None = None
    question: str | None = None
    timepoint: str | None = None
    language: str = "en"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file as read: its name, the sha256 of its raw bytes, and the documents it holds."""

    filename: str
    sha256: str
    format: str
    encoding: str | None
    documents: tuple[ParsedDocument, ...]
    #: bytes of the raw file (set by ``readers.read_source``)
    size: int | None = None


class IngestError(Exception):
    """A file that cannot be imported; ``str()`` is one line: ``"<filename>: <reason>"``."""

    def __init__(self, filename: str, reason: str) -> None:
        self.filename = str(filename)
        self.reason = " ".join(str(reason).split())
        super().__init__(self.filename, self.reason)

    def __str__(self) -> str:
        return f"{self.filename}: {self.reason}"


def make_text_document(
    name: str,
    text: str,
    fmt: str,
    kind: str,
    extra_labels: Iterable[str] = (),
) -> ParsedDocument:
    """The one document of a single-text file (txt, md, docx, vtt, srt).

    ``text`` must already be normalised. A ``transcript`` gets its turns from the speaker labels;
    a ``written`` text gets one turn over the whole text with no speaker (the import service
    assigns the participant). Raises :class:`IngestError` ``"no text"`` for blank text.
    """
    if not text.strip():
        raise IngestError(name, "no text (the file is empty or holds only white space)")
    try:  # a .docx is compressed: its text may be larger than its file
        check_document_size(len(text), "its text")
    except LimitError as exc:
        raise IngestError(name, str(exc)) from None
    if kind == "written":
        turn = whole_text_turn(text, None)
        turns: tuple[Turn, ...] = (turn,) if turn else ()
    elif kind == "transcript":
        turns = tuple(parse_turns(text, extra_labels))
    else:
        raise IngestError(name, f"unknown document kind {kind!r} (expected transcript or written)")
    return ParsedDocument(name=name, text=text, kind=kind, format=fmt, turns=turns)
