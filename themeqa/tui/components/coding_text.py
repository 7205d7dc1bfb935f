"""The document in the centre: a read-only TextArea that paints coded spans in code colours.

Why a TextArea with ``get_line``: Textual documents ``TextArea.get_line`` as the place to
stylize a line, and the TextArea renders (and caches) only the lines on screen, so a cursor
move repaints a line or two, never the whole document. The per-row style map is rebuilt only
when the codings change, then the line cache is dropped with ``notify_style_update``.
``tests/tui/test_coding_text.py`` fails loudly if a Textual upgrade stops calling the hook.

Two non-public adjustments keep a 50,000-word transcript fast (textual is pinned to 8.2.x in
pyproject for them, and the same test module checks both against stock Textual):

* ``render_line`` keys its line cache on the *document row* the visual line belongs to.
  Stock TextArea, when soft-wrapping, puts the whole selection into every line's cache key,
  so each cursor move re-renders every visible line; here only rows touched by the old or
  new selection are re-rendered, the output being identical.
* The wrapped document is ``tui.fast_wrap.FastWrappedDocument``: the same wrap as stock,
  computed on word lengths where every character is one cell wide, and a ``height`` answered
  in O(1) (stock sums over every line, once per rendered line).

Colours: each coding's Okabe–Ito code colour is blended into the theme background (so the
tint reads on dark and light themes) with black or white text for contrast; overlaps add an
underline (two codings) or underline and bold (three or more), a cue that does not depend on
telling colours apart.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.document._wrapped_document import WrappedDocument
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import TextArea

from themeqa.tui.fast_wrap import FastWrappedDocument
from themeqa.tui.spans import OffsetMap, layout_rows, segments

__all__ = ["CodingText", "coding_styles"]

_TINT = {True: 0.55, False: 0.45}  # share of the code colour on dark / light backgrounds
_EDIT_ACTIONS = frozenset({
    "undo", "redo", "cut", "paste", "delete_left", "delete_right", "delete_word_left",
    "delete_word_right", "delete_line", "delete_to_start_of_line",
    "delete_to_end_of_line", "delete_to_end_of_line_or_delete_line",
})


def coding_styles(colour: str | None, background: str, dark: bool) -> tuple[Style, ...]:
    """Styles for depth 1, 2 and 3+ of a code colour on a theme background."""
    base = Color.parse(background)
    tint = base.blend(Color.parse(colour or "#888888"), _TINT[dark])
    if abs(tint.brightness - base.brightness) < 0.12:
        # a code colour close to the background (Okabe–Ito black on a dark theme): show it
        # as a neutral grey band instead of an invisible one
        tint = base.blend(Color(128, 128, 128), 0.6)
    ink = Color(0, 0, 0) if tint.brightness > 0.5 else Color(255, 255, 255)
    bg, fg = tint.rich_color, ink.rich_color
    return (
        Style(bgcolor=bg, color=fg),
        Style(bgcolor=bg, color=fg, underline=True),
        Style(bgcolor=bg, color=fg, underline=True, bold=True),
    )


class CodingText(TextArea):
    """Read-only document view with coded spans, speaker labels and exact offsets."""

    def __init__(self, text: str, *, id: str | None = None) -> None:
        # Built empty, then given the text once: stock __init__ builds the document and its
        # (width-0) wrap twice, a cost per line of a 50,000-word transcript.
        super().__init__("", read_only=True, soft_wrap=True, show_line_numbers=False,
                         highlight_cursor_line=False, id=id)
        self._set_document(text, None)
        self.match_cursor_bracket = False  # brackets are timestamps here, not code
        self.offsets = OffsetMap(text)
        self._rows: dict[int, list[tuple[int, int, Style]]] = {}
        self._paint_version = 0  # bumped by a full paint: every cached line is stale
        self._row_versions: dict[int, int] = {}  # bumped per row by a partial paint
        self._styles: dict[tuple, tuple[Style, ...]] = {}

    @property
    def wrapped_document(self) -> WrappedDocument:
        return self.__dict__["_wrapped"]

    @wrapped_document.setter
    def wrapped_document(self, value: WrappedDocument) -> None:
        if type(value) is WrappedDocument:
            value.__class__ = FastWrappedDocument
        self.__dict__["_wrapped"] = value

    def _watch_language(self, language: str | None) -> None:
        # Stock rebuilds (and re-wraps) the whole document when ``language`` is first set in
        # __init__, although it is None both times; a transcript never has a language.
        if language is not None:
            super()._watch_language(language)

    def render_line(self, y: int) -> Strip:
        if not self.text and self.placeholder:
            return super().render_line(y)
        scroll_x, scroll_y = self.scroll_offset
        absolute_y = scroll_y + y
        info = self.wrapped_document._offset_to_line_info
        row = info[absolute_y][0] if 0 <= absolute_y < len(info) else None
        selection = self.selection
        key = (
            "row-keyed", self._paint_version, self._row_versions.get(row),
            self.size, scroll_x, absolute_y, row,
            (selection, self.has_focus, self._cursor_visible)
            if row is not None and selection.contains_line(row) else None,
            self.theme, self.soft_wrap, self.show_line_numbers, self.read_only,
            self.show_cursor, self.suggestion,
        )
        cached = self._line_cache.get(key)
        if cached is None:
            cached = self._line_cache[key] = self._render_line(y)
        return cached

    # -- the highlight hook ------------------------------------------------------------------

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        for a, b, style in self._rows.get(line_index, ()):
            line.stylize(style, a, b)
        return line

    def _runs(self, codings: list, labels: list[tuple[int, int]], background: str,
              dark: bool, clip: tuple[int, int] | None = None) -> list:
        def style_of(colour: str | None, depth: int) -> Style:
            key = (colour, background, dark)
            if key not in self._styles:
                self._styles[key] = coding_styles(colour, background, dark)
            return self._styles[key][min(depth, 3) - 1]

        lo, hi = clip if clip is not None else (0, self.offsets.length)
        label_style = Style(bold=True)
        runs: list[tuple[int, int, Style]] = [
            (max(a, lo), min(b, hi), label_style) for a, b in labels if a < hi and b > lo]
        for seg in segments([(c.start, c.end) for c in codings]):
            a, b = max(seg.start, lo), min(seg.end, hi)
            if a < b:
                runs.append((a, b, style_of(codings[seg.primary].colour, seg.depth)))
        return runs

    def paint(self, codings: list, labels: list[tuple[int, int]], *,
              background: str, dark: bool) -> None:
        """Rebuild the row map from codings (anything with start/end/colour) and speaker labels."""
        self._rows = layout_rows(self.offsets, self._runs(codings, labels, background, dark))
        self._paint_version += 1
        self._row_versions.clear()
        self.refresh()

    def row_range(self, start: int, end: int) -> tuple[int, int]:
        """The offsets of the whole rows that ``start``-``end`` touches."""
        r0, _ = self.offsets.to_location(start)
        r1, _ = self.offsets.to_location(end)
        return self.offsets.row_span(r0)[0], self.offsets.row_span(r1)[1]

    def paint_rows(self, lo: int, hi: int, codings: list, labels: list[tuple[int, int]], *,
                   background: str, dark: bool) -> None:
        """Repaint only the rows from offset ``lo`` to ``hi`` (whole rows, see ``row_range``).

        ``codings`` must hold every coding overlapping ``lo``-``hi``; only those rows' cached
        lines are re-rendered, so applying one code costs the rows it touches.
        """
        r0, _ = self.offsets.to_location(lo)
        r1, _ = self.offsets.to_location(hi)
        fresh = layout_rows(self.offsets,
                            self._runs(codings, labels, background, dark, clip=(lo, hi)))
        for row in range(r0, r1 + 1):
            self._rows.pop(row, None)
            if row in fresh:
                self._rows[row] = fresh[row]
            self._row_versions[row] = self._row_versions.get(row, 0) + 1
        self._refresh_rows(r0, r1)

    def _refresh_rows(self, r0: int, r1: int) -> None:
        """Mark only the on-screen lines of document rows r0..r1 dirty.

        Why not ``refresh()``: that re-renders every visible line through the style cache and
        the compositor (about half of applying a code); the rows a coding touches are a few
        lines. Lines off screen need nothing: their cache keys carry the row's version.
        """
        starts = self.wrapped_document._line_index_to_offsets
        if not starts or r0 >= len(starts):
            self.refresh()
            return
        r1 = min(r1, len(starts) - 1)
        scroll_y, height = self.scroll_offset.y, self.size.height
        top = max(starts[r0][0] - scroll_y, 0)
        bottom = min(starts[r1][-1] + 1 - scroll_y, height)
        if top < bottom:
            self.refresh(Region(0, top, self.size.width, bottom - top))

    # -- offsets -----------------------------------------------------------------------------

    @property
    def cursor_offset(self) -> int:
        return self.offsets.to_offset(self.cursor_location)

    @property
    def selected_span(self) -> tuple[int, int]:
        """The selection as (start, end) offsets, start <= end."""
        a = self.offsets.to_offset(self.selection.start)
        b = self.offsets.to_offset(self.selection.end)
        return (a, b) if a <= b else (b, a)

    def select_span(self, start: int, end: int) -> None:
        from textual.widgets.text_area import Selection

        self.selection = Selection(self.offsets.to_location(start),
                                   self.offsets.to_location(end))
        self.scroll_cursor_visible(center=True)

    def move_to(self, offset: int) -> None:
        self.cursor_location = self.offsets.to_location(offset)
        self.scroll_cursor_visible(center=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Let ctrl+z / ctrl+y reach the screen's coding undo; the text itself never changes.
        if action in _EDIT_ACTIONS:
            return False
        return super().check_action(action, parameters)
