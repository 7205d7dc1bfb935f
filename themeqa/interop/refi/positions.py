"""Convert other tools' selection positions into themeqa offsets, and back.

Why: REFI-QDA Project 1.0 counts ``startPosition``/``endPosition`` in characters (Unicode code
points) of the plain text; NVivo (Windows and Mac) counts UTF-16 code units, so every
character outside the Basic Multilingual Plane (emoji, some CJK) before a selection shifts it
by one more. NVivo's plain text also carries a BOM (not counted) and CRLF line ends (counted as
two units). themeqa stores text through ``core.text.normalize_text`` (BOM dropped, CRLF/CR ->
LF, NFC; docs/CONVENTIONS.md), so a position goes through up to four maps:

    foreign units -> code points of the raw text (BOM stripped)
                  -> code points after CRLF -> LF
                  -> code points after NFC composition (e + U+0301 -> é)

Each step is an exact, monotone map computed from the text (bisect over the positions where
the two sides differ), never a guess; a position that falls inside a surrogate pair or inside
a composed character is reported as such rather than rounded silently.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right

from themeqa.core.text import normalize_text

__all__ = ["UNITS", "OffsetMap", "PositionError", "to_utf16"]

#: position units a file may use
UNITS = ("codepoint", "utf16")


class PositionError(ValueError):
    """A position that does not land on a character boundary of the stored text."""


def _nfc_chunks(text: str) -> tuple[list[int], list[int]]:
    """Boundaries (raw index, NFC index) of chunks that normalise independently.

    A chunk starts at a character that does not combine with what precedes it (canonical
    combining class 0 and NFC(prefix + c) == NFC(prefix) + NFC(c)); UAX #15 guarantees NFC
    of the whole is the concatenation of NFC of such chunks.
    """
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


class OffsetMap:
    """Maps positions in ``units`` over ``raw`` (the file's decoded text) to stored offsets.

    ``stored`` is ``normalize_text(raw)``. Build once per source, then call :meth:`start` and
    :meth:`end` for each selection.
    """

    def __init__(self, raw: str, units: str = "codepoint") -> None:
        if units not in UNITS:
            raise ValueError(f"unknown position units {units!r}")
        self.units = units
        self.bom = raw.startswith("\ufeff")
        body = raw[1:] if self.bom else raw
        self.raw = body
        self.stored = normalize_text(raw)
        # UTF-16: code-unit index where each astral character ends (its two units)
        self._astral_end: list[int] = []
        if units == "utf16":
            k = 0
            for i, ch in enumerate(body):
                if ord(ch) > 0xFFFF:
                    self._astral_end.append(i + k + 2)
                    k += 1
        self.length_units = len(body) + len(self._astral_end)
        # CRLF: indices of the removed CRs
        self._cr: list[int] = []
        if "\r\n" in body:
            self._cr = [i for i in range(len(body) - 1) if body[i] == "\r" and body[i + 1] == "\n"]
        lf = body.replace("\r\n", "\n").replace("\r", "\n")
        self._nfc: tuple[list[int], list[int]] | None = None
        if not unicodedata.is_normalized("NFC", lf):
            self._nfc = _nfc_chunks(lf)

    def _to_codepoint(self, pos: int) -> int:
        if not self._astral_end:
            return pos
        k = bisect_right(self._astral_end, pos)  # astral chars wholly before pos
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
        # inside a chunk that NFC composes (e.g. between e and U+0301): widen outward
        return nfc_b[j + 1] if end else nfc_b[j]

    def start(self, pos: int) -> int:
        return self._map(pos, end=False)

    def end(self, pos: int) -> int:
        return self._map(pos, end=True)


def to_utf16(text: str, offset: int) -> int:
    """The UTF-16 code-unit position of code-point ``offset`` in ``text`` (for NVivo-style)."""
    return offset + sum(1 for ch in text[:offset] if ord(ch) > 0xFFFF)
