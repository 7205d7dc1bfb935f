"""Position conversion: code points, UTF-16 units, BOM, CRLF and NFC, worked by hand, and
checked against the original per-character implementation on generated texts."""

from __future__ import annotations

import unicodedata
from bisect import bisect_right

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from themeqa.core.text import normalize_text
from themeqa.interop.refi.positions import OffsetMap, PositionError, _nfc_suspect


def test_utf16_units_shift_after_each_emoji():
    # "a😀b😀c": UTF-16 units a=0, 😀=1-2, b=3, 😀=4-5, c=6, end=7; code points a0 😀1 b2 😀3 c4
    m = OffsetMap("a\U0001F600b\U0001F600c", "utf16")
    assert [m.start(u) for u in (0, 1, 3, 4, 6, 7)] == [0, 1, 2, 3, 4, 5]
    with pytest.raises(PositionError, match="surrogate"):
        m.start(2)


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


# --- reference: the original implementation, verbatim (one Python step per character) -------
# OffsetMap was rewritten to find the few places where units, CRLF and NFC differ with C-speed
# scans instead of walking every character; it must give exactly these answers.


def _ref_nfc_chunks(text: str) -> tuple[list[int], list[int]]:
    raw_b = [0]
    nfc_b = [0]
    seg_start = 0
    out_len = 0
    n = len(text)
    i = 1
    while i <= n:
        if i == n:
            out_len += len(unicodedata.normalize("NFC", text[seg_start:i]))
            raw_b.append(i)
            nfc_b.append(out_len)
            break
        c = text[i]
        seg = text[seg_start:i]
        if unicodedata.combining(c) == 0:
            a = unicodedata.normalize("NFC", seg)
            if unicodedata.normalize("NFC", seg + c) == a + unicodedata.normalize("NFC", c):
                out_len += len(a)
                raw_b.append(i)
                nfc_b.append(out_len)
                seg_start = i
        i += 1
    return raw_b, nfc_b


class _RefOffsetMap:
    def __init__(self, raw: str, units: str = "codepoint") -> None:
        self.units = units
        self.bom = raw.startswith("\ufeff")
        body = raw[1:] if self.bom else raw
        self.raw = body
        self.stored = normalize_text(raw)
        self._astral_end: list[int] = []
        if units == "utf16":
            k = 0
            for i, ch in enumerate(body):
                if ord(ch) > 0xFFFF:
                    self._astral_end.append(i + k + 2)
                    k += 1
        self.length_units = len(body) + len(self._astral_end)
        self._cr: list[int] = []
        if "\r\n" in body:
            self._cr = [i for i in range(len(body) - 1) if body[i] == "\r" and body[i + 1] == "\n"]
        lf = body.replace("\r\n", "\n").replace("\r", "\n")
        self._nfc: tuple[list[int], list[int]] | None = None
        if not unicodedata.is_normalized("NFC", lf):
            self._nfc = _ref_nfc_chunks(lf)

    def _to_codepoint(self, pos: int) -> int:
        if not self._astral_end:
            return pos
        k = bisect_right(self._astral_end, pos)
        if k < len(self._astral_end) and self._astral_end[k] - 1 == pos:
            raise PositionError(f"position {pos} splits a UTF-16 surrogate pair")
        return pos - k

    def _map(self, pos: int, *, end: bool) -> int:
        if pos < 0 or pos > self.length_units:
            raise PositionError(f"position {pos} is outside the text (length {self.length_units})")
        cp = self._to_codepoint(pos)
        lf = cp - bisect_right(self._cr, cp - 1) if self._cr else cp
        if self._nfc is None:
            return lf
        raw_b, nfc_b = self._nfc
        j = bisect_right(raw_b, lf) - 1
        if raw_b[j] == lf:
            return nfc_b[j]
        return nfc_b[j + 1] if end else nfc_b[j]

    def start(self, pos: int) -> int:
        return self._map(pos, end=False)

    def end(self, pos: int) -> int:
        return self._map(pos, end=True)


def _answers(m, pos: int) -> tuple:
    out = []
    for f in (m.start, m.end):
        try:
            out.append(f(pos))
        except PositionError as exc:
            out.append(str(exc))
    return tuple(out)


def _assert_same(raw: str) -> None:
    for units in ("codepoint", "utf16"):
        new, ref = OffsetMap(raw, units), _RefOffsetMap(raw, units)
        assert (new.stored, new.raw, new.bom, new.length_units) == (
            ref.stored, ref.raw, ref.bom, ref.length_units)
        assert new._astral_end == ref._astral_end and new._cr == ref._cr
        for pos in range(-1, new.length_units + 2):
            assert _answers(new, pos) == _answers(ref, pos), (units, pos)


# what the maps special-case, and what NFC does with it: astral characters (emoji, a skin tone
# modifier, an astral singleton decomposition U+2F800), BOM, CRLF and lone CR; precomposed and
# decomposed Latin, marks that reorder (U+0323 ccc 220 after U+0301 ccc 230) or decompose
# (U+0344), a singleton (U+212B Angstrom), an exclusion (U+0958), Hangul syllables and jamo,
# class-0 vowel signs that compose (Oriya U+0B47 + U+0B3E, Bengali U+09C7 + U+09BE), Tibetan
# U+0F73 (class 0, decomposes to two marks), a mark with no precomposed partner (q + U+0301),
# a precomposed letter that composes further (ö + U+0304 -> ȫ), the ends of the Hangul L / V /
# T ranges and a jamo past them, Devanagari with a vowel sign and a nukta
_ALPHABET = (
    "aeoqAE \n\r\ufeff\u00e9\u00c5\u0301\u0308\u0323\u030a\u0344\u212b\u0958"
    "\uac00\uac01\u1100\u1161\u11a8\u0b47\u0b3e\u0b57\u09c7\u09be\u0f71\u0f72\u0f73"
    "\u200d\U0001F600\U0001F44D\U0001F3FD\U0002F800\U0001D15E\U0001D165"
    "\u00f6\u0304\u0151\u1112\u1175\u11c2\u11c3\u0915\u093e\u093c"
)
_texts = st.one_of(
    st.text(alphabet=_ALPHABET, max_size=40),
    st.lists(st.sampled_from(["\r\n", "\r", "e\u0301", "\U0001F600", "ab", "\u1100\u1161",
                              "\u0301\u0323", "\ufeff", " "]), max_size=25).map("".join),
    st.text(max_size=30),
)


@settings(max_examples=400, deadline=None)
@given(_texts, st.booleans())
def test_matches_the_per_character_reference(text, bom):
    _assert_same(("\ufeff" if bom else "") + text)


@pytest.mark.parametrize("raw", [
    "", "\ufeff", "\r", "\r\n", "\r\r\n\n", "\u0301", "\u0301e", "e\u0301",
    "\U0001F600", "\ufeff\U0001F600\r\n\U0001F600", "\u1100\u1161\u11a8x\u1100\u1161",
    "e\u0301e\u0301", "ae\u0301xe\u0301", "q\u0301 \u00e9 e\u0301",
    "\ufeff" + "Caf\u00e9 na\u0131\u0308ve \U0001F600\r\nline\rx " * 50,
])
def test_matches_the_reference_on_edge_cases(raw):
    _assert_same(raw)


def test_matches_the_reference_on_a_long_decomposed_text():
    # many NFC-changing runs, adjacent ones and ones one character apart
    words = ["Caf\u00e9", "na\u00efve", "\u00c5ngstr\u00f6m", "\ud55c\uad6d\uc5b4", "q\u0301",
             "\U0001F600", "line\r\n", "x"]
    text = "\ufeff" + unicodedata.normalize("NFD", " ".join(words * 40))
    _assert_same(text)


def test_the_suspect_rule_holds_for_this_pythons_unicode_data():
    # what _nfc_suspect relies on when it calls a character harmless: NFC keeps it, and its
    # decomposition starts with a starter that nothing before it can compose with or reorder
    # around -- i.e. that starter is never a later part of any canonical decomposition
    # (Hangul V and T jamo included, via the syllables' NFD) and is not a combining mark
    later, decomposable = set(), []
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        ch = chr(cp)
        d = unicodedata.normalize("NFD", ch)
        if d != ch:
            later.update(d[1:])
            decomposable.append(ch)
    assert {"\u1161", "\u11a8", "\u0b3e", "\u0301"} <= later
    assert not [hex(ord(c)) for c in later if not _nfc_suspect(c)]
    harmless = [c for c in decomposable if not _nfc_suspect(c)]
    assert "\u00e9" in harmless and "\uac00" in harmless  # é and 가 need no Python work
    for c in harmless:
        first = unicodedata.normalize("NFD", c)[0]
        assert unicodedata.normalize("NFC", c) == c and unicodedata.combining(c) == 0
        assert first not in later and unicodedata.combining(first) == 0, hex(ord(c))
