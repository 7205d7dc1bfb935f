"""Pilot and snapshot tests of the credibility-check screens (agreement, reconciliation).

The agreement screen must show the numbers the service computes; the queue must write only
consensus codings, show "n of m", and resume at the first open disagreement.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Static
from tui_helpers import documents_loaded, make_app
from tui_helpers import wait_for as _wait

from themeqa.services.check import agreement_table
from themeqa.services.check_sample import create_check
from themeqa.services.codings import list_codings
from themeqa.services.project import open_project
from themeqa.tui.components.agreement_screen import AgreementScreen
from themeqa.tui.components.reconcile_screen import ReconcileScreen, SpanEditor


@pytest.fixture
def checked(demo_copy):
    project = open_project(demo_copy, actor="lead")
    try:
        create_check(project, coder_b="ben", coder_a="amira", sessions=["S2", "S5"],
                     name="pilot")
    finally:
        project.close()
    return demo_copy


@pytest.mark.asyncio
async def test_agreement_screen_shows_the_service_numbers(demo_dir):
    app = make_app(demo_dir)
    async with app.run_test(size=(160, 45)) as pilot:
        await documents_loaded(pilot)
        await pilot.press("A")
        screen = app.screen
        assert isinstance(screen, AgreementScreen)
        await _wait(pilot, lambda: screen.loads >= 1, "agreement computed")
        grid = screen.query_one("#agree-table", DataTable)
        project = open_project(demo_dir)
        try:
            want = agreement_table(project, coders=("amira", "ben"), unit="turn")
        finally:
            project.close()
        assert grid.row_count == len(want.rows) + 1
        pooled = grid.get_row_at(grid.row_count - 1)
        assert pooled[0] == "pooled" and pooled[8] == f"{want.pooled.kappa:.2f}".lstrip("0")
        assert list(pooled[3:7]) == [want.pooled.both, want.pooled.only_a,
                                    want.pooled.only_b, want.pooled.neither]
        unused = next(grid.get_row_at(i) for i in range(grid.row_count)
                      if grid.get_row_at(i)[0].strip() == "5")
        assert unused[8] == "n/a"
        assert "amira (A) vs ben (B)" in str(screen.query_one("#agree-title", Static).render())
        await pilot.press("u")  # next unit: sentences
        await _wait(pilot, lambda: screen.loads >= 2, "sentence agreement computed")
        assert screen.table.unit == "sentence"
        await pilot.press("escape")
        assert not isinstance(app.screen, AgreementScreen)


@pytest.mark.asyncio
async def test_reconcile_queue_decides_and_resumes(checked):
    app = make_app(checked)
    async with app.run_test(size=(140, 40)) as pilot:
        await documents_loaded(pilot)
        await pilot.press("R")
        screen = app.screen
        assert isinstance(screen, ReconcileScreen)
        await _wait(pilot, lambda: screen.loads >= 1, "disagreements loaded")
        total = len(screen.items)
        first = screen.current
        assert "0 of" in str(screen.query_one("#rec-progress", Static).render())
        # a choice without a rationale saves nothing
        key = "a" if first.code_a is not None else "b"
        await pilot.press(key)
        assert screen.query_one("#rec-rationale", Input).has_focus
        await pilot.press("enter")
        assert screen.current.key == first.key and screen.resolved == 0
        await pilot.press(*"coded by A only", "enter")
        await pilot.pause()
        assert screen.resolved == 1
        assert f"1 of {total} resolved" in str(screen.query_one("#rec-progress",
                                                                 Static).render())
        second = screen.current
        assert second.key != first.key and second.decision is None
        # after saving, the keys belong to the queue again (not to the rationale box)
        assert not screen.query_one("#rec-rationale", Input).has_focus
        # a choice that cannot apply is refused before any typing
        missing = "b" if second.code_b is None else ("a" if second.code_a is None else None)
        if missing:
            await pilot.press(missing)
            assert screen.pending is None
            assert not screen.query_one("#rec-rationale", Input).has_focus
            assert "did not code" in str(screen.query_one("#rec-status", Static).render())
        # edit: the passage with the span selected; shift+arrows trim it, enter keeps it
        await pilot.press("e")
        span_box = screen.query_one("#rec-span", SpanEditor)
        starts = [x for x in (second.a_start, second.b_start) if x is not None]
        ends = [x for x in (second.a_end, second.b_end) if x is not None]
        assert span_box.has_focus and span_box.span == (min(starts), max(ends))
        await pilot.press("shift+left", "shift+left")
        assert span_box.span == (min(starts), max(ends) - 2)
        await pilot.press("enter", *"trimmed", "enter")
        await pilot.pause()
        assert screen.resolved == 2
        # escape cancels a pending choice, then leaves the screen
        await pilot.press("x", "escape")
        assert screen.pending is None and isinstance(app.screen, ReconcileScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, ReconcileScreen)
    coder_layer = None
    project = open_project(checked)
    try:
        consensus = list_codings(project, layer="consensus")
        coder_layer = list_codings(project, layer="coder")
    finally:
        project.close()
    assert len(consensus) == 2 and {c.coder for c in consensus} == {"amira"}
    assert len(coder_layer) == 471  # the coders' own layers are untouched

    app = make_app(checked)  # leave and resume: opens at the first open disagreement
    async with app.run_test(size=(140, 40)) as pilot:
        await documents_loaded(pilot)
        await pilot.press("R")
        screen = app.screen
        await _wait(pilot, lambda: screen.loads >= 1, "disagreements loaded")
        assert screen.resolved == 2 and screen.current.decision is None
        assert screen.index == next(i for i, d in enumerate(screen.items) if d.decision is None)
        await pilot.press("p")
        while screen.current.decision is None:
            await pilot.press("p")
        await pilot.press("u")  # undo that decision
        await pilot.pause()
        assert screen.resolved == 1

