"""Search the whole project, read the hits in context, and code them in one step.

Why one line with ``key:value`` filters: it is the fastest way to type "what did I
participants say about relaxing inside theme 2" (``relax condition:I in:2``) without a form;
the keys are listed under the box. Searching runs in a worker (the first search of a project
tokenises every document once). Enter opens the hit in the coding screen; space marks hits,
``a`` marks all, ``c`` codes the marked hits (or all) with a code from the palette, around
the word, sentence or turn — one undoable step with a memo that records the query.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from themeqa.errors import ThemeqaError
from themeqa.tui.actions import bindings_for
from themeqa.tui.components.key_footer import KeyFooter

__all__ = ["SearchScreen"]

FILTER_HELP = (
    "words · \"a phrase\" · wild* — filters: condition:M timepoint:initial session:S2 "
    "speaker:P03 only:participants kind:written in:2a notin:2a coder:amira mode:exact|regex"
)


class SearchScreen(Screen):
    BINDINGS = bindings_for("search")
    CSS_PATH = "search.tcss"
    name_for_help = "search"

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial = query
        self.hits: list = []
        self.marked: set[int] = set()
        self.query_text = ""
        self.searches = 0  # bumps after each finished search (tests wait on it)
        self.last_message = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(self.initial, placeholder="search the project…", id="search-input")
        yield Static(FILTER_HELP, id="search-help", classes="hint")
        yield DataTable(id="search-hits", cursor_type="row", zebra_stripes=True)
        yield Static("", id="search-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        grid = self.query_one("#search-hits", DataTable)
        grid.add_columns(" ", "document", "who", "cond", "context")
        self.query_one("#search-input", Input).focus()
        if self.initial:
            self.run_search(self.initial)

    @on(Input.Submitted, "#search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.run_search(event.value)
            self.query_one("#search-hits", DataTable).focus()

    def _status(self, text: str) -> None:
        self.last_message = text
        self.query_one("#search-status", Static).update(text)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, text: str) -> None:
        self.app.call_from_thread(self._status, "searching…")
        try:
            hits = self.app.services.search(text)
        except ThemeqaError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._show, text, hits)

    def _failed(self, message: str) -> None:
        self._status(message)
        self.searches += 1

    def _show(self, text: str, hits: list) -> None:
        self.query_text = text
        self.hits = hits
        self.marked = set()
        grid = self.query_one("#search-hits", DataTable)
        grid.clear()
        from rich.text import Text

        for i, h in enumerate(hits):
            context = Text(h.left)  # Text, not str: a hit like "[x]" is not markup
            context.append(h.match, style="bold reverse")
            context.append(h.right)
            grid.add_row(" ", Text(h.document), Text(h.participant or h.speaker or ""),
                         Text(h.condition or ""), context, key=str(i))
        n = len(hits)
        self._status(f"{n} hit{'s' if n != 1 else ''} · enter: open · space: mark · "
                     "a: mark all · c: code hits")
        self.searches += 1

    @on(DataTable.RowSelected, "#search-hits")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_hit()

    def _row(self) -> int | None:
        grid = self.query_one("#search-hits", DataTable)
        if not self.hits or grid.cursor_row is None or grid.cursor_row >= len(self.hits):
            return None
        return grid.cursor_row

    def _refresh_marks(self) -> None:
        grid = self.query_one("#search-hits", DataTable)
        column = grid.ordered_columns[0].key
        for i in range(len(self.hits)):
            grid.update_cell(str(i), column, "●" if i in self.marked else " ")

    def action_focus_query(self) -> None:
        self.query_one("#search-input", Input).focus()

    def action_toggle_mark(self) -> None:
        i = self._row()
        if i is None:
            return
        self.marked ^= {i}
        self._refresh_marks()

    def action_mark_all(self) -> None:
        self.marked = set() if len(self.marked) == len(self.hits) else set(range(len(self.hits)))
        self._refresh_marks()

    def action_open_hit(self) -> None:
        i = self._row()
        if i is None:
            return
        hit = self.hits[i]
        self.app.open_document(hit.document, at=(hit.start, hit.end))

    def action_code_hits(self) -> None:
        if not self.hits:
            return
        chosen = [self.hits[i] for i in sorted(self.marked)] or list(self.hits)
        from themeqa.tui.components.picker import Candidate, PickerScreen

        nodes = self.app.services.codebook()
        candidates = [
            Candidate(f"{n.codebook}::{n.label}", n.label, n.name, n.definition)
            for n in nodes
        ]

        def picked(code) -> None:
            if code:
                self._ask_scope(chosen, code)

        self.app.push_screen(
            PickerScreen(f"Code {len(chosen)} hit(s) as…", candidates), picked)

    def _ask_scope(self, hits: list, code: str) -> None:
        from themeqa.tui.components.prompt import PromptScreen

        def scoped(answer: str | None) -> None:
            if answer is None:
                return
            scope = {"w": "word", "s": "sentence", "t": "turn", "": "sentence"}.get(
                answer.strip().lower()[:1])
            if scope is None:
                self.app.notify("scope must be w, s or t", severity="warning")
                return
            try:
                created = self.app.services.code_from_search(hits, code, scope=scope,
                                                             query=self.query_text)
            except ThemeqaError as exc:
                self.app.notify(str(exc), severity="error")
                return
            self._status(f"{len(created)} new coding(s) of {code} ({scope}); "
                         "ctrl+z in the coding screen takes them back")

        self.app.push_screen(
            PromptScreen("Code around each hit: w = word, s = sentence, t = turn", "s"),
            scoped)

    def action_back(self) -> None:
        self.app.pop_screen()
