"""Pilot tests of the documents screen on a project with more documents than a screenful.

Issue 4: the list must arrive whole (not only a first screenful), filtering must give the
right rows whenever it is typed, and names are shown as they are (never read as markup).
Speed is measured in bench/bench_tui.py, not here.
"""

from __future__ import annotations

import csv

import pytest
from textual.widgets import Static
from tui_helpers import documents_loaded, make_app, wait_for

from themeqa.services.documents import list_documents
from themeqa.services.project import open_project
from themeqa.tui.components.coding_screen import CodingScreen
from themeqa.tui.components.documents_screen import DocumentTable

N_PEOPLE = 27  # x 5 questions = 135 documents: more than a screenful (and than 100)
N_DOCS = N_PEOPLE * 5


@pytest.fixture(scope="module")
def many_dir(tmp_path_factory):
    """135 written answers from a file whose name holds brackets (markup if misread)."""
    from themeqa.services.importing import import_files
    from themeqa.services.participants import import_participants

    root = tmp_path_factory.mktemp("many")
    (root / "participants.csv").write_text(
        "id,condition,session,timepoints\n"
        + "".join(f"P{i:03d},{'MI'[i % 2]},S{i % 4 + 1},initial\n"
                  for i in range(1, N_PEOPLE + 1)), encoding="utf-8")
    answers = root / "answers [v2].csv"
    with answers.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["participant", "q1", "q2", "q3", "q4", "q5"])
        for i in range(1, N_PEOPLE + 1):
            w.writerow([f"P{i:03d}", *(f"Answer {q} of person {i}, calm and warm."
                                       for q in range(1, 6))])
    project = open_project(root / "project", create=True, actor="amira")
    try:
        import_participants(project, root / "participants.csv")
        import_files(project, [answers], timepoint="initial", kind="written")
    finally:
        project.close()
    return root / "project"


def names_in_order(project_dir) -> list[str]:
    p = open_project(project_dir)
    try:
        return [d.name for d in list_documents(p, coder="amira")]
    finally:
        p.close()


def shown(table: DocumentTable) -> list[str]:
    return [table.key_at(i) for i in range(table.row_count)]


def status(app) -> str:
    return str(app.screen.query_one("#status", Static).render())


@pytest.mark.asyncio
async def test_every_document_arrives_in_service_order(many_dir):
    expected = names_in_order(many_dir)
    assert len(expected) == N_DOCS
    app = make_app(many_dir)
    async with app.run_test(size=(120, 30)) as pilot:
        await documents_loaded(pilot)
        table = app.screen.query_one("#documents", DocumentTable)
        await wait_for(pilot, lambda: table.row_count == N_DOCS, "every document")
        await pilot.pause()
        assert shown(table) == expected
        assert status(app).startswith(f"{N_DOCS} of {N_DOCS} documents")
        # the last one is reachable with End (the table scrolls) and opens with Enter
        await pilot.press("end")
        assert table.cursor_row == N_DOCS - 1
        assert table.scroll_offset.y > 0
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CodingScreen), "the coding screen")
        assert app.screen.document_name == expected[-1]


@pytest.mark.asyncio
async def test_filter_typed_before_the_list_arrives_still_applies(many_dir):
    expected = [n for n in names_in_order(many_dir) if "q5" in n.casefold()]
    app = make_app(many_dir)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("slash", "Q", "5")  # at once: the list is still being read
        table = app.screen.query_one("#documents", DocumentTable)
        await wait_for(pilot, lambda: table.row_count > 0, "the filtered list")
        await pilot.pause()
        assert shown(table) == expected
        assert status(app).startswith(f"{N_PEOPLE} of {N_DOCS} documents")
        # every typed word must match (any case); Escape brings every document back
        await pilot.press("space", *"p001")
        assert shown(table) == [n for n in expected if "P001" in n]
        await pilot.press("escape")
        assert table.row_count == N_DOCS and table.has_focus


@pytest.mark.asyncio
async def test_names_are_shown_literally_and_rows_open_by_click(many_dir):
    first = names_in_order(many_dir)[:3]
    assert first[0].startswith("answers [v2].csv#")
    app = make_app(many_dir)
    async with app.run_test(size=(120, 30)) as pilot:
        await documents_loaded(pilot)
        table = app.screen.query_one("#documents", DocumentTable)
        assert table.render_line(0).text.split()[:2] == ["document", "session"]
        assert table.render_line(1).text.lstrip().startswith(first[0])
        # a click moves the cursor to a row; a click on the cursor row opens it
        await pilot.click("#documents", offset=(3, 3))
        assert table.cursor_row == 2
        assert not isinstance(app.screen, CodingScreen)
        await pilot.click("#documents", offset=(3, 3))
        await wait_for(pilot, lambda: isinstance(app.screen, CodingScreen), "the coding screen")
        assert app.screen.document_name == first[2]


@pytest.mark.asyncio
async def test_keys_move_the_cursor_and_reload_keeps_it(many_dir):
    names = names_in_order(many_dir)
    app = make_app(many_dir)
    async with app.run_test(size=(120, 30)) as pilot:
        await documents_loaded(pilot)
        table = app.screen.query_one("#documents", DocumentTable)
        await pilot.press("down", "down", "pagedown")
        assert table.cursor_row - 2 == table.size.height - 1  # a page: the rows on screen
        await pilot.press("up")
        row = table.cursor_row
        # the cursor row stays on screen (the header takes the first line)
        assert table.scroll_offset.y <= row < table.scroll_offset.y + table.size.height - 1
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert table.key_at(table.cursor_row) == names[row]
        await pilot.press("home")
        assert table.cursor_row == 0 and table.scroll_offset.y == 0


@pytest.mark.asyncio
async def test_rows_wider_than_the_terminal_scroll_sideways(many_dir):
    app = make_app(many_dir)
    async with app.run_test(size=(50, 20)) as pilot:
        await documents_loaded(pilot)
        table = app.screen.query_one("#documents", DocumentTable)
        assert table.virtual_size.width > table.size.width
        full = table.render_line(1).text
        assert len(full) == table.size.width  # cropped to the screen, row style to the edge
        await pilot.press("right", "right", "right")
        x = table.scroll_offset.x
        assert x > 0
        await pilot.pause()
        shifted = table.render_line(1).text
        assert len(shifted) == table.size.width
        assert shifted.startswith(full[x:x + 10])
