"""Pilot test: de-identification is reviewed on screen and written only on confirmation."""

from __future__ import annotations

import pytest
from tui_helpers import documents_loaded, make_app, wait_for

from themeqa.services.project import open_project
from themeqa.tui.components.deidentify_screen import DeidentifyScreen


@pytest.mark.asyncio
async def test_review_skip_edit_and_apply(project, study_files):
    from themeqa.services.importing import import_files
    from themeqa.services.participants import import_participants

    import_participants(project, study_files["participants"])
    import_files(project, [study_files["S1"]], session="S1", timepoint="initial")
    directory = project.directory
    project.close()
    app = make_app(directory, coder="ann")
    async with app.run_test(size=(150, 40)) as pilot:
        await documents_loaded(pilot)
        await pilot.press("P")
        screen = app.screen
        assert isinstance(screen, DeidentifyScreen)
        await wait_for(pilot, lambda: screen.loads >= 1, "proposals")
        # "Dana:" is a speaker label of P01; "gran" is not a name anyone listed
        assert [(p.original, p.replacement) for p in screen.proposals] == [("Dana", "P01")]
        await pilot.press("n", *"Steve, gran", "enter")
        await wait_for(pilot, lambda: screen.loads >= 2, "proposals with names")
        originals = [p.original for p in screen.proposals]
        assert originals == ["gran", "Dana"]
        # skip "gran" (it is not identifying), edit nothing else, apply and confirm
        await pilot.press("space")
        assert [p.accept for p in screen.proposals] == [False, True]
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.result is not None, "the new version")
        assert screen.result.replacements == 1
    p = open_project(directory)
    try:
        from themeqa.services.documents import list_documents

        # the new version replaces the original in the list (which is kept until purged)
        names = sorted(d.name for d in list_documents(p, include_superseded=True))
        assert len(names) == 2
        new = next(n for n in names if n != "S1.txt")
        assert [d.name for d in list_documents(p)] == [new]
        from themeqa.services.documents import get_document

        text = get_document(p, new).text
        assert "Dana" not in text and "P01: Sorry, that was me again." in text
        assert "gran's kitchen" in text
    finally:
        p.close()
    assert (directory / "deid-mapping.csv").exists()

