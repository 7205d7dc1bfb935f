"""Pilot tests of importing measures from the quant screen, reviewing near-miss ids.

The file has one exact id (P01), one near-miss (P7 for P07) and one id that matches nobody
(X99): the review screen must show the near-miss and the unknown id, link only what the
researcher accepted, and write nothing before the import key.
"""

from __future__ import annotations

import math

import pytest
from textual.widgets import DataTable, Input, Static
from tui_helpers import documents_loaded, make_app, wait_for

from themeqa.services.measures import list_variables, measure_frame
from themeqa.services.project import open_project
from themeqa.tui.components.help_screen import HelpScreen
from themeqa.tui.components.measures_import_screen import (
    MeasuresImportScreen,
    parse_import_form,
)
from themeqa.tui.components.prompt import ConfirmScreen, FormScreen
from themeqa.tui.components.quant_screen import QuantScreen


def _measures_csv(tmp_path):
    f = tmp_path / "pss.csv"
    f.write_text("participant,pss_total\nP01,12\nP7,20\nX99,4\n", encoding="utf-8")
    return f


def _stored(project_dir):
    project = open_project(project_dir)
    try:
        names = [v.name for v in list_variables(project)]
        frame = measure_frame(project, ["pss_total"]) if "pss_total" in names else None
        return names, frame
    finally:
        project.close()


async def _open_quant(pilot) -> QuantScreen:
    await documents_loaded(pilot)
    await pilot.press("Q")
    screen = pilot.app.screen
    assert isinstance(screen, QuantScreen)
    await wait_for(pilot, lambda: screen.loads >= 1, "joint display computed")
    return screen


async def _ask_import(pilot, path, prefix: str = "") -> None:
    """``i`` on the quant screen, type the path (and a prefix) into the form, submit."""
    await pilot.press("i")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FormScreen), "the import form")
    await pilot.press(*str(path), "tab", "tab", *prefix, "ctrl+s")


async def _review(pilot, path, prefix: str = "") -> MeasuresImportScreen:
    await _ask_import(pilot, path, prefix)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, MeasuresImportScreen),
                   "the review of the proposed matches")
    await pilot.pause()
    return pilot.app.screen


def _text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


@pytest.mark.asyncio
async def test_accept_the_near_miss_and_import(demo_copy, tmp_path):
    f = _measures_csv(tmp_path)
    app = make_app(demo_copy)
    async with app.run_test(size=(150, 40)) as pilot:
        quant = await _open_quant(pilot)
        review = await _review(pilot, f)
        grid = review.query_one("#mi-table", DataTable)
        assert grid.row_count == 1
        assert grid.get_row_at(0)[0] == "·"  # nothing accepted until the researcher says so
        assert str(grid.get_row_at(0)[1]) == "'P7'" and grid.get_row_at(0)[2] == "P07"
        assert "X99" in _text(review, "#mi-unmatched")
        assert "1 id(s) match a participant exactly" in _text(review, "#mi-summary")
        assert _stored(demo_copy)[1] is None  # the preview wrote nothing

        await pilot.press("question_mark")  # the help panel lists the review keys
        assert isinstance(app.screen, HelpScreen)
        rows = app.screen.query_one("#help-table", DataTable)
        shown = {str(rows.get_row_at(i)[0]) for i in range(rows.row_count)}
        assert {"space", "a", "i", "esc"} <= shown
        await pilot.press("escape")
        assert app.screen is review

        await pilot.press("space")
        assert review.accepted == {"P7": True} and grid.get_row_at(0)[0] == "✓"
        loads = quant.loads
        await pilot.press("i")
        await wait_for(pilot, lambda: app.screen is quant and quant.loads > loads,
                       "the import and the refreshed joint display")
        result = quant.last_import
        assert result.values_written == 2 and result.rejected == []
        assert result.unmatched == ["X99"]

    names, frame = _stored(demo_copy)
    assert "pss_total" in names
    assert frame.loc["P01", "pss_total"] == 12 and frame.loc["P07", "pss_total"] == 20
    assert frame["pss_total"].notna().sum() == 2  # X99 linked to nobody


@pytest.mark.asyncio
async def test_rejected_near_miss_is_not_stored(demo_copy, tmp_path):
    f = _measures_csv(tmp_path)
    app = make_app(demo_copy)
    async with app.run_test(size=(150, 40)) as pilot:
        quant = await _open_quant(pilot)
        review = await _review(pilot, f, prefix="t1_")
        assert review.plan.variables == ["t1_pss_total"]
        await pilot.press("a")  # accept all ...
        assert review.accepted == {"P7": True}
        await pilot.press("a")  # ... again: reject all
        assert review.accepted == {"P7": False}
        await pilot.press("enter", "enter")  # enter toggles too: accepted, then rejected
        assert review.accepted == {"P7": False}
        await pilot.press("i")
        await wait_for(pilot, lambda: quant.last_import is not None, "the import")
        assert quant.last_import.rejected == ["P7"]

    names, _ = _stored(demo_copy)
    project = open_project(demo_copy)
    try:
        frame = measure_frame(project, ["t1_pss_total"])
    finally:
        project.close()
    assert "t1_pss_total" in names and frame.loc["P01", "t1_pss_total"] == 12
    assert math.isnan(frame.loc["P07", "t1_pss_total"])


@pytest.mark.asyncio
async def test_unreadable_file_reopens_the_form_and_cancel_writes_nothing(demo_copy, tmp_path):
    app = make_app(demo_copy)
    async with app.run_test(size=(150, 40)) as pilot:
        quant = await _open_quant(pilot)
        missing = tmp_path / "nope.csv"
        await _ask_import(pilot, missing)
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen)
                       and app.screen.query_one("#field-path", Input).value == str(missing),
                       "the form again, still filled in")
        assert any("no such file" in n.message for n in app._notifications)
        await pilot.press("escape")
        assert app.screen is quant

        review = await _review(pilot, _measures_csv(tmp_path))
        await pilot.press("space", "escape")
        await wait_for(pilot, lambda: app.screen is quant, "back on the quant screen")
        assert quant.last_import is None and review.accepted == {"P7": True}
    assert _stored(demo_copy)[1] is None


@pytest.mark.asyncio
async def test_existing_variables_are_replaced_only_when_confirmed(demo_copy, tmp_path):
    """The demo holds scs_1 … already: importing them again asks before replacing."""
    f = tmp_path / "scs_again.csv"
    f.write_text("participant,scs_1\nP01,5\n", encoding="utf-8")
    app = make_app(demo_copy)
    async with app.run_test(size=(150, 40)) as pilot:
        quant = await _open_quant(pilot)
        review = await _review(pilot, f)
        assert review.plan.existing == ["scs_1"]
        assert "scs_1" in _text(review, "#mi-status")
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("n")
        assert app.screen is review and "kept" in _text(review, "#mi-status")
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: quant.last_import is not None, "the import")
    project = open_project(demo_copy)
    try:
        assert measure_frame(project, ["scs_1"]).loc["P01", "scs_1"] == 5
    finally:
        project.close()


def test_parse_import_form_reads_paths_as_typed_or_dragged(tmp_path):
    req = parse_import_form({"path": "'my data/scs.sav'", "id_column": " pid ",
                             "prefix": "", "timepoint": ""}, cwd=tmp_path)
    assert req.path == tmp_path / "my data" / "scs.sav"
    assert req.id_column == "pid" and req.timepoint is None
    assert parse_import_form({"path": "~/x.csv"}).path.name == "x.csv"
    assert parse_import_form({"path": "~/x.csv"}).path.is_absolute()
    with pytest.raises(ValueError, match="no file"):
        parse_import_form({"path": "  "})


def test_review_snapshot(snap_compare, demo_dir, tmp_path):
    from themeqa.tui.components.measures_import_screen import ImportRequest

    f = _measures_csv(tmp_path)

    async def review(pilot) -> None:
        await documents_loaded(pilot)
        plan = pilot.app.services.preview_measures(f)  # writes nothing: demo_dir is fine
        pilot.app.push_screen(MeasuresImportScreen(ImportRequest(f), plan))
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()

    assert snap_compare(make_app(demo_dir), terminal_size=(150, 30), run_before=review)
