"""KeyFooter rebuilds only when the keys it shows change (and then shows the new ones)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Input

from themeqa.tui.components.key_footer import KeyFooter


class WithKey(Button):
    BINDINGS = [Binding("f5", "noop", "Special key")]

    def action_noop(self) -> None:
        pass


class Demo(App):
    BINDINGS = [Binding("f2", "noop", "Always")]

    def compose(self) -> ComposeResult:
        yield Input(id="a")
        yield Input(id="b")
        yield WithKey("x", id="c")
        yield KeyFooter()

    def action_noop(self) -> None:
        pass


def _shown(app: App) -> set[str]:
    from textual.widgets._footer import FooterKey

    return {k.description for k in app.query(FooterKey)}


@pytest.mark.asyncio
async def test_rebuilds_only_when_the_shown_keys_change() -> None:
    app = Demo()
    async with app.run_test() as pilot:
        footer = app.query_one(KeyFooter)
        await pilot.pause()
        assert "Always" in _shown(app) and "Special key" not in _shown(app)
        calls = []
        original = footer.recompose

        async def counting():
            calls.append(1)
            await original()

        footer.recompose = counting
        app.query_one("#b").focus()  # same keys shown: no rebuild
        await pilot.pause()
        assert calls == []
        app.query_one("#c").focus()  # a widget with its own shown key: rebuild
        await pilot.pause()
        assert calls and "Special key" in _shown(app)
        app.query_one("#a").focus()
        await pilot.pause()
        assert "Special key" not in _shown(app)
