"""Pilot tests: the app on the demo study, driven by keys as a coder would."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, TextArea

from themeqa.tui.app import ThemeqaApp
from themeqa.tui.components.document_screen import DocumentScreen
from themeqa.tui.components.help_screen import HelpScreen
from themeqa.tui.gateway import ServicesGateway


def make_app(project_dir) -> ThemeqaApp:
    return ThemeqaApp(ServicesGateway(project_dir, None, "amira"), "amira")


async def _wait_rows(pilot, table: DataTable, at_least: int = 1) -> None:
    for _ in range(100):
        if table.row_count >= at_least:
            return
        await pilot.pause(0.05)
    raise AssertionError("documents never loaded")


@pytest.mark.asyncio
async def test_documents_listed_filtered_and_opened(demo_dir):
    app = make_app(demo_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("#documents", DataTable)
        await _wait_rows(pilot, table, 6)
        total = table.row_count
        assert total > 6  # six transcripts plus written responses
        await pilot.press("slash", *"S3_focus")
        assert app.screen.query_one("#filter", Input).value == "S3_focus"
        assert table.row_count == 1
        await pilot.press("enter")  # from the filter back to the table
        await pilot.press("enter")  # open the document
        await pilot.pause()
        assert isinstance(app.screen, DocumentScreen)
        assert app.screen.document.name == "S3_focus_group.txt"
        area = app.screen.query_one("#doc-text", TextArea)
        assert area.read_only and area.text.startswith("Session S3")
        await pilot.press("n")
        here = area.document.get_index_from_location(area.cursor_location)
        assert here == app.screen.document.turns[0].content_start
        await pilot.press("escape")
        assert not isinstance(app.screen, DocumentScreen)


@pytest.mark.asyncio
async def test_help_panel_lists_the_screen_keys(demo_dir):
    app = make_app(demo_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = app.screen.query_one("#help-table", DataTable)
        keys = [rows.get_row_at(i)[0] for i in range(rows.row_count)]
        assert "/" in keys and "ctrl+q" in keys
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
