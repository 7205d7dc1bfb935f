"""Snapshots of every screen at 80x24 (a default terminal), 120x36 and 200x60 (issue 22).

Each screen is opened with the keys a user would press on the demo study. A layout that
hides numbers, cuts a column or overlaps a chart at one of these sizes shows up here.
Update deliberately after a visual change, only for what changed:
`pytest tests/tui/test_snapshots_sizes.py --snapshot-update -k NAME`, then look at the SVGs.
"""

from __future__ import annotations

import pytest
from tui_helpers import documents_loaded, make_app, open_coding, wait_for

from themeqa.services.check_sample import create_check
from themeqa.services.project import open_project

SIZES = {"80x24": (80, 24), "120x36": (120, 36), "200x60": (200, 60)}


async def _documents(pilot) -> None:
    await documents_loaded(pilot)
    await pilot.pause()


async def _coding(pilot):
    screen = await open_coding(pilot, "S2_focus")
    screen.doc_view.cursor_blink = False
    # the fourth turn (P07), then into its first coding: overlapping codings in view
    await pilot.press("n", "n", "n", "n", "right_square_bracket")
    await pilot.pause()
    return screen


async def _label(pilot) -> None:
    screen = await _coding(pilot)
    await pilot.press("t", "2")
    screen.query_one("#label-input").cursor_blink = False
    await pilot.pause()


async def _palette(pilot) -> None:
    await _coding(pilot)
    await pilot.press("t", "c", *"unrel")
    await pilot.pause()


async def _help(pilot) -> None:
    await _coding(pilot)
    await pilot.press("question_mark")
    await pilot.pause()


def _loaded(key: str, then: tuple[str, ...] = ()):
    async def run(pilot) -> None:
        await documents_loaded(pilot)
        await pilot.press(key)
        screen = pilot.app.screen
        await wait_for(pilot, lambda: screen.loads >= 1, f"the screen of {key}", tries=1200)
        for k in then:
            await pilot.press(k)
            top = pilot.app.screen
            await wait_for(pilot, lambda top=top: getattr(top, "loads", 1) >= 1, k)
        # a screen may still be filling in (e.g. the agreement CIs) after its first load:
        # the picture is taken once every worker is done (the 80x24 agreement one raced)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    return run


async def _search(pilot) -> None:
    await documents_loaded(pilot)
    await pilot.press("F", *"relax only:participants condition:M", "enter")
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.searches >= 1, "the search")
    await pilot.pause()


async def _measures_import(pilot) -> None:
    from themeqa.tui.components.measures_import_screen import (
        ImportRequest,
        MeasuresImportScreen,
    )

    await documents_loaded(pilot)
    f = pilot.app.services.project_dir_path / "pss.csv"
    plan = pilot.app.services.preview_measures(f)  # writes nothing
    pilot.app.push_screen(MeasuresImportScreen(ImportRequest(f), plan))
    await pilot.pause()


SCREENS = {
    "documents": _documents,
    "coding": _coding,
    "label": _label,
    "palette": _palette,
    "help": _help,
    "agreement": _loaded("A"),
    "reconcile": _loaded("R"),
    "tallies": _loaded("T"),
    "quant": _loaded("Q"),
    "words": _loaded("W"),
    "map": _loaded("M"),
    "review": _loaded("M", ("r",)),
    "search": _search,
    "deidentify": _loaded("P"),
    "measures_import": _measures_import,
}


@pytest.fixture
def study(demo_copy):
    """The demo with a credibility check (so the queue has items) and a small measures file
    with near-miss ids (so the import review has something to show)."""
    project = open_project(demo_copy, actor="lead")
    try:
        create_check(project, coder_b="ben", coder_a="amira", sessions=["S2", "S5"],
                     name="pilot")
    finally:
        project.close()
    (demo_copy / "pss.csv").write_text("participant,pss_total\nP01,12\nP7,20\nX99,4\n",
                                       encoding="utf-8")
    return demo_copy


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, study, screen, size):
    app = make_app(study)
    app.services.project_dir_path = study
    assert snap_compare(app, terminal_size=SIZES[size], run_before=SCREENS[screen])
