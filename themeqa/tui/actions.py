"""The one table of TUI actions and their default keys.

Why one table (DESIGN.md, "Models to learn from"): bindings, the help screen and the command
palette all read it, so a key shown in help is the key that works.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

__all__ = ["ACTIONS", "Action", "bindings_for", "help_rows"]


@dataclass(frozen=True)
class Action:
    screen: str  # "app", "documents", "document"
    action: str  # Textual action name
    key: str
    description: str
    show: bool = True  # in the footer


ACTIONS: tuple[Action, ...] = (
    Action("app", "help", "question_mark", "Show the keys of this screen"),
    Action("app", "quit", "ctrl+q", "Quit (everything is already saved)"),
    Action("documents", "focus_filter", "slash", "Filter documents by typing"),
    Action("documents", "open_document", "enter", "Open the selected document", show=False),
    Action("documents", "clear_filter", "escape", "Clear the filter", show=False),
    Action("documents", "refresh", "ctrl+r", "Reload the list"),
    Action("document", "back", "escape", "Back to the documents"),
    Action("document", "next_turn", "n", "Next turn"),
    Action("document", "previous_turn", "p", "Previous turn"),
)


def bindings_for(screen: str) -> list[Binding]:
    return [
        Binding(a.key, a.action, a.description, show=a.show)
        for a in ACTIONS
        if a.screen == screen
    ]


_KEY_NAMES = {"question_mark": "?", "slash": "/", "escape": "esc", "enter": "enter"}


def help_rows(screen: str) -> list[tuple[str, str]]:
    """(key as shown, description) for a screen and the app-wide actions."""
    return [
        (_KEY_NAMES.get(a.key, a.key), a.description)
        for a in ACTIONS
        if a.screen in (screen, "app")
    ]
