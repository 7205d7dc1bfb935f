"""A stale codebook edit in the TUI is refused on screen, and the tree shows the other edit.

Why (issue 20): the coding screen sends the version of the code it showed; if a teammate
changed the code meanwhile, the edit must not overwrite theirs. The refusal ("changed by
amira since you opened it") reaches the screen as a notification and the code tree reloads,
so the coder sees the current wording and can edit again.
"""

from __future__ import annotations

import pytest
from tui_helpers import make_app, open_coding, wait_for

from themeqa.services.codebook_edit import add_code, update_code
from themeqa.services.codebooks import codebook_tree
from themeqa.services.project import open_project
from themeqa.tui.components.prompt import FormScreen


@pytest.mark.asyncio
async def test_a_stale_rename_is_refused_and_the_tree_reloads(demo_copy):
    other = open_project(demo_copy, actor="amira")
    try:
        code_id = add_code(other, codebook="inhibitors", label="9", name="Weather",
                           definition="Rain on the day.", actor="amira")
        app = make_app(demo_copy, coder="ben")
        async with app.run_test(size=(140, 40)) as pilot:
            screen = await open_coding(pilot, "S2_focus")
            tree = screen.code_tree
            tree.select_code(code_id)
            await pilot.pause()
            assert tree.current.id == code_id and tree.current.version == 1
            # amira edits the code while ben has it on screen
            update_code(other, code_id, expected_version=1, definition="Rain or snow.",
                        actor="amira")
            screen.action_rename_code()
            await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), "the edit form")
            await pilot.press("tab", *" outdoors", "ctrl+s")
            await wait_for(pilot, lambda: any("changed by amira since you opened it"
                                              in n.message for n in app._notifications),
                           "the refusal on screen")
            await wait_for(pilot, lambda: tree.codes[code_id].definition == "Rain or snow.",
                           "the tree to show amira's edit")
            assert tree.codes[code_id].version == 2
            assert tree.codes[code_id].name == "Weather"
        node = next(n for n in codebook_tree(other) if n.id == code_id)
        assert (node.name, node.definition, node.version) == ("Weather", "Rain or snow.", 2)
    finally:
        other.close()
