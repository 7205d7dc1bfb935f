"""The coding screen's panels and label entry (issue 22), kept apart from the screen itself.

Why a mixin: ``CodingScreen`` is the one place that holds the open document, so these
methods run on it, but they are about layout and keys, not coding: which panels are shown
(sized by the terminal, toggled by ``{`` and ``}``, remembered per coder and project
through the gateway), the Tab order, and applying a code by typing its label.
"""

from __future__ import annotations

from textual.events import Resize
from textual.widgets import Input, Static

from themeqa.tui.components.key_row import LabelInput, label_matches, matches_text
from themeqa.tui.components.picker import PickerScreen
from themeqa.tui.components.side_panel import SidePanel

__all__ = ["NARROW", "PanelsMixin"]

#: below this many columns the side panel starts hidden (the text keeps >= 60% of the width)
NARROW = 100


class PanelsMixin:
    """Layout and label-entry methods of ``CodingScreen`` (see the module docstring)."""

    layout_choice: dict[str, bool]
    _line_keys: dict[str, object]

    def _set_line(self, selector: str, text) -> None:
        """Update a one-line Static only when its text changed (no needless repaint)."""
        if self._line_keys.get(selector) != text.markup:
            self._line_keys[selector] = text.markup
            # one fixed-size line: no layout pass (it would reflow the whole screen on
            # every apply; ARCHITECTURE.md, "Keeping the TUI fast")
            self.query_one(selector, Static).update(text, layout=False)

    def panel_shown(self, panel: str) -> bool:
        """Whether ``panel`` ("tree" or "side") is shown: the coder's choice if they made
        one, else the tree always and the side panel from ``NARROW`` columns up."""
        if panel in self.layout_choice:
            return self.layout_choice[panel]
        return panel == "tree" or self.size.width >= NARROW

    def apply_layout(self) -> None:
        tree, side = self.code_tree, self.query_one("#side", SidePanel)
        tree.display = self.panel_shown("tree")
        side.display = self.panel_shown("side")
        self.query_one("#here-line", Static).display = not side.display
        focused = self.focused
        if focused is not None and not focused.display and self.text_shown:
            self.doc_view.focus()

    def on_resize(self, event: Resize) -> None:
        self.apply_layout()

    def _toggle_panel(self, panel: str) -> None:
        self.layout_choice[panel] = not self.panel_shown(panel)
        self.apply_layout()
        self.update_panel(force=True)
        layout, save = dict(self.layout_choice), getattr(self.services, "set_tui_layout", None)
        if save is not None:
            self._write(lambda: save(layout))

    def action_cycle_focus(self, step: int) -> None:
        """Tab / shift+tab through the shown panes in reading order: text, tree, side."""
        panes = [w for w in (self.query("#doc-text").first() if self.text_shown else None,
                             self.code_tree, self.query_one("#side", SidePanel))
                 if w is not None and w.display]
        if not panes:
            return
        at = panes.index(self.focused) if self.focused in panes else -step
        panes[(at + step) % len(panes)].focus()

    def action_toggle_tree(self) -> None:
        self._toggle_panel("tree")

    def action_toggle_side(self) -> None:
        self._toggle_panel("side")

    def action_start_label(self, digit: int) -> None:
        if self.state is None:
            return
        box = self.query_one("#label-input", LabelInput)
        box.remove_class("hidden")
        box.value = str(digit) if digit >= 0 else ""
        box.focus()
        box.cursor_position = len(box.value)
        self._show_matches(box.value)

    def _show_matches(self, typed: str) -> None:
        self._line_keys.pop("#recent-row", None)
        self.query_one("#recent-row", Static).update(
            matches_text(list(self.code_tree.codes.values()), typed), layout=False)

    def _end_label(self) -> None:
        box = self.query_one("#label-input", LabelInput)
        box.add_class("hidden")
        box.value = ""
        if self.text_shown:
            self.doc_view.focus()
        self.update_panel(force=True)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "label-input":
            event.stop()
            self._show_matches(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "label-input":
            return
        event.stop()
        typed = event.value.strip()
        codes = list(self.code_tree.codes.values())
        exact, prefix = label_matches(codes, typed)
        self._end_label()
        if len(exact) == 1:
            self.apply_code(exact[0].id)
        elif exact or prefix:
            # the same label in two codebooks, or only a prefix: choose among them
            self.app.push_screen(
                PickerScreen(f"Apply which code labelled {typed}…?",
                             self.code_candidates(exact or prefix)),
                lambda cid: cid is not None and self.apply_code(cid))
        else:
            self.notify(f"no code labelled {typed!r} (c opens the code palette)",
                        severity="warning")

    def on_label_input_cancelled(self, event: LabelInput.Cancelled) -> None:
        self._end_label()
