"""Offsets and coded-span layout for the coding screen (no widgets here, so it is easy to test).

Why a module of its own: the database stores code-point offsets into the document text
(docs/CONVENTIONS.md), the TextArea speaks (row, column) locations. Textual's own
``Document.get_index_from_location`` walks every earlier line (slow on a 50,000-word
transcript) and joins lines with one newline, so it would disagree with our offsets if a text
ever held another line break that ``str.splitlines`` honours (``\\u2028``, form feed, ...).
:class:`OffsetMap` splits exactly as Textual does and maps both ways in O(log n).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

__all__ = [
    "OffsetMap",
    "Segment",
    "enclosing",
    "layout_rows",
    "paragraph_at",
    "segments",
]

#: Line endings after which Textual's ``Document`` adds a final empty line.
_TRAILING_NEWLINES = ("\r\n", "\n", "\r")


class OffsetMap:
    """Exact conversion between code-point offsets and TextArea (row, column) locations."""

    def __init__(self, text: str) -> None:
        self.length = len(text)
        starts: list[int] = []
        lengths: list[int] = []
        pos = 0
        for piece in text.splitlines(keepends=True):
            content = piece.splitlines()[0] if piece.splitlines() else ""
            starts.append(pos)
            lengths.append(len(content))
            pos += len(piece)
        if text.endswith(_TRAILING_NEWLINES) or not text:
            starts.append(pos)
            lengths.append(0)
        self.starts = starts
        self.lengths = lengths

    @property
    def rows(self) -> int:
        return len(self.starts)

    def to_offset(self, location: tuple[int, int]) -> int:
        row, col = location
        row = min(max(row, 0), len(self.starts) - 1)
        return self.starts[row] + min(max(col, 0), self.lengths[row])

    def to_location(self, offset: int) -> tuple[int, int]:
        offset = min(max(offset, 0), self.length)
        row = bisect_right(self.starts, offset) - 1
        return row, min(offset - self.starts[row], self.lengths[row])

    def row_span(self, row: int) -> tuple[int, int]:
        """The offsets of a row's content (its line break excluded)."""
        return self.starts[row], self.starts[row] + self.lengths[row]


@dataclass(frozen=True)
class Segment:
    """A run of text covered by the same set of codings."""

    start: int
    end: int
    primary: int  # index (into the codings given) of the coding whose colour is shown
    depth: int  # how many codings cover this run (>= 2 is an overlap)


def segments(spans: Sequence[tuple[int, int]]) -> list[Segment]:
    """Cut overlapping spans into disjoint runs, each with its covering count.

    The colour shown is that of the shortest covering span (the innermost coding), ties going
    to the later one, so a short coding inside a long one stays visible.
    """
    bounds = sorted({p for s, e in spans if e > s for p in (s, e)})
    if not bounds:
        return []
    starts_at: dict[int, list[int]] = {}
    ends_at: dict[int, list[int]] = {}
    for i, (s, e) in enumerate(spans):
        if e > s:
            starts_at.setdefault(s, []).append(i)
            ends_at.setdefault(e, []).append(i)
    active: set[int] = set()
    out: list[Segment] = []
    for a, b in pairwise(bounds):
        active.difference_update(ends_at.get(a, ()))
        active.update(starts_at.get(a, ()))
        if active:
            primary = min(active, key=lambda i: (spans[i][1] - spans[i][0], -i))
            out.append(Segment(a, b, primary, len(active)))
    return out


def layout_rows(
    offsets: OffsetMap, runs: Iterable[tuple[int, int, object]]
) -> dict[int, list[tuple[int, int, object]]]:
    """Split styled offset runs into per-row (start column, end column, style) triples."""
    rows: dict[int, list[tuple[int, int, object]]] = {}
    for start, end, style in runs:
        r0, c0 = offsets.to_location(start)
        r1, c1 = offsets.to_location(end)
        for row in range(r0, r1 + 1):
            a = c0 if row == r0 else 0
            b = c1 if row == r1 else offsets.lengths[row]
            if b > a:
                rows.setdefault(row, []).append((a, b, style))
    return rows


def enclosing(spans: Sequence[tuple[int, int]], offset: int) -> tuple[int, int] | None:
    """The span (sorted by start) that contains ``offset``; at a boundary, the one starting there."""
    i = bisect_right([s for s, _ in spans], offset) - 1
    if i >= 0 and spans[i][0] <= offset < spans[i][1]:
        return spans[i]
    if i >= 0 and offset == spans[i][1]:  # cursor just after the last character
        return spans[i]
    return None


def paragraph_at(text: str, offset: int) -> tuple[int, int]:
    """The paragraph around ``offset``: the run of non-blank lines, as offsets."""
    start = text.rfind("\n\n", 0, offset)
    start = 0 if start < 0 else start + 2
    end = text.find("\n\n", offset)
    end = len(text) if end < 0 else end
    while start < end and text[start] in " \t\n":
        start += 1
    while end > start and text[end - 1] in " \t\n":
        end -= 1
    return start, end
