"""Review de-identification proposals before any de-identified version is written.

Why a review screen: an automatic pass over names, places and dates both misses and
over-reaches ("Rose" the person, "rose" the flower); the researcher must see each
replacement in context and decide. Nothing is written until ``a`` (apply, after a
confirmation): then each document with accepted rows gets a new de-identified version and
the name key goes to a mapping file outside the database (``services.deidentify``).
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from themeqa.errors import ThemeqaError
from themeqa.tui.actions import bindings_for
from themeqa.tui.components.key_footer import KeyFooter

__all__ = ["DeidentifyScreen"]


class DeidentifyScreen(Screen):
    BINDINGS = bindings_for("deidentify")
    CSS_PATH = "search.tcss"
    name_for_help = "deidentify"

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        self.places: list[str] = []
        self.proposals: list = []
        self.loads = 0
        self.result = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("looking for names, places and dates…", id="deid-title")
        yield DataTable(id="deid-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="deid-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        grid = self.query_one("#deid-table", DataTable)
        grid.add_columns("use", "document", "kind", "context", "replacement")
        grid.focus()
        self.load()

    @work(thread=True, exclusive=True, group="deid")
    def load(self) -> None:
        try:
            proposals, notes = self.app.services.deid_propose(self.names, self.places)
        except ThemeqaError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._show, proposals, notes)

    def _status(self, text: str) -> None:
        self.query_one("#deid-status", Static).update(text)

    def _failed(self, text: str) -> None:
        self._status(text)
        self.loads += 1

    def _show(self, proposals: list, notes: list[str]) -> None:
        from rich.text import Text

        self.proposals = proposals
        grid = self.query_one("#deid-table", DataTable)
        grid.clear()
        for i, p in enumerate(proposals):
            grid.add_row("✓" if p.accept else "·", Text(p.document), p.kind,
                         Text(self.app.services.deid_context(p)), Text(p.replacement),
                         key=str(i))
        self.query_one("#deid-title", Static).update(
            f"{len(proposals)} proposed replacements · space: use/skip · e: edit · "
            "n: names to look for · p: places · a: apply")
        if self.result is None:
            self._status(" ".join(notes) or "nothing is written until you apply (a)")
        self.loads += 1

    def _row(self) -> int | None:
        grid = self.query_one("#deid-table", DataTable)
        if not self.proposals or grid.cursor_row >= len(self.proposals):
            return None
        return grid.cursor_row

    def _redraw(self, i: int) -> None:
        from rich.text import Text

        grid = self.query_one("#deid-table", DataTable)
        cols = [c.key for c in grid.ordered_columns]
        p = self.proposals[i]
        grid.update_cell(str(i), cols[0], "✓" if p.accept else "·")
        grid.update_cell(str(i), cols[4], Text(p.replacement))

    def action_toggle(self) -> None:
        from dataclasses import replace

        i = self._row()
        if i is None:
            return
        self.proposals[i] = replace(self.proposals[i], accept=not self.proposals[i].accept)
        self._redraw(i)

    def action_edit(self) -> None:
        from dataclasses import replace

        from themeqa.tui.components.prompt import PromptScreen

        i = self._row()
        if i is None:
            return

        def edited(text: str | None) -> None:
            if text:
                self.proposals[i] = replace(self.proposals[i], replacement=text, accept=True)
                self._redraw(i)

        p = self.proposals[i]
        self.app.push_screen(PromptScreen(f"Replace {p.original!r} with", p.replacement),
                             edited)

    def _ask_list(self, title: str, current: list[str], then) -> None:
        from themeqa.tui.components.prompt import PromptScreen

        def given(text: str | None) -> None:
            if text is not None:
                then([w.strip() for w in text.split(",") if w.strip()])
                self.load()

        self.app.push_screen(PromptScreen(title, ", ".join(current)), given)

    def action_names(self) -> None:
        self._ask_list("Names to look for (comma-separated)", self.names,
                       lambda v: setattr(self, "names", v))

    def action_places(self) -> None:
        self._ask_list("Places to look for (comma-separated)", self.places,
                       lambda v: setattr(self, "places", v))

    def action_apply(self) -> None:
        from themeqa.tui.components.prompt import ConfirmScreen

        chosen = [p for p in self.proposals if p.accept]
        if not chosen:
            self.app.notify("no replacement is marked for use", severity="warning")
            return
        docs = len({p.document for p in chosen})

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.result = self.app.services.deid_apply(self.proposals)
            except ThemeqaError as exc:
                self.app.notify(str(exc), severity="error")
                return
            r = self.result
            self._status(f"wrote {len(r.documents)} de-identified version(s), "
                         f"{r.replacements} replacements; {r.codings_copied} codings carried "
                         f"over, {r.codings_left} to recode; key in {r.mapping_file}")
            self.load()

        self.app.push_screen(ConfirmScreen(
            f"Write de-identified versions of {docs} document(s) with {len(chosen)} "
            "replacements? The name key goes to a file outside the database."), confirmed)

    def action_back(self) -> None:
        self.app.pop_screen()
