"""Pilot tests: the app on the demo study, driven by keys as a coder would."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input
from tui_helpers import drain, make_app, needs, open_coding, settle, wait_for

from themeqa.services.codings import list_codings
from themeqa.services.project import open_project
from themeqa.tui.components.coding_screen import CodingScreen
from themeqa.tui.components.documents_screen import DocumentTable
from themeqa.tui.components.help_screen import HelpScreen
from themeqa.tui.components.side_panel import SidePanel


def codings_of(project_dir, document: str, coder: str = "amira") -> list:
    p = open_project(project_dir)
    try:
        return list_codings(p, document=document, coder=coder)
    finally:
        p.close()


@pytest.mark.asyncio
async def test_documents_listed_filtered_and_opened(demo_dir):
    app = make_app(demo_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("#documents", DocumentTable)
        await wait_for(pilot, lambda: table.row_count > 6, "documents")
        assert list(table.labels)[:6] == [
            "document", "session", "condition", "timepoint", "kind", "words"]
        await pilot.press("slash", *"S3_focus")
        assert app.screen.query_one("#filter", Input).value == "S3_focus"
        assert table.row_count == 1
        await pilot.press("enter", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CodingScreen) and app.screen.loaded,
                       "the coding screen")
        screen = app.screen
        assert screen.document_name == "S3_focus_group.txt"
        area = screen.doc_view
        assert area.read_only and area.text.startswith("Session S3")
        await pilot.press("n")
        assert area.cursor_offset == screen.state.document.turns[0].content_start
        await pilot.press("n", "p")
        assert area.cursor_offset == screen.state.document.turns[0].content_start
        await pilot.press("escape")
        assert not isinstance(app.screen, CodingScreen)


@pytest.mark.asyncio
async def test_help_panel_lists_the_screen_keys(demo_dir):
    app = make_app(demo_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_coding(pilot, "S1_focus")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = app.screen.query_one("#help-table", DataTable)
        keys = [rows.get_row_at(i)[0] for i in range(rows.row_count)]
        for key in ("c", "t", "s", "ctrl+z", "ctrl+y", "/", "]", "ctrl+q"):
            assert key in keys
        await pilot.press("escape")
        assert isinstance(app.screen, CodingScreen)


@pytest.mark.asyncio
async def test_select_turn_apply_code_via_palette(demo_copy):
    doc = "S2_focus_group.txt"
    before = {c.id for c in codings_of(demo_copy, doc)}
    app = make_app(demo_copy)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_coding(pilot, "S2_focus")
        turns = screen.state.document.turns
        second = turns[1]
        await pilot.press("n", "n", "t")  # to the second turn, select it
        assert screen.doc_view.selected_span == (second.content_start, second.end)
        await pilot.press("c", *"2a")
        await pilot.pause()
        await pilot.press("enter")
        await drain(pilot)
        side = screen.query_one("#side", SidePanel).plain
        assert "2a" in side and "Others are unreliable" in side
        assert screen.recent  # quick key 1 is now 2a
        assert screen.code_tree.codes[screen.recent[0]].label == "2a"
    new = [c for c in codings_of(demo_copy, doc) if c.id not in before]
    assert [(c.start, c.end, c.code_label, c.coder, c.layer) for c in new] == [
        (second.content_start, second.end, "2a", "amira", "coder")]
    # the coding is committed: a fresh app on the same project shows it under the cursor
    app = make_app(demo_copy)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_coding(pilot, "S2_focus")
        await pilot.press("n", "n")
        assert new[0].id in {c.id for c in screen.state.at(screen.doc_view.cursor_offset)}


@pytest.mark.asyncio
async def test_sentence_selection_quick_key_and_remove(demo_copy):
    doc = "S1_focus_group.txt"
    app = make_app(demo_copy)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_coding(pilot, "S1_focus")
        await pilot.press("n", "s")
        sent = screen.state.sentence_at(screen.state.document.turns[0].content_start)
        assert screen.doc_view.selected_span == sent
        await pilot.press("c", *"F1", "enter")
        await drain(pilot)
        await pilot.press("u")  # next uncoded participant turn, selected
        a, b = screen.doc_view.selected_span
        turn = screen.state.turn_at(a)
        assert (a, b) == (turn.content_start, turn.end) and turn.role == "participant"
        assert not screen.state.overlapping(a, b)
        await pilot.press("alt+1")  # recent code 1: the code just used
        await drain(pilot)
        rows = [(c.start, c.end, c.code_label) for c in codings_of(demo_copy, doc)]
        assert (sent[0], sent[1], "F1") in rows and (a, b, "F1") in rows
        await pilot.press("x")  # remove the coding at the cursor (just applied)
        await drain(pilot)
        rows = [(c.start, c.end, c.code_label) for c in codings_of(demo_copy, doc)]
        assert (a, b, "F1") not in rows and (sent[0], sent[1], "F1") in rows


@needs("undo", "undo")
@pytest.mark.asyncio
async def test_undo_redo_survive_restart(demo_copy):
    doc = "S2_focus_group.txt"
    before = {c.id for c in codings_of(demo_copy, doc)}
    app = make_app(demo_copy)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_coding(pilot, "S2_focus")
        await pilot.press("n", "t", "c", *"2a", "enter")
        await drain(pilot)
        added = [c for c in codings_of(demo_copy, doc) if c.id not in before]
        assert len(added) == 1
        key = (added[0].start, added[0].end, "2a")
        shown = lambda: {(c.start, c.end, c.code_label) for c in screen.state.codings}  # noqa: E731
        assert key in shown()
        v = screen.version
        await pilot.press("ctrl+z")
        await settle(pilot, screen, v)
        assert {c.id for c in codings_of(demo_copy, doc)} == before
        assert key not in shown()
    # redo after a restart: the undo history lives in the project, not in the app
    app = make_app(demo_copy)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_coding(pilot, "S2_focus")
        v = screen.version
        await pilot.press("ctrl+y")
        await settle(pilot, screen, v)
        rows = {(c.start, c.end, c.code_label) for c in codings_of(demo_copy, doc)}
        assert key in rows
        assert key in {(c.start, c.end, c.code_label) for c in screen.state.codings}
    app = make_app(demo_copy)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_coding(pilot, "S2_focus")
        v = screen.version
        await pilot.press("ctrl+z")
        await settle(pilot, screen, v)
    assert {c.id for c in codings_of(demo_copy, doc)} == before


@pytest.mark.asyncio
async def test_undo_patches_the_screen_without_a_reread(demo_copy):
    """ctrl+z / ctrl+y swap in just the touched codings; the result equals a full read."""
    doc = "S2_focus_group.txt"
    app = make_app(demo_copy)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_coding(pilot, "S2_focus")
        await pilot.press("n", "t", "c", *"2a", "enter")
        await drain(pilot)
        reloads = []
        original = screen.reload
        screen.reload = lambda: (reloads.append(1), original())  # type: ignore[method-assign]
        node = next(n for n in screen.code_tree.codes.values() if n.label == "2a")
        count = screen.code_tree.codes[node.id].codings

        def shown() -> list:
            return sorted((c.id, c.start, c.end, c.code_id, c.quote, c.memo)
                          for c in screen.state.codings)

        def stored() -> list:
            return sorted((c.id, c.start, c.end, c.code_id, c.quote, c.memo)
                          for c in app.services.codings(doc))

        for key, step in (("ctrl+z", -1), ("ctrl+y", +1)):
            v = screen.version
            await pilot.press(key)
            await settle(pilot, screen, v)
            assert shown() == stored()
            assert screen.code_tree.codes[node.id].codings == count + min(step, 0)
        assert reloads == []  # patched, not re-read
        # an undo of a codebook edit is re-read in full
        app.services.update_code(node.id, name="Renamed in a test")
        v = screen.version
        await pilot.press("ctrl+z")
        await settle(pilot, screen, v)
        await wait_for(pilot, lambda: reloads, "a full re-read")
        await wait_for(pilot, lambda: screen.code_tree.codes[node.id].name != "Renamed in a test",
                       "the old name back")


@needs("codebook_edit", "merge_codes")
@pytest.mark.asyncio
async def test_merge_two_codes(demo_copy):
    p = open_project(demo_copy)
    try:
        all_rows = list_codings(p)
    finally:
        p.close()
    n_2a = sum(1 for c in all_rows if c.code_label == "2a")
    n_2b = sum(1 for c in all_rows if c.code_label == "2b")
    assert n_2a and n_2b
    app = make_app(demo_copy)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_coding(pilot, "S2_focus")
        tree = screen.code_tree
        tree.select_code(next(i for i, n in tree.codes.items() if n.label == "2b"))
        v = screen.version
        await pilot.press("M", *"2a", "enter")
        await pilot.pause()
        await pilot.press("y")
        await drain(pilot)
        await settle(pilot, screen, v)
        assert "2b" not in {n.label for n in screen.code_tree.codes.values()}
    p = open_project(demo_copy)
    try:
        labels = [c.code_label for c in list_codings(p)]
    finally:
        p.close()
    assert labels.count("2a") == n_2a + n_2b and "2b" not in labels


@needs("settings", "set_blind")
@pytest.mark.asyncio
async def test_blind_mode_hides_the_other_coder(demo_copy):
    from themeqa.services import settings

    async def coders_seen_by(viewer: str) -> set[str]:
        app = make_app(demo_copy, coder=viewer)
        async with app.run_test(size=(140, 40)) as pilot:
            screen = await open_coding(pilot, "S2_focus")
            return {c.coder for c in screen.state.codings}

    p = open_project(demo_copy)
    try:
        settings.set_coder_role(p, "amira", "lead", actor="amira")
    finally:
        p.close()
    assert await coders_seen_by("ben") == {"amira", "ben"}  # ben double-coded S2
    p = open_project(demo_copy)
    try:
        settings.set_blind(p, True, actor="amira")
    finally:
        p.close()
    assert await coders_seen_by("ben") == {"ben"}
    assert await coders_seen_by("amira") == {"amira", "ben"}  # the lead sees every layer


@pytest.mark.asyncio
async def test_command_palette_lists_every_action_of_the_screen(demo_dir):
    from themeqa.tui.actions import ACTIONS
    from themeqa.tui.commands import ActionsProvider

    app = make_app(demo_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_coding(pilot, "S1_focus")
        provider = ActionsProvider(screen)
        listed = {hit.help async for hit in provider.discover()}
        expected = {a.action for a in ACTIONS if a.screen in ("coding", "app")}
        assert listed == expected
        found = [hit async for hit in provider.search("undo your last")]
        assert found and found[0].help == "undo"
        # running a palette hit runs the action: "select the turn at the cursor"
        await pilot.press("n")
        hits = [h async for h in provider.search("select the turn")]
        await hits[0].command()
        await pilot.pause()
        turn = screen.state.document.turns[0]
        assert screen.doc_view.selected_span == (turn.content_start, turn.end)


@pytest.mark.asyncio
async def test_search_jump_to_speaker_quote_and_memo(demo_copy):
    from themeqa.services.codings import document_codings

    doc = "S2_focus_group.txt"
    app = make_app(demo_copy)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_coding(pilot, "S2_focus")
        text = screen.state.text
        await pilot.press("slash", *"CABIN", "enter")
        await pilot.pause()
        a, b = screen.doc_view.selected_span
        assert (a, b) == (text.casefold().index("cabin"), text.casefold().index("cabin") + 5)
        await pilot.press("j", *"P05", "enter")
        await pilot.pause()
        p05 = [t for t in screen.state.document.turns if t.participant == "P05"]
        first = next(t for t in p05 if t.content_start > a)
        assert screen.doc_view.cursor_offset == first.content_start
        await pilot.press("n")
        assert screen.doc_view.cursor_offset == next(
            t for t in p05 if t.content_start > first.content_start).content_start
        # code the next uncoded turn, flag it as a quote, give it a memo
        await pilot.press("u", "c", *"E3", "enter")
        await drain(pilot)
        v = screen.version
        await pilot.press("q")
        await drain(pilot)
        await settle(pilot, screen, v)
        v = screen.version
        await pilot.press("m", *"hard to start", "enter")
        await drain(pilot)
        await settle(pilot, screen, v)
        side = screen.query_one("#side", SidePanel).plain
        assert "quote" in side and "hard to start" in side
    p = open_project(demo_copy)
    try:
        mine = [c for c in document_codings(p, doc, viewer="amira")
                if c.code_label == "E3" and c.coder == "amira" and c.memo == "hard to start"]
    finally:
        p.close()
    assert len(mine) == 1 and mine[0].quote


@pytest.mark.asyncio
async def test_d_marks_the_document_finished_in_its_check(demo_copy):
    """Issue 19: coder B marks a sampled document finished from the coding screen."""
    from themeqa.services.check_done import check_progress
    from themeqa.services.check_sample import create_check

    p = open_project(demo_copy)
    try:
        create_check(p, coder_b="ben", coder_a="amira", sessions=["S2", "S5"], name="pilot")
    finally:
        p.close()

    def finished() -> list[str]:
        q = open_project(demo_copy)
        try:
            scope = check_progress(q, "pilot")
            return [d.name for d in scope.finished] if scope.rule == "marked" else []
        finally:
            q.close()

    app = make_app(demo_copy, coder="ben")
    async with app.run_test(size=(140, 40)) as pilot:
        await open_coding(pilot, "S2_focus")
        await pilot.press("d")
        await wait_for(pilot, lambda: finished() == ["S2_focus_group.txt"], "the mark")
