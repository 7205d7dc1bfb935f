"""Pilot and snapshot tests of the quant screen (Q on the documents screen)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable
from tui_helpers import documents_loaded, make_app
from tui_helpers import wait_for as _wait

from themeqa.services.analyses import joint_display
from themeqa.services.project import open_project
from themeqa.tui.components.quant_screen import QuantScreen, strip_offsets


async def _open_quant(pilot) -> QuantScreen:
    await documents_loaded(pilot)
    await pilot.press("Q")
    screen = pilot.app.screen
    assert isinstance(screen, QuantScreen)
    await _wait(pilot, lambda: screen.loads >= 1, "joint display computed")
    await pilot.pause()
    return screen


def test_strip_offsets():
    assert strip_offsets(0) == [] and strip_offsets(1) == [0.0]
    assert strip_offsets(3, 0.2) == pytest.approx([-0.1, 0.0, 0.1])


@pytest.mark.asyncio
async def test_quant_screen_table_plot_correction_and_export(demo_copy):
    project = open_project(demo_copy)
    try:
        want = joint_display(project)
    finally:
        project.close()
    app = make_app(demo_copy)
    async with app.run_test(size=(170, 45)) as pilot:
        screen = await _open_quant(pilot)
        grid = screen.query_one("#quant-table", DataTable)
        assert grid.row_count == len(want.themes)  # one measure (scs26_total) per theme
        fear = next(t for t in want.themes if t.theme == "inhibitors::2")
        i = next(
            k
            for k in range(grid.row_count)
            if grid.get_row_at(k)[0].strip().startswith("inhibitors::2 ")
        )
        row = grid.get_row_at(i)
        assert (row[2], row[3]) == (str(fear.n_with), str(fear.n_without))
        assert row[6] == f"t({fear.tests[0].result.df:.0f}) = {fear.tests[0].result.t:.2f}"
        assert screen.plotted == ("inhibitors::1", "scs26_total")  # first row plotted
        grid.move_cursor(row=i)
        await pilot.pause()
        assert screen.plotted == ("inhibitors::2", "scs26_total")
        with_, without = screen.view.values[("inhibitors::2", "scs26_total")]
        assert len(with_) == fear.n_with and len(without) == fear.n_without

        await pilot.press("c")  # Holm -> Benjamini-Hochberg
        await _wait(pilot, lambda: screen.loads >= 2, "recomputed")
        assert screen.view.display.correction == "bh"

        await pilot.press("x")
        await _wait(pilot, lambda: screen.last_export is not None, "XLSX export")
        assert screen.last_export == demo_copy / "reports" / "joint_display.xlsx"
        assert screen.last_export.is_file()
        await pilot.press("escape")
        assert not isinstance(app.screen, QuantScreen)


@pytest.mark.asyncio
async def test_ctrl_z_undoes_the_last_measures_step_and_ctrl_y_redoes_it(demo_copy):
    """The demo's last action is scoring the SCS: undo removes the scores (so the display,
    computed from them, is recomputed), redo brings them back."""
    from themeqa.services.measures import list_variables

    app = make_app(demo_copy, coder="themeqa-demo")
    async with app.run_test(size=(170, 45)) as pilot:
        screen = await _open_quant(pilot)
        grid = screen.query_one("#quant-table", DataTable)
        rows = grid.row_count
        assert rows > 0 and "scs26_total" in screen.view.display.measures
        await pilot.press("ctrl+z")
        # the recompute reruns every test of the joint display: generous on a loaded machine
        await _wait(pilot, lambda: screen.loads >= 2, "recomputed after the undo", tries=2400)
        assert screen.last_step == "undone: score scs26 (20 respondents)"
        names = {v.name for v in list_variables(app.services.project)}
        assert "scs26_total" not in names and "scs_1" in names
        assert "scs26_total" not in screen.view.display.measures  # recomputed without it
        await pilot.press("ctrl+y")
        await _wait(pilot, lambda: screen.loads >= 3, "recomputed after the redo", tries=2400)
        assert screen.last_step == "redone: score scs26 (20 respondents)"
        assert grid.row_count == rows
