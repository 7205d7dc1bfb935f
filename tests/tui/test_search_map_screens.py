"""Pilot tests: project search (hits, open, code from search, undo), words, thematic map,
theme review, and the journal quick-add — on a copy of the demo study."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static, Tree
from tui_helpers import documents_loaded, make_app, wait_for

from themeqa.services.codings import list_codings
from themeqa.services.project import open_project
from themeqa.services.search import SearchFilters, search
from themeqa.services.themes import journal, theme_memo
from themeqa.tui.components.coding_screen import CodingScreen
from themeqa.tui.components.map_screen import MapScreen, ReviewScreen
from themeqa.tui.components.search_screen import SearchScreen
from themeqa.tui.components.words_screen import WordsScreen


@pytest.mark.asyncio
async def test_search_shows_hits_opens_one_and_codes_them_in_one_step(demo_copy):
    app = make_app(demo_copy, coder="carol")
    async with app.run_test(size=(150, 40)) as pilot:
        await documents_loaded(pilot)
        await pilot.press("F")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await pilot.press(*"relax condition:I", "enter")
        await wait_for(pilot, lambda: screen.searches >= 1, "the search")
        project = open_project(demo_copy)
        try:
            expected = search(project, "relax", filters=SearchFilters(condition="I"))
        finally:
            project.close()
        grid = screen.query_one("#search-hits", DataTable)
        assert grid.row_count == len(expected) > 0
        assert [h.start for h in screen.hits] == [h.start for h in expected]
        # mark the first two hits and code them around the sentence
        await pilot.press("space", "down", "space")
        assert screen.marked == {0, 1}
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"E2", "enter")
        await pilot.pause()
        await pilot.press("enter")  # scope: sentence (the default answer)
        await wait_for(pilot, lambda: "new coding" in screen.last_message, "coding")
        project = open_project(demo_copy)
        try:
            rows = list_codings(project, coder="carol")
        finally:
            project.close()
        assert len(rows) == 2 and {r.code_label for r in rows} == {"E2"}
        for r, h in zip(sorted(rows, key=lambda r: r.start), expected[:2], strict=True):
            assert r.start <= h.start and h.end <= r.end
        # enter on a hit opens the coding screen with the hit selected
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CodingScreen)
                       and app.screen.loaded, "the coding screen")
        coding = app.screen
        hit = screen.hits[grid.cursor_row]
        assert coding.document_name == hit.document
        assert coding.doc_view.selected_span == (hit.start, hit.end)


@pytest.mark.asyncio
async def test_search_reports_a_bad_query_without_crashing(demo_copy):
    app = make_app(demo_copy)
    async with app.run_test(size=(120, 30)) as pilot:
        await documents_loaded(pilot)
        await pilot.press("F")
        screen = app.screen
        await pilot.press(*"( mode:regex", "enter")
        await wait_for(pilot, lambda: screen.searches >= 1, "the search")
        assert "regular expression" in screen.last_message


@pytest.mark.asyncio
async def test_words_screen_frequencies_then_keyness(demo_copy):
    app = make_app(demo_copy)
    async with app.run_test(size=(150, 40)) as pilot:
        await documents_loaded(pilot)
        await pilot.press("W")
        screen = app.screen
        assert isinstance(screen, WordsScreen)
        await wait_for(pilot, lambda: screen.loads >= 1, "word counts")
        assert screen.columns == ["condition", "word", "count", "per 1000"]
        assert {r[0] for r in screen.rows} == {"M", "I"}
        await pilot.press("k")
        await wait_for(pilot, lambda: screen.loads >= 2, "keyness")
        assert screen.columns[0] == "word" and screen.rows[0][3] > 0 > screen.rows[-1][3]
        await pilot.press("x")
        await pilot.pause()
        assert list((demo_copy / "reports").glob("*.xlsx"))


@pytest.mark.asyncio
async def test_map_review_memo_and_journal(demo_copy):
    app = make_app(demo_copy)
    async with app.run_test(size=(150, 45)) as pilot:
        await documents_loaded(pilot)
        await pilot.press("M")
        screen = app.screen
        assert isinstance(screen, MapScreen)
        await wait_for(pilot, lambda: screen.loads >= 1, "the map")
        tree = screen.query_one("#map-tree", Tree)
        # walk down to 2a (codebook, 1, 2, 2a)
        while tree.cursor_node is None or tree.cursor_node.data is None or \
                tree.cursor_node.data.key != "inhibitors::2a":
            await pilot.press("down")
        await pilot.press("r")
        review = app.screen
        assert isinstance(review, ReviewScreen)
        await wait_for(pilot, lambda: review.loads >= 1, "the extracts")
        assert review.extracts and all(e.code == "2a" for e in review.extracts)
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*"Coherent", "enter")
        await wait_for(pilot, lambda: review.loads >= 2, "the memo")
        assert "Coherent" in str(review.query_one("#review-memo", Static).render())
        await pilot.press("escape")
        await pilot.press("s")
        await pilot.pause()
        assert (demo_copy / "reports" / "thematic_map.svg").exists()
        await pilot.press("ctrl+j")
        await pilot.pause()
        await pilot.press(*"Felt pulled to see fear in I", "enter")
        await pilot.pause()
    project = open_project(demo_copy)
    try:
        assert theme_memo(project, "inhibitors::2a") == "Coherent"
        assert [e.text for e in journal(project)] == ["Felt pulled to see fear in I"]
    finally:
        project.close()


@pytest.mark.asyncio
async def test_suggestions_are_hints_applied_only_by_a_key(demo_copy):
    from tui_helpers import drain, open_coding

    from themeqa.tui.components.picker import PickerScreen

    project = open_project(demo_copy)
    try:
        before = {r.id for r in list_codings(project, coder="amira")}
    finally:
        project.close()
    app = make_app(demo_copy, coder="amira")
    async with app.run_test(size=(150, 40)) as pilot:
        await documents_loaded(pilot)
        screen = await open_coding(pilot, "S4_focus")
        await pilot.press("n", "n", "n")
        turn = screen.state.turn_at(screen.doc_view.cursor_offset)
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen), "the hints")
        assert 1 <= len(screen.suggestions) <= 3
        project = open_project(demo_copy)
        try:  # nothing was coded by showing hints
            assert {r.id for r in list_codings(project, coder="amira")} == before
        finally:
            project.close()
        first_label = screen.code_tree.codes[screen.suggestions[0].value].label
        await pilot.press("enter")
        await drain(pilot)
    project = open_project(demo_copy)
    try:
        new = [r for r in list_codings(project, coder="amira") if r.id not in before]
    finally:
        project.close()
    assert [(r.start, r.end) for r in new] == [(turn.content_start, turn.end)]
    assert new[0].code_label == first_label
