"""The side panel: codings under the cursor with their memos, then the current code's notes.

Why one Static re-rendered from plain data: it changes only when the cursor enters another
set of codings or the highlighted code changes, and it never talks to the database.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

__all__ = ["SidePanel"]


class SidePanel(Static):
    _lines = 1_000_000  # unknown at first: lay out
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
        # A layout pass reflows the whole screen: needed only when the text may not fit (so
        # the scroll range changes), not while old and new both fit in the panel.
        width = max(self.content_size.width, 10)
        lines = sum(1 + len(line) // width for line in t.plain.split("\n"))
        fits = self.content_size.height
        self.update(t, layout=not (lines <= fits and self._lines <= fits))
        self._lines = lines
