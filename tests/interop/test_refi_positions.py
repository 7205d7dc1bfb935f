"""Position conversion: code points, UTF-16 units, BOM, CRLF and NFC, worked by hand."""

from __future__ import annotations

import pytest

from themeqa.interop.refi.positions import OffsetMap, PositionError, to_utf16


def test_utf16_units_shift_after_each_emoji():
    # "a😀b😀c": UTF-16 units a=0, 😀=1-2, b=3, 😀=4-5, c=6, end=7; code points a0 😀1 b2 😀3 c4
    m = OffsetMap("a\U0001F600b\U0001F600c", "utf16")
    assert [m.start(u) for u in (0, 1, 3, 4, 6, 7)] == [0, 1, 2, 3, 4, 5]
    with pytest.raises(PositionError, match="surrogate"):
        m.start(2)
    assert to_utf16(m.stored, 4) == 6


def test_codepoint_units_are_identity_on_clean_text():
    m = OffsetMap("a\U0001F600b", "codepoint")
    assert [m.start(i) for i in range(4)] == [0, 1, 2, 3]


def test_bom_is_not_counted_and_crlf_counts_two():
    # NVivo: BOM, then "ab\r\ncd"; units a0 b1 \r2 \n3 c4 d5; stored "ab\ncd": c is at 3
    m = OffsetMap("\ufeffab\r\ncd", "utf16")
    assert m.stored == "ab\ncd"
    assert m.start(4) == 3 and m.end(6) == 5
    assert m.start(2) == 2 and m.start(3) == 2  # both sides of the removed CR map onto "\n"


def test_nfd_text_maps_onto_composed_characters():
    # "cafe\u0301 ok": raw code points c0 a1 f2 e3 ◌́4 ' '5 o6 k7; NFC "café ok": ' ' at 4
    m = OffsetMap("cafe\u0301 ok", "codepoint")
    assert m.stored == "café ok"
    assert m.start(6) == 5 and m.end(8) == 7
    # a position between e and its accent widens outward instead of splitting "é"
    assert m.start(4) == 3 and m.end(4) == 4


def test_position_past_the_end_is_an_error():
    with pytest.raises(PositionError, match="outside"):
        OffsetMap("abc").start(4)
