"""Pilot and snapshot tests of the tallies screen (T on the documents screen)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable
from tui_helpers import documents_loaded, make_app
from tui_helpers import wait_for as _wait

from themeqa.services.project import open_project
from themeqa.services.tally import report_tables
from themeqa.tui.components.tallies_screen import TalliesScreen


async def _open_tallies(pilot) -> TalliesScreen:
    await documents_loaded(pilot)
    await pilot.press("T")
    screen = pilot.app.screen
    assert isinstance(screen, TalliesScreen)
    await _wait(pilot, lambda: screen.loads >= 1, "tallies computed")
    await pilot.pause()
    return screen


@pytest.mark.asyncio
async def test_tallies_screen_shows_table2_and_exports(demo_copy):
    project = open_project(demo_copy)
    try:
        (want,), _ = report_tables(project, "table2")
    finally:
        project.close()
    app = make_app(demo_copy)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await _open_tallies(pilot)
        grid = screen.query_one("#tally-table", DataTable)
        assert grid.row_count == len(want.rows)
        row = next(
            grid.get_row_at(i)
            for i in range(grid.row_count)
            if grid.get_row_at(i)[0].strip() == "2a Others are unreliable"
        )
        expected = next(r for r in want.rows if r[0] == "2a Others are unreliable")
        assert row[0].startswith("  ")  # subordinate theme indented
        assert list(row[1:4]) == [str(v) for v in expected[1:4]]
        chart = dict(screen.overview.chart)
        assert sum(chart["2a"].values()) == expected[1]

        await pilot.press("d")
        await _wait(pilot, lambda: screen.last_export is not None, "DOCX export")
        import docx

        exported = docx.Document(str(screen.last_export))
        assert exported.tables[0].rows[0].cells[0].text == "Theme"
        assert screen.last_export == demo_copy / "reports" / "table2.docx"

        await pilot.press("t")  # split by timepoint as well
        await _wait(pilot, lambda: screen.loads >= 2, "timepoint tallies")
        assert any("follow-up" in str(c.label) for c in grid.columns.values())
        before = screen.overview.chart
        await pilot.press("l")  # auto -> consensus: nothing reconciled yet, so the union
        await _wait(pilot, lambda: screen.loads >= 3, "consensus tallies")
        assert screen.overview.layer.startswith("consensus on the 0 reconciled documents")
        assert screen.overview.chart == before
        await pilot.press("escape")
        assert not isinstance(app.screen, TalliesScreen)


@pytest.mark.asyncio
async def test_tallies_screen_warns_about_a_partly_reconciled_check(demo_copy):
    """Issue 19: a sampled, adopted but undecided check changes no number, and the screen
    says why under the table (the same notes as the report)."""
    from themeqa.services.check_reconcile import adopt_agreements
    from themeqa.services.check_sample import create_check

    project = open_project(demo_copy, actor="lead")
    try:
        (before,), _ = report_tables(project, "table2")
        create_check(project, coder_b="ben", coder_a="amira", sessions=["S2", "S5"],
                     name="pilot")
        adopt_agreements(project, "pilot", decided_by="lead")
    finally:
        project.close()
    app = make_app(demo_copy)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await _open_tallies(pilot)
        assert screen.overview.table.rows == before.rows
        notes = str(screen.query_one("#tally-notes").render())
        assert "Warning: pilot: 2 documents, 69 disagreements undecided, 25 more documents " \
               "not finished by coder B: counted from the union." in notes
        assert "No credibility check is complete on any document" in notes
