"""The coding screen's bottom rows: "here" (when the side panel is hidden) and the key row.

Why (issue 22): a researcher who sees "1 Weak imagery ability" in the tree expects ``1`` to
apply theme 1, not "the most recent code". So digits start typing a code's *label* (``2a``,
then Enter), ``:`` starts any label (``F2a``), and the recent codes moved to ``alt+1``…
``alt+9`` on a row of their own that always says which code each key applies. At 80 columns
the side panel is hidden by default, so the "here" line says which codings are under the
cursor (and the highlighted code's full name while browsing the tree, where names are cut).
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

__all__ = ["LabelInput", "here_text", "label_matches", "recent_text"]


def label_matches(codes, typed: str) -> tuple[list, list]:
    """(codes whose label is ``typed``, codes whose label starts with it), case-insensitive,
    in tree order. Labels are unique within a codebook, so more than one exact match means
    the same label in two codebooks."""
    key = typed.strip().casefold()
    if not key:
        return [], list(codes)
    exact = [n for n in codes if n.label.casefold() == key]
    prefix = [n for n in codes if n.label.casefold().startswith(key)]
    return exact, prefix


def _chip(text: Text, n) -> None:
    text.append("■ ", style=n.colour or "grey50")
    text.append(n.label, style="bold")
    text.append(f" {n.name}")


def matches_text(codes, typed: str) -> Text:
    """What the key row shows while a label is typed: the codes it would apply or narrow to."""
    exact, prefix = label_matches(codes, typed)
    t = Text(no_wrap=True, overflow="ellipsis")
    if not prefix:
        t.append(f"no code labelled {typed.strip()!r}…", style="bold red")
        return t
    if len(exact) == 1:
        t.append("enter applies ", style="dim")
    elif len(exact) > 1:
        t.append("enter: choose the codebook ", style="dim")
    else:
        t.append("keep typing: ", style="dim")
    for i, n in enumerate(exact + [n for n in prefix if n not in exact]):
        if i:
            t.append(" · ", style="dim")
        _chip(t, n)
    return t


def recent_text(recent: list) -> Text:
    """The recent-codes row: which code each of ``alt+1``… applies."""
    t = Text(no_wrap=True, overflow="ellipsis")
    if not recent:
        t.append("type a label (2a) + enter to apply it · c: code palette · "
                 "{ } hide/show the panels · ?: every key", style="dim")
        return t
    t.append("recent ", style="dim")
    for i, n in enumerate(recent, 1):
        if i > 1:
            t.append("  ")
        t.append(f"alt+{i}", style="bold reverse")
        t.append(" ")
        _chip(t, n)
    return t


def here_text(here: list, code, tree_focused: bool) -> Text:
    """One line for when the side panel is hidden: the codings at the cursor, or (browsing
    the tree) the highlighted code's full label and name."""
    t = Text(no_wrap=True, overflow="ellipsis")
    if tree_focused and code is not None:
        t.append("code ", style="dim")
        _chip(t, code)
        if code.definition:
            t.append(f" — {code.definition.strip()}", style="dim")
        return t
    t.append("here ", style="dim")
    if not here:
        t.append("no coding at the cursor", style="dim")
    for i, c in enumerate(here):
        if i:
            t.append(" · ", style="dim")
        t.append("■ ", style=c.colour or "grey50")
        t.append(c.code_label, style="bold")
        t.append(f" {c.code_name}")
        t.append(f" ({c.coder}{', quote' if c.quote else ''})", style="dim")
    return t


class LabelInput(Input):
    """The label being typed; Esc gives the keys back to the text without applying."""

    BINDINGS = [Binding("enter", "submit", "apply"), Binding("escape", "cancel", "cancel")]

    class Cancelled(Message):
        """Esc pressed in the label box."""

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())
