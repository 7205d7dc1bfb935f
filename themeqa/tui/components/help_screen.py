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
            yield DataTable(id="help-table", cursor_type="none", zebra_stripes=True)
            yield Static("esc closes this panel · ↑/↓ scroll", id="help-hint")

    def on_mount(self) -> None:
        # descriptions wrap inside the box instead of running off its edge (80 columns)
        table = self.query_one("#help-table", DataTable)
        box = min(100, int(self.app.size.width * 0.9))
        table.add_column("key", width=10)
        table.add_column("action", width=max(box - 18, 20))
        for key, desc in help_rows(self.screen_name):
            table.add_row(key, desc, height=None)
