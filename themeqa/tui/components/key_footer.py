"""The footer of every screen: Textual's Footer, rebuilt only when the keys it shows change.

Why: the stock Footer rebuilds all its key widgets (and restyles them) after *every* change
of focus, although the keys it shows rarely change with it. Opening the coding screen moves
the focus several times (tree, then text), which rebuilt the footer about seven times and was
a visible part of the screen's first paint (issue 4: under 1 s). Here a rebuild happens only
when the shown keys, their descriptions or their enabled state differ from the last one.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer

__all__ = ["KeyFooter"]


class KeyFooter(Footer):
    """A Footer that skips rebuilds which would show the same keys."""

    _shown: tuple | None = None

    def __init__(self, **kwargs) -> None:
        # compact: one space between keys, so 80 columns show the first seven or so keys,
        # and ACTIONS lists each screen's keys most important first (issue 22)
        kwargs.setdefault("compact", True)
        super().__init__(**kwargs)

    @staticmethod
    def shown_keys(screen: Screen) -> tuple:
        """What the footer would show: (key, action, description, enabled, tooltip) rows."""
        palette = screen.app.COMMAND_PALETTE_BINDING
        return tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for key, (_node, binding, enabled, tooltip) in screen.active_bindings.items()
            if binding.show or key == palette
        )

    def bindings_changed(self, screen: Screen) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            shown = self.shown_keys(screen)
            if shown == self._shown:
                self._bindings_ready = True
                return
            self._shown = shown
        super().bindings_changed(screen)
