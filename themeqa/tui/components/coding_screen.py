"""The coding workbench: codebook tree | document | side panel, driven from the keyboard.

Why it is built this way (issue 4): every coding action commits at once through the gateway
(no save), the screen updates its own copy of the codings right away (so applying a code
repaints in milliseconds) and re-reads from the project in a worker after anything it cannot
predict (undo, re-assign, someone else's codebook edit). Opening a document and recounting
run in workers; the UI thread only builds widgets.
"""

from __future__ import annotations

from dataclasses import replace

from textual import work
from textual.app import ComposeResult
from textual.containers import Container, Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static, TextArea, Tree

from themeqa.errors import ThemeqaError
from themeqa.tui.actions import bindings_for
from themeqa.tui.components.code_tree import CodeTree
from themeqa.tui.components.coding_panels import PanelsMixin
from themeqa.tui.components.coding_text import CodingText
from themeqa.tui.components.key_footer import KeyFooter
from themeqa.tui.components.key_row import (
    LabelInput,
    here_text,
    recent_text,
)
from themeqa.tui.components.picker import PickerScreen
from themeqa.tui.components.prompt import ConfirmScreen, FormScreen, PromptScreen
from themeqa.tui.components.side_panel import SidePanel
from themeqa.tui.fuzzy import Candidate
from themeqa.tui.model import CodingRow, DocumentState, UndoPatch
from themeqa.tui.spans import paragraph_at

__all__ = ["CodingScreen"]

_FAILED = object()
_RECENT = 9
STAMP_POLL_SECONDS = 3.0


def code_candidates(codes) -> list[Candidate]:
    return [
        Candidate(
            value=n.id, key=n.label, name=n.name, detail=f"{n.definition} {n.include}",
            prompt=f"[{n.colour or 'grey50'}]■[/] [b]{n.label}[/b] {n.name} "
                   f"[dim]{n.codebook} · {n.codings}[/dim]",
        )
        for n in codes
    ]


class CodingScreen(PanelsMixin, Screen):
    BINDINGS = bindings_for("coding")
    name_for_help = "coding"
    code_candidates = staticmethod(code_candidates)

    def __init__(self, document_name: str, at: tuple[int, int] | None = None) -> None:
        super().__init__()
        self.document_name = document_name
        self.at = at  # a span to select on opening (a search hit, a reviewed extract)
        self.state: DocumentState | None = None  # once the codings are read too
        self.recent: list[int] = []
        self.speaker: str | None = None
        self.last_search = ""
        self.blind = False
        self.stamp: tuple | None = None
        self.version = 0  # bumps after every repaint from new codings (tests and bench wait on it)
        self._provisional = 0  # ids below 0: codings shown before their write has run
        self._real_ids: dict[int, int] = {}
        self._panel_key: tuple | None = None
        self.suggestions: list = []  # the last hints shown (tests read them)
        self.layout_choice: dict[str, bool] = {}  # panels the coder showed/hid (remembered)
        self._line_keys: dict[str, object] = {}

    # -- layout and loading ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self.document_name, id="doc-title")
        # the text comes first in the DOM (the tree is docked left), so Tab goes
        # text -> tree -> side panel (issue 22)
        with Horizontal(id="coding-body"):
            with Container(id="doc-holder"):
                # a still line, not Textual's animated LoadingIndicator: its frames would
                # compete with the worker reading the document (one GIL) for the first paint
                yield Static(f"opening {self.document_name} …", id="doc-opening")
            yield CodeTree(id="codes")
            yield SidePanel(id="side")
        yield Static("", id="here-line")
        with Horizontal(id="key-row"):
            yield LabelInput(id="label-input", classes="hidden", compact=True,
                             select_on_focus=False,
                             placeholder="label")
            yield Static(recent_text([]), id="recent-row")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.open_document()
        self.set_interval(STAMP_POLL_SECONDS, self.poll_stamp)
        self.watch(self.app, "theme", lambda _: self.repaint(), init=False)

    @property
    def services(self):
        return self.app.services

    @property
    def doc_view(self) -> CodingText:
        return self.query_one("#doc-text", CodingText)

    @property
    def code_tree(self) -> CodeTree:
        return self.query_one("#codes", CodeTree)

    @property
    def text_shown(self) -> bool:
        return bool(self.query("#doc-text"))

    @property
    def loaded(self) -> bool:
        return self.state is not None

    @work(thread=True, exclusive=True, group="open")
    def open_document(self) -> None:
        """Read the text, its codings and the codebook here, then show them in one go.

        Why together: showing the bare text first and the coded spans a moment later cost a
        second full render of the screen (and a flash of uncoloured text), and the second
        read ran while the first render held the GIL (issue 4: first paint under 1 s).
        """
        svc = self.services
        try:
            doc = svc.document(self.document_name)
            codings = list(svc.codings(self.document_name))
            nodes = svc.codebook()
            blind, stamp = svc.is_blind(), svc.codebook_stamp()
            layout = svc.tui_layout() if hasattr(svc, "tui_layout") else {}
        except ThemeqaError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._opened, doc, codings, nodes, blind, stamp, layout)

    async def _opened(self, doc, codings, nodes, blind, stamp, layout=None) -> None:
        self.layout_choice = dict(layout or {})
        self.apply_layout()
        holder = self.query_one("#doc-holder", Container)
        await holder.remove_children()
        area = CodingText(doc.text, id="doc-text")
        await holder.mount(area)
        if not self.text_shown:  # the app closed (or the screen left) while mounting
            return
        if self.at is not None:
            area.select_span(*self.at)
        n_part = sum(1 for t in doc.turns if t.role == "participant")
        self.query_one("#doc-title", Static).update(
            f"{doc.name} · {doc.kind} · {len(doc.turns)} turns ({n_part} participant) · "
            f"{len(doc.text.split())} words · coder {self.app.coder}"
        )
        area.focus()
        self.state = DocumentState(doc, codings)
        self.blind, self.stamp = blind, stamp
        self.code_tree.load(nodes)
        self.repaint()

    def repaint(self, span: tuple[int, int] | None = None) -> None:
        """Repaint the coded spans: all of them, or only the rows around ``span``."""
        if self.state is None:
            return
        theme = self.app.current_theme
        background = theme.background or ("#121212" if theme.dark else "#FFFFFF")
        view = self.doc_view
        if span is None:
            labels = [(t.start, t.content_start) for t in self.state.document.turns
                      if t.content_start > t.start]
            view.paint(self.state.codings, labels, background=background, dark=theme.dark)
        else:
            lo, hi = view.row_range(*span)
            labels = [(t.start, t.content_start) for t in self.state.turns_between(lo, hi)
                      if t.content_start > t.start]
            view.paint_rows(lo, hi, self.state.overlapping(lo, hi), labels,
                            background=background, dark=theme.dark)
        self.version += 1
        self.update_panel(force=True)

    @work(thread=True, exclusive=True, group="reload")
    def reload(self) -> None:
        """Re-read codings, counts and the codebook (after undo, re-assign, others' edits)."""
        svc = self.services
        try:
            codings = list(svc.codings(self.document_name))
            nodes = svc.codebook()
            blind, stamp = svc.is_blind(), svc.codebook_stamp()
        except ThemeqaError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._reloaded, codings, nodes, blind, stamp)

    def _reloaded(self, codings, nodes, blind, stamp) -> None:
        if self.state is None:
            return
        if self.app.writer.pending:
            # a queued write has not run yet: this read may miss it; read again after it
            self.set_timer(0.05, self.reload)
            return
        before = {self._shape(c) for c in self.state.codings}
        after = {self._shape(c) for c in codings}
        self.state.codings = codings
        self.state.sort()
        self.blind, self.stamp = blind, stamp
        changed = before ^ after
        # the version too: the tree's nodes carry it back as an edit's expected version
        shape = [(n.id, n.codebook, n.label, n.name, n.parent_id, n.colour, n.definition,
                  n.include, n.exclude, n.version) for n in nodes]
        old = [(n.id, n.codebook, n.label, n.name, n.parent_id, n.colour, n.definition,
                n.include, n.exclude, n.version) for n in self.code_tree.codes.values()]
        if shape != old:
            self.code_tree.load(nodes)
            self.recent = [c for c in self.recent if c in self.code_tree.codes]
        else:
            self.code_tree.set_counts({n.id: n.codings for n in nodes})
            if changed and len(changed) <= 50:
                self.repaint((min(c[1] for c in changed), max(c[2] for c in changed)))
                return
        self.repaint()

    @staticmethod
    def _shape(c) -> tuple:
        """What a coding looks like on screen (a change in any of these needs a repaint)."""
        return (c.id, c.start, c.end, c.code_id, c.colour)

    @work(thread=True, exclusive=True, group="poll")
    def poll_stamp(self) -> None:
        try:
            stamp = self.services.codebook_stamp()
        except ThemeqaError:
            return
        if stamp is not None and self.stamp is not None and stamp != self.stamp:
            self.app.call_from_thread(self.reload)

    # -- the side panel ----------------------------------------------------------------------

    def update_panel(self, force: bool = False) -> None:
        if self.state is None:
            return
        here = self.state.at(self.doc_view.cursor_offset)
        # the code to explain: the highlighted one while browsing the tree, otherwise the
        # innermost coding at the cursor (falling back to the tree's highlighted code)
        code = self.code_tree.current
        if here and not self.code_tree.has_focus:
            inner = min(here, key=lambda c: c.end - c.start)
            code = self.code_tree.codes.get(inner.code_id, code)
        tree_focused = self.code_tree.has_focus
        key = (tuple(id(c) for c in here), code.id if code else None, tuple(self.recent),
               tree_focused)
        if key == self._panel_key and not force:
            return
        self._panel_key = key
        recent = [self.code_tree.codes[c] for c in self.recent if c in self.code_tree.codes]
        self.query_one("#side", SidePanel).show(here, code, recent, blind=self.blind)
        self._set_line("#here-line", here_text(here, code, tree_focused))
        if not self.query_one("#label-input", LabelInput).display:
            self._set_line("#recent-row", recent_text(recent))

    def on_text_area_selection_changed(self, event: TextArea.SelectionChanged) -> None:
        self.update_panel()

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        self.update_panel()

    def on_descendant_focus(self) -> None:
        self.update_panel()

    # -- calling the gateway -----------------------------------------------------------------

    class WriteDone(Message):
        """A queued write finished (posted from the writer thread; handled on the UI's)."""

        def __init__(self, callback, value) -> None:
            super().__init__()
            self.callback, self.value = callback, value

    def _call(self, fn, *args, **kwargs):
        """A quick read on the UI thread; a user error becomes a notification."""
        try:
            return fn(*args, **kwargs)
        except ThemeqaError as exc:
            self.notify(str(exc), severity="error", timeout=6)
            return _FAILED

    def _write(self, fn, *, done=None, failed=None) -> None:
        """Queue a write on the app's writer thread; ``done(result)`` / ``failed()`` run here."""

        def job() -> None:
            try:
                value = fn()
            except ThemeqaError as exc:
                self.post_message(self.WriteDone(self._write_failed, (str(exc), failed)))
                return
            except Exception as exc:  # a bug: say so, keep the queue alive
                self.post_message(self.WriteDone(self._write_failed,
                                                 (f"{type(exc).__name__}: {exc}", failed)))
                return
            if done is not None:
                self.post_message(self.WriteDone(done, value))

        self.app.writer.submit(job)

    def _write_failed(self, value) -> None:
        message, failed = value
        self.notify(message, severity="error", timeout=6)
        if failed is not None:
            failed()
        self.reload()

    def on_coding_screen_write_done(self, event: WriteDone) -> None:
        event.callback(event.value)

    def _real_id(self, coding_id: int) -> int:
        """The stored id of a coding (an optimistic one gets it when its write ran)."""
        return self._real_ids.get(coding_id, coding_id)

    def _ref(self, code_id: int) -> str:
        n = self.code_tree.codes[code_id]
        return f"{n.codebook}::{n.label}"

    # -- applying codes ----------------------------------------------------------------------

    def apply_code(self, code_id: int) -> None:
        """Show the coding at once, commit it on the writer thread (issue 4: no save step)."""
        if self.state is None or code_id not in self.code_tree.codes:
            return
        start, end = self.doc_view.selected_span
        if start == end:
            self.notify("select text first: shift+arrows, s sentence, t turn, v paragraph",
                        severity="warning")
            return
        n = self.code_tree.codes[code_id]
        self._provisional -= 1
        temp = self._provisional
        row = CodingRow(temp, start, end, n.id, n.label, n.name, n.codebook, n.colour,
                        self.app.coder)
        self.state.codings.append(row)
        self.state.sort()
        self.recent = [code_id, *[c for c in self.recent if c != code_id]][:_RECENT]
        self._bump_count(code_id, +1)
        self.repaint((start, end))
        add, ref, doc = self.services.add_coding, self._ref(code_id), self.document_name

        def write() -> int:
            new_id = add(doc, start, end, ref)
            self._real_ids[temp] = new_id
            return new_id

        def confirmed(new_id: int) -> None:
            self._swap(temp, lambda c: replace(c, id=new_id))

        def undo_local() -> None:
            self._swap(temp, lambda c: None)
            self.repaint((start, end))

        self._write(write, done=confirmed, failed=undo_local)

    def _swap(self, coding_id: int, change) -> None:
        """Replace (or drop, when ``change`` returns None) a coding in the local copy."""
        if self.state is None:
            return
        out = []
        for c in self.state.codings:
            if c.id == coding_id:
                c = change(c)
            if c is not None:
                out.append(c)
        self.state.codings = out
        self.state.sort()
        self.update_panel(force=True)

    def _bump_count(self, code_id: int, step: int) -> None:
        node = self.code_tree.codes.get(code_id)
        if node is not None:
            self.code_tree.set_counts({code_id: node.codings + step} | {
                cid: n.codings for cid, n in self.code_tree.codes.items() if cid != code_id})

    def on_code_tree_apply_requested(self, event: CodeTree.ApplyRequested) -> None:
        self.apply_code(event.code_id)

    def action_code_palette(self) -> None:
        if self.state is None:
            return
        self.app.push_screen(
            PickerScreen("Apply code to the selection", code_candidates(self.code_tree.codes.values()),
                         placeholder="label, name or a word of the definition"),
            lambda cid: cid is not None and self.apply_code(cid),
        )

    # -- suggestions (issue 11): hints only, applied by a key press -----------------------

    def action_suggest(self) -> None:
        """Rank codes for the turn at the cursor by what this coder already coded."""
        if self.state is None:
            return
        t = self.state.turn_at(self.doc_view.cursor_offset)
        if t is None or t.end <= t.content_start:
            self.notify("no turn at the cursor", severity="warning")
            return
        self.notify("looking for similar codings…", timeout=2)
        self._suggest((t.content_start, t.end))

    @work(thread=True, exclusive=True, group="suggest")
    def _suggest(self, span: tuple[int, int]) -> None:
        try:
            ranked = self.services.suggest(self.document_name, *span)
        except ThemeqaError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._show_suggestions, span, ranked)

    def _show_suggestions(self, span: tuple[int, int], ranked: list) -> None:
        candidates = []
        for r in ranked:
            book, _, label = r.code.partition("::")
            try:
                cid = self._code_id(book, label)
            except ThemeqaError:
                continue
            if cid is not None:
                candidates.append(Candidate(cid, label, f"{r.name}  (similarity {r.score:.2f})"))
        self.suggestions = candidates
        if not candidates:
            self.notify("no suggestion yet: code a few passages first", severity="warning")
            return

        def chosen(cid) -> None:
            if cid is not None:
                self.doc_view.select_span(*span)
                self.apply_code(cid)

        self.app.push_screen(
            PickerScreen("Suggested codes for this turn (enter applies one to the turn)",
                         candidates), chosen)

    def action_quick_code(self, n: int) -> None:
        if len(self.recent) >= n:
            self.apply_code(self.recent[n - 1])
        else:
            self.notify(f"no recent code {n} yet (apply one with c)", severity="warning")

    # -- selecting ---------------------------------------------------------------------------

    def _select(self, span: tuple[int, int] | None, what: str) -> None:
        if span is None or span[0] == span[1]:
            self.notify(f"no {what} at the cursor", severity="warning")
            return
        self.doc_view.select_span(*span)

    def action_select_sentence(self) -> None:
        if self.state:
            self._select(self.state.sentence_at(self.doc_view.cursor_offset), "sentence")

    def action_select_turn(self) -> None:
        if self.state:
            t = self.state.turn_at(self.doc_view.cursor_offset)
            self._select((t.content_start, t.end) if t else None, "turn")

    def action_select_paragraph(self) -> None:
        if self.state:
            self._select(paragraph_at(self.state.text, self.doc_view.cursor_offset), "paragraph")

    # -- acting on the coding at the cursor --------------------------------------------------

    def _with_target(self, title: str, then) -> None:
        """Run ``then(coding)`` on the coding at the cursor, asking when there are several."""
        if self.state is None:
            return
        start, end = self.doc_view.selected_span
        found = (self.state.overlapping(start, end) if end > start
                 else self.state.at(start))
        if not found:
            self.notify("no coding at the cursor", severity="warning")
            return
        if len(found) == 1:
            then(found[0])
            return
        by_id = {c.id: c for c in found}
        self.app.push_screen(
            PickerScreen(title, [
                Candidate(c.id, c.code_label, c.code_name,
                          prompt=f"[{c.colour or 'grey50'}]■[/] [b]{c.code_label}[/b] "
                                 f"{c.code_name} [dim]{c.start}–{c.end} {c.coder}[/dim]")
                for c in found]),
            lambda cid: cid is not None and then(by_id[cid]),
        )

    def action_remove_coding(self) -> None:
        def remove(c) -> None:
            self._swap(c.id, lambda _: None)
            self._bump_count(c.code_id, -1)
            self.repaint((c.start, c.end))
            delete = self.services.delete_coding
            self._write(lambda: delete(self._real_id(c.id)),
                        done=lambda _: self.notify(
                            f"removed {c.code_label} {c.code_name} ({c.start}–{c.end})"))

        self._with_target("Remove which coding?", remove)

    def action_reassign_coding(self) -> None:
        def pick_code(c) -> None:
            self.app.push_screen(
                PickerScreen(f"Re-assign {c.code_label} {c.code_name} to…",
                             code_candidates(self.code_tree.codes.values())),
                lambda cid: cid is not None and self._after(
                    self.services.reassign_coding, self._real_id(c.id), self._ref(cid)),
            )

        self._with_target("Re-assign which coding?", pick_code)

    def action_resize_coding(self) -> None:
        start, end = self.doc_view.selected_span
        if start == end:
            self.notify("select the new extent first, then press e", severity="warning")
            return
        self._with_target("Resize which coding to the selection?",
                          lambda c: self._after(self.services.resize_coding,
                                                self._real_id(c.id), start, end))

    def action_toggle_quote(self) -> None:
        self._with_target("Flag which coding as a quote?",
                          lambda c: self._after(self.services.set_quote, self._real_id(c.id),
                                                not c.quote))

    def action_edit_memo(self) -> None:
        def ask(c) -> None:
            self.app.push_screen(
                PromptScreen(f"Memo on {c.code_label} {c.code_name} ({c.start}–{c.end}); "
                             "empty deletes it", c.memo or ""),
                lambda text: text is not None and self._after(
                    self.services.set_coding_memo, self._real_id(c.id), text),
            )

        self._with_target("Memo on which coding?", ask)

    def _after(self, fn, *args, **kwargs) -> None:
        """Queue a change whose effect we do not predict locally, then re-read."""
        self._write(lambda: fn(*args, **kwargs), done=lambda _: self.reload())

    def action_undo(self) -> None:
        self._undo(redo=False)

    def action_redo(self) -> None:
        self._undo(redo=True)

    def _undo(self, *, redo: bool) -> None:
        step, doc = self.services.undo_patch, self.document_name
        verb = "redone" if redo else "undone"
        self._write(lambda: step(doc, redo=redo), done=lambda patch: self._undone(verb, patch))

    def _undone(self, verb: str, patch: UndoPatch | None) -> None:
        """Show an undo: swap in the codings it touched, or re-read when it did more."""
        if patch is None:
            self.notify(f"nothing to {verb[:-2]}")
            return
        self.notify(f"{verb}: {patch.summary}")
        if patch.rows is None or patch.counts is None or self.state is None:
            self.reload()
            return
        # the touched codings, also under the provisional ids they were first shown with
        drop = patch.ids | {temp for temp, real in self._real_ids.items() if real in patch.ids}
        gone = [c for c in self.state.codings if c.id in drop]
        self.state.codings = [c for c in self.state.codings if c.id not in drop]
        self.state.codings.extend(patch.rows)
        self.state.sort()
        self.code_tree.set_counts(patch.counts)
        touched = gone + list(patch.rows)
        if touched:
            self.repaint((min(c.start for c in touched), max(c.end for c in touched)))
        else:  # it changed codings elsewhere only
            self.version += 1
            self.update_panel(force=True)

    def action_reload(self) -> None:
        self.reload()

    # -- navigation --------------------------------------------------------------------------

    def action_next_coding(self) -> None:
        if self.state:
            here = self.doc_view.cursor_offset
            nxt = next((c for c in self.state.codings if c.start > here), None)
            if nxt is None:
                self.notify("no later coding", severity="warning")
            else:
                self.doc_view.move_to(nxt.start)

    def action_previous_coding(self) -> None:
        if self.state:
            here = self.doc_view.cursor_offset
            prev = next((c for c in reversed(self.state.codings) if c.start < here), None)
            if prev is None:
                self.notify("no earlier coding", severity="warning")
            else:
                self.doc_view.move_to(prev.start)

    def _turns(self) -> list:
        turns = self.state.document.turns
        if self.speaker is None:
            return list(turns)
        return [t for t in turns if (t.participant or t.speaker) == self.speaker]

    def _move_to_turn(self, step: int) -> None:
        if self.state is None:
            return
        turns = self._turns()
        here = self.doc_view.cursor_offset
        if step > 0:
            t = next((t for t in turns if t.content_start > here), None)
        else:
            t = next((t for t in reversed(turns) if t.content_start < here), None)
        if t is None:
            who = f" of {self.speaker}" if self.speaker else ""
            self.notify(f"no {'next' if step > 0 else 'previous'} turn{who}", severity="warning")
            return
        self.doc_view.move_to(t.content_start)

    def action_next_turn(self) -> None:
        self._move_to_turn(+1)

    def action_previous_turn(self) -> None:
        self._move_to_turn(-1)

    def action_next_uncoded(self) -> None:
        """Select the next participant turn that *this coder* has not coded in their own
        layer: another coder's codings (visible when not blind) or consensus codings do not
        count, so a second coder never skips a turn only the first coder has coded."""
        if self.state is None:
            return
        here, me = self.doc_view.cursor_offset, self.app.coder
        for t in self.state.document.turns:
            if (t.role == "participant" and t.content_start > here
                    and not any(c.coder == me and getattr(c, "layer", "coder") == "coder"
                                for c in self.state.overlapping(t.content_start, t.end))):
                self.doc_view.select_span(t.content_start, t.end)
                return
        self.notify(f"every later participant turn has a coding of yours ({me})",
                    severity="information")

    def action_jump_speaker(self) -> None:
        if self.state is None:
            return
        counts: dict[str, int] = {}
        for t in self.state.document.turns:
            who = t.participant or t.speaker
            if who:
                counts[who] = counts.get(who, 0) + 1
        options = [Candidate("", "all", "every speaker", prompt="[b]all[/b] every speaker")]
        options += [Candidate(who, who, prompt=f"[b]{who}[/b] [dim]{n} turns[/dim]")
                    for who, n in sorted(counts.items())]

        def chosen(who) -> None:
            if who is None:
                return
            self.speaker = who or None
            self.sub_title = f"turns of {who}" if who else ""
            self._move_to_turn(+1)

        self.app.push_screen(PickerScreen("Jump to the turns of…", options), chosen)

    def action_search(self) -> None:
        def go(query: str | None) -> None:
            if query:
                self.last_search = query
                self.action_search_next()

        self.app.push_screen(PromptScreen("Search in the document", self.last_search), go)

    def action_search_next(self) -> None:
        if self.state is None or not self.last_search:
            return
        hay, needle = self.state.text.casefold(), self.last_search.casefold()
        start = self.doc_view.selected_span[1] if self.doc_view.selected_span[1] > 0 else 0
        i = hay.find(needle, start)
        if i < 0:
            i = hay.find(needle)
        if i < 0 or len(hay) != len(self.state.text):
            # casefold can change lengths (ß -> ss); fall back to an exact search
            i = self.state.text.find(self.last_search, start)
            if i < 0:
                i = self.state.text.find(self.last_search)
        if i < 0:
            self.notify(f"{self.last_search!r} not found", severity="warning")
            return
        self.doc_view.select_span(i, i + len(self.last_search))

    def action_goto_document(self) -> None:
        docs = self.services.documents(self.app.coder)
        options = [Candidate(d.name, d.name, f"{d.session or ''} {d.timepoint or ''}",
                             prompt=f"{d.name} [dim]{d.kind} {d.session or ''} "
                                    f"{d.timepoint or ''} {d.progress:.0%}[/dim]")
                   for d in docs]
        self.app.push_screen(PickerScreen("Go to document", options),
                             lambda name: name and self.app.open_document(name))

    def action_back(self) -> None:
        self.app.pop_screen()

    # -- codebook editing --------------------------------------------------------------------

    def _current_code(self):
        code = self.code_tree.current
        if code is None:
            self.notify("highlight a code in the tree first (tab to the tree)",
                        severity="warning")
        return code

    def _code_id(self, codebook: str, label: str) -> int | None:
        label = label.strip()
        if not label:
            return None
        for n in self.code_tree.codes.values():
            if n.codebook == codebook and n.label == label:
                return n.id
        raise ThemeqaError(f"no code {label!r} in codebook {codebook!r}")

    def action_add_code(self) -> None:
        cur = self.code_tree.current
        books = sorted({n.codebook for n in self.code_tree.codes.values()})
        fields = [
            ("codebook", "codebook", cur.codebook if cur else (books[0] if books else "")),
            ("parent", "parent label (empty: a superordinate theme)", cur.label if cur else ""),
            ("label", "label (e.g. 2c)", ""),
            ("name", "name", ""),
            ("definition", "definition", ""),
        ]

        def save(values: dict | None) -> None:
            if not values:
                return
            try:
                parent_id = self._code_id(values["codebook"], values["parent"])
            except ThemeqaError as exc:
                self.notify(str(exc), severity="error")
                return
            self._after(lambda: self.services.add_code(
                codebook=values["codebook"].strip(), label=values["label"].strip(),
                name=values["name"].strip(), parent_id=parent_id,
                definition=values["definition"].strip()))

        self.app.push_screen(FormScreen("Add a code", fields), save)

    def action_rename_code(self) -> None:
        code = self._current_code()
        if code is None:
            return
        fields = [("label", "label", code.label), ("name", "name", code.name),
                  ("definition", "definition", code.definition),
                  ("include", "include notes", code.include),
                  ("exclude", "exclude notes", code.exclude)]

        def save(values: dict | None) -> None:
            if not values:
                return
            changed = {k: v.strip() for k, v in values.items() if v.strip() != getattr(code, k)}
            if changed:
                # the version shown: if someone edited the code meanwhile, the edit is
                # refused ("changed by amira since you opened it") and the tree reloads
                self._after(self.services.update_code, code.id,
                            expected_version=code.version, **changed)

        self.app.push_screen(FormScreen(f"Edit {code.label} {code.name}", fields), save)

    def action_move_code(self) -> None:
        code = self._current_code()
        if code is None:
            return
        parent = self.code_tree.codes.get(code.parent_id)
        fields = [("parent", "new parent label (empty: top level)", parent.label if parent else ""),
                  ("position", "position among its siblings (0 = first; empty = last)", "")]

        def save(values: dict | None) -> None:
            if not values:
                return
            try:
                parent_id = self._code_id(code.codebook, values["parent"])
                pos = values["position"].strip()
                position = int(pos) if pos else None
            except (ThemeqaError, ValueError) as exc:
                self.notify(str(exc), severity="error")
                return
            self._after(lambda: self.services.move_code(code.id, parent_id=parent_id,
                                                        position=position,
                                                        expected_version=code.version))

        self.app.push_screen(FormScreen(f"Move {code.label} {code.name}", fields), save)

    def action_merge_code(self) -> None:
        source = self._current_code()
        if source is None:
            return
        others = [n for n in self.code_tree.codes.values() if n.id != source.id]

        def confirm(target_id) -> None:
            if target_id is None:
                return
            target = self.code_tree.codes[target_id]
            usage = self._call(self.services.code_usage, source.id)
            if usage is _FAILED:
                return
            self.app.push_screen(
                ConfirmScreen(f"Merge {source.label} {source.name} into {target.label} "
                              f"{target.name}? Its {usage} coding(s) move to {target.label}."),
                lambda yes: yes and self._merge(source.id, target_id),
            )

        self.app.push_screen(PickerScreen(f"Merge {source.label} {source.name} into…",
                                          code_candidates(others)), confirm)

    def _merge(self, source_id: int, target_id: int) -> None:
        def merged(moved: int) -> None:
            self.notify(f"merged; {moved} coding(s) moved")
            self.reload()

        merge = self.services.merge_codes
        self._write(lambda: merge(source_id, target_id), done=merged)

    def action_delete_code(self) -> None:
        code = self._current_code()
        if code is None:
            return
        usage = self._call(self.services.code_usage, code.id)
        if usage is _FAILED:
            return

        def delete(yes: bool) -> None:
            if yes:
                def deleted(gone: int) -> None:
                    self.notify(f"deleted {code.label} {code.name} and {gone} coding(s)")
                    self.reload()

                delete = self.services.delete_code
                self._write(lambda: delete(code.id), done=deleted)

        self.app.push_screen(
            ConfirmScreen(f"Delete {code.label} {code.name} and its sub-codes? "
                          f"{usage} coding(s) of them will be deleted (ctrl+z undoes)."),
            delete,
        )

    def action_finish_check(self) -> None:
        """Coder B says this document is finished: agreement covers finished documents."""
        finish, doc = self.services.finish_check_document, self.document_name

        def marked(progress: str) -> None:
            self.notify(f"{doc} finished: {progress}", timeout=6)

        self._write(lambda: finish(doc), done=marked)

    def action_toggle_blind(self) -> None:
        on = not self.blind
        set_blind = self.services.set_blind

        def switched(_) -> None:
            self.notify(f"blind mode {'on' if on else 'off'}")
            self.reload()

        self._write(lambda: set_blind(on), done=switched)
