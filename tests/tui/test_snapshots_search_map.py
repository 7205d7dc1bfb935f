"""Snapshots of the project-search, words and thematic-map screens on the demo study.

Update deliberately: `pytest tests/tui/test_snapshots_search_map.py --snapshot-update`,
then look at the SVGs.
"""

from __future__ import annotations

from tui_helpers import documents_loaded, make_app, wait_for

SIZE = (150, 40)


def test_search_screen(snap_compare, demo_copy):
    async def run(pilot) -> None:
        await documents_loaded(pilot)
        await pilot.press("F", *"relax only:participants condition:M", "enter")
        screen = pilot.app.screen
        await wait_for(pilot, lambda: screen.searches >= 1, "the search")
        await pilot.pause()

    assert snap_compare(make_app(demo_copy), terminal_size=SIZE, run_before=run)


def test_thematic_map_screen(snap_compare, demo_copy):
    async def run(pilot) -> None:
        await documents_loaded(pilot)
        await pilot.press("M")
        screen = pilot.app.screen
        await wait_for(pilot, lambda: screen.loads >= 1, "the map")
        await pilot.pause()

    assert snap_compare(make_app(demo_copy), terminal_size=SIZE, run_before=run)


def test_words_screen(snap_compare, demo_copy):
    async def run(pilot) -> None:
        await documents_loaded(pilot)
        await pilot.press("W")
        screen = pilot.app.screen
        await wait_for(pilot, lambda: screen.loads >= 1, "the counts")
        await pilot.pause()

    assert snap_compare(make_app(demo_copy), terminal_size=SIZE, run_before=run)
