"""Start screen: the project's documents, filtered by typing, Enter opens one."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.control import strip_control_codes
from rich.segment import Segment
from rich.style import Style
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Header, Input, Static

from themeqa.tui.actions import bindings_for
from themeqa.tui.components.key_footer import KeyFooter

COLUMNS = ("document", "session", "condition", "timepoint", "kind", "words", "codings",
           "progress")


def _row(d) -> tuple:
    return (d.name, d.session or "", d.condition or "", d.timepoint or "", d.kind,
            d.words, d.codings, f"{d.progress:.0%}")


def _texts(d) -> tuple[str, ...]:
    """A document's cells as they are shown: plain text, never markup, no control codes."""
    return tuple(v if v.isprintable() else strip_control_codes(v)
                 for v in map(str, _row(d)))


def _width(values: tuple[str, ...]) -> int:
    """The widest of ``values`` in terminal cells (``len`` when all are ASCII: faster)."""
    if all(v.isascii() for v in values):
        return max(map(len, values), default=0)
    return max(map(cell_len, values), default=0)


def _widths(rows: list[tuple[str, ...]]) -> list[int]:
    """Each column's width in terminal cells: its widest value or its label.

    Computed once per load over every document, so columns keep their place while the
    coder filters (as a DataTable's auto-width columns did: they only ever grew).
    """
    columns = list(zip(*rows, strict=True)) or [()] * len(COLUMNS)
    return [max(cell_len(label), _width(values))
            for label, values in zip(COLUMNS, columns, strict=True)]


def _matching(hay: list[str], words: list[str]) -> list[int]:
    """Indexes of the entries of ``hay`` that contain every one of ``words``.

    One tight pass per word over what is left (about 1.5 ms for 10,000 documents, against
    10 ms for one ``all(...)`` per document): this runs on every keystroke in the filter.
    """
    keep: list[int] | range = range(len(hay))
    for w in words:
        keep = [i for i in keep if w in hay[i]]
    return list(keep)


class DocumentTable(ScrollView, can_focus=True):
    """The documents, one per line, under a header; paints only the lines on screen.

    Why not Textual's DataTable: it measures every cell it is given and, after every row
    added, renders every visible cell again (its caches are keyed by an update counter).
    2,000 documents froze the screen for over a second, and adding them a hundred at a time
    still froze it for a few hundred milliseconds per step (bench/bench_tui.py). Here rows
    are tuples of strings: giving 10,000 is a list assignment, the widths are computed once
    from the strings (``_widths``), and a repaint costs one string per line on screen.

    It looks and moves like the DataTable it replaces (row cursor, zebra stripes, header,
    Enter or a click on the cursor row selects) and posts ``RowSelected`` with the row's key.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "doctable--header", "doctable--cursor", "doctable--even-row", "doctable--odd-row"}

    DEFAULT_CSS = """
    DocumentTable {
        background: $surface;
        color: $foreground;
        &:focus {
            background-tint: $foreground 5%;
            & > .doctable--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .doctable--header {
                background-tint: $foreground 5%;
            }
        }
        &:dark > .doctable--even-row {
            background: $surface-darken-1 40%;
        }
        & > .doctable--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .doctable--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .doctable--odd-row {
        }
        & > .doctable--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .doctable--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home", "first", "First", show=False),
        Binding("end,ctrl+end", "last", "Last", show=False),
    ]

    # repaint=False: moving the cursor repaints two lines (watch_cursor_row), not all
    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)

    class RowSelected(Message):
        """Enter, or a click on the cursor row: open the row with this key."""

        def __init__(self, table: DocumentTable, row: int, key: str) -> None:
            super().__init__()
            self.table, self.row, self.key = table, row, key

        @property
        def control(self) -> DocumentTable:
            return self.table

    def __init__(self, columns: tuple[str, ...], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.labels = columns
        self._rows: list[tuple[str, ...]] = []
        self._keys: list[str] = []
        self._widths = [cell_len(c) for c in columns]
        self._paint_style: Style | None = None

    # ------------------------------------------------------------------------- data

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def key_at(self, row: int) -> str:
        return self._keys[row]

    def set_rows(self, rows: list[tuple[str, ...]], keys: list[str], widths: list[int],
                 *, cursor_key: str | None = None) -> None:
        """Show ``rows`` (cells as strings, ``widths`` wide); the cursor goes to the row
        with ``cursor_key`` if there is one, else to the top."""
        self._rows, self._keys, self._widths = rows, keys, widths
        self.virtual_size = Size(sum(w + 2 for w in widths), len(rows) + 1)
        cursor = 0
        if cursor_key is not None:
            try:
                cursor = keys.index(cursor_key)
            except ValueError:
                cursor = 0
        if cursor == 0:
            self.scroll_to(0, 0, animate=False, immediate=True)
        self.cursor_row = cursor
        self.refresh()

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self._rows) - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        if not self._scroll_to_cursor():  # a scroll repaints everything; else two lines
            self.refresh_line(old + 1)  # virtual line 0 is the header
            self.refresh_line(new + 1)

    # ------------------------------------------------------------------------- painting

    def _line(self, cells: tuple[str, ...]) -> str:
        return "".join(f" {v}{' ' * (w - cell_len(v))} "
                       for v, w in zip(cells, self._widths, strict=False))

    def render_lines(self, crop: Region) -> list[Strip]:
        # the widget's style once per paint, not per line: working it out walks the DOM
        self._paint_style = self.rich_style
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        base = self._paint_style if self._paint_style is not None else self.rich_style
        if y == 0:
            text, style = self._line(self.labels), base + self._style("doctable--header")
        else:
            row = scroll_y + y - 1
            if row >= len(self._rows):
                return Strip.blank(width, base)
            text = self._line(self._rows[row])
            style = base + self._style("doctable--odd-row" if row % 2 else "doctable--even-row")
            if row == self.cursor_row:
                style += self._style("doctable--cursor")
        # the row's style runs to the right edge, as in a DataTable
        n = cell_len(text)
        if scroll_x == 0 and n <= width:  # the usual case: no cropping, one Strip
            return Strip([Segment(text + " " * (width - n), style)], width)
        return Strip([Segment(text, style)], n).crop_extend(scroll_x, scroll_x + width, style)

    def _style(self, name: str) -> Style:
        """A component's style, resolved as the DataTable resolves it (same colours)."""
        return self.get_component_rich_style(name)

    # ------------------------------------------------------------------------- moving

    @property
    def _page(self) -> int:
        """Rows on screen below the header."""
        return max(1, self.size.height - 1)

    def _scroll_to_cursor(self) -> bool:
        """Scroll so the cursor row is on screen; say whether that scrolled."""
        row, top = self.cursor_row, self.scroll_offset.y
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + self._page:
            self.scroll_to(y=row - self._page + 1, animate=False, immediate=True)
        else:
            return False
        return True

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_page_up(self) -> None:
        self.cursor_row -= self._page

    def action_page_down(self) -> None:
        self.cursor_row += self._page

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = len(self._rows) - 1

    def action_select_cursor(self) -> None:
        if self._rows:
            self.post_message(self.RowSelected(self, self.cursor_row,
                                               self._keys[self.cursor_row]))

    def _on_click(self, event: events.Click) -> None:
        """A click moves the cursor to a row; a click on the cursor row opens it."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        row = self.scroll_offset.y + offset.y - 1
        if row >= len(self._rows):
            return
        event.stop()
        if row == self.cursor_row:
            self.action_select_cursor()
        else:
            self.cursor_row = row


class DocumentsScreen(Screen):
    BINDINGS = bindings_for("documents")
    name_for_help = "documents"

    def __init__(self) -> None:
        super().__init__()
        self._docs: list = []
        self._rows: list[tuple[str, ...]] = []
        self._hay: list[str] = []
        self._names: list[str] = []
        self._widths: list[int] = [cell_len(c) for c in COLUMNS]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="type to filter (document, session, condition, timepoint)",
                    id="filter")
        yield DocumentTable(COLUMNS, id="documents")
        yield Static("", id="status")
        yield KeyFooter()

    @property
    def table(self) -> DocumentTable:
        return self.query_one("#documents", DocumentTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.load()

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        """Read the list and prepare its cells, search text and widths here, off the UI."""
        docs = self.app.services.documents(self.app.coder)
        rows = [_texts(d) for d in docs]
        hay = [" ".join(r).casefold() for r in rows]
        self.app.call_from_thread(self._show, docs, rows, hay, _widths(rows))

    def _show(self, docs: list, rows: list[tuple[str, ...]], hay: list[str],
              widths: list[int]) -> None:
        self._docs, self._rows, self._hay, self._widths = docs, rows, hay, widths
        self._names = [d.name for d in docs]
        table = self.table
        # a reload (ctrl+r) keeps the cursor on the same document
        current = table.key_at(table.cursor_row) if table.row_count else None
        self._apply_filter(self.query_one("#filter", Input).value, cursor_key=current)

    def _apply_filter(self, text: str, *, cursor_key: str | None = None) -> None:
        """Show the documents whose cells contain every typed word (any case), all at
        once: the table paints only what is on screen, so 10,000 cost what 40 do."""
        keep = _matching(self._hay, text.casefold().split())
        self.table.set_rows([self._rows[i] for i in keep], [self._names[i] for i in keep],
                            self._widths, cursor_key=cursor_key)
        self.query_one("#status", Static).update(  # one line high: no layout needed
            f"{len(keep)} of {len(self._docs)} documents · coder {self.app.coder} · ? for keys",
            layout=False)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._apply_filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.table.focus()

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        flt = self.query_one("#filter", Input)
        flt.value = ""
        self.table.focus()

    def action_refresh(self) -> None:
        self.load()

    def action_open_agreement(self) -> None:
        from themeqa.tui.components.agreement_screen import AgreementScreen

        self.app.push_screen(AgreementScreen())

    def action_open_reconcile(self) -> None:
        from themeqa.tui.components.reconcile_screen import ReconcileScreen

        self.app.push_screen(ReconcileScreen())

    def action_open_tallies(self) -> None:
        from themeqa.tui.components.tallies_screen import TalliesScreen

        self.app.push_screen(TalliesScreen())

    def action_open_quant(self) -> None:
        from themeqa.tui.components.quant_screen import QuantScreen

        self.app.push_screen(QuantScreen())

    def action_open_search(self) -> None:
        from themeqa.tui.components.search_screen import SearchScreen

        self.app.push_screen(SearchScreen())

    def action_open_words(self) -> None:
        from themeqa.tui.components.words_screen import WordsScreen

        self.app.push_screen(WordsScreen())

    def action_open_deidentify(self) -> None:
        from themeqa.tui.components.deidentify_screen import DeidentifyScreen

        self.app.push_screen(DeidentifyScreen())

    def action_open_map(self) -> None:
        from themeqa.tui.components.map_screen import MapScreen

        self.app.push_screen(MapScreen())

    def on_document_table_row_selected(self, event: DocumentTable.RowSelected) -> None:
        self.app.open_document(event.key)

    def action_open_document(self) -> None:
        table = self.table
        if table.row_count:
            self.app.open_document(table.key_at(table.cursor_row))
