"""Hypothesis strategies for hostile files: random bytes, and valid files broken in ways real
files break (truncated mid-write, a block of garbage, a wrong encoding, stray lines).

Valid seeds are written here, in the test code (never downloaded); binary formats (docx,
xlsx) are built with python-docx/openpyxl at import time.
"""

from __future__ import annotations

import io

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

#: no .hypothesis/ folder in the tree, reproducible in CI, no deadline on a busy 2-core box
FUZZ = settings(
    database=None,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.data_too_large],
)


#: inputs per reader under ``make fuzz`` (issue 21 asks for at least 1,000)
FUZZ_EXAMPLES = 1000


def fuzzing() -> bool:
    """True under ``make fuzz`` (the hypothesis profile "fuzz" of tests/conftest.py)."""
    return settings.get_current_profile_name() == "fuzz"


def fuzz(max_examples: int) -> settings:
    """FUZZ with a number of examples: ``max_examples`` in ``make test``, at least
    :data:`FUZZ_EXAMPLES` in ``make fuzz``."""
    if fuzzing():
        max_examples = max(max_examples, FUZZ_EXAMPLES)
    return settings(FUZZ, max_examples=max_examples)

TRANSCRIPT = (
    b"Session S1\n\nFacilitator: How did the exercise feel?\n"
    b"P01: It felt warm. I could see my gran's kitchen.\n"
    b"Dana: Sorry, that was me again. It was calm.\nP02: I found it hard.\n"
)
VTT = (
    b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Facilitator>How did it feel?\n\n"
    b"00:00:05.000 --> 00:00:09.500\n<v P01>It felt warm, like my gran's kitchen.\n"
)
SRT = (
    b"1\n00:00:01,000 --> 00:00:04,000\nFacilitator: How did it feel?\n\n"
    b"2\n00:00:05,000 --> 00:00:09,500\nP01: It felt warm.\n"
)
WRITTEN_CSV = b"participant,q1,q2\nP01,It was lovely.,Nothing.\nP02,\"Hard, a bit\",\n"
PARTICIPANTS_CSV = (
    b"id,condition,session,timepoints,age,gender,speaker_labels,occupation\n"
    b"P01,M,S1,initial;follow-up,34,woman,Dana,teacher\nP02,I,S2,initial,51,man,,nurse\n"
)
CODEBOOK_YAML = (
    b"codebook: inhibitors\ntitle: Inhibitors\ndescription: test\nthemes:\n"
    b"  - label: '1'\n    name: Weak imagery ability\n    definition: Cannot form images.\n"
    b"  - label: '2'\n    name: Fear of compassion\n    definition: Fear.\n"
    b"    children:\n"
    b"      - label: 2a\n        name: Others are unreliable\n        definition: Unreliable.\n"
)
CODINGS_CSV = (
    b"document,start,end,code,coder,layer,quote\n"
    b"S1.txt,12,40,1,amira,coder,0\nS1.txt,41,60,2a,ben,coder,1\n"
)
RR_TEXT = b"# rr in ms\n812\n790\n805 799\n0\n830\n" + b"\n".join(
    str(780 + (i * 37) % 60).encode() for i in range(200))
RR_CSV = b"time,RR (ms)\n0.0,812\n0.8,790\n1.6,805\n2.4,799\n3.2,830\n"
RR_HRM = b"[Params]\nVersion=106\nInterval=238\n\n[HRData]\n812\n790\n805\n799\n830\n"
SCALE_KEY = (
    b"name: brief\nitems: 6\nrange: {min: 1, max: 5}\nreversed: [2, 4, 6]\n"
    b"subscales:\n  bounce: [1, 3, 5]\n  struggle: [2, 4, 6]\ntotal: mean_of_items\n"
)
MEASURES_CSV = b"participant,scs_1,scs_2,age\nP01,3,4,34\nP02,2,,51\n"


def _docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("Facilitator: How did the exercise feel?")
    d.add_paragraph("P01: It felt warm. I could see my gran's kitchen.")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _xlsx(rows: list[list[object]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


QDE = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<Project xmlns="urn:QDA-XML:project:1.0" name="fuzz" origin="hand">\n'
    b'<Users><User guid="11111111-1111-1111-1111-111111111111" name="amira"/></Users>\n'
    b'<CodeBook><Codes>\n'
    b'<Code guid="22222222-2222-2222-2222-222222222222" name="Warmth" isCodable="true">\n'
    b'<Description>Feeling warm</Description>\n'
    b'<Code guid="33333333-3333-3333-3333-333333333333" name="Kitchen" isCodable="true"/>\n'
    b'</Code></Codes></CodeBook>\n'
    b'<Sources><TextSource guid="44444444-4444-4444-4444-444444444444" name="S1" '
    b'plainTextPath="internal://44444444-4444-4444-4444-444444444444.txt">\n'
    b'<PlainTextSelection guid="55555555-5555-5555-5555-555555555555" name="It felt warm" '
    b'startPosition="5" endPosition="17" creatingUser="11111111-1111-1111-1111-111111111111">\n'
    b'<Coding guid="66666666-6666-6666-6666-666666666666" '
    b'creatingUser="11111111-1111-1111-1111-111111111111">'
    b'<CodeRef targetGUID="22222222-2222-2222-2222-222222222222"/></Coding>\n'
    b'</PlainTextSelection></TextSource></Sources></Project>\n'
)
QDE_TEXT = b"P01: It felt warm. I could see my gran's kitchen.\n"
QDC = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
    b'<Codes><Code guid="22222222-2222-2222-2222-222222222222" name="1 Warmth" '
    b'isCodable="true"><Description>Feeling warm</Description>'
    b'<Code guid="33333333-3333-3333-3333-333333333333" name="1a Kitchen" isCodable="true"/>'
    b"</Code></Codes></CodeBook>\n"
)


def qdpx(qde: bytes, text: bytes = QDE_TEXT) -> bytes:
    """A .qdpx holding ``qde`` as project.qde and the one source text it names."""
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde)
        zf.writestr("sources/44444444-4444-4444-4444-444444444444.txt", text)
    return buf.getvalue()


QDPX = qdpx(QDE)
DOCX = _docx()
WRITTEN_XLSX = _xlsx([["participant", "q1"], ["P01", "It was lovely."], ["P02", "Hard."]])
PARTICIPANTS_XLSX = _xlsx([["id", "condition", "session"], ["P01", "M", "S1"]])
MEASURES_XLSX = _xlsx([["participant", "scs_1"], ["P01", 3], ["P02", 4]])


@st.composite
def broken(draw, seed: bytes) -> bytes:
    """``seed`` damaged one way: truncated, garbage block, bytes inserted, re-encoded, or
    replaced by random bytes or random text altogether."""
    how = draw(st.sampled_from(
        ["truncate", "garbage", "insert", "latin1", "utf16", "random", "text", "lines"]))
    n = len(seed)
    if how == "truncate":
        return seed[: draw(st.integers(0, max(n - 1, 0)))]
    if how == "garbage":
        i = draw(st.integers(0, n))
        j = draw(st.integers(i, min(n, i + 64)))
        return seed[:i] + draw(st.binary(min_size=1, max_size=64)) + seed[j:]
    if how == "insert":
        i = draw(st.integers(0, n))
        return seed[:i] + draw(st.binary(min_size=1, max_size=32)) + seed[i:]
    if how == "latin1":
        return seed.decode("utf-8", "replace").replace("a", "é").encode("latin-1", "replace")
    if how == "utf16":
        return seed.decode("utf-8", "replace").encode("utf-16")
    if how == "random":
        return draw(st.binary(max_size=512))
    if how == "text":
        return draw(st.text(max_size=300)).encode("utf-8", "surrogatepass")
    # lines: shuffle, duplicate or drop lines of a text file
    lines = seed.split(b"\n")
    picked = draw(st.lists(st.sampled_from(lines), max_size=len(lines) + 3)) if lines else []
    return b"\n".join(picked)
