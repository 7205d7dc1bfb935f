"""REFI-QDA exchange through the services: the demo round trip, all-or-nothing imports, .qdc."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from sqlmodel import func, select

from tests.interop.refi_fixtures import (
    C1,
    S1,
    U1,
    project_xml,
    selection,
    strip_exchange_data,
    write_qdpx,
)
from themeqa.errors import InputError
from themeqa.services.exchange import (
    export_codebook_qdc,
    export_project,
    import_codebook_qdc,
    import_project,
)
from themeqa.services.project import open_project
from themeqa.store.models import (
    AuditEvent,
    Code,
    Codebook,
    Coder,
    Coding,
    Document,
    Memo,
    Participant,
    ParticipantTimepoint,
    Sentence,
    StudySession,
    Timepoint,
    Turn,
)


def snapshot(project) -> dict:
    """Everything the round trip must keep, keyed by names (ids differ between projects)."""
    from themeqa.services.codebooks import load_core_codebooks

    with project.reading() as s:
        sess = {x.id: x.label for x in s.exec(select(StudySession)).all()}
        tps = {x.id: x.label for x in s.exec(select(Timepoint)).all()}
        parts = {x.id: x for x in s.exec(select(Participant)).all()}
        docs = {d.id: d for d in s.exec(select(Document)).all()}
        codes = {c.id: c for c in s.exec(select(Code)).all()}
        books = {b.id: b.key for b in s.exec(select(Codebook)).all()}
        coders = {c.id: c.name for c in s.exec(select(Coder)).all()}
        codings = s.exec(select(Coding)).all()
        memos = s.exec(select(Memo)).all()
        links = s.exec(select(ParticipantTimepoint)).all()
        turns = s.exec(select(Turn)).all()
        n_sent = s.exec(select(func.count()).select_from(Sentence)).one()
        cbs = load_core_codebooks(s)
        sessions = {x.label: x.condition for x in s.exec(select(StudySession)).all()}
    coding_key = {c.id: (docs[c.document_id].name, c.start, c.end) for c in codings}

    def target(m):
        if m.coding_id:
            return ("coding", coding_key[m.coding_id])
        if m.code_id:
            return ("code", codes[m.code_id].label)
        if m.document_id:
            return ("document", docs[m.document_id].name)
        return ("project",)

    return {
        "documents": sorted(
            (d.name, d.text, d.kind, sess.get(d.session_id), tps.get(d.timepoint_id),
             parts[d.participant_id].pid if d.participant_id else None, d.question)
            for d in docs.values()),
        "codebooks": cbs,
        "codings": sorted(
            (docs[c.document_id].name, c.start, c.end, books[codes[c.code_id].codebook_id],
             codes[c.code_id].label, coders[c.coder_id], c.layer, c.quote) for c in codings),
        "memos": sorted((m.text, coders.get(m.author_id), target(m)) for m in memos),
        "participants": sorted(
            (p.pid, p.condition, sess.get(p.session_id), p.age, p.gender, sorted(p.extra.items()),
             sorted(tps[x.timepoint_id] for x in links if x.participant_id == p.id))
            for p in parts.values()),
        "sessions": sessions,
        "turns": sorted((docs[t.document_id].name, t.start, t.content_start, t.end, t.speaker,
                         t.role) for t in turns),
        "sentences": n_sent,
    }


def _add_memos_and_consensus(project):
    with project.transaction() as s:
        amira = s.exec(select(Coder).where(Coder.name == "amira")).one()
        doc = s.exec(select(Document).order_by(Document.id)).first()
        code = s.exec(select(Code).where(Code.label == "2a")).one()
        coding = s.exec(select(Coding).order_by(Coding.id)).first()
        s.add(Memo(text="Project memo: themes look stable.", author_id=amira.id))
        s.add(Memo(text="Noisy recording in the middle.", author_id=amira.id,
                   document_id=doc.id))
        s.add(Memo(text="Overlaps with 2b; keep apart.\nSecond line.", code_id=code.id))
        s.add(Memo(text="Why this one is 2a", author_id=amira.id, coding_id=coding.id))
        s.add(Coding(document_id=coding.document_id, code_id=coding.code_id,
                     coder_id=amira.id, layer="consensus", start=coding.start, end=coding.end,
                     quote=True))


@pytest.fixture(scope="module")
def demo_export(demo_dir, tmp_path_factory):
    """The demo with memos and a consensus coding, exported once for the module."""
    import shutil

    d = tmp_path_factory.mktemp("rt") / "demo"
    shutil.copytree(demo_dir, d)
    project = open_project(d, actor="tester")
    _add_memos_and_consensus(project)
    out = d.parent / "demo.qdpx"
    report = export_project(project, out)
    before = snapshot(project)
    project.close()
    return out, report, before


def test_demo_round_trip_keeps_everything(demo_export, tmp_path):
    out, report, before = demo_export
    assert report.codings == 472 and report.notes == 4 and report.cases == 20
    result = import_project(out, tmp_path / "copy", actor="tester")
    assert result.notices == [] and result.skipped_mismatches == []
    project = open_project(tmp_path / "copy")
    try:
        after = snapshot(project)
    finally:
        project.close()
    for key in before:
        assert after[key] == before[key], key
    assert len(after["codings"]) == 472
    assert sum(1 for c in after["codings"] if c[6] == "consensus") == 1


def test_export_is_deterministic_and_self_verifying(demo_export, tmp_path, demo_copy):
    from themeqa.interop.refi import read_qdpx

    out, _, _ = demo_export
    p = read_qdpx(out)
    # every selection is named by its own text, so our reader verified all of them
    assert p.mismatches == []
    assert {u.name for u in p.users} == {"amira", "ben", "amira (consensus)"}
    assert [c.name for c in p.codes] == ["Inhibitors of compassionate imagery",
                                         "Facilitators of compassionate imagery",
                                         "Experience of the exercise"]
    assert all(not c.codable for c in p.codes)
    # names leave exactly as stored; a label the name and position would not give back
    # travels as a "Label:" line: under three codebook roots, "2" sits at position 1.2
    codes = {c.name: c for c, _ in p.codes[0].walk()}
    assert codes["Others are unreliable"].description.endswith("\n\nLabel: 2a")
    assert codes["Fear of compassion"].description.endswith("\n\nLabel: 2")
    assert p.extras_from == "the note 'themeqa exchange data'"
    assert p.extras["codes"][codes["Others are unreliable"].guid]["label"] == "2a"
    assert "themeqa exchange data" not in [n.name for n in p.notes]  # taken out, not a memo
    names = zipfile.ZipFile(out).namelist()
    assert [n for n in names if n != "project.qde" and not n.startswith("sources/")] == []
    xmls = []
    for name in ("a.qdpx", "b.qdpx"):  # (each export logs an audit event: hence the copy)
        project = open_project(demo_copy)
        try:
            export_project(project, tmp_path / name)
        finally:
            project.close()
        xmls.append(zipfile.ZipFile(tmp_path / name).read("project.qde"))
    assert xmls[0] == xmls[1]  # the same GUIDs every time


def test_xml_alone_round_trips_labels_and_consensus(demo_export, tmp_path):
    """Without the exchange data (another tool re-exported it), names, labels and layers
    survive: the labels through the "Label:" lines the export wrote where needed."""
    out, _, before = demo_export
    stripped = strip_exchange_data(out, tmp_path / "stripped.qdpx")
    assert "themeqa exchange data" not in zipfile.ZipFile(stripped).read("project.qde").decode()
    result = import_project(stripped, tmp_path / "p")
    project = open_project(tmp_path / "p")
    try:
        after = snapshot(project)
    finally:
        project.close()
    # one codebook named after the project, the three codebooks as its top-level codes
    assert result.codebooks == ["Compassionate-imagery-focus-groups--demo"]
    strip = [(d, a, b, lab, coder, layer) for d, a, b, _, lab, coder, layer, _ in
             before["codings"]]
    assert [(d, a, b, lab, coder, layer) for d, a, b, _, lab, coder, layer, _ in
            after["codings"]] == strip
    assert [d[:2] for d in after["documents"]] == [d[:2] for d in before["documents"]]


def _counts(directory: Path) -> tuple:
    p = open_project(directory)
    try:
        with p.reading() as s:
            return tuple(s.exec(select(func.count()).select_from(m)).one()
                         for m in (Document, Codebook, Coding, Participant, AuditEvent))
    finally:
        p.close()


def _hostile(tmp_path: Path, kind: str) -> Path:
    xml = project_xml(origin="qc", selections=selection(0, 5, name="hello"))
    f = write_qdpx(tmp_path / f"{kind}.qdpx", xml, {f"{S1}.txt": b"hello world"})
    if kind == "slip":
        with zipfile.ZipFile(f, "a") as zf:
            zf.writestr("../../escape.txt", b"x")
    elif kind == "bomb":
        with zipfile.ZipFile(f, "a", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("sources/big.txt", b"\0" * (20 * 1024**2))
    elif kind == "xxe":
        bad = xml.replace('<?xml version="1.0" encoding="utf-8"?>\n',
                          '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM '
                          '"file:///etc/passwd">]>').replace('name="fixture"', 'name="&x;"')
        f = write_qdpx(tmp_path / "xxe.qdpx", bad, {f"{S1}.txt": b"hello world"})
    elif kind == "truncated":
        data = f.read_bytes()
        f.write_bytes(data[: len(data) // 2])
    return f


@pytest.mark.parametrize("kind,message", [
    ("slip", "outside the archive"), ("bomb", "zip bomb"), ("xxe", "entities"),
    ("truncated", "corrupt or truncated"),
])
def test_hostile_archives_write_nothing(tmp_path, kind, message, project):
    f = _hostile(tmp_path, kind)
    target = tmp_path / "new-project"
    with pytest.raises(InputError, match=message):
        import_project(f, target)
    assert not target.exists()
    before = _counts(project.directory)
    with pytest.raises(InputError, match=message):
        import_project(f, project.directory)
    assert _counts(project.directory) == before
    assert not (tmp_path.parent / "escape.txt").exists()


def test_import_refuses_a_project_that_is_not_empty(demo_copy, tmp_path):
    xml = project_xml(origin="qc", selections=selection(0, 5, name="hello"))
    f = write_qdpx(tmp_path / "ok.qdpx", xml, {f"{S1}.txt": b"hello world"})
    before = _counts(demo_copy)
    with pytest.raises(InputError, match="already has documents"):
        import_project(f, demo_copy)
    assert _counts(demo_copy) == before


def test_a_failure_while_writing_removes_the_new_project(tmp_path, monkeypatch):
    from themeqa.services import exchange_import

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exchange_import, "insert_codebook", boom)
    xml = project_xml(origin="qc", selections=selection(0, 5, name="hello"))
    f = write_qdpx(tmp_path / "ok.qdpx", xml, {f"{S1}.txt": b"hello world"})
    with pytest.raises(RuntimeError):
        import_project(f, tmp_path / "p")
    assert not (tmp_path / "p").exists()
    (tmp_path / "q").mkdir()
    with pytest.raises(RuntimeError):
        import_project(f, tmp_path / "q")
    assert list((tmp_path / "q").iterdir()) == []


def test_mismatched_selection_refuses_or_is_skipped(tmp_path):
    text = b"It was lovely and calm today.\n"
    sels = selection(17, 21, name="calm today") + selection(
        0, 6, name="It was", guid="55555555-5555-4555-8555-555555555555")
    f = write_qdpx(tmp_path / "m.qdpx", project_xml(origin="ATLAS.ti 23", selections=sels),
                   {f"{S1}.txt": text})
    with pytest.raises(InputError, match="1 coded selections do not match"):
        import_project(f, tmp_path / "a")
    assert not (tmp_path / "a").exists()
    report = import_project(f, tmp_path / "b", on_mismatch="skip")
    assert report.codings == 1 and len(report.skipped_mismatches) == 1
    p = open_project(tmp_path / "b")
    try:
        with p.reading() as s:
            c = s.exec(select(Coding)).one()
            assert (c.start, c.end) == (0, 6)
    finally:
        p.close()


def test_foreign_import_maps_users_codes_and_positions(tmp_path):
    # NVivo dialect: UTF-16 units; "P01: Proud 💪 and calm" -> "calm" is 17-20 (units 18-22)
    text = "P01: Proud 💪 and calm\n".encode()
    f = write_qdpx(tmp_path / "nv.qdpx",
                   project_xml(origin="NVivo for Windows 14", selections=selection(18, 22)),
                   {f"{S1}.txt": text}, folder="Sources")
    report = import_project(f, tmp_path / "p")
    assert report.coders == ["nadia"] and report.codings == 1
    p = open_project(tmp_path / "p")
    try:
        with p.reading() as s:
            c = s.exec(select(Coding)).one()
            d = s.exec(select(Document)).one()
            code = s.get(Code, c.code_id)
            assert d.text[c.start:c.end] == "calm" and (c.start, c.end) == (17, 21)
            assert (code.label, code.name, code.definition) == ("1", "Calm", "Feeling calm")
            assert s.exec(select(Coder)).one().name == "nadia"
    finally:
        p.close()
    assert U1 and C1


def test_qdc_round_trip_and_a_shared_number(project, demo_dir, tmp_path):
    from themeqa.services.codebooks import export_codebook

    demo = open_project(demo_dir)
    try:
        n = export_codebook_qdc(demo, tmp_path / "inh.qdc", "inhibitors")
        original = export_codebook(demo, "inhibitors")
    finally:
        demo.close()
    assert n == 15
    result = import_codebook_qdc(project, tmp_path / "inh.qdc", key="inhibitors")
    assert result.codes == 15
    back = export_codebook(project, "inhibitors")
    assert back.themes == original.themes
    with pytest.raises(InputError, match="already exists"):
        import_codebook_qdc(project, tmp_path / "inh.qdc", key="inhibitors")
    clash = tmp_path / "clash.qdc"
    clash.write_text(
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        '<Code guid="22222222-2222-4222-8222-222222222222" name="2a Others" isCodable="true"/>'
        '<Code guid="22222222-2222-4222-8222-333333333333" name="2a Fear" isCodable="true"/>'
        "</Codes></CodeBook>", encoding="utf-8")
    # two codes begin with "2a": names stay, neither takes 2a, both are labelled by position
    result = import_codebook_qdc(project, clash, key="other")
    assert result.warnings[0] == ("2 codes begin with number '2a' ('2a Others', '2a Fear'); "
                                  "labelled by position (names unchanged)")
    with project.reading() as s:
        book = s.exec(select(Codebook).where(Codebook.key == "other")).one()
        rows = s.exec(select(Code.label, Code.name).where(Code.codebook_id == book.id)
                      .order_by(Code.position)).all()
    assert [tuple(r) for r in rows] == [("1", "2a Others"), ("2", "2a Fear")]


def test_label_collisions_with_other_codebooks_are_one_warning(project, demo_dir, tmp_path):
    demo = open_project(demo_dir)
    try:
        export_codebook_qdc(demo, tmp_path / "inh.qdc", "inhibitors")
    finally:
        demo.close()
    import_codebook_qdc(project, tmp_path / "inh.qdc", key="a")
    result = import_codebook_qdc(project, tmp_path / "inh.qdc", key="b")
    assert result.warnings == ("15 labels are also used in other codebooks (1, 2, 2a, 2b, 2c, "
                               "2d, 3, 3a, …); qualify references, e.g. b::1",)


def test_damaged_side_file_is_bad_input(tmp_path):
    import json

    xml = project_xml(origin="themeqa 0.1", selections=selection(0, 5, name="hello"))
    f = write_qdpx(tmp_path / "s.qdpx", xml, {f"{S1}.txt": b"hello world"})
    with zipfile.ZipFile(f, "a") as zf:
        zf.writestr("themeqa.json", json.dumps({"codes": {C1: "not a dict"}}))
    with pytest.raises(InputError, match=r"themeqa\.json does not fit"):
        import_project(f, tmp_path / "p")
    assert not (tmp_path / "p").exists()


def test_demo_export_validates_against_the_official_schema(demo_export):
    from tests.conftest import CONFORMANCE

    xsd = CONFORMANCE / "refi" / "Project.xsd"
    if not xsd.is_file():
        pytest.skip("../shared/conformance/refi/Project.xsd is absent")
    xmlschema = pytest.importorskip("xmlschema")
    out, _, _ = demo_export
    xml = zipfile.ZipFile(out).read("project.qde").decode("utf-8")
    xmlschema.XMLSchema(str(xsd)).validate(xml)
    assert "<Cases>" in xml and "<Notes>" in xml and 'name="amira (consensus)"' in xml
