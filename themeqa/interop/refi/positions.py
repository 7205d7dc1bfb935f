"""Convert other tools' selection positions into themeqa offsets.

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
the two sides differ), never a guess. A position inside a surrogate pair (half an emoji) is a
:class:`PositionError`; one inside a run that NFC composes (between e and U+0301) widens
outward, so the selection keeps the whole character instead of splitting it. When the text is
not NFC, that holds for any base + combining-mark run, even one NFC leaves as it is (q +
U+0301); a text that is NFC already maps one to one.

Building a map costs C-speed scans (``re``, ``str.replace``, ``unicodedata``) of the whole text
plus Python work only at the few places where the sides differ (astral characters, CRLFs, the
neighbourhood of characters NFC may change), not per character: an NVivo source of ~620,000
characters is mapped for every import, sometimes twice (``reader`` retries the other units).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache

from themeqa.core.text import normalize_text

__all__ = ["UNITS", "OffsetMap", "PositionError"]

#: position units a file may use
UNITS = ("codepoint", "utf16")

#: characters that take two UTF-16 code units (a surrogate pair)
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_CRLF = re.compile("\r\n")


class PositionError(ValueError):
    """A position that does not land on a character boundary of the stored text."""


#: Hangul jamo that compose with what precedes them (Unicode 3.12, Hangul composition: V =
#: VBase + VCount, T = TBase + 1 .. TBase + TCount - 1); fixed by the standard's algorithm
_HANGUL_V = range(0x1161, 0x1161 + 21)
_HANGUL_T = range(0x11A8, 0x11A7 + 28)


def _composes_backwards(ch: str) -> bool:
    """Whether ``ch`` might compose with, or reorder around, the character before it (a
    superset): any non-starter, combining mark (category M*, which holds the class-0 vowel
    signs that compose, e.g. U+09BE, U+0B57), or Hangul V / T jamo."""
    o = ord(ch)
    return (
        unicodedata.combining(ch) != 0
        or unicodedata.category(ch)[0] == "M"
        or o in _HANGUL_V
        or o in _HANGUL_T
    )


@lru_cache(maxsize=65536)
def _nfc_suspect(ch: str) -> bool:
    """Whether ``ch`` may take part in an NFC change, i.e. may not start a chunk of its own.

    A character that NFC keeps as it is, whose full decomposition starts with a starter that
    cannot compose with (or reorder around) what precedes it, passes through NFC untouched
    whatever comes before it: NFD(prefix + c) is NFD(prefix) + NFD(c), and composition never
    reaches across that first starter. So the chunking in :func:`_nfc_chunks` always starts a
    new chunk there, one character long. That covers plain letters and precomposed ones
    (é, ő, Hangul syllables); everything else is "suspect". Being too suspicious only costs
    time, never exactness (tests check the rule against the running Python's Unicode data).
    """
    if unicodedata.combining(ch) or unicodedata.normalize("NFC", ch) != ch:
        return True
    return _composes_backwards(unicodedata.normalize("NFD", ch)[0])


def _nfc_chunks(text: str, lo: int = 0, hi: int | None = None) -> tuple[list[int], list[int]]:
    """Boundaries (raw index, NFC length from ``lo``) of chunks of ``text[lo:hi]`` that normalise
    independently; ``lo`` and ``hi`` must be chunk boundaries of the whole text.

    A chunk starts at a character that does not combine with what precedes it (canonical
    combining class 0 and NFC(prefix + c) == NFC(prefix) + NFC(c)); UAX #15 guarantees NFC
    of the whole is the concatenation of NFC of such chunks. A position strictly inside a
    chunk (e.g. between e and U+0301) has no NFC counterpart.
    """
    n = len(text) if hi is None else hi
    raw_b = [lo]
    nfc_b = [0]
    seg_start = lo
    out_len = 0
    i = lo + 1
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


def _nfc_breakpoints(text: str) -> tuple[list[int], list[int], list[bool]]:
    """The chunk boundaries of ``text`` that are not plain one-to-one steps.

    Returns ``(raw, nfc, inside)``: sorted raw positions with their NFC positions, and for each
    whether the span up to the next breakpoint is one chunk (positions inside it widen
    outwards) or a stretch of one-character chunks (positions shift by a constant). Only runs
    of :func:`_nfc_suspect` characters, each with the character before it (always a chunk
    start, so the chunking can begin there), are chunked in Python.
    """
    suspects = sorted(ch for ch in set(text) if _nfc_suspect(ch))
    raw: list[int] = []
    nfc: list[int] = []
    inside: list[bool] = []
    if not suspects:
        return raw, nfc, inside
    runs = re.compile("[" + "".join(re.escape(ch) for ch in suspects) + "]+")
    shift = 0  # NFC position minus raw position after the last run
    for m in runs.finditer(text):
        a, b = m.span()
        lo = a - 1 if a else 0
        rb, nb = _nfc_chunks(text, lo, b)
        base = lo + shift
        if raw and raw[-1] == lo:  # the previous run ended one character before this one
            inside[-1] = True
            rb, nb = rb[1:], nb[1:]
        raw.extend(rb)
        nfc.extend(base + x for x in nb)
        inside.extend([True] * (len(rb) - 1) + [False])
        shift = nfc[-1] - b
    return raw, nfc, inside


class OffsetMap:
    """Maps positions in ``units`` over ``raw`` (the file's decoded text) to stored offsets.

    ``stored`` is ``normalize_text(raw)``. Build once per source, then call :meth:`start` and
    :meth:`end` for each selection (O(log n) each).
    """

    def __init__(self, raw: str, units: str = "codepoint") -> None:
        if units not in UNITS:
            raise ValueError(f"unknown position units {units!r}")
        self.units = units
        self.bom = raw.startswith("\ufeff")
        body = raw[1:] if self.bom else raw
        self.raw = body
        self.stored = normalize_text(raw)
        # UTF-16: code-unit index where each astral character ends (its two units); the k-th
        # (from 0) astral character at code point i occupies units i + k and i + k + 1
        self._astral_end: list[int] = []
        if units == "utf16":
            self._astral_end = [
                m.start() + k + 2 for k, m in enumerate(_ASTRAL.finditer(body))
            ]
        self.length_units = len(body) + len(self._astral_end)
        # CRLF: indices of the removed CRs (a lone CR becomes LF in place: nothing removed)
        self._cr: list[int] = []
        if "\r\n" in body:
            self._cr = [m.start() for m in _CRLF.finditer(body)]
        lf = body.replace("\r\n", "\n").replace("\r", "\n")
        self._nfc: tuple[list[int], list[int], list[bool]] | None = None
        if self.stored != lf:  # lf is not NFC (stored is NFC(lf), already paid for; a string
            # comparison is cheaper than unicodedata.is_normalized)
            self._nfc = _nfc_breakpoints(lf)

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
        raw_b, nfc_b, inside = self._nfc
        j = bisect_right(raw_b, lf) - 1
        if j < 0:  # before the first place NFC changes anything
            return lf
        if raw_b[j] == lf or not inside[j]:
            return nfc_b[j] + (lf - raw_b[j])
        # inside a chunk that NFC composes (e.g. between e and U+0301): widen outward
        return nfc_b[j + 1] if end else nfc_b[j]

    def start(self, pos: int) -> int:
        return self._map(pos, end=False)

    def end(self, pos: int) -> int:
        return self._map(pos, end=True)
