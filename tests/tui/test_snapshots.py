"""Snapshot tests (pytest-textual-snapshot) of the main screens on the demo study.

Update deliberately after a visual change, only for the screens that changed:
`pytest tests/tui/test_snapshots.py --snapshot-update -k NAME`, then look at the SVGs.
"""

from __future__ import annotations

from tui_helpers import documents_loaded, make_app, open_coding

SIZE = (150, 40)


async def _loaded(pilot) -> None:
    await documents_loaded(pilot)
    await pilot.pause()


async def _coding(pilot):
    screen = await open_coding(pilot, "S2_focus")
    screen.doc_view.cursor_blink = False
    # the fourth turn (P07), then into its first coding: overlapping codings in view
    await pilot.press("n", "n", "n", "n", "right_square_bracket")
    await pilot.pause()
    return screen


def test_documents_screen(snap_compare, demo_dir):
    assert snap_compare(make_app(demo_dir), terminal_size=SIZE, run_before=_loaded)


def test_coding_screen(snap_compare, demo_dir):
    assert snap_compare(make_app(demo_dir), terminal_size=SIZE, run_before=_coding)


def test_code_palette(snap_compare, demo_dir):
    async def palette(pilot) -> None:
        await _coding(pilot)
        await pilot.press("t", "c", *"unrel")
        await pilot.pause()

    assert snap_compare(make_app(demo_dir), terminal_size=SIZE, run_before=palette)


def test_help_screen(snap_compare, demo_dir):
    async def help_(pilot) -> None:
        await _coding(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(demo_dir), terminal_size=SIZE, run_before=help_)


def test_coding_screen_light_theme(snap_compare, demo_dir):
    async def light(pilot) -> None:
        pilot.app.theme = "textual-light"
        await _coding(pilot)

    assert snap_compare(make_app(demo_dir), terminal_size=SIZE, run_before=light)
