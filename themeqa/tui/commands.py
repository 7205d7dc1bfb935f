"""Textual's command palette (ctrl+p) lists every action of the open screen from ACTIONS,
and every document ("open S3_focus_group.txt").

Why built from ``tui/actions.py``: the palette, the key bindings and the help panel read one
table, so an action cannot be reachable by key but missing from the palette.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from themeqa.tui.actions import ACTIONS, key_label

__all__ = ["ActionsProvider", "DocumentsProvider"]


class ActionsProvider(Provider):
    def _actions(self):
        screen = self.screen
        name = getattr(screen, "name_for_help", None)
        for a in ACTIONS:
            if a.screen == "app":
                yield a, self.app
            elif a.screen == name:
                yield a, screen

    def _text(self, a) -> str:
        return f"{a.description} ({key_label(a.key)})"

    async def discover(self) -> Hits:
        for a, target in self._actions():
            yield DiscoveryHit(self._text(a), partial(target.run_action, a.action),
                               help=a.action)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for a, target in self._actions():
            text = self._text(a)
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(target.run_action, a.action),
                          help=a.action)


class DocumentsProvider(Provider):
    async def startup(self) -> None:
        worker = self.app.run_worker(
            lambda: self.app.services.documents(self.app.coder), thread=True)
        self._docs = await worker.wait()

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for d in self._docs:
            text = f"open {d.name}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(self.app.open_document, d.name),
                          help=f"{d.kind} · {d.session or ''} {d.timepoint or ''}")
