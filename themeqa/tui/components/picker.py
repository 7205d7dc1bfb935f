"""A fuzzy picker (code palette, documents, speakers, codings): type, arrows, enter.

Why one modal for every choice: the same keys everywhere; ranking is ``tui.fuzzy.rank``.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from themeqa.tui.fuzzy import Candidate, rank

__all__ = ["PickerScreen"]


class PickerScreen(ModalScreen[object]):
    BINDINGS = [
        Binding("escape", "dismiss_none", "Close", show=False),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
    ]

    def __init__(self, title: str, candidates: list[Candidate], *, placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.candidates = candidates
        self.placeholder = placeholder
        self._shown: list[Candidate] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static(self.title_text, id="picker-title")
            yield Input(placeholder=self.placeholder or "type to search", id="picker-input")
            yield OptionList(id="picker-list")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#picker-input", Input).focus()

    def _fill(self, query: str) -> None:
        self._shown = rank(query, self.candidates)
        ol = self.query_one("#picker-list", OptionList)
        ol.clear_options()
        ol.add_options([Option(c.prompt or f"{c.key} {c.name}") for c in self._shown])
        if self._shown:
            ol.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def action_move(self, step: int) -> None:
        ol = self.query_one("#picker-list", OptionList)
        if self._shown:
            ol.highlighted = ((ol.highlighted or 0) + step) % len(self._shown)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        ol = self.query_one("#picker-list", OptionList)
        if self._shown and ol.highlighted is not None:
            self.dismiss(self._shown[ol.highlighted].value)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self._shown[event.option_index].value)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
