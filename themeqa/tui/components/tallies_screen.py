"""Tallies: Table 2 as it will be exported, and a bar chart of participants per theme.

Why on screen: the researcher checks the counts (and which quote was picked) before writing
the report; the table comes from the same service as `themeqa report table2`, so what is
seen is what is exported. Counting runs in a worker; exports go to ``reports/`` in the
project directory. ``l`` cycles the coding layer, ``t`` adds the timepoint breakdown.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from themeqa.errors import ThemeqaError
from themeqa.tui.actions import bindings_for
from themeqa.tui.components.bars import BarChart, BarRow, chart_fits, fit_column
from themeqa.tui.components.key_footer import KeyFooter

__all__ = ["TalliesScreen"]

LAYERS = ("auto", "consensus", "union")


class TalliesScreen(Screen):
    BINDINGS = bindings_for("tallies")
    CSS_PATH = "tallies.tcss"
    name_for_help = "tallies"

    def __init__(self, layer: str = "auto", by: str = "condition") -> None:
        super().__init__()
        self.coding_layer = layer
        self.by = by
        self.overview = None  # services.tally.TallyOverview once loaded
        self.loads = 0  # bumps after each load (tests wait on it)
        self.last_export = None
        self.chart_choice: bool | None = None  # g: shown/hidden; None follows the size

    def compose(self) -> ComposeResult:
        # the counts first, full width; the chart under them or hidden (issue 22)
        yield Header()
        yield Static("counting participants…", id="tally-title")
        with Vertical(id="tally-body"):
            yield DataTable(id="tally-table", cursor_type="row", zebra_stripes=True)
            yield BarChart(id="tally-chart")
        yield Static("", id="tally-notes")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        """Count again when coming back (e.g. after reconciling): the numbers must be current."""
        if self.loads:
            self.load()

    @work(thread=True, exclusive=True, group="tallies")
    def load(self) -> None:
        try:
            overview = self.app.services.tally_overview(layer=self.coding_layer, by=self.by)
        except ThemeqaError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._show, overview)

    def _failed(self, message: str) -> None:
        self.query_one("#tally-title", Static).update(message)
        self.loads += 1

    def _show(self, overview) -> None:
        self.overview = overview
        table = overview.table
        self.query_one("#tally-title", Static).update(
            f"{table.title.splitlines()[-1]} · layer: {overview.layer}"
        )
        self._fill(table)
        self.query_one("#tally-notes", Static).update(self._notes(table, overview))
        self._chart(overview)
        self.loads += 1

    def _fill(self, table) -> None:
        """The rows; theme names shortened so every count column fits the width."""
        grid = self.query_one("#tally-table", DataTable)
        grid.clear(columns=True)
        grid.add_columns(*table.columns)
        rows = []
        for i, row in enumerate(table.rows):
            cells = [table.cell_text(v) for v in row]
            cells[0] = "  " * table.row_indent(i) + cells[0]
            if cells[-1] and table.columns[-1] == "Indicative quote" and len(cells[-1]) > 60:
                cells[-1] = cells[-1][:59] + "…"
            rows.append(cells)
        counts = [i for i, c in enumerate(table.columns) if "quote" not in str(c).lower()]
        for cells in fit_column(rows, list(table.columns), self.size.width, 0, counts[-1]):
            grid.add_row(*cells)

    @staticmethod
    def _notes(table, overview):
        """Percent base and layer, then which documents read consensus; warnings stand out
        (a partly reconciled check, codings attributed to nobody)."""
        from rich.text import Text

        text = Text(" ".join(table.notes[1:3]))
        for note in getattr(overview, "notes", []):
            text.append(" ")
            text.append(note, style="bold yellow" if note.startswith("Warning:") else "")
        return text

    def _chart(self, overview) -> None:
        """One bar per theme (stacked by condition), its counts written after it."""
        conditions = tuple(overview.conditions)
        rows = []
        for label, counts in overview.chart:
            values = tuple(counts.get(c, 0) for c in conditions)
            rows.append(BarRow(label, values,
                               " ".join(f"{c} {n}" for c, n in zip(conditions, values,
                                                                   strict=True))))
        self.query_one("#tally-chart", BarChart).show(
            "Participants per theme by condition", rows, groups=conditions)
        self._place_chart()

    def _place_chart(self) -> None:
        chart = self.query_one("#tally-chart", BarChart)
        chart.display = chart_fits(self.size, self.chart_choice)

    def on_resize(self) -> None:
        self._place_chart()
        if self.overview is not None:
            self._fill(self.overview.table)

    def action_toggle_chart(self) -> None:
        self.chart_choice = not self.query_one("#tally-chart", BarChart).display
        self._place_chart()

    # --- actions ---------------------------------------------------------------------------

    def action_export(self, fmt: str) -> None:
        self._export(fmt)

    @work(thread=True, exclusive=True, group="tally-export")
    def _export(self, fmt: str) -> None:
        services = self.app.services
        try:
            path = services.export_report(
                "table2", services.report_path("table2", fmt), layer=self.coding_layer, by=self.by
            )
        except ThemeqaError as exc:
            self.app.call_from_thread(self.app.notify, str(exc), severity="error")
            return
        self.last_export = path
        self.app.call_from_thread(self.app.notify, f"Table 2 written to {path}")

    def action_cycle_layer(self) -> None:
        self.coding_layer = (
            LAYERS[(LAYERS.index(self.coding_layer) + 1) % len(LAYERS)]
            if (self.coding_layer in LAYERS)
            else "auto"
        )
        self.query_one("#tally-title", Static).update(f"counting ({self.coding_layer})…")
        self.load()

    def action_toggle_timepoints(self) -> None:
        self.by = "condition" if "timepoint" in self.by else "condition,timepoint"
        self.query_one("#tally-title", Static).update("counting…")
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
