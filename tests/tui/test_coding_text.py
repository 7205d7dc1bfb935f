"""The document widget: exact offsets from keyboard selection, and the highlight hook.

``CodingText`` paints coded spans by overriding ``TextArea.get_line`` and dropping the line
cache with ``notify_style_update``. If a Textual upgrade stops calling ``get_line`` while
rendering, or caches lines past ``notify_style_update``, ``test_highlight_hook_paints_codings``
fails: pin textual (pyproject: ``textual>=8.2,<8.3``) until the widget is adapted.
"""

from __future__ import annotations

import pytest
from rich.style import Style
from textual.app import App, ComposeResult

from themeqa.tui.components.coding_text import CodingText, coding_styles
from themeqa.tui.model import CodingRow

TEXT = "Facilitator: Hello.\nP01: I 😀 felt calm today.\nP02: Same.\n"


class _Host(App):
    def compose(self) -> ComposeResult:
        yield CodingText(TEXT, id="t")


def _row(start: int, end: int, colour: str, cid: int = 1) -> CodingRow:
    return CodingRow(cid, start, end, cid, "1", "x", "cb", colour, "amira")


def _styles_at(area: CodingText, y: int) -> list[tuple[str, Style | None]]:
    """(character, style) for each cell-bearing character of rendered line ``y``."""
    strip = area.render_line(y)
    out = []
    for seg in strip:
        out.extend((ch, seg.style) for ch in seg.text)
    return out


@pytest.mark.asyncio
async def test_keyboard_selection_over_an_emoji_gives_code_point_offsets():
    app = _Host()
    async with app.run_test(size=(60, 8)) as pilot:
        area = app.query_one(CodingText)
        area.focus()
        await pilot.press("down")  # row 1, column 0: "P01: ..."
        assert area.cursor_offset == TEXT.index("P01")
        await pilot.press(*["right"] * 7)  # "P01: I " -> the cursor is on the emoji
        assert TEXT[area.cursor_offset] == "😀"
        await pilot.press("shift+right", "shift+right", "ctrl+shift+right")
        a, b = area.selected_span
        assert TEXT[a:b] == "😀 felt"
        assert (a, b) == (TEXT.index("😀"), TEXT.index("😀") + len("😀 felt"))
        area.select_span(TEXT.index("calm"), TEXT.index("calm") + 4)
        assert area.selected_text == "calm"


@pytest.mark.asyncio
async def test_highlight_hook_paints_codings_and_marks_overlap():
    app = _Host()
    async with app.run_test(size=(60, 8)) as pilot:
        area = app.query_one(CodingText)
        area.blur()
        start = TEXT.index("felt")
        inner = TEXT.index("calm")
        area.paint([_row(start, TEXT.index("today") + 5, "#E69F00", 1),
                    _row(inner, inner + 4, "#56B4E9", 2)],
                   [(0, 12)], background="#000000", dark=True)
        await pilot.pause()
        cells = _styles_at(area, 1)
        chars = "".join(ch for ch, _ in cells)
        orange, _, _ = coding_styles("#E69F00", "#000000", True)
        _, blue_overlap, _ = coding_styles("#56B4E9", "#000000", True)
        felt = chars.index("felt")
        assert cells[felt][1].bgcolor == orange.bgcolor and not cells[felt][1].underline
        calm = chars.index("calm")
        # the overlap shows the inner code's colour and an underline (a non-colour cue)
        assert cells[calm][1].bgcolor == blue_overlap.bgcolor and cells[calm][1].underline
        assert cells[0][1] is None or cells[0][1].bgcolor != orange.bgcolor  # "P01" uncoded
        assert _styles_at(area, 0)[0][1].bold  # the speaker label
        # repainting with no codings clears the map: the cached line must not survive
        area.paint([], [], background="#000000", dark=True)
        await pilot.pause()
        cells = _styles_at(area, 1)
        assert all(s is None or s.bgcolor != orange.bgcolor for _, s in cells)


def test_styles_readable_on_dark_and_light():
    for bg, dark in (("#000000", True), ("#FFFFFF", False)):
        for colour in ("#E69F00", "#0072B2", "#000000", "#F0E442"):
            plain, under, deep = coding_styles(colour, bg, dark)
            base = Style.parse(f"on {bg}").bgcolor.triplet
            tint = plain.bgcolor.triplet
            assert sum(abs(a - b) for a, b in zip(tint, base, strict=True)) > 60  # visible
            assert under.underline and deep.underline and deep.bold
            assert plain.color.triplet in ((0, 0, 0), (255, 255, 255))
