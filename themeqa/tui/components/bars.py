"""A text bar chart that never covers a number: one row per label, the legend on its own line.

Why not a plot library here (issue 22): the plotext charts of the agreement and tallies
screens drew more bars than there were labels when a theme got less than one row, put the
legend over the bars, and sat beside the numbers table, squeezing it at 80 columns. Here each
label gets exactly one line: the label, the bar (stacked segments, one colour per group) and
the values written after it, so the chart can be read without the table and is placed under
it (or hidden: ``g``) by the screens.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widget import Widget

__all__ = ["GROUP_COLOURS", "BarChart", "BarRow", "chart_fits", "fit_column"]

#: a chart goes under the numbers only from this terminal height up (``g`` overrides)
CHART_MIN_HEIGHT = 30


def chart_fits(size, choice: bool | None) -> bool:
    """Whether a screen shows its chart: the user's ``g`` choice, else only when the
    terminal is tall enough that the numbers table keeps most of the rows."""
    if choice is not None:
        return choice
    return size.height >= CHART_MIN_HEIGHT

#: colours for the groups of a stacked bar (conditions), colour-blind safe (Okabe-Ito)
GROUP_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")


@dataclass(frozen=True)
class BarRow:
    label: str
    values: tuple[float, ...]  # one per group, stacked left to right (negative counts as 0)
    note: str  # the numbers, written after the bar


class BarChart(Widget):
    """One line per row; bars scaled to ``scale`` (the largest total when None)."""

    DEFAULT_CSS = "BarChart { height: auto; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = ""
        self.groups: tuple[str, ...] = ()
        self.rows: list[BarRow] = []
        self.scale: float | None = None

    def show(self, title: str, rows: list[BarRow], groups: tuple[str, ...] = (),
             scale: float | None = None) -> None:
        self.title, self.rows, self.groups, self.scale = title, list(rows), groups, scale
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        return 1 + (1 if len(self.groups) > 1 else 0) + len(self.rows)

    def render(self) -> Text:
        width = max(self.size.width, 20)
        out = Text(no_wrap=True, overflow="crop")
        out.append(self.title, style="bold")
        if len(self.groups) > 1:  # the legend: its own line, never over a bar
            out.append("\n")
            for i, g in enumerate(self.groups):
                out.append("■ ", style=GROUP_COLOURS[i % len(GROUP_COLOURS)])
                out.append(f"{g}  ")
        if not self.rows:
            return out
        label_w = min(max(len(r.label) for r in self.rows), 12)
        note_w = max(len(r.note) for r in self.rows)
        bar_w = max(width - label_w - note_w - 3, 4)
        top = self.scale or max((sum(max(v, 0) for v in r.values) for r in self.rows),
                                default=1) or 1
        for r in self.rows:
            out.append("\n")
            out.append(f"{r.label[:label_w]:<{label_w}} ", style="bold")
            used = 0
            for i, v in enumerate(r.values):
                cells = round(max(v, 0) / top * bar_w)
                cells = min(cells, bar_w - used)
                out.append("█" * cells, style=GROUP_COLOURS[i % len(GROUP_COLOURS)])
                used += cells
            out.append(" " * (bar_w - used + 1))
            out.append(r.note)
        return out


def fit_column(rows: list[list], headers: list, width: int, shrink: int, keep_through: int,
               minimum: int = 14) -> list[list]:
    """Shorten column ``shrink`` (a name) with "…" so that the columns up to
    ``keep_through`` fit in ``width`` cells: the numbers stay on screen at 80 columns and
    the long names give way (issue 22). Other cells are returned unchanged."""
    def natural(i: int) -> int:
        return max([len(str(headers[i]))] + [len(str(r[i])) for r in rows])

    others = sum(natural(i) + 2 for i in range(min(keep_through + 1, len(headers)))
                 if i != shrink)
    room = max(minimum, width - others - 4)  # cell padding and the vertical scrollbar
    if natural(shrink) <= room:
        return rows
    out = []
    for r in rows:
        r = list(r)
        text = str(r[shrink])
        if len(text) > room:
            r[shrink] = text[:room - 1] + "…"
        out.append(r)
    return out
