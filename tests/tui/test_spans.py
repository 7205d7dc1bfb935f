"""Offsets <-> TextArea locations, overlap segments and paragraph spans (no terminal)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.widgets.text_area import Document

from themeqa.tui.spans import OffsetMap, Segment, layout_rows, paragraph_at, segments

TEXTS = [
    "",
    "one line",
    "P01: I felt 😀 calm.\nP02: Me 🧘🏽 too.\n",
    "a\n\nb\n",
    "x\u2028y\nz",  # a line separator str.splitlines honours
    "form\x0cfeed\r\nwindows\rmac",
]


@pytest.mark.parametrize("text", TEXTS)
def test_rows_split_exactly_like_textual(text):
    # If Textual ever splits lines differently, this fails loudly (our offsets depend on it).
    doc = Document(text)
    m = OffsetMap(text)
    assert m.rows == len(doc.lines)
    for row, line in enumerate(doc.lines):
        a, b = m.row_span(row)
        assert text[a:b] == line


def test_emoji_line_offsets_are_code_points():
    text = "Facilitator: Hi.\nP01: I 😀 felt calm.\n"
    m = OffsetMap(text)
    row1 = text.index("P01")
    assert m.to_location(row1) == (1, 0)
    smiley = text.index("😀")
    # column counts code points: "P01: I " is 7 characters, the emoji is one, not two
    assert m.to_location(smiley) == (1, 7)
    assert m.to_location(smiley + 1) == (1, 8)
    assert text[m.to_offset((1, 7)):m.to_offset((1, 8))] == "😀"
    assert m.to_offset((1, 99)) == text.index("\n", row1)  # past the end clamps to the line end


@given(st.text(alphabet=st.sampled_from("ab😀\n\u2028\ré "), max_size=40))
def test_round_trip_every_offset(text):
    m = OffsetMap(text)
    doc = Document(text)
    for off in range(len(text) + 1):
        row, col = m.to_location(off)
        assert 0 <= row < len(doc.lines)
        assert 0 <= col <= len(doc.lines[row])
        # an offset inside a line or at its end comes back unchanged; one inside a
        # two-character break (\r\n) maps to the end of its line
        expected = off if off <= m.row_span(row)[1] else m.row_span(row)[1]
        assert m.to_offset((row, col)) == expected


def test_segments_of_overlapping_spans():
    # 0-10 and 5-8: runs 0-5 (one), 5-8 (two, the shorter shown), 8-10 (one)
    assert segments([(0, 10), (5, 8)]) == [
        Segment(0, 5, 0, 1), Segment(5, 8, 1, 2), Segment(8, 10, 0, 1)]
    # three deep, and empty spans ignored
    assert segments([(0, 4), (0, 4), (2, 3), (7, 7)]) == [
        Segment(0, 2, 1, 2), Segment(2, 3, 2, 3), Segment(3, 4, 1, 2)]
    assert segments([]) == []


def test_layout_rows_splits_runs_at_line_breaks():
    text = "abc\ndef\nghi"
    rows = layout_rows(OffsetMap(text), [(1, 9, "s")])
    # 1-3 on row 0, all of row 1, 8-9 on row 2
    assert rows == {0: [(1, 3, "s")], 1: [(0, 3, "s")], 2: [(0, 1, "s")]}


def test_paragraph_at():
    text = "First para line one\nline two.\n\nSecond para.\n"
    assert paragraph_at(text, 3) == (0, text.index("\n\n"))
    start = text.index("Second")
    assert paragraph_at(text, start + 2) == (start, start + len("Second para."))
