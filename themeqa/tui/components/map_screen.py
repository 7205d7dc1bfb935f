"""The thematic map as a navigable tree, and the review list of a theme's extracts.

Why a tree in the terminal: it is the map's hierarchy with the numbers a reviewer weighs —
participants (roll-up), sessions, codings — and a text marker (never colour alone) on themes
with few participants or one session. Enter opens every extract of the theme for review
(with participant and condition) and its review memo; ``s``/``g`` write the map as SVG or
Graphviz ``.dot``; ``v`` saves a named codebook version; ``p`` enters an analysis phase.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Header, ListItem, ListView, Static, Tree

from themeqa.errors import ThemeqaError
from themeqa.tui.actions import bindings_for
from themeqa.tui.components.key_footer import KeyFooter

__all__ = ["MapScreen", "ReviewScreen"]


def _label(node) -> str:
    if node.kind == "codebook":
        return f"[b]{node.name}[/b]"
    text = (f"{node.label} {node.name}  [dim]n={node.participants} · "
            f"{node.sessions} session{'s' if node.sessions != 1 else ''} · "
            f"{node.codings} codings[/dim]")
    if node.marker:
        text += f"  [reverse] ⚑ {node.marker} [/reverse]"
    return text


class MapScreen(Screen):
    BINDINGS = bindings_for("map")
    CSS_PATH = "search.tcss"
    name_for_help = "map"

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list = []
        self.loads = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("drawing the map…", id="map-title")
        yield Tree("Thematic map", id="map-tree")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#map-tree", Tree).focus()
        self.load()

    def on_screen_resume(self) -> None:
        if self.loads:
            self.load()

    @work(thread=True, exclusive=True, group="map")
    def load(self) -> None:
        try:
            nodes = self.app.services.thematic_map()
            phase = self.app.services.current_phase()
        except ThemeqaError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._show, nodes, phase)

    def _failed(self, message: str) -> None:
        self.query_one("#map-title", Static).update(message)
        self.loads += 1

    def _show(self, nodes: list, phase) -> None:
        self.nodes = nodes
        phase_text = (f"phase: {phase.phase} (since {phase.entered_at[:10]})" if phase
                      else "phase: not set (p)")
        self.query_one("#map-title", Static).update(
            f"{phase_text} · enter: review a theme · s/g: save SVG/.dot · v: save version")
        tree = self.query_one("#map-tree", Tree)
        tree.clear()
        tree.show_root = False

        def add(parent, node) -> None:
            if node.children:
                branch = parent.add(_label(node), data=node, expand=True)
                for ch in node.children:
                    add(branch, ch)
            else:
                parent.add_leaf(_label(node), data=node)

        for n in nodes:
            add(tree.root, n)
        tree.root.expand()
        self.loads += 1

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        event.stop()
        if event.node.data is not None and not event.node.children:
            self.action_review()

    def _current(self):
        node = self.query_one("#map-tree", Tree).cursor_node
        return node.data if node is not None else None

    def action_review(self) -> None:
        node = self._current()
        if node is None or node.kind != "theme":
            return
        self.app.push_screen(ReviewScreen(node.key, node.title))

    def action_export(self, fmt: str) -> None:
        try:
            path = self.app.services.export_map(fmt)
        except (ThemeqaError, OSError, ValueError) as exc:
            self.app.notify(str(exc), severity="error")
            return
        self.app.notify(f"wrote {path}")

    def action_save_version(self) -> None:
        from themeqa.tui.components.prompt import PromptScreen

        def named(name: str | None) -> None:
            if not name:
                return
            try:
                v = self.app.services.save_version(name)
            except ThemeqaError as exc:
                self.app.notify(str(exc), severity="error")
                return
            self.app.notify(f"saved codebook version {v.name!r} ({v.codes} codes)")

        self.app.push_screen(PromptScreen("Name of this codebook version"), named)

    def action_set_phase(self) -> None:
        from themeqa.tui.components.picker import PickerScreen
        from themeqa.tui.fuzzy import Candidate

        phases = self.app.services.phase_names()
        candidates = [Candidate(p, str(i), p) for i, p in enumerate(phases, 1)]

        def chosen(phase) -> None:
            if phase:
                self.app.services.set_phase(phase)
                self.load()

        self.app.push_screen(PickerScreen("Enter analysis phase", candidates), chosen)

    def action_back(self) -> None:
        self.app.pop_screen()


class ReviewScreen(Screen):
    """All coded extracts of one theme (roll-up), to judge its coherence, and its memo."""

    BINDINGS = bindings_for("review")
    CSS_PATH = "search.tcss"
    name_for_help = "review"

    def __init__(self, code: str, title: str) -> None:
        super().__init__()
        self.code = code
        self.title_text = title
        self.extracts: list = []
        self.loads = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self.title_text, id="review-title")
        yield ListView(id="review-list")
        yield Static("", id="review-memo")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#review-list", ListView).focus()
        self.load()

    @work(thread=True, exclusive=True, group="review")
    def load(self) -> None:
        try:
            extracts = self.app.services.review_extracts(self.code)
            memo = self.app.services.theme_memo(self.code)
        except ThemeqaError as exc:
            self.app.call_from_thread(self.app.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._show, extracts, memo)

    def _show(self, extracts: list, memo: str) -> None:
        self.extracts = extracts
        people = len({e.participant for e in extracts if e.participant})
        self.query_one("#review-title", Static).update(
            f"{self.title_text} · {len(extracts)} extracts from {people} participants · "
            "m: review memo · enter: open in the document")
        lv = self.query_one("#review-list", ListView)
        lv.clear()
        for e in extracts:
            who = f"({e.participant or '?'}, {e.condition or '?'})"
            text = " ".join(e.text.split())
            lv.append(ListItem(Static(f"[b]{e.code}[/b] {who} [dim]{e.document} · "
                                      f"{e.coder}[/dim]\n{text}", markup=True)))
        self.query_one("#review-memo", Static).update(
            f"memo: {memo}" if memo else "memo: (none — m to write the review decision)")
        self.loads += 1

    def action_memo(self) -> None:
        from themeqa.tui.components.prompt import PromptScreen

        def written(text: str | None) -> None:
            if text is None:
                return
            self.app.services.set_theme_memo(self.code, text)
            self.load()

        self.app.push_screen(PromptScreen(f"Review memo for {self.title_text}",
                                          self.app.services.theme_memo(self.code)), written)

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        event.stop()
        self.action_open_extract()

    def action_open_extract(self) -> None:
        lv = self.query_one("#review-list", ListView)
        if lv.index is None or lv.index >= len(self.extracts):
            return
        e = self.extracts[lv.index]
        self.app.open_document(e.document, at=(e.start, e.end))

    def action_back(self) -> None:
        self.app.pop_screen()
