"""Issue 22: the coding screen in a default 80x24 terminal, and the keys a newcomer predicts.

The newcomer's path, by keyboard alone and without resizing: open a transcript, code five
turns (a subordinate theme typed by its label), see each coding, undo one, then read the
agreement and tallies numbers.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static
from tui_helpers import documents_loaded, drain, make_app, open_coding, settle, wait_for

from themeqa.services.codings import list_codings
from themeqa.services.project import open_project
from themeqa.services.settings import tui_layout
from themeqa.tui.components.coding_screen import CodingScreen
from themeqa.tui.components.picker import PickerScreen

SMALL = (80, 24)


def codings_of(project_dir, document: str, coder: str = "amira") -> list:
    p = open_project(project_dir)
    try:
        return list_codings(p, document=document, coder=coder)
    finally:
        p.close()


def line(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


@pytest.mark.asyncio
async def test_text_keeps_most_of_80_columns_and_panels_toggle(demo_copy):
    app = make_app(demo_copy)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_coding(pilot, "S2_focus")
        text, tree, side = screen.doc_view, screen.code_tree, screen.query_one("#side")
        assert tree.display and not side.display  # side panel hidden below 100 columns
        assert text.size.width >= 0.6 * 80, text.size.width
        assert line(screen, "#here-line").startswith("here")
        await pilot.press("left_curly_bracket")  # hide the tree: the text takes the width
        assert not tree.display and text.size.width >= 75
        await pilot.press("right_curly_bracket")  # show the side panel
        await drain(pilot)
        assert side.display and not screen.query_one("#here-line").display
    # remembered for this coder in this project, and used when the screen opens again
    p = open_project(demo_copy)
    try:
        assert tui_layout(p, "amira") == {"tree": False, "side": True}
        assert tui_layout(p, "ben") == {}
    finally:
        p.close()
    app = make_app(demo_copy)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_coding(pilot, "S2_focus")
        assert not screen.code_tree.display and screen.query_one("#side").display


@pytest.mark.asyncio
async def test_panels_follow_the_terminal_width(demo_dir):
    for size, side_shown, share in (((120, 36), True, 0.45), ((200, 60), True, 0.55)):
        app = make_app(demo_dir)
        async with app.run_test(size=size) as pilot:
            screen = await open_coding(pilot, "S2_focus")
            assert screen.query_one("#side").display is side_shown
            assert screen.doc_view.size.width >= share * size[0], (size, screen.doc_view.size)


@pytest.mark.asyncio
async def test_tab_goes_text_tree_side(demo_dir):
    app = make_app(demo_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_coding(pilot, "S2_focus")
        assert app.focused is screen.doc_view
        await pilot.press("tab")
        assert app.focused is screen.code_tree
        await pilot.press("tab")
        assert app.focused is screen.query_one("#side")


@pytest.mark.asyncio
async def test_digits_type_a_label_and_alt_digits_apply_recent_codes(demo_copy):
    doc = "S2_focus_group.txt"
    app = make_app(demo_copy)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_coding(pilot, "S2_focus")
        await pilot.press("u")
        first = screen.doc_view.selected_span
        await pilot.press("1")  # theme 1, not "the most recent code"
        assert "1 Weak imagery ability" in line(screen, "#recent-row")
        await pilot.press("enter")
        await drain(pilot)
        await pilot.press("u")
        second = screen.doc_view.selected_span
        await pilot.press("2", "a")
        assert line(screen, "#recent-row").startswith("enter applies ■ 2a")
        await pilot.press("enter")
        await drain(pilot)
        await pilot.press("u")
        third = screen.doc_view.selected_span
        await pilot.press("colon", *"F2a", "enter")
        await drain(pilot)
        row = line(screen, "#recent-row")
        assert "alt+1 ■ F2a" in row and "alt+2 ■ 2a" in row and "alt+3 ■ 1 " in row
        await pilot.press("u")
        fourth = screen.doc_view.selected_span
        await pilot.press("alt+3")  # recent code 3: theme 1
        await drain(pilot)
        await pilot.press("u", "9", "escape")  # Esc leaves the label box, applies nothing
        assert isinstance(app.screen, CodingScreen) and app.focused is screen.doc_view
        await pilot.press("colon", "F", "enter")  # only a prefix of F1…F5: asks which
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("escape")
    rows = {(c.start, c.end, c.code_label) for c in codings_of(demo_copy, doc)}
    assert {(*first, "1"), (*second, "2a"), (*third, "F2a"), (*fourth, "1")} <= rows


@pytest.mark.asyncio
async def test_next_uncoded_decides_from_my_own_layer(demo_dir):
    """ben has coded S2 too; amira's ``u`` must stop at turns only ben coded."""
    app = make_app(demo_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_coding(pilot, "S2_focus")
        mine = [c for c in screen.state.codings if c.coder == "amira"]
        others = [c for c in screen.state.codings if c.coder != "amira"]
        assert others, "the demo should show ben's codings to amira (not blind)"
        stops = []
        for _ in range(60):
            before = screen.doc_view.selected_span
            await pilot.press("u")
            span = screen.doc_view.selected_span
            if span == before:
                break
            stops.append(span)
        assert stops
        for a, b in stops:
            assert not [c for c in mine if c.start < b and c.end > a]
        only_ben = [t for t in screen.state.document.turns if t.role == "participant"
                    and not [c for c in mine if c.start < t.end and c.end > t.content_start]
                    and [c for c in others if c.start < t.end and c.end > t.content_start]]
        assert (not only_ben) or any((t.content_start, t.end) in stops for t in only_ben)


@pytest.mark.asyncio
async def test_tree_cursor_kept_after_a_codebook_edit(demo_copy):
    app = make_app(demo_copy)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_coding(pilot, "S2_focus")
        await pilot.press("tab", "down", "down", "down", "down", "down")
        code = screen.code_tree.current
        assert code is not None and code.label == "2b"
        v = screen.version
        await pilot.press("R")  # edit its definition
        await pilot.pause()
        await pilot.press("tab", "tab", "end", *" (edited)", "ctrl+s")
        await drain(pilot)
        await settle(pilot, screen, v)
        assert screen.code_tree.current is not None
        assert screen.code_tree.current.label == "2b"


@pytest.mark.asyncio
async def test_newcomer_codes_five_turns_at_80x24_by_keyboard(demo_copy):
    doc = "S4_focus_group.txt"
    before = {c.id for c in codings_of(demo_copy, doc)}
    app = make_app(demo_copy)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_coding(pilot, "S4_focus")
        labels = ["2a", "3b", "F1", "2a", "E1"]
        spans = []
        for label in labels:
            await pilot.press("u")
            spans.append(screen.doc_view.selected_span)
            keys = list(label) if label[0].isdigit() else ["colon", *label]
            await pilot.press(*keys, "enter")
            await drain(pilot)
            # seen: the "here" line (side panel hidden at 80 columns) names the code
            await pilot.press("left")
            await pilot.press("right")
            assert f"■ {label} " in line(screen, "#here-line"), line(screen, "#here-line")
        rows = [(c.start, c.end, c.code_label) for c in codings_of(demo_copy, doc)
                if c.id not in before]
        assert sorted(rows) == sorted((*s, lab) for s, lab in zip(spans, labels, strict=True))
        v = screen.version
        await pilot.press("ctrl+z")  # undo the last one
        await settle(pilot, screen, v)
        await drain(pilot)
        assert (*spans[-1], "E1") not in {(c.start, c.end, c.code_label)
                                          for c in screen.state.codings}
        await pilot.press("escape")
        await documents_loaded(pilot)
        # agreement numbers, visible without resizing: the table is on screen, not a chart
        await pilot.press("A")
        agree = app.screen
        await wait_for(pilot, lambda: agree.loads >= 1, "the agreement table", tries=1200)
        grid = agree.query_one("#agree-table", DataTable)
        assert grid.row_count > 5 and grid.size.width >= 70 and grid.size.height >= 8
        await pilot.press("escape", "T")
        tallies = app.screen
        await wait_for(pilot, lambda: tallies.loads >= 1, "the tallies table")
        grid = tallies.query_one("#tally-table", DataTable)
        assert grid.row_count > 5 and grid.size.width >= 70 and grid.size.height >= 8
    rows = [(c.start, c.end, c.code_label) for c in codings_of(demo_copy, doc)
            if c.id not in before]
    assert sorted(rows) == sorted((*s, lab) for s, lab in zip(spans[:-1], labels[:-1],
                                                              strict=True))
