"""Import measures from a file, confirming near-miss participant ids one by one.

Why a review screen: a measures file is someone else's spreadsheet, so its ids rarely match
exactly (``P7`` or ``p07 `` for ``P07``). Linking a near-miss silently would attach one
person's scores to another, so the service only *proposes* them (``preview_measures``, which
writes nothing) and this screen lets the researcher accept or reject each proposal, see the
ids that match nobody, and only then import (``i``): one transaction with just the accepted
links, in a worker. Escape leaves with nothing written.

The screen is dismissed with the ``MeasureImport`` result after a successful import, or with
``None`` when cancelled; the quant screen then notifies and refreshes its view.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from themeqa.errors import ThemeqaError
from themeqa.tui.actions import bindings_for
from themeqa.tui.components.key_footer import KeyFooter

__all__ = ["ImportRequest", "MeasuresImportScreen", "import_form_fields", "parse_import_form",
           "summary"]


@dataclass(frozen=True)
class ImportRequest:
    """What the researcher asked for in the import form (the CLI's options)."""

    path: Path
    id_column: str | None = None
    prefix: str = ""
    timepoint: str | None = None

    def form_values(self) -> dict[str, str]:
        return {"path": str(self.path), "id_column": self.id_column or "",
                "prefix": self.prefix, "timepoint": self.timepoint or ""}


def import_form_fields(values: dict[str, str] | None = None) -> list[tuple[str, str, str]]:
    """The fields of the import form (for ``FormScreen``), filled with ``values`` so a
    mistyped path can be corrected without typing everything again."""
    v = values or {}
    return [
        ("path", "File to import (CSV, XLSX or SPSS .sav)", v.get("path", "")),
        ("id_column", "Column of participant ids (empty: id, pid, participant… or the first)",
         v.get("id_column", "")),
        ("prefix", "Prefix for the variable names (optional, e.g. t1_)", v.get("prefix", "")),
        ("timepoint", "Timepoint of these measures (optional, e.g. initial)",
         v.get("timepoint", "")),
    ]


def parse_import_form(values: dict[str, str], cwd: Path | None = None) -> ImportRequest:
    """The form's text as a request. Quotes around the path (a file dragged into the
    terminal) are dropped, ``~`` expanded, and a relative path is taken from ``cwd`` (the
    directory the workbench was started in), as the CLI would."""
    raw = values.get("path", "").strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        raw = raw[1:-1].strip()
    if not raw:
        raise ValueError("no file given")
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = (cwd or Path.cwd()) / path
    return ImportRequest(
        path=path,
        id_column=values.get("id_column", "").strip() or None,
        prefix=values.get("prefix", "").strip(),
        timepoint=values.get("timepoint", "").strip() or None,
    )


def _why(match) -> str:
    if match.reason == "normalised":
        return "same id up to case, spaces or leading zeros"
    return f"similar spelling ({match.score:g}%)"


def summary(result) -> str:
    """One line about a finished import, for the notification."""
    linked = len(result.exact) + len(result.proposals) - len(result.rejected)
    parts = [f"imported {len(result.variables)} variable(s) from {result.file}: "
             f"{result.values_written} value(s) for {linked} participant(s)"]
    if result.rejected:
        parts.append(f"rejected (skipped): {', '.join(result.rejected)}")
    if result.unmatched:
        parts.append(f"unmatched (skipped): {', '.join(result.unmatched)}")
    return "; ".join(parts)


class MeasuresImportScreen(Screen):
    """Review the proposed id matches of a previewed import, then import."""

    BINDINGS = bindings_for("measures_import")
    CSS_PATH = "quant.tcss"
    name_for_help = "measures_import"

    def __init__(self, request: ImportRequest, plan) -> None:
        """``plan``: the ``MeasureImport`` of ``preview_measures`` for ``request``."""
        super().__init__()
        self.request, self.plan = request, plan
        self.accepted: dict[str, bool] = {m.given: False for m in plan.proposals}
        self.applying = False
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="mi-title")
        yield Static("", id="mi-summary")
        yield DataTable(id="mi-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="mi-unmatched")
        yield Static("", id="mi-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        from rich.text import Text

        plan = self.plan
        self.query_one("#mi-title", Static).update(
            f"Import measures from {plan.file} · space/enter: accept or reject · "
            "a: accept all · i: import · esc: cancel")
        tp = f" · timepoint {self.request.timepoint}" if self.request.timepoint else ""
        self.query_one("#mi-summary", Static).update(Text(
            f"id column {plan.id_column!r} · {len(plan.variables)} variable(s): "
            f"{_shorten(plan.variables)}{tp}\n"
            f"{len(plan.exact)} id(s) match a participant exactly and are linked; "
            f"{len(plan.proposals)} near-miss id(s) to review below"))
        grid = self.query_one("#mi-table", DataTable)
        grid.add_columns("link", "id in the file", "participant", "why proposed")
        for m in plan.proposals:
            grid.add_row("·", Text(repr(m.given)), m.pid, _why(m), key=m.given)
        unmatched = (
            f"Ids that match no participant (their rows are skipped): {', '.join(plan.unmatched)}"
            if plan.unmatched else "Every id in the file matches or nearly matches a participant."
        )
        self.query_one("#mi-unmatched", Static).update(Text(unmatched))
        self._status(self._default_status())
        grid.focus()

    def _default_status(self) -> str:
        plan = self.plan
        lines = []
        if not plan.proposals:
            lines.append("No near-miss ids to review.")
        if plan.existing:
            lines.append(f"Already in the project, replaced on import (you will be asked): "
                         f"{_shorten(plan.existing)}.")
        lines.append("Nothing is written until you press i; a rejected id's row is skipped.")
        return " ".join(lines)

    def _status(self, text: str) -> None:
        from rich.text import Text

        self.query_one("#mi-status", Static).update(Text(text))

    # --- choosing ------------------------------------------------------------------------

    def _redraw(self, given: str) -> None:
        grid = self.query_one("#mi-table", DataTable)
        column = grid.ordered_columns[0].key
        grid.update_cell(given, column, "✓" if self.accepted[given] else "·")

    def _current(self) -> str | None:
        grid = self.query_one("#mi-table", DataTable)
        if not self.plan.proposals or grid.cursor_row >= len(self.plan.proposals):
            return None
        return self.plan.proposals[grid.cursor_row].given

    def action_toggle(self) -> None:
        given = self._current()
        if given is None or self.applying:
            return
        self.accepted[given] = not self.accepted[given]
        self._redraw(given)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row toggles it too (the table binds enter itself)."""
        event.stop()
        self.action_toggle()

    def action_accept_all(self) -> None:
        """Accept every proposal; when all are accepted already, reject them all."""
        if self.applying or not self.accepted:
            return
        state = not all(self.accepted.values())
        for given in self.accepted:
            self.accepted[given] = state
            self._redraw(given)

    def accepted_matches(self) -> dict[str, str]:
        """The accepted proposals as file id -> participant id (what the service takes)."""
        return {m.given: m.pid for m in self.plan.proposals if self.accepted[m.given]}

    # --- importing -----------------------------------------------------------------------

    def action_apply(self) -> None:
        from themeqa.tui.components.prompt import ConfirmScreen

        if self.applying:
            return
        if not self.plan.existing:
            self._start(replace=False)
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._start(replace=True)
            else:
                self._status("Not imported: the existing variables were kept. Give a prefix "
                             "(esc, then i again) to import beside them.")

        self.app.push_screen(ConfirmScreen(
            f"{len(self.plan.existing)} variable(s) already exist "
            f"({_shorten(self.plan.existing)}). Replace their values with this file's?"),
            confirmed)

    def _start(self, *, replace: bool) -> None:
        self.applying = True
        self.error = None
        n = len(self.accepted_matches())
        self._status(f"importing with {n} accepted near-miss match(es)…")
        self.apply(self.accepted_matches(), replace)

    @work(thread=True, exclusive=True, group="measures-import")
    def apply(self, accept: dict[str, str], replace: bool) -> None:
        r = self.request
        try:
            result = self.app.services.import_measures(
                r.path, accept=accept, id_column=r.id_column, prefix=r.prefix,
                timepoint=r.timepoint, replace=replace)
        except ThemeqaError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self.dismiss, result)

    def _failed(self, message: str) -> None:
        self.applying = False
        self.error = message
        self._status(f"Nothing was imported: {message}")
        self.app.notify(message, title="import failed", severity="error", timeout=10)

    def action_back(self) -> None:
        if not self.applying:
            self.dismiss(None)


def _shorten(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
