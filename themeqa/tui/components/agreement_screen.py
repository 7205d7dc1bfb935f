"""Agreement between two coders: the per-code table and a bar chart of kappa (textual-plotext).

Why these coders: the newest credibility check's coder A and B when there is one, else the
pair of coders who share the most documents. The numbers come from the same service as
`themeqa check agree` (computed in a worker: the bootstrap takes a moment), so the screen and
the report never disagree. ``u`` steps through the units of agreement.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from themeqa.errors import ThemeqaError
from themeqa.tui.actions import bindings_for
from themeqa.tui.components.key_footer import KeyFooter

__all__ = ["AgreementScreen"]

UNITS = ("turn", "sentence", "character", "document", "participant")
COLUMNS = ("code", "name", "units", "both", "A only", "B only", "neither", "% agr.", "κ", "α",
           "AC1", "PABAK", "κ 95% CI")


def _coef(value) -> str:
    """Two decimals without the leading zero (APA, as in the report); n/a stays "n/a"."""
    text = f"{value:.2f}"  # the typed n/a formats itself as "n/a" whatever the spec
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def cells(row) -> tuple:
    pct = "n/a" if str(row.percent) == "n/a" else f"{100 * row.percent:.1f}"
    ci = ("n/a" if "n/a" in (str(row.ci_low), str(row.ci_high))
          else f"[{_coef(row.ci_low)}, {_coef(row.ci_high)}]")
    label = "  " * max(row.depth - 1, 0) + row.label
    return (label, row.name, row.units, row.both, row.only_a, row.only_b, row.neither, pct,
            _coef(row.kappa), _coef(row.alpha), _coef(row.ac1), _coef(row.pabak), ci)


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

    def compose(self) -> ComposeResult:
        from textual_plotext import PlotextPlot

        yield Header()
        yield Static("computing agreement…", id="agree-title")
        with Horizontal(id="agree-body"):
            yield DataTable(id="agree-table", cursor_type="row", zebra_stripes=True)
            yield PlotextPlot(id="agree-chart")
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
        grid = self.query_one("#agree-table", DataTable)
        grid.clear()
        for row in [*table.rows, table.pooled]:
            grid.add_row(*cells(row))
        self.query_one("#agree-notes", Static).update(" ".join(table.notes))
        self._chart(table)
        self.loads += 1

    def _chart(self, table) -> None:
        from textual_plotext import PlotextPlot

        plot = self.query_one("#agree-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        # superordinate themes and the pooled row: every code would not fit as readable bars
        shown = [r for r in [*table.rows, table.pooled]
                 if r.depth <= 1 and str(r.kappa) != "n/a"]
        labels = [r.label for r in shown][::-1]  # first code at the top
        values = [float(r.kappa) for r in shown][::-1]
        if values:
            plt.bar(labels, values, orientation="horizontal", width=0.3)
            plt.xlim(min(0.0, *values), 1.0)
        plt.title("Cohen's κ, themes")
        plot.refresh()

    def action_next_unit(self) -> None:
        self.unit = UNITS[(UNITS.index(self.unit) + 1) % len(UNITS)]
        self.query_one("#agree-title", Static).update(f"computing agreement on {self.unit}s…")
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
