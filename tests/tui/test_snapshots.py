"""Snapshot of the coding screen in the light theme (every screen at three sizes is in
test_snapshots_sizes.py).

Update deliberately after a visual change, only for the screens that changed:
`pytest tests/tui/test_snapshots.py --snapshot-update -k NAME`, then look at the SVGs.
"""

from __future__ import annotations

from tui_helpers import make_app, open_coding

SIZE = (150, 40)


async def _coding(pilot):
    screen = await open_coding(pilot, "S2_focus")
    screen.doc_view.cursor_blink = False
    # the fourth turn (P07), then into its first coding: overlapping codings in view
    await pilot.press("n", "n", "n", "n", "right_square_bracket")
    await pilot.pause()
    return screen


def test_coding_screen_light_theme(snap_compare, demo_dir):
    async def light(pilot) -> None:
        pilot.app.theme = "textual-light"
        await _coding(pilot)

    assert snap_compare(make_app(demo_dir), terminal_size=SIZE, run_before=light)
