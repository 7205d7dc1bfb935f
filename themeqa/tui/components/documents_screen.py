"""Start screen: the project's documents, filtered by typing, Enter opens one."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from themeqa.tui.actions import bindings_for

_FIRST_ROWS = 100  # rows added before the first paint; the rest follow at once

COLUMNS = ("document", "session", "condition", "timepoint", "kind", "words", "codings",
           "progress")


def _row(d) -> tuple:
    return (d.name, d.session or "", d.condition or "", d.timepoint or "", d.kind,
            d.words, d.codings, f"{d.progress:.0%}")


class DocumentsScreen(Screen):
    BINDINGS = bindings_for("documents")
    name_for_help = "documents"

    def __init__(self) -> None:
        super().__init__()
        self._docs: list = []
        self._rows: list[tuple] = []
        self._hay: list[str] = []
        self._fill_token: object | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="type to filter (document, session, condition, timepoint)",
                    id="filter")
        yield DataTable(id="documents", cursor_type="row", zebra_stripes=True)
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#documents", DataTable)
        table.add_columns(*COLUMNS)
        table.focus()
        self.load()

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        docs = self.app.services.documents(self.app.coder)
        self.app.call_from_thread(self._show, docs)

    def _show(self, docs: list) -> None:
        self._docs = docs
        self._rows = [_row(d) for d in docs]
        self._hay = [" ".join(str(v) for v in r).casefold() for r in self._rows]
        self._apply_filter(self.query_one("#filter", Input).value)

    def _apply_filter(self, text: str) -> None:
        """Show the matching rows: the first screenful at once, the rest just after.

        Why in two steps: a DataTable measures every cell it is given, which for thousands
        of documents takes longer than a frame; the coder sees (and can open) the first
        documents while the rest are added after the first paint.
        """
        table = self.query_one("#documents", DataTable)
        table.clear()
        words = text.casefold().split()
        rows = [(r, d.name) for r, d, hay in zip(self._rows, self._docs, self._hay, strict=True)
                if all(w in hay for w in words)]
        self._fill_token = token = object()
        first, rest = rows[:_FIRST_ROWS], rows[_FIRST_ROWS:]
        for r, key in first:
            table.add_row(*r, key=key)
        if rest:
            self.call_after_refresh(self._fill_rest, token, rest)
        self.query_one("#status", Static).update(
            f"{len(rows)} of {len(self._docs)} documents · coder {self.app.coder} · ? for keys"
        )

    def _fill_rest(self, token: object, rest: list) -> None:
        if token is not self._fill_token:  # the filter changed meanwhile
            return
        table = self.query_one("#documents", DataTable)
        for r, key in rest:
            table.add_row(*r, key=key)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._apply_filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#documents", DataTable).focus()

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        flt = self.query_one("#filter", Input)
        flt.value = ""
        self.query_one("#documents", DataTable).focus()

    def action_refresh(self) -> None:
        self.load()

    def action_open_agreement(self) -> None:
        from themeqa.tui.components.agreement_screen import AgreementScreen

        self.app.push_screen(AgreementScreen())

    def action_open_reconcile(self) -> None:
        from themeqa.tui.components.reconcile_screen import ReconcileScreen

        self.app.push_screen(ReconcileScreen())

    def action_open_tallies(self) -> None:
        from themeqa.tui.components.tallies_screen import TalliesScreen

        self.app.push_screen(TalliesScreen())

    def action_open_quant(self) -> None:
        from themeqa.tui.components.quant_screen import QuantScreen

        self.app.push_screen(QuantScreen())

    def action_open_search(self) -> None:
        from themeqa.tui.components.search_screen import SearchScreen

        self.app.push_screen(SearchScreen())

    def action_open_words(self) -> None:
        from themeqa.tui.components.words_screen import WordsScreen

        self.app.push_screen(WordsScreen())

    def action_open_deidentify(self) -> None:
        from themeqa.tui.components.deidentify_screen import DeidentifyScreen

        self.app.push_screen(DeidentifyScreen())

    def action_open_map(self) -> None:
        from themeqa.tui.components.map_screen import MapScreen

        self.app.push_screen(MapScreen())

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.open_document(event.row_key.value)

    def action_open_document(self) -> None:
        table = self.query_one("#documents", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            self.app.open_document(key.value)
