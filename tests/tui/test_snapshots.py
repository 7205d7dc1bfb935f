"""Snapshot tests (pytest-textual-snapshot) of the main screens on the demo study.

Update deliberately after a visual change: `pytest tests/tui --snapshot-update`.
"""

from __future__ import annotations

from textual.widgets import DataTable

from themeqa.tui.app import ThemeqaApp
from themeqa.tui.gateway import ServicesGateway


async def _loaded(pilot) -> None:
    table = pilot.app.screen.query_one("#documents", DataTable)
    for _ in range(200):
        if table.row_count:
            break
        await pilot.pause(0.05)
    await pilot.pause()


def test_documents_screen(snap_compare, demo_dir):
    app = ThemeqaApp(ServicesGateway(demo_dir, None, "amira"), "amira")
    assert snap_compare(app, terminal_size=(130, 36), run_before=_loaded)


def test_document_screen(snap_compare, demo_dir):
    app = ThemeqaApp(ServicesGateway(demo_dir, None, "amira"), "amira")

    async def open_s2(pilot) -> None:
        await _loaded(pilot)
        await pilot.press("slash", *"S2_focus", "enter", "enter")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(130, 36), run_before=open_s2)


def test_help_screen(snap_compare, demo_dir):
    app = ThemeqaApp(ServicesGateway(demo_dir, None, "amira"), "amira")

    async def help_(pilot) -> None:
        await _loaded(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(130, 36), run_before=help_)
