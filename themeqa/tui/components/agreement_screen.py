"""Agreement between two coders: the per-code table and a bar chart of kappa (textual-plotext).

Why these coders: the newest credibility check's coder A and B when there is one, else the
pair of coders who share the most documents. The numbers come from the same service as
`themeqa check agree` (computed in a worker: the bootstrap takes a moment), so the screen and
the report never disagree. ``u`` steps through the units of agreement.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from themeqa.core.agreement.result import fmt_coef
from themeqa.errors import ThemeqaError
from themeqa.tui.actions import bindings_for
from themeqa.tui.components.bars import BarChart, BarRow, chart_fits, fit_column
from themeqa.tui.components.key_footer import KeyFooter

__all__ = ["AgreementScreen"]

UNITS = ("turn", "sentence", "character", "document", "participant")
COLUMNS = ("code", "name", "units", "both", "A only", "B only", "neither", "% agr.", "κ", "α",
           "AC1", "PABAK", "κ 95% CI")


def cells(row) -> tuple:
    pct = "n/a" if str(row.percent) == "n/a" else f"{100 * row.percent:.1f}"
    ci = ("n/a" if "n/a" in (str(row.ci_low), str(row.ci_high))
          else f"[{fmt_coef(row.ci_low)}, {fmt_coef(row.ci_high)}]")
    label = "  " * max(row.depth - 1, 0) + row.label
    return (label, row.name, row.units, row.both, row.only_a, row.only_b, row.neither, pct,
            fmt_coef(row.kappa), fmt_coef(row.alpha), fmt_coef(row.ac1), fmt_coef(row.pabak), ci)


class AgreementScreen(Screen):
    BINDINGS = bindings_for("agreement")
    CSS_PATH = "check.tcss"
    name_for_help = "agreement"

    def __init__(self, unit: str = "turn", n_boot: int = 1000) -> None:
        super().__init__()
        self.unit = unit
        self.n_boot = n_boot
        self.table = None  # the service's AgreementTable once loaded
        self.loads = 0  # bumps after each load (tests wait on it)
        self.chart_choice: bool | None = None  # g: shown/hidden; None follows the size

    def compose(self) -> ComposeResult:
        # the numbers first, full width; the chart under them, or hidden when the terminal is
        # too small for both (issue 22: at 80x24 the chart hid the coefficients)
        yield Header()
        yield Static("computing agreement…", id="agree-title")
        with Vertical(id="agree-body"):
            yield DataTable(id="agree-table", cursor_type="row", zebra_stripes=True)
            yield BarChart(id="agree-chart")
        yield Static("", id="agree-notes")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#agree-table", DataTable).add_columns(*COLUMNS)
        self.load()

    @work(thread=True, exclusive=True, group="agreement")
    def load(self) -> None:
        services = self.app.services
        try:
            check = services.latest_check()
            if check is not None and check.coder_a:
                table = services.agreement(check=check.name, unit=self.unit,
                                           n_boot=self.n_boot)
            else:
                pairs = services.coder_pairs()
                if not pairs:
                    raise ThemeqaError("no two coders have coded the same document yet")
                table = services.agreement(coders=pairs[0], unit=self.unit,
                                           n_boot=self.n_boot)
        except ThemeqaError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._show, table)

    def _failed(self, message: str) -> None:
        self.query_one("#agree-title", Static).update(message)
        self.loads += 1

    def _show(self, table) -> None:
        self.table = table
        where = f"check {table.check}" if table.check else "documents both coded"
        self.query_one("#agree-title", Static).update(
            f"{table.coder_a} (A) vs {table.coder_b} (B) · unit {table.unit} · "
            f"{len(table.documents)} documents · {where} · u: next unit"
        )
        self._fill(table)
        self.query_one("#agree-notes", Static).update(" ".join(table.notes))
        self._chart(table)
        self.loads += 1

    def _fill(self, table) -> None:
        """The rows, names shortened so the counts and κ fit the terminal's width."""
        grid = self.query_one("#agree-table", DataTable)
        grid.clear()
        rows = [list(cells(r)) for r in [*table.rows, table.pooled]]
        for row in fit_column(rows, list(COLUMNS), self.size.width, 1, COLUMNS.index("κ")):
            grid.add_row(*row)

    def _chart(self, table) -> None:
        # superordinate themes and the pooled row: every code would not fit as readable bars
        shown = [r for r in [*table.rows, table.pooled]
                 if r.depth <= 1 and str(r.kappa) != "n/a"]
        rows = [BarRow(r.label, (float(r.kappa),), f"κ {fmt_coef(r.kappa)}") for r in shown]
        self.query_one("#agree-chart", BarChart).show("Cohen's κ, themes (bar: 0 to 1)",
                                                      rows, scale=1.0)
        self._place_chart()

    def _place_chart(self) -> None:
        chart = self.query_one("#agree-chart", BarChart)
        chart.display = chart_fits(self.size, self.chart_choice)

    def on_resize(self) -> None:
        self._place_chart()
        if self.table is not None:
            self._fill(self.table)

    def action_toggle_chart(self) -> None:
        self.chart_choice = not self.query_one("#agree-chart", BarChart).display
        self._place_chart()

    def action_next_unit(self) -> None:
        self.unit = UNITS[(UNITS.index(self.unit) + 1) % len(UNITS)]
        self.query_one("#agree-title", Static).update(f"computing agreement on {self.unit}s…")
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
