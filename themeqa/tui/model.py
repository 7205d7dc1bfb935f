"""What the coding screen holds about one open document: text, turns, codings, codes.

Why plain data here: the widgets render from it and the tests check it without a terminal.
Codings from the gateway are duck-typed (``services.codings.CodingView`` or :class:`CodingRow`,
which the gateway builds while that service is missing and the screen builds for an
optimistic update right after applying a code).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from themeqa.tui.spans import OffsetMap

__all__ = ["CodingRow", "DocumentState", "UndoPatch"]


@dataclass(frozen=True)
class CodingRow:
    id: int
    start: int
    end: int
    code_id: int
    code_label: str
    code_name: str
    codebook: str
    colour: str | None
    coder: str
    layer: str = "coder"
    quote: bool = False
    memo: str | None = None


@dataclass(frozen=True)
class UndoPatch:
    """An undo or redo as the coding screen applies it (built by the gateway).

    ``rows`` are the fresh rows of the open document's codings among ``ids`` (the codings the
    undo touched; an id missing from ``rows`` is gone or hidden), and ``counts`` the coder's
    per-code counts. ``rows is None`` means more than codings changed: re-read everything.
    """

    summary: str
    ids: frozenset[int]
    rows: list | None = None
    counts: dict[int, int] | None = None


@dataclass
class DocumentState:
    document: object  # services.documents.DocumentText
    codings: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self.offsets = OffsetMap(self.document.text)
        self.sort()

    def sort(self) -> None:
        self.codings.sort(key=lambda c: (c.start, c.end, c.id))
        self._starts = [c.start for c in self.codings]

    @property
    def text(self) -> str:
        return self.document.text

    def at(self, offset: int) -> list:
        """Codings covering the character at ``offset`` (or ending right before it)."""
        i = bisect_right(self._starts, offset)
        return [c for c in self.codings[:i] if c.start <= offset < c.end
                or (c.end == offset and c.start < offset)]

    def overlapping(self, start: int, end: int) -> list:
        i = bisect_right(self._starts, max(end - 1, start))
        return [c for c in self.codings[:i] if c.start < end and c.end > start]

    def turns_between(self, start: int, end: int) -> list:
        return [t for t in self.document.turns if t.start < end and t.end > start]

    def turn_at(self, offset: int):
        turns = self.document.turns
        i = bisect_right([t.start for t in turns], offset) - 1
        if i >= 0 and turns[i].start <= offset <= turns[i].end:
            return turns[i]
        return None

    def sentence_at(self, offset: int) -> tuple[int, int] | None:
        from themeqa.tui.spans import enclosing

        return enclosing(self.document.sentences, offset)
