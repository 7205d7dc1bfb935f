"""Each tool's dialect, reproduced in a hand-written file, reads to the same themeqa offsets."""

from __future__ import annotations

import pytest

from tests.interop.refi_fixtures import C1, S1, U1, project_xml, selection, write_qdpx
from themeqa.interop.refi import read_qdc, read_qdpx

EMOJI_TEXT = "P07: Calmer 😌 than expected. Proud 💪 of it.\n"
# code points: "P07: Calmer " is 0-11, 😌 is 12, " than expected. " 13-28, "Proud" 29-33;
# in UTF-16 units the emoji takes 12-13, so "Proud" is 30-34
PROUD_CP = EMOJI_TEXT.index("Proud")


def test_hand_offsets_of_the_emoji_fixture():
    assert PROUD_CP == 29
    assert len(EMOJI_TEXT[:PROUD_CP].encode("utf-16-le")) // 2 == 30


def test_nvivo_counts_utf16_units(tmp_path):
    # NVivo: UTF-16 units, the emoji before "Proud" counts twice; the name is left empty
    xml = project_xml(origin="NVivo for Windows 12.6",
                      selections=selection(30, 35))
    f = write_qdpx(tmp_path / "nv.qdpx", xml, {f"{S1}.txt": EMOJI_TEXT.encode()})
    p = read_qdpx(f)
    sel = p.sources[0].selections[0]
    assert p.sources[0].text[sel.start:sel.end] == "Proud"
    assert (sel.start, sel.end) == (29, 34)
    assert p.mismatches == []


def test_standard_counts_code_points(tmp_path):
    xml = project_xml(origin="qc 1.7.8", selections=selection(29, 34, name="Proud"))
    f = write_qdpx(tmp_path / "qc.qdpx", xml, {f"{S1}.txt": EMOJI_TEXT.encode()})
    sel = read_qdpx(f).sources[0].selections[0]
    assert (sel.start, sel.end) == (29, 34)


def test_unknown_tool_with_utf16_positions_is_detected_from_the_selection_text(tmp_path):
    # origin says nothing, but the selection's own text proves UTF-16 units; reported, not silent
    # "Proud 💪 of it": code points 29-42 (💪 is 35), UTF-16 units 30-44 (💪 is 36-37)
    xml = project_xml(origin="SomeTool 2", selections=selection(30, 44, name="Proud 💪 of it"))
    f = write_qdpx(tmp_path / "x.qdpx", xml, {f"{S1}.txt": EMOJI_TEXT.encode()})
    p = read_qdpx(f)
    sel = p.sources[0].selections[0]
    assert (sel.start, sel.end) == (29, 42)
    assert p.sources[0].text[sel.start:sel.end] == "Proud 💪 of it"
    assert p.mismatches == []
    assert any("utf16" in n for n in p.notices)


def test_wrong_units_are_reported_as_a_mismatch_not_shifted(tmp_path):
    text = "It was lovely and calm today.\n"
    # "calm" is at 18..22; the file claims 17..21 with the selection text "calm"
    xml = project_xml(origin="ATLAS.ti 23", selections=selection(17, 21, name="calm today"))
    f = write_qdpx(tmp_path / "m.qdpx", xml, {f"{S1}.txt": text.encode()})
    p = read_qdpx(f)
    assert len(p.mismatches) == 1
    m = p.mismatches[0]
    assert (m.start, m.end, m.expected, m.found) == (17, 21, "calm today", " cal")


def test_crlf_and_bom_source_from_nvivo(tmp_path):
    raw = "\ufeffINT: Hello\r\nP01: I felt calm\r\n".encode()
    # NVivo units over the text after the BOM: "INT: Hello" 0-9, CR 10, LF 11,
    # "P01: I felt " 12-23, "calm" 24-27; stored (LF only) "calm" is 23-26
    xml = project_xml(origin="NVivo for Windows 12.6", selections=selection(24, 28))
    f = write_qdpx(tmp_path / "crlf.qdpx", xml, {f"{S1}.txt": raw}, folder="Sources")
    src = read_qdpx(f).sources[0]
    assert src.text == "INT: Hello\nP01: I felt calm\n"
    sel = src.selections[0]
    assert src.text[sel.start:sel.end] == "calm" and sel.start == 23


def test_capitalised_sources_and_renamed_qde(tmp_path):
    xml = project_xml(origin="ATLAS.ti Mac 8.4", selections=selection(0, 3, name="abc"))
    f = write_qdpx(tmp_path / "a.qdpx", xml, {f"{S1}.txt": b"abcdef"},
                   qde_name="My Study.qde", folder="Sources")
    p = read_qdpx(f)
    assert p.sources[0].text == "abcdef"
    assert any("My Study.qde" in n for n in p.notices)


def test_bare_plaintextpath_and_missing_optional_attributes(tmp_path):
    # qc writes plainTextPath="interview.txt" and no source name; no creatingUser anywhere
    xml = project_xml(origin="qc 1.2.0", selections=selection(0, 5, user=None), users=False)
    xml = xml.replace(f'plainTextPath="internal://{S1}.txt"', 'plainTextPath="interview.txt"')
    xml = xml.replace('name="interview" ', "")
    f = write_qdpx(tmp_path / "qc.qdpx", xml, {"interview.txt": b"hello world"})
    p = read_qdpx(f)
    assert p.sources[0].name == "interview.txt"
    assert p.sources[0].selections[0].codings[0].creating_user is None
    assert p.users == []
    # isCodable missing on the child code: codable by default
    assert p.codes[0].children[0].codable is True


def test_nfd_source_is_composed_and_offsets_follow(tmp_path):
    text = "Cafe\u0301 breaks helped.\n"  # NFD: "Café" is five code points in the file
    xml = project_xml(origin="qc 1.7.8", selections=selection(6, 12, name="breaks"))
    f = write_qdpx(tmp_path / "nfd.qdpx", xml, {f"{S1}.txt": text.encode()})
    src = read_qdpx(f).sources[0]
    sel = src.selections[0]
    assert src.text == "Café breaks helped.\n"
    assert (sel.start, sel.end) == (5, 11) and src.text[5:11] == "breaks"


def test_explicit_units_override_the_origin(tmp_path):
    xml = project_xml(origin="NVivo for Mac 15", selections=selection(29, 34))
    f = write_qdpx(tmp_path / "nv.qdpx", xml, {f"{S1}.txt": EMOJI_TEXT.encode()})
    sel = read_qdpx(f, units="codepoint").sources[0].selections[0]
    assert (sel.start, sel.end) == (29, 34)


MAXQDA_QDC = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<CodeBook xmlns="urn:QDA-XML:codebook:0:4" origin="MAXQDA 24"><Codes>'
    f'<Code guid="{C1}" name="2 Fear of compassion" isCodable="true" color="#ef8256">'
    "<Description>Fear.</Description>"
    f'<Code guid="{U1}" name="2a Others are unreliable" isCodable="true"/></Code>'
    "</Codes></CodeBook>"
)


def test_maxqda_codebook_namespace(tmp_path):
    f = tmp_path / "m.qdc"
    f.write_text(MAXQDA_QDC, encoding="utf-8")
    cb = read_qdc(f)
    assert [c.name for c, _ in cb.all_codes()] == ["2 Fear of compassion",
                                                   "2a Others are unreliable"]
    assert cb.codes[0].colour == "#ef8256"
    assert any("0:4" in n for n in cb.notices)


def test_codebook_with_wrong_root_is_refused(tmp_path):
    from themeqa.interop.refi import RefiError

    f = tmp_path / "x.qdc"
    f.write_text('<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>', encoding="utf-8")
    with pytest.raises(RefiError, match="not a REFI-QDA codebook"):
        read_qdc(f)


def test_coding_references_keep_their_code(tmp_path):
    xml = project_xml(origin="qc", selections=selection(0, 2, code=C1))
    f = write_qdpx(tmp_path / "c.qdpx", xml, {f"{S1}.txt": b"hi there"})
    assert read_qdpx(f).sources[0].selections[0].codings[0].code_guid == C1
