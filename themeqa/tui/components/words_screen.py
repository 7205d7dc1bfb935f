"""Word frequencies by group, and the words that set two groups apart, with a bar chart.

Why both views: "what do participants talk about" is the frequency list; "what do M and I
participants say differently" is the keyness list (log-odds z with an informative prior, and
G²; see ``core.wordfreq``). ``b`` changes the grouping, ``k`` switches to keyness of the
first two groups, ``i`` restricts to a theme, ``x``/``v`` export XLSX/CSV.
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

__all__ = ["WordsScreen"]

GROUPINGS = ("condition", "timepoint", "session", "all")


class WordsScreen(Screen):
    BINDINGS = bindings_for("words")
    CSS_PATH = "search.tcss"
    name_for_help = "words"

    def __init__(self) -> None:
        super().__init__()
        self.by = "condition"
        self.keyness = False
        self.code: str | None = None
        self.columns: list[str] = []
        self.rows: list[list] = []
        self.title_text = ""
        self.loads = 0

    def compose(self) -> ComposeResult:
        from textual_plotext import PlotextPlot

        yield Header()
        yield Static("counting words…", id="words-title")
        with Horizontal(id="words-body"):
            yield DataTable(id="words-table", cursor_type="row", zebra_stripes=True)
            yield PlotextPlot(id="words-chart")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="words")
    def load(self) -> None:
        try:
            if self.keyness:
                result = self.app.services.distinctive_words(by=self.by, code=self.code)
            else:
                result = self.app.services.word_frequencies(by=self.by, code=self.code)
        except ThemeqaError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._show, result)

    def _failed(self, message: str) -> None:
        self.query_one("#words-title", Static).update(message)
        self.loads += 1

    def _show(self, result) -> None:
        title, columns, rows, chart = result
        self.title_text, self.columns, self.rows = title, columns, rows
        where = f" · theme {self.code}" if self.code else ""
        self.query_one("#words-title", Static).update(
            f"{title}{where} · b: group by · k: keyness/frequency · i: theme · x/v: export")
        grid = self.query_one("#words-table", DataTable)
        grid.clear(columns=True)
        grid.add_columns(*columns)
        for row in rows:
            grid.add_row(*[f"{v:.2f}" if isinstance(v, float) else str(v) for v in row])
        plot = self.query_one("#words-chart").plt
        plot.clear_figure()
        labels, values = chart
        if labels:
            plot.bar(labels[::-1], values[::-1], orientation="horizontal")
            plot.title("log-odds z" if self.keyness else "count")
        self.query_one("#words-chart").refresh()
        self.loads += 1

    def action_cycle_grouping(self) -> None:
        self.by = GROUPINGS[(GROUPINGS.index(self.by) + 1) % len(GROUPINGS)]
        if self.by == "all":
            self.keyness = False
        self.load()

    def action_toggle_keyness(self) -> None:
        if self.by == "all":
            self.app.notify("keyness needs two groups: press b for condition or timepoint")
            return
        self.keyness = not self.keyness
        self.load()

    def action_choose_theme(self) -> None:
        from themeqa.tui.components.picker import PickerScreen
        from themeqa.tui.fuzzy import Candidate

        candidates = [Candidate("", "(all)", "all participant text")] + [
            Candidate(f"{n.codebook}::{n.label}", n.label, n.name, n.definition)
            for n in self.app.services.codebook()
        ]

        def chosen(value) -> None:
            if value is None:  # cancelled
                return
            self.code = value or None
            self.load()

        self.app.push_screen(PickerScreen("Words inside which theme?", candidates), chosen)

    def action_export(self, fmt: str) -> None:
        if not self.rows:
            return
        try:
            path = self.app.services.export_words(self.title_text, self.columns, self.rows,
                                                  fmt)
        except (ThemeqaError, OSError) as exc:
            self.app.notify(str(exc), severity="error")
            return
        self.app.notify(f"wrote {path}")

    def action_back(self) -> None:
        self.app.pop_screen()
