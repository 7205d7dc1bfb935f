"""Our .qdpx and .qdc validate against the official REFI-QDA schemas (read, not copied)."""

from __future__ import annotations

import zipfile

import pytest

from tests.conftest import CONFORMANCE
from themeqa.interop import refi

SCHEMAS = CONFORMANCE / "refi"
pytestmark = [
    pytest.mark.conformance,
    pytest.mark.skipif(not (SCHEMAS / "Project.xsd").is_file(),
                       reason="../shared/conformance/refi (REFI-QDA schemas) is absent"),
]


@pytest.fixture(scope="module")
def schemas():
    xmlschema = pytest.importorskip("xmlschema")
    return (xmlschema.XMLSchema(str(SCHEMAS / "Project.xsd")),
            xmlschema.XMLSchema(str(SCHEMAS / "Codebook.xsd")))


def _rich_project() -> refi.Project:
    u = "11111111-1111-4111-8111-111111111111"
    code = refi.Code("22222222-2222-4222-8222-222222222222", "2 Fear & <doubt>", colour="#0072B2",
                     description="Definition\n\nInclude: x",
                     children=[refi.Code("22222222-2222-4222-8222-333333333333", "2a Others")],
                     note_refs=["55555555-5555-4555-8555-555555555555"])
    root = refi.Code("22222222-2222-4222-8222-444444444444", "Inhibitors", codable=False,
                     children=[code])
    sel = refi.Selection("44444444-4444-4444-8444-444444444444", 0, 5, name="hello",
                         creating_user=u,
                         codings=[refi.Coding("44444444-4444-4444-8444-555555555555",
                                              code.guid, u)])
    src = refi.Source("33333333-3333-4333-8333-333333333333", "S1.txt", "hello\x0c world 😌",
                      selections=[sel])
    var = refi.Variable("66666666-6666-4666-8666-666666666666", "age", "Integer")
    case = refi.Case("77777777-7777-4777-8777-777777777777", "P01", values={var.guid: 34},
                     source_refs=[src.guid])
    note = refi.Note("55555555-5555-4555-8555-555555555555", "memo", "A memo\nwith lines",
                     creating_user=u)
    return refi.Project(name="demo", origin="themeqa test", users=[refi.User(u, "amira")],
                        codes=[root], variables=[var], cases=[case], sources=[src],
                        notes=[note], sets=[refi.RefiSet("88888888-8888-4888-8888-888888888888",
                                                         "session S1", sources=[src.guid])],
                        note_refs=[note.guid], extras={"format": "themeqa-refi"})


def test_project_export_validates(tmp_path, schemas):
    f = refi.write_qdpx(_rich_project(), tmp_path / "p.qdpx")
    xml = zipfile.ZipFile(f).read("project.qde").decode("utf-8")
    schemas[0].validate(xml)


def test_empty_project_validates(tmp_path, schemas):
    f = refi.write_qdpx(refi.Project(name="empty"), tmp_path / "e.qdpx")
    schemas[0].validate(zipfile.ZipFile(f).read("project.qde").decode("utf-8"))


def test_codebook_export_validates(tmp_path, schemas):
    p = _rich_project()
    cb = refi.CodebookFile(origin="themeqa test", codes=p.codes,
                           sets=[refi.RefiSet("88888888-8888-4888-8888-888888888888", "group",
                                              codes=[p.codes[0].guid])])
    f = refi.write_qdc(cb, tmp_path / "c.qdc")
    schemas[1].validate(f.read_text(encoding="utf-8"))


def test_writer_output_reads_back(tmp_path):
    p = _rich_project()
    q = refi.read_qdpx(refi.write_qdpx(p, tmp_path / "p.qdpx"))
    assert q.sources[0].text == p.sources[0].text
    assert [(s.start, s.end) for s in q.sources[0].selections] == [(0, 5)]
    assert q.codes[0].children[0].name == "2 Fear & <doubt>"
    assert q.cases[0].values == {"66666666-6666-4666-8666-666666666666": 34}
    assert q.notes[0].text == "A memo\nwith lines" and q.note_refs == [q.notes[0].guid]
    assert q.extras == {"format": "themeqa-refi"}
