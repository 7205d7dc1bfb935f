"""The key help panel (`?`) for whichever screen is open."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from themeqa.tui.actions import help_rows


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close help")]

    def __init__(self, screen_name: str) -> None:
        super().__init__()
        self.screen_name = screen_name

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(f"Keys: {self.screen_name}", id="help-title")
            table = DataTable(id="help-table", cursor_type="none", zebra_stripes=True)
            table.add_columns("key", "action")
            for key, desc in help_rows(self.screen_name):
                table.add_row(key, desc)
            yield table
            yield Static("esc closes this panel", id="help-hint")
