"""sentence_spans' shortcuts give exactly the spans of running every line through spaCy.

Why: ``sentence_spans`` skips spaCy for lines without sentence punctuation and splits a
repeated line once (``themeqa/ingest/sentences.py``). Stored sentence offsets must not change
because of that, so every test here compares it with the straightforward algorithm it
replaced -- every content line through ``nlp.pipe``, spans trimmed -- on generated
transcripts, on text made to hit the sentencizer's edge cases, and on the real files of
``../shared/conformance`` when they are present.
"""

from __future__ import annotations

import random
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import CONFORMANCE
from themeqa.core.text import normalize_text
from themeqa.ingest import sentences
from themeqa.ingest.sentences import content_lines, sentence_spans

REPO = Path(__file__).resolve().parents[2]


def every_line_through_spacy(texts: list[str], language: str = "en") -> list[list[tuple]]:
    """The algorithm before the shortcuts, kept verbatim as the reference."""
    results: list[list[tuple[int, int]]] = [[] for _ in texts]
    lines = list(content_lines(texts))
    if not lines:
        return results
    nlp = sentences._pipeline(language or "xx", None)
    longest = max(len(line) for _, _, line in lines)
    if longest >= nlp.max_length:
        nlp.max_length = longest + 1
    docs = nlp.pipe((line for _, _, line in lines), batch_size=256)
    for (i, offset, line), doc in zip(lines, docs, strict=True):
        out = results[i]
        for sent in doc.sents:
            a, b = sent.start_char, sent.end_char
            while a < b and line[a].isspace():
                a += 1
            while b > a and line[b - 1].isspace():
                b -= 1
            if a < b:
                out.append((offset + a, offset + b))
    return results


def assert_same(texts: list[str], language: str = "en") -> None:
    new = sentence_spans(texts, language=language)
    old = every_line_through_spacy(texts, language)
    for k, (a, b) in enumerate(zip(new, old, strict=True)):
        if a != b:  # show the first differing line, not two lists of thousands of spans
            first = next(j for j in range(min(len(a), len(b)) + 1)
                         if j >= len(a) or j >= len(b) or a[j] != b[j])
            pos = (a[first] if first < len(a) else b[first])[0]
            line_start = texts[k].rfind("\n", 0, pos) + 1
            line_end = texts[k].find("\n", pos)
            line = texts[k][line_start : line_end if line_end >= 0 else None]
            pytest.fail(f"text {k}: spans differ on line {line!r}: "
                        f"new {a[first:first + 3]} old {b[first:first + 3]}")


# Lines chosen for the sentencizer's corners: no punctuation at all; punctuation only at the
# end, with and without white space after it; space tokens after a full stop ("Hi.  !");
# other scripts' full stops (Devanagari, CJK, Armenian, astral Brahmi); tabs, no-break and
# ideographic spaces; numbers, abbreviations, URLs, ellipses, quotes after the stop.
EDGE_LINES = [
    "P01: yeah I think so",
    "2021-10-30T08:45:00Z",
    "@peterpeter5409",
    "UgwFd52XD7SMYNT5V0F4AaABAg",
    "Kötelező oltás: Alkotmánymódosítás is jöhet?",
    "Kötelező oltás: Alkotmánymódosítás is jöhet?",
    "Hello.",
    "Hello.   ",
    "   Hello world?!",
    "Hello.  !",
    "Hello. !",
    "Hi.  ! Then more",
    "...",
    ".",
    " . ",
    "!!! ??? ...",
    "\tindented\ttext with tabs.\tAnd more",
    "no\u00a0break\u00a0spaces. Then\u00a0this",
    "\u3000全角スペース。次の文です。",
    "यह एक वाक्य है। यह दूसरा है॥ तीसरा",
    "Սա նախադասություն է։ Եվ սա",
    "astral stop \U00011047 then more \U00011048 end",
    "Dr. Smith paid $3.50 at 10 a.m. for e.g. tea.",
    "See https://example.org/a.b?c=d! Then go.",
    '"Yes." she said. "No!" he said?',
    "(a) first. (b) second.) third",
    "emoji 😌. then 🎉! then ✨",
    "mixed… ellipsis… here",
    "‼ ‽ ⁇ ⁈ ⁉ ！ ？ ． ｡",
    "trailing spaces then stop .",
    "a.b.c.d e.f",
    "\u200bzero width",
    "x",
]


def test_edge_lines_each_alone_and_together() -> None:
    assert_same(EDGE_LINES)
    assert_same(["\n".join(EDGE_LINES), "\n\n".join(reversed(EDGE_LINES)) + "\n  \n"])


@pytest.mark.parametrize("language", ["en", "de", "hu", "xx", "zh"])
def test_languages_including_other_tokenisers(language: str) -> None:
    # "zh" has its own tokeniser (characters), so the shortcuts are off there: same result
    assert_same(["\n".join(EDGE_LINES)], language)


def test_random_lines_from_the_sentencizers_alphabet() -> None:
    rng = random.Random(20261123)
    punct = sorted(sentences._pipeline("en", None).get_pipe("sentencizer").punct_chars)
    pieces = [
        *("word", "Word", "P01:", "3.5", "e.g.", "U.S.", "'", '"', "(", ")", "-", ",", ";", ":"),
        *("😌", "é", "\u0301", "www.x.org", "…", "—"),
        *(" ", " ", " ", "  ", "\t", "\u00a0", "\u3000"),
    ]
    lines = []
    for _ in range(3000):  # about a quarter of the lines have no sentence punctuation
        line = "".join(rng.choice(punct if rng.random() < 0.08 else pieces)
                       for _ in range(rng.randint(1, 14)))
        lines.append(line)
        if rng.random() < 0.2:  # repeats, as in exports with one field per line
            lines.append(rng.choice(lines))
    assert_same(["\n".join(lines[:1500]), "\n".join(lines[1500:])])


def test_generated_transcript() -> None:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from bench.generate import Corpus

    corpus = Corpus("small")
    texts = [corpus.document(plan).text for plan in corpus.plans[:12]]
    assert_same([t for t in texts if t])


def test_trained_or_extended_pipelines_get_no_shortcut() -> None:
    import spacy

    plain = sentences._pipeline("en", None)
    assert sentences._boundary_chars(plain) is not None
    extended = spacy.blank("en")
    extended.add_pipe("sentencizer")
    extended.add_pipe("attribute_ruler")  # could set sentence starts itself
    assert sentences._boundary_chars(extended) is None
    custom = spacy.blank("en")
    custom.add_pipe("sentencizer", config={"punct_chars": ["...", "."]})
    assert sentences._boundary_chars(custom) is None


CONFORMANCE_REASON = f"conformance files not found at {CONFORMANCE} (../shared/conformance)"


@pytest.mark.conformance
@pytest.mark.skipif(not (CONFORMANCE / "transcripts").is_dir(), reason=CONFORMANCE_REASON)
def test_conformance_transcripts() -> None:
    from themeqa.ingest.model import IngestError
    from themeqa.ingest.readers import read_source

    texts = []
    for path in sorted((CONFORMANCE / "transcripts" / "good").iterdir()):
        try:
            texts.extend(d.text for d in read_source(path).documents)
        except IngestError:
            continue
    assert texts
    assert_same(texts)


@pytest.mark.conformance
@pytest.mark.skipif(not (CONFORMANCE / "refi" / "samples").is_dir(), reason=CONFORMANCE_REASON)
def test_largest_refi_source() -> None:
    """The NVivo export that made sentence splitting look slow: ~620k characters, 15k lines."""
    best = None
    for path in sorted((CONFORMANCE / "refi" / "samples").glob("*.qdpx")):
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.filename.lower().endswith(".txt") and (
                    best is None or info.file_size > best[1].file_size
                ):
                    best = (path, info)
    assert best is not None
    with zipfile.ZipFile(best[0]) as zf:
        text = normalize_text(zf.read(best[1]).decode("utf-8-sig"))
    assert_same([text])
