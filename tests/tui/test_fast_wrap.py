"""The fast wrap gives exactly Textual's wrap (offsets, visual-line index, tab widths).

Why exactly: a coding's offsets are mapped to screen positions through the wrapped document;
a different break would put a highlight or a click one line off. Textual is pinned to 8.2.x;
if an upgrade changes ``WrappedDocument``'s fields or its wrap rule, these tests fail.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual._wrap import compute_wrap_offsets
from textual.document._document import Document
from textual.document._wrapped_document import WrappedDocument

from themeqa.tui.fast_wrap import FastWrappedDocument, unit_width, wrap_offsets

WORDS = ("I", "felt", "warm", "and", "safe", "—", "naïve", "café", "Großmutter", "“quoted”",
         "it’s", "a", "really-long-hyphenated-word-that-will-not-fit", "日本語", "😀",
         "e\u0301", "👍\ufe0f", "x\u200dy", "\u00a0", "  ", "\t", "tab\tin", "\x1b", "Ω")

FIELDS = ("_wrap_offsets", "_offset_to_line_info", "_line_index_to_offsets",
          "_tab_width_cache", "_width", "_tab_width")


def _text(rng: random.Random, lines: int) -> str:
    out = []
    for _ in range(lines):
        kind = rng.random()
        if kind < 0.1:
            out.append("")
        elif kind < 0.6:  # plain transcript prose
            out.append(" ".join(rng.choice(WORDS[:5]) for _ in range(rng.randint(1, 60))))
        else:
            out.append(rng.choice(["", " ", "P01: "]) + " ".join(
                rng.choice(WORDS) for _ in range(rng.randint(1, 40))))
    return "\n".join(out)


def _same(text: str, width: int, tab_width: int = 4) -> None:
    stock = WrappedDocument(Document(text), width=width, tab_width=tab_width)
    fast = WrappedDocument(Document(text), width=0, tab_width=tab_width)
    fast.__class__ = FastWrappedDocument
    fast.wrap(width, tab_width)
    for name in FIELDS:
        assert getattr(fast, name) == getattr(stock, name), (name, width)
    assert fast.height == WrappedDocument.height.fget(stock)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("width", [0, 1, 2, 5, 13, 40, 79, 120])
def test_wrap_equals_textual(seed: int, width: int) -> None:
    _same(_text(random.Random(seed), 80), width)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab  \t\n-é日😀\u200d\ufe0f\u0301\x00")),
               max_size=200),
       st.integers(min_value=0, max_value=30), st.sampled_from([1, 4, 8]))
def test_wrap_equals_textual_on_hostile_text(text: str, width: int, tab_width: int) -> None:
    _same(text, width, tab_width)


def test_offsets_match_textual_line_by_line() -> None:
    rng = random.Random(11)
    for _ in range(300):
        line = _text(rng, 1)
        for width in (3, 17, 60):
            assert wrap_offsets(line, width) == compute_wrap_offsets(line, width, tab_size=4)


def test_unit_width() -> None:
    assert unit_width("Plain words, café and “quotes” – fine")
    assert not unit_width("tab\there")
    assert not unit_width("wide 日本")
    assert not unit_width("emoji 👍\ufe0f")
    assert not unit_width("e\u0301")  # a combining accent takes no cell of its own
    assert not unit_width("escape \x1b")


def test_coding_text_uses_the_fast_wrap() -> None:
    from themeqa.tui.components.coding_text import CodingText

    area = CodingText("one line\nand another")
    assert type(area.wrapped_document) is FastWrappedDocument


@pytest.mark.parametrize("line", ["   leading spaces then words", "word", "a  b   c    d",
                                  "x" * 30 + " tail", "head " + "y" * 30, "      ", " a b",
                                  "ab cd ef gh ij kl mn op", "no\u00a0break space here"])
def test_edge_lines(line: str) -> None:
    for width in range(1, len(line) + 2):
        assert wrap_offsets(line, width) == compute_wrap_offsets(line, width, tab_size=4), width


def test_only_printable_whitespace_is_the_space() -> None:
    # the fast path splits printable lines on " " alone; \\s must not match anything else there
    odd = [c for c in map(chr, range(0x110000)) if c.isspace() and c.isprintable()]
    assert odd == [" "]
