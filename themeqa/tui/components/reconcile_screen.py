"""The reconciliation queue: walk a check's disagreements one by one and decide each.

Why this flow (issue 5): every decision needs a short rationale, so a choice key (a, b, o, x,
e) only *arms* the decision and moves the cursor to the rationale box; Enter saves it through
the gateway (one transaction, consensus layer only), Esc cancels. A choice that cannot apply
(``b`` where coder B coded nothing) is refused before anything is typed, and after saving or
cancelling the keys belong to the queue again (issue 22). ``e`` (edit) first shows the
passage with both sides' extent selected: shift+arrows (ctrl+shift+arrows by word) change the
selection, Enter keeps it — no character offsets to type. The queue opens at the first undecided disagreement and shows "n of m
resolved", so it can be left at any time and resumed later, by anyone.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Input, Static, TextArea

from themeqa.errors import ThemeqaError
from themeqa.tui.actions import bindings_for
from themeqa.tui.components.key_footer import KeyFooter

__all__ = ["ReconcileScreen"]

CHOICE_NAMES = {"keep_a": "keep A", "keep_b": "keep B", "keep_both": "keep both",
                "neither": "neither", "edit": "edit the span"}
KIND_NAMES = {"one_coder": "code applied by one coder only",
              "boundary": "same code, different extent",
              "code_conflict": "same span, different code"}


CONTEXT = 300  # characters of the document shown around the disputed span when editing


class SpanEditor(TextArea):
    """The passage around a disagreement, read-only; the selection is the span to keep."""

    BINDINGS = [Binding("enter", "confirm", "keep this span", show=False)]

    class Confirmed(Message):
        """Enter: the selection is the span."""

    def __init__(self, **kwargs) -> None:
        super().__init__("", read_only=True, soft_wrap=True, show_line_numbers=False,
                         **kwargs)
        self.origin = 0  # document offset of the first character shown

    def show_span(self, text: str, start: int, end: int) -> None:
        """Show ``text`` around [start, end) and select that span."""
        self.origin = max(0, start - CONTEXT)
        self.load_text(text[self.origin:min(len(text), end + CONTEXT)])
        doc = self.document
        self.selection = (doc.get_location_from_index(start - self.origin),
                          doc.get_location_from_index(end - self.origin))

    @property
    def span(self) -> tuple[int, int]:
        a, b = (self.document.get_index_from_location(x) for x in self.selection)
        return self.origin + min(a, b), self.origin + max(a, b)

    def action_confirm(self) -> None:
        self.post_message(self.Confirmed())


class ReconcileScreen(Screen):
    BINDINGS = bindings_for("reconcile")
    CSS_PATH = "check.tcss"
    AUTO_FOCUS = ""  # keys choose; the rationale box takes focus only once a choice is armed
    name_for_help = "reconcile"

    def __init__(self, check: str | None = None) -> None:
        super().__init__()
        self.check = check
        self.check_info = None
        self.items: list = []
        self.index = 0
        self.pending: str | None = None
        self.loads = 0  # bumps after each (re)load (tests wait on it)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("loading disagreements…", id="rec-progress")
        with Horizontal(id="rec-sides"):
            yield Static("", id="rec-a", classes="rec-side")
            yield Static("", id="rec-b", classes="rec-side")
        yield Static("", id="rec-decision")
        yield SpanEditor(id="rec-span", classes="hidden")
        yield Input(placeholder="rationale (required), Enter saves, Esc cancels",
                    id="rec-rationale", classes="hidden")
        yield Static("a keep A · b keep B · o both · x neither · e edit · n/p move",
                     id="rec-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load(resume=True)

    # ------------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="reconcile")
    def load(self, resume: bool = False) -> None:
        services = self.app.services
        try:
            info = services.latest_check() if self.check is None else None
            check = self.check or (info.name if info else None)
            if check is None:
                raise ThemeqaError("no credibility check yet (themeqa check sample --help)")
            items = services.disagreements(check)
        except ThemeqaError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._loaded, check, items, resume)

    def _failed(self, message: str) -> None:
        self.query_one("#rec-progress", Static).update(message)
        self.loads += 1

    def _loaded(self, check: str, items: list, resume: bool) -> None:
        self.check = check
        self.items = items
        if resume:
            self.index = next((i for i, d in enumerate(items) if d.decision is None), 0)
        self.index = min(self.index, max(len(items) - 1, 0))
        self._show()
        self.loads += 1

    @property
    def current(self):
        return self.items[self.index] if self.items else None

    @property
    def resolved(self) -> int:
        return sum(1 for d in self.items if d.decision is not None)

    def _side(self, who: str, code, start, end, text: str) -> str:
        if code is None:
            return f"[b]{who}[/b]\n\n[dim](did not code this passage)[/dim]"
        from rich.markup import escape

        return f"[b]{who}[/b]: {escape(code)}  {start}–{end}\n\n{escape(text)}"

    def _show(self) -> None:
        d = self.current
        head = self.query_one("#rec-progress", Static)
        if d is None:
            head.update(f"check {self.check}: no disagreements")
            return
        head.update(
            f"check {self.check} · {self.resolved} of {len(self.items)} resolved · "
            f"item {self.index + 1} of {len(self.items)} · {KIND_NAMES[d.kind]} · "
            f"{d.document} · {d.key}"
        )
        self.query_one("#rec-a", Static).update(
            self._side("A", d.code_a, d.a_start, d.a_end, d.a_text))
        self.query_one("#rec-b", Static).update(
            self._side("B", d.code_b, d.b_start, d.b_end, d.b_text))
        self.query_one("#rec-decision", Static).update(
            f"decided: {CHOICE_NAMES[d.decision]} (u undoes)" if d.decision else "open")

    # ------------------------------------------------------------------ deciding

    def _inputs(self, show: bool, span: bool = False) -> None:
        span_box = self.query_one("#rec-span", SpanEditor)
        rationale = self.query_one("#rec-rationale", Input)
        span_box.set_class(not (show and span), "hidden")
        rationale.set_class(not show, "hidden")
        if not show:
            rationale.value = ""
            self.set_focus(None)  # the choice keys work again at once

    def _status(self, text: str) -> None:
        self.query_one("#rec-status", Static).update(text)

    def action_choose(self, choice: str) -> None:
        d = self.current
        if d is None:
            return
        if d.decision is not None:
            self._status(f"already decided ({CHOICE_NAMES[d.decision]}); u undoes it")
            return
        why = self.app.services.choice_refusal(d, choice)
        if why is not None:  # refused before any typing
            self._status(why)
            self.app.bell()
            return
        self.pending = choice
        self._status(f"{CHOICE_NAMES[choice]}: type a rationale and press Enter (Esc cancels)")
        if choice == "edit":
            try:
                text = self.app.services.document(d.document).text
            except ThemeqaError as exc:
                self.pending = None
                self._status(str(exc))
                return
            starts = [x for x in (d.a_start, d.b_start) if x is not None]
            ends = [x for x in (d.a_end, d.b_end) if x is not None]
            self._inputs(True, span=True)
            box = self.query_one("#rec-span", SpanEditor)
            box.show_span(text, min(starts), max(ends))
            box.focus()
            self._status("edit: shift+arrows (ctrl+shift+arrows: by word) set the span to "
                         "keep; Enter keeps it, then type a rationale")
        else:
            self._inputs(True)
            self.query_one("#rec-rationale", Input).focus()

    def on_span_editor_confirmed(self, event: SpanEditor.Confirmed) -> None:
        start, end = self.query_one("#rec-span", SpanEditor).span
        if end <= start:
            self._status("select the span to keep first (shift+arrows)")
            return
        self._status(f"keep {start}–{end}: type a rationale and press Enter (Esc cancels)")
        self.query_one("#rec-rationale", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.pending is None or self.current is None:
            return
        rationale = event.value.strip()
        if not rationale:
            self._status("a decision needs a short rationale")
            return
        span = None
        if self.pending == "edit":
            span = self.query_one("#rec-span", SpanEditor).span
            if span[1] <= span[0]:
                self._status("select the span to keep first (shift+arrows)")
                return
        self._save(self.current.key, self.pending, rationale, span)

    def _save(self, key: str, choice: str, rationale: str, span) -> None:
        try:
            self.app.services.decide(key, choice, rationale, check=self.check, span=span)
        except ThemeqaError as exc:
            self._status(str(exc))
            return
        self.pending = None
        self._inputs(False)
        self._status(f"saved: {CHOICE_NAMES[choice]}")
        self._after_change(advance=True)

    def _after_change(self, advance: bool) -> None:
        key = self.current.key if self.current else None
        items = self.app.services.disagreements(self.check)
        self.items = items
        here = next((i for i, d in enumerate(items) if d.key == key), self.index)
        if advance:
            later = [i for i, d in enumerate(items) if i > here and d.decision is None]
            here = later[0] if later else here
        self.index = here
        self._show()

    def action_undo_decision(self) -> None:
        d = self.current
        if d is None or d.decision is None:
            return
        try:
            self.app.services.undo_decision(d.key, self.check)
        except ThemeqaError as exc:
            self._status(str(exc))
            return
        self._status(f"undone: {d.key}")
        self._after_change(advance=False)

    # ------------------------------------------------------------------ moving

    def action_step(self, delta: int) -> None:
        if self.items and self.pending is None:
            self.index = (self.index + delta) % len(self.items)
            self._show()

    def action_next_open(self) -> None:
        n = len(self.items)
        for k in range(1, n + 1):
            i = (self.index + k) % n
            if self.items[i].decision is None:
                self.index = i
                self._show()
                return
        self._status("every disagreement is resolved")

    def action_back(self) -> None:
        if self.pending is not None:
            self.pending = None
            self._inputs(False)
            self._status("cancelled")
            return
        self.app.pop_screen()
