"""The hostile corpus of issue 21: each file that once gave a traceback, a hang or a crash.

Generated here, in the test code (nothing binary is committed): every entry is a function
returning the file's bytes, and ``CORPUS`` names the CLI command that reads it. Used by
``tests/hostile/test_hostile_corpus.py`` (each must give one line and exit 2 within seconds)
and by ``scripts/hostile_table.py`` (the before/after table of the issue).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CORPUS", "Hostile", "big_transcript", "damaged_savs", "valid_sav"]


def codings_big_field() -> bytes:
    """A codings CSV whose memo is 200 KiB (Python's csv refuses fields over 128 KiB)."""
    memo = "x" * (200 * 1024)
    return ("document,start,end,code,coder,layer,quote,memo\n"
            f"S1.txt,1,5,1,amira,coder,0,{memo}\n").encode()


def codings_long_offset() -> bytes:
    """A codings CSV whose start offset has 5,000 digits (int() refuses over 4,300)."""
    return ("document,start,end,code,coder,layer,quote\n"
            f"S1.txt,{'9' * 5000},{'9' * 5001},1,amira,coder,0\n").encode()


def participants_huge_age() -> bytes:
    """Age ``1e999999999``: int(Decimal(...)) would build a billion-digit number."""
    return b"id,condition,age\nP01,M,1e999999999\n"


def participants_long_age() -> bytes:
    """An age of 100,000 digits."""
    return b"id,condition,age\nP01,M," + b"9" * 100_000 + b"\n"


def _xlsx_far_cell(rows: list[list[object]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    ws["XFD1048576"] = "far"  # the last cell of a worksheet: dimension A1:XFD1048576
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_far_participants() -> bytes:
    return _xlsx_far_cell([["id", "condition"], ["P01", "M"]])


def xlsx_far_measures() -> bytes:
    return _xlsx_far_cell([["participant", "scs_1"], ["P01", 3]])


def xlsx_far_written() -> bytes:
    return _xlsx_far_cell([["participant", "q1"], ["P01", "It was lovely."]])


def yaml_alias_bomb() -> bytes:
    """A "billion laughs" codebook (< 1 KB): each theme's children are nine aliases of the
    theme before, nine levels up, so a walk of the tree meets 9**9 themes."""
    lines = ["codebook: bomb", "themes:", "  - &t0 {label: '0', name: leaf}"]
    for i in range(1, 10):
        kids = ",".join([f"*t{i - 1}"] * 9)
        lines.append(f"  - &t{i} {{label: '{i}', name: level {i}, children: [{kids}]}}")
    return ("\n".join(lines) + "\n").encode()


def yaml_cycle() -> bytes:
    """A codebook whose themes contain themselves."""
    return (b"codebook: loop\nthemes: &t\n  - label: '1'\n    name: x\n    children: *t\n")


def yaml_deep() -> bytes:
    """1,200 nested flow sequences."""
    return b"codebook: deep\nthemes: " + b"[" * 1200 + b"]" * 1200 + b"\n"


def yaml_deep_themes() -> bytes:
    """A theme tree 1,200 levels deep (each theme the only child of the one above)."""
    body = "".join(f"{{label: 'l{d}', name: n{d}, children: [" for d in range(1200))
    return ("codebook: deep\nthemes: [" + body + "]}" * 1200 + "]\n").encode()


def _qdpx(qde: str, encoding: str = "utf-8") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde.encode(encoding))
    return buf.getvalue()


_PROJECT_HEAD = ('<Project xmlns="urn:QDA-XML:project:1.0" name="hostile" '
                 'origin="hostile test"><CodeBook><Codes>')
_PROJECT_TAIL = "</Codes></CodeBook></Project>"


def qdpx_deep_codes() -> bytes:
    """3,000 nested <Code> elements."""
    opening = "".join(
        f'<Code guid="00000000-0000-0000-0000-{i:012d}" name="c{i}" isCodable="true">'
        for i in range(3000))
    return _qdpx('<?xml version="1.0" encoding="utf-8"?>' + _PROJECT_HEAD + opening
                 + "</Code>" * 3000 + _PROJECT_TAIL)


def qdpx_unknown_encoding() -> bytes:
    """An XML declaration naming an encoding no one knows."""
    return _qdpx('<?xml version="1.0" encoding="x-no-such-encoding"?>' + _PROJECT_HEAD
                 + _PROJECT_TAIL)


def qdc_deep() -> bytes:
    opening = "".join(f'<Code guid="{i}" name="c{i}" isCodable="true">' for i in range(3000))
    return ('<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
            "<Codes>" + opening + "</Code>" * 3000 + "</Codes></CodeBook>").encode()


def qdc_unknown_encoding() -> bytes:
    return (b'<?xml version="1.0" encoding="x-no-such-encoding"?>'
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>')


def measures_big_field() -> bytes:
    """A 2 MiB cell: over themeqa.limits.MAX_CSV_FIELD."""
    return b"participant,note\nP01," + b"x" * (2 * 1024 * 1024) + b"\n"


def valid_sav(path: Path) -> Path:
    """A small valid .sav written by themeqa's own writer (``interop.spss.write_dataset``),
    with labels, value labels and a user-missing code, so the damage can land in any part."""
    import numpy as np
    import pandas as pd

    from themeqa.interop.spss import Dataset, write_dataset

    frame = pd.DataFrame({
        "participant": [f"P{i:02d}" for i in range(1, 21)],
        "scs_1": np.arange(20, dtype=float) % 5 + 1,
        "scs_2": np.arange(20, dtype=float) % 4 + 1,
        "group": [("mindful" if i % 2 else "imagery") for i in range(20)],
    })
    ds = Dataset(frame, labels={"scs_1": "Self-compassion item 1"},
                 value_labels={"scs_1": {1.0: "never", 5.0: "always"}},
                 missing={"scs_2": [9.0]})
    return write_dataset(ds, path, escape=lambda v: v)


def damaged_savs(path: Path, offsets: int = 24) -> list[tuple[int, bytes]]:
    """``(offset, bytes)``: the valid .sav with one byte changed, at ``offsets`` places spread
    over the file (header, dictionary, data) and with several values at each."""
    data = valid_sav(path).read_bytes()
    picks = sorted({int(i * (len(data) - 1) / (offsets - 1)) for i in range(offsets)})
    out = []
    for k, at in enumerate(picks):
        new = (0x00, 0xFF, 0x7F, 0x80)[k % 4]
        if data[at] == new:
            new ^= 0x55
        out.append((at, data[:at] + bytes([new]) + data[at + 1:]))
    return out


def big_transcript(size: int, seed: int = 21) -> bytes:
    """A plausible transcript of about ``size`` bytes: four speakers taking turns of one to
    four sentences of made-up words (a vocabulary of 3,000, so lines rarely repeat and the
    sentence splitter cannot skip them), one turn a line."""
    import random

    rng = random.Random(seed)
    letters = "abcdefghijklmnoprstuvwy"
    vocab = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(3000)]
    speakers = ("Facilitator", "P01", "P02", "Dana")
    out = io.StringIO()
    out.write("Session S1\n\n")
    total, i = 12, 0
    while total < size:
        sentences = []
        for _ in range(rng.randint(1, 4)):
            words = rng.choices(vocab, k=rng.randint(4, 16))
            sentences.append(" ".join(words).capitalize() + rng.choice(".?!."))
        line = f"{speakers[i % 4]}: {' '.join(sentences)}\n"
        out.write(line)
        total += len(line)
        i += 1
    return out.getvalue().encode()


@dataclass(frozen=True)
class Hostile:
    """One hostile file: its name, how to make it, and the CLI command that reads it
    (``{file}`` is replaced by the path; every command runs on a fresh project)."""

    key: str
    filename: str
    make: Callable[[], bytes]
    command: tuple[str, ...]
    what: str


CORPUS: tuple[Hostile, ...] = (
    Hostile("codings-field", "codings.csv", codings_big_field,
            ("codings", "import", "{file}"), "codings CSV, a 200 KiB field"),
    Hostile("codings-offset", "codings.csv", codings_long_offset,
            ("codings", "import", "{file}"), "codings CSV, a 5,000-digit offset"),
    Hostile("age-exponent", "participants.csv", participants_huge_age,
            ("participants", "import", "{file}"), "participants CSV, age 1e999999999"),
    Hostile("age-digits", "participants.csv", participants_long_age,
            ("participants", "import", "{file}"), "participants CSV, a 100,000-digit age"),
    Hostile("xlsx-participants", "participants.xlsx", xlsx_far_participants,
            ("participants", "import", "{file}"), "participants .xlsx, a cell at XFD1048576"),
    Hostile("xlsx-measures", "measures.xlsx", xlsx_far_measures,
            ("quant", "import", "{file}"), "measures .xlsx, a cell at XFD1048576"),
    Hostile("xlsx-written", "written.xlsx", xlsx_far_written,
            ("import", "{file}"), "written answers .xlsx, a cell at XFD1048576"),
    Hostile("measures-field", "measures.csv", measures_big_field,
            ("quant", "import", "{file}"), "measures CSV, a 2 MiB field"),
    Hostile("yaml-aliases", "codebook.yaml", yaml_alias_bomb,
            ("codebook", "import", "{file}"), "codebook YAML, alias bomb (9^9 themes)"),
    Hostile("yaml-cycle", "codebook.yaml", yaml_cycle,
            ("codebook", "import", "{file}"), "codebook YAML, a cycle"),
    Hostile("yaml-deep", "codebook.yaml", yaml_deep,
            ("codebook", "import", "{file}"), "codebook YAML, 1,200 nested lists"),
    Hostile("yaml-deep-themes", "codebook.yaml", yaml_deep_themes,
            ("codebook", "import", "{file}"), "codebook YAML, themes 1,200 levels deep"),
    Hostile("qdpx-deep", "deep.qdpx", qdpx_deep_codes,
            ("import-project", "{file}", "{project}"), ".qdpx, 3,000 nested <Code>"),
    Hostile("qdpx-encoding", "enc.qdpx", qdpx_unknown_encoding,
            ("import-project", "{file}", "{project}"), ".qdpx, unknown XML encoding"),
    Hostile("qdc-deep", "deep.qdc", qdc_deep,
            ("codebook", "import", "{file}"), ".qdc, 3,000 nested <Code>"),
    Hostile("qdc-encoding", "enc.qdc", qdc_unknown_encoding,
            ("codebook", "import", "{file}"), ".qdc, unknown XML encoding"),
)
