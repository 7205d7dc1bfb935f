"""Soft-wrapping a long transcript in a fraction of the time stock Textual takes.

Why: opening a 50,000-word transcript wraps the whole document several times (the TextArea
wraps at width 0 twice while it is built, then at the real width when it is first sized), and
Textual's ``compute_wrap_offsets`` builds a per-character list of tab widths and measures
every word with ``cell_len``. That was most of the coding screen's first paint (issue 4:
under 1 s). Transcripts are almost always lines of words in characters one cell wide and
without tabs; for such a line, a word's cell width is its length, so each break is found with
one backwards search from the edge of the view instead of a walk over every word. Any other line (tabs, wide or zero-width characters, a word wider than
the view) goes to Textual's own function, so the result is identical in every case;
``tests/tui/test_fast_wrap.py`` compares the two on generated and hostile text.

Textual is pinned to 8.2.x (pyproject) because this mirrors ``WrappedDocument.wrap``'s
private fields; the same test fails loudly when an upgrade changes them.
"""

from __future__ import annotations

from rich.cells import get_character_cell_size
from textual._wrap import compute_wrap_offsets
from textual.document._wrapped_document import WrappedDocument
from textual.expand_tabs import get_tab_widths

__all__ = ["FastWrappedDocument", "unit_width", "wrap_offsets"]

#: characters that change the width of their neighbours (rich measures them specially)
_JOINERS = ("\u200d", "\ufe0f")


def unit_width(line: str) -> bool:
    """True when every character of ``line`` takes exactly one terminal cell (no tabs).

    Then the cell width of any slice is its length (rich sums per-character widths unless a
    joiner or variation selector is present, which this rules out).
    """
    if line.isascii():
        return line.isprintable()
    if any(j in line for j in _JOINERS):
        return False
    return all(get_character_cell_size(ch) == 1 for ch in set(line))


def wrap_offsets(line: str, width: int, tab_width: int = 4) -> list[int]:
    """The offsets where ``line`` breaks at ``width`` cells: Textual's rule, computed faster.

    The rule (``textual._wrap.compute_wrap_offsets``, fold=True): walk the chunks; a chunk
    that fits in the space left joins the current visual line, one that does not starts a new
    line, and one wider than the whole view is folded character by character. Only the last
    case, and lines that are not one cell per character, are handed to Textual.
    """
    if width <= 0:
        return []
    if not unit_width(line):
        return compute_wrap_offsets(line, width, tab_size=tab_width)
    if len(line) <= width:
        return []
    if not line.isprintable():
        # a non-breaking or other Unicode space (the only printable whitespace is " ")
        return compute_wrap_offsets(line, width, tab_size=tab_width)
    # Chunks are now words with their trailing spaces. The chunk that does not fit on a
    # visual line starting at ``left`` is the one holding the character at ``left + width``
    # (every earlier chunk ends at or before it); the line breaks where that chunk starts.
    breaks: list[int] = []
    left, n = 0, len(line)
    while left + width < n:
        at = left + width
        if line[at] == " ":
            while at > left and line[at - 1] == " ":
                at -= 1  # back to the first space of the run: the chunk is the word before
            if at == left:  # spaces opening the line are a chunk of their own
                return compute_wrap_offsets(line, width, tab_size=tab_width)
        at = line.rfind(" ", left, at) + 1  # where the word holding ``at`` starts
        if at <= left:  # one chunk wider than the view: Textual folds it
            return compute_wrap_offsets(line, width, tab_size=tab_width)
        breaks.append(at)
        left = at
    return breaks


class FastWrappedDocument(WrappedDocument):
    """A WrappedDocument with a fast ``wrap`` and an O(1) ``height`` (same results as stock)."""

    @property
    def height(self) -> int:
        # stock sums the visual lines of every row, and is asked once per rendered line
        return len(self._offset_to_line_info)

    def wrap(self, width: int, tab_width: int | None = None) -> None:
        """Wrap and cache all lines; mirrors ``WrappedDocument.wrap`` field for field."""
        self._width = width
        if tab_width:
            self._tab_width = tab_width
        tabs = self._tab_width
        new_wrap_offsets: list[list[int]] = []
        offset_to_line_info: list[tuple[int, int]] = []
        line_index_to_offsets: list[list[int]] = []
        line_tab_widths: list[list[int]] = []
        current = 0
        for line_index, line in enumerate(self.document.lines):
            if "\t" in line:
                sections = get_tab_widths(line, tabs)
                offsets = (compute_wrap_offsets(line, width, tab_size=tabs,
                                                precomputed_tab_sections=sections)
                           if width else [])
                line_tab_widths.append([w for _, w in sections])
            else:
                # get_tab_widths gives one section of width 0, or none for an empty line
                line_tab_widths.append([0] if line else [])
                offsets = wrap_offsets(line, width, tabs) if width else []
            new_wrap_offsets.append(offsets)
            n = len(offsets) + 1
            line_index_to_offsets.append(list(range(current, current + n)))
            offset_to_line_info.extend((line_index, k) for k in range(n))
            current += n
        self._wrap_offsets = new_wrap_offsets
        self._offset_to_line_info = offset_to_line_info
        self._line_index_to_offsets = line_index_to_offsets
        self._tab_width_cache = line_tab_widths
