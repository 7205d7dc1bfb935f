"""Themes x measures: the joint display as a table and a box/strip plot of the selected row.

Why on screen: before writing the report the researcher looks at who is behind each effect
size: with 20 participants a g of 0.8 may rest on one person, which a strip plot of the raw
values shows at once. The numbers come from the same service as `themeqa quant analyse`
(``services.analyses``) via the gateway; computing runs in a worker. ``i`` imports a
measures file after reviewing its near-miss ids (``measures_import_screen``); ctrl+z / ctrl+y
undo and redo the user's last action (an import is one step) and recompute the display,
since an undone import or scoring changes the measures it is computed from.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from themeqa.errors import ThemeqaError
from themeqa.tui.actions import bindings_for
from themeqa.tui.components.bars import fit_column
from themeqa.tui.components.key_footer import KeyFooter

__all__ = ["QuantScreen", "strip_offsets"]

CORRECTIONS = ("holm", "bh")
QUOTE_WIDTH = 48


def strip_offsets(n: int, width: float = 0.24) -> list[float]:
    """Deterministic horizontal jitter for a strip plot: ``n`` points spread evenly across
    ``width`` (centred on 0), so repeated values stay visible and snapshots are stable."""
    if n <= 1:
        return [0.0] * n
    return [-width / 2 + width * i / (n - 1) for i in range(n)]


class QuantScreen(Screen):
    BINDINGS = bindings_for("quant")
    CSS_PATH = "quant.tcss"
    name_for_help = "quant"

    def __init__(self, correction: str = "holm") -> None:
        super().__init__()
        self.correction = correction
        self.view = None  # services.analyses.JointView once loaded
        self.loads = 0  # bumps after each load (tests wait on it)
        self.last_export = None
        self.last_import = None  # services.measures.MeasureImport of the last import
        self.plotted: tuple[str, str] | None = None
        self.last_step: str | None = None  # the notification of the last undo/redo (tests)
        self.chart_choice: bool | None = None  # g: shown/hidden; None follows the size

    def compose(self) -> ComposeResult:
        from textual_plotext import PlotextPlot

        yield Header()
        yield Static("computing the joint display…", id="quant-title")
        # the joint display first, full width (issue 22: beside the plot it was cut at
        # "Test"); the plot under it, or hidden on a small terminal (g)
        with Vertical(id="quant-body"):
            yield DataTable(id="quant-table", cursor_type="row", zebra_stripes=True)
            yield PlotextPlot(id="quant-plot")
        yield Static("", id="quant-notes")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="quant")
    def load(self) -> None:
        try:
            view = self.app.services.quant_view(correction=self.correction)
        except ThemeqaError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._show, view)

    def _failed(self, message: str) -> None:
        self.query_one("#quant-title", Static).update(message)
        self.loads += 1

    def _show(self, view) -> None:
        self.view = view
        jd, table = view.display, view.table
        title = self.query_one("#quant-title", Static)
        grid = self.query_one("#quant-table", DataTable)
        grid.clear(columns=True)
        if not jd.measures:
            title.update(
                "No measures yet: press i to import a file (CSV, XLSX, .sav), then score "
                "them with `themeqa quant score`"
            )
            self.loads += 1
            return
        title.update(
            f"Joint display · n = {jd.n_participants} · correction: "
            f"{'Holm' if jd.correction == 'holm' else 'Benjamini-Hochberg'}"
        )
        grid.add_columns(*table.columns)
        rows = []
        for i, row in enumerate(table.rows):
            cells = [table.cell_text(v) for v in row]
            cells[0] = "  " * table.row_indent(i) + cells[0]
            if len(cells[-1]) > QUOTE_WIDTH:
                cells[-1] = cells[-1][: QUOTE_WIDTH - 1] + "…"
            rows.append(cells)
        # theme names give way so the test column (and what follows it) stays on screen
        test = next((k for k, c in enumerate(table.columns) if str(c).startswith("Test")),
                    len(table.columns) - 1)
        keep = min(test + 2, len(table.columns) - 1)
        for i, cells in enumerate(fit_column(rows, list(table.columns), self.size.width, 0,
                                             keep, minimum=24)):
            grid.add_row(*cells, key=f"{i}")
        self.query_one("#quant-notes", Static).update(" ".join(table.notes[1:]))
        if view.keys:
            self._plot(0)
        self.loads += 1

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.view is not None and event.row_key is not None and event.row_key.value:
            self._plot(int(event.row_key.value))

    def _plot(self, index: int) -> None:
        from textual_plotext import PlotextPlot

        theme, measure = self.view.keys[index]
        with_, without = self.view.values[(theme, measure)]
        plot = self.query_one("#quant-plot", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        groups = [(f"with (n={len(with_)})", with_), (f"without (n={len(without)})", without)]
        present = [(label, vals) for label, vals in groups if vals]
        if present:
            labels = [label for label, _ in present]
            plt.box(labels, [vals for _, vals in present], width=0.3, fill=False)
            for pos, (_, vals) in enumerate(present, start=1):
                xs = [pos + off for off in strip_offsets(len(vals))]
                plt.scatter(xs, sorted(vals), marker="dot")
            plt.xlim(0.4, len(present) + 0.6)
            plt.xticks(list(range(1, len(present) + 1)), labels)
        plt.title(f"{measure} by {theme}")
        plot.refresh()
        self.plotted = (theme, measure)

    def _place_chart(self) -> None:
        from themeqa.tui.components.bars import chart_fits

        self.query_one("#quant-plot").display = chart_fits(self.size, self.chart_choice)

    def on_resize(self) -> None:
        self._place_chart()

    def action_toggle_chart(self) -> None:
        self.chart_choice = not self.query_one("#quant-plot").display
        self._place_chart()

    # --- actions ---------------------------------------------------------------------------

    def action_cycle_correction(self) -> None:
        self.correction = CORRECTIONS[(CORRECTIONS.index(self.correction) + 1) % len(CORRECTIONS)]
        self.query_one("#quant-title", Static).update(f"recomputing ({self.correction})…")
        self.load()

    def action_export(self, fmt: str) -> None:
        self._export("joint_display", fmt)

    def action_export_dataset(self) -> None:
        self._export("dataset", "sav")

    @work(thread=True, exclusive=True, group="quant-export")
    def _export(self, kind: str, fmt: str) -> None:
        services = self.app.services
        try:
            target = services.report_path(kind, fmt)
            if kind == "dataset":
                path = services.export_dataset(target)
            else:
                path = services.export_joint_display(target, correction=self.correction)
        except ThemeqaError as exc:
            self.app.call_from_thread(self.app.notify, str(exc), severity="error")
            return
        self.last_export = path
        self.app.call_from_thread(self.app.notify, f"written to {path}")

    def action_import_measures(self, values: dict[str, str] | None = None) -> None:
        """Ask for the file (and the CLI's options), then preview it in a worker."""
        from themeqa.tui.components.measures_import_screen import import_form_fields
        from themeqa.tui.components.prompt import FormScreen

        def given(answer: dict | None) -> None:
            if answer is None:
                return
            from themeqa.tui.components.measures_import_screen import parse_import_form

            try:
                request = parse_import_form(answer)
            except ValueError as exc:
                self.app.notify(str(exc), severity="warning")
                self.action_import_measures(answer)
                return
            self._preview_import(request)

        self.app.push_screen(FormScreen(
            "Import measures (questionnaire items or scores, HRV) linked by participant id",
            import_form_fields(values)), given)

    @work(thread=True, exclusive=True, group="quant-import")
    def _preview_import(self, request) -> None:
        """Read the file and propose the id links (writes nothing); on an error the form
        comes back filled in, so a mistyped path or column is one edit away."""
        try:
            plan = self.app.services.preview_measures(
                request.path, id_column=request.id_column, prefix=request.prefix)
        except ThemeqaError as exc:
            self.app.call_from_thread(self._preview_failed, request, str(exc))
            return
        self.app.call_from_thread(self._review_import, request, plan)

    def _preview_failed(self, request, message: str) -> None:
        self.app.notify(message, title="cannot import", severity="error", timeout=10)
        self.action_import_measures(request.form_values())

    def _review_import(self, request, plan) -> None:
        from themeqa.tui.components.measures_import_screen import MeasuresImportScreen

        self.app.push_screen(MeasuresImportScreen(request, plan), self._imported)

    def _imported(self, result) -> None:
        from themeqa.tui.components.measures_import_screen import summary

        if result is None:
            self.app.notify("import cancelled: nothing was written")
            return
        self.last_import = result
        self.app.notify(f"{summary(result)} (ctrl+z undoes it)", title="measures imported",
                        timeout=10)
        self.query_one("#quant-title", Static).update("recomputing with the new measures…")
        self.load()

    # --- undo / redo ------------------------------------------------------------------------

    class Stepped(Message):
        """An undo or redo finished on the writer thread: (verb, summary or None, error)."""

        def __init__(self, verb: str, summary: str | None, error: str | None) -> None:
            super().__init__()
            self.verb, self.summary, self.error = verb, summary, error

    def action_undo(self) -> None:
        self._step(redo=False)

    def action_redo(self) -> None:
        self._step(redo=True)

    def _step(self, *, redo: bool) -> None:
        """Undo/redo on the app's writer thread, in order with the other screens' writes.

        The result comes back as a message rather than ``call_from_thread``: the writer is
        drained when the app closes, and a blocking call back into a closing app would hang.
        """
        services, verb = self.app.services, "redone" if redo else "undone"

        def job() -> None:
            try:
                done = services.redo() if redo else services.undo()
            except ThemeqaError as exc:
                self.post_message(self.Stepped(verb, None, str(exc)))
                return
            self.post_message(self.Stepped(verb, done, None))

        self.app.writer.submit(job)

    def on_quant_screen_stepped(self, event: Stepped) -> None:
        if event.error is not None:
            self.last_step = event.error
            self.app.notify(event.error, severity="error", timeout=10)
            return
        if event.summary is None:
            self.last_step = f"nothing to {event.verb[:-2]}"
            self.app.notify(self.last_step)
            return
        self.last_step = f"{event.verb}: {event.summary}"
        self.app.notify(self.last_step)
        self.query_one("#quant-title", Static).update("recomputing…")
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
