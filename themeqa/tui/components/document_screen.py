"""A document, read-only, with its speaker turns; the coding workbench builds on this."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, TextArea

from themeqa.tui.actions import bindings_for


class DocumentScreen(Screen):
    BINDINGS = bindings_for("document")
    name_for_help = "document"

    def __init__(self, document) -> None:
        super().__init__()
        self.document = document

    def compose(self) -> ComposeResult:
        yield Header()
        d = self.document
        yield Static(
            f"{d.name} · {d.kind} · {len(d.turns)} turns · {len(d.sentences)} sentences",
            id="doc-title",
        )
        yield TextArea(d.text, read_only=True, id="doc-text", soft_wrap=True,
                       show_line_numbers=False)
        yield Footer()

    def _move_to_turn(self, step: int) -> None:
        area = self.query_one("#doc-text", TextArea)
        offsets = [t.content_start for t in self.document.turns]
        if not offsets:
            return
        here = area.document.get_index_from_location(area.cursor_location)
        if step > 0:
            target = next((o for o in offsets if o > here), offsets[-1])
        else:
            target = next((o for o in reversed(offsets) if o < here), offsets[0])
        area.cursor_location = area.document.get_location_from_index(target)
        area.scroll_cursor_visible(center=True)

    def action_next_turn(self) -> None:
        self._move_to_turn(+1)

    def action_previous_turn(self) -> None:
        self._move_to_turn(-1)

    def action_back(self) -> None:
        self.app.pop_screen()
