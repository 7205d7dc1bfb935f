"""The side panel: codings under the cursor with their memos, then the current code's notes.

Why a Line-API widget that repaints changed lines only: the panel is as tall as the screen
and changes on every coding applied or undone. Re-rendered whole (as a Static), it made the
compositor redraw a screen-high band across the whole width, which was half the time of
applying a code (issue 4: under 50 ms). Here the text is wrapped once per change, compared
line by line with what is on screen, and only the lines that differ are marked dirty. It
never talks to the database.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

__all__ = ["SidePanel"]


class SidePanel(ScrollView):
    """Plain text, word-wrapped to the panel's width, scrollable when it is longer."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()
        self._lines: list[Text] = []
        self._strips: list[Strip] = []
        self._width = 0
        self._styled: dict[int, tuple[tuple, Strip]] = {}  # row -> (width, style), strip
        self._base: Style | None = None  # the widget's style, worked out once per paint

    @property
    def plain(self) -> str:
        """What the panel says, as plain text (tests and screen readers read this)."""
        return self._text.plain

    def show(self, here: list, code, recent: list, *, blind: bool = False) -> None:
        t = Text()
        t.append("Here\n", style="bold underline")
        if not here:
            t.append("no coding at the cursor\n", style="dim")
        for c in here:
            t.append("■ ", style=c.colour or "grey50")
            t.append(f"{c.code_label} ", style="bold")
            t.append(f"{c.code_name}\n")
            t.append(f"  #{c.id} {c.start}–{c.end} · {c.coder}", style="dim")
            if c.layer != "coder":
                t.append(f" · {c.layer}", style="dim")
            if c.quote:
                t.append(" · ★ quote", style="bold")
            t.append("\n")
            if c.memo:
                t.append(f"  memo: {c.memo}\n", style="italic")
        if code is not None:
            t.append("\nCode ", style="bold underline")
            t.append(f"{code.label} {code.name}\n", style="bold")
            for title, body in (("definition", code.definition), ("include", code.include),
                                ("exclude", code.exclude)):
                if body:
                    t.append(f"{title}: ", style="bold")
                    t.append(f"{body.strip()}\n")
        if recent:
            t.append("\nQuick keys\n", style="bold underline")
            for i, n in enumerate(recent, 1):
                t.append(f"{i} ", style="bold reverse")
                t.append("■ ", style=n.colour or "grey50")
                t.append(f"{n.label} {n.name}\n")
        if blind:
            t.append("\nblind mode: you see your own codings only\n", style="dim italic")
        self._text = t
        self._rewrap()

    def on_resize(self) -> None:
        self._rewrap(force=True)

    def _rewrap(self, force: bool = False) -> None:
        width = self.scrollable_content_region.width
        if width <= 0:
            return
        console = self.app.console
        lines = list(self._text.wrap(console, width))
        for line in lines:
            line.end = ""
        old = self._lines
        self._lines = lines
        self._strips = [Strip(line.render(console), line.cell_len) for line in lines]
        self._styled = {}
        # the scroll range changes only when the text outgrows the panel (a layout pass)
        size = Size(width, max(len(lines), self.size.height))
        if size != self.virtual_size:
            self.virtual_size = size
        if force or width != self._width:
            self._width = width
            self.refresh()
            return
        scroll_y, height = self.scroll_offset.y, self.size.height
        for y in range(max(len(old), len(lines))):
            same = y < len(old) and y < len(lines) and old[y] == lines[y]
            if not same and scroll_y <= y < scroll_y + height:
                self.refresh(Region(0, y - scroll_y, self.size.width, 1))

    def render_lines(self, crop: Region) -> list[Strip]:
        # the widget's style once per paint, not per line: working it out walks the DOM
        self._base = self.rich_style
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self._base if self._base is not None else self.rich_style
        row = self.scroll_offset.y + y
        if row >= len(self._strips):
            return Strip.blank(width, base)
        key = (width, base)
        cached = self._styled.get(row)
        if cached is None or cached[0] != key:
            cached = self._styled[row] = (
                key, self._strips[row].crop_extend(0, width, None).apply_style(base))
        return cached[1]
