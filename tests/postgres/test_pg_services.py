"""The service layer on PostgreSQL gives the same study as on SQLite.

Why compare against the SQLite demo: both databases get the demo through the same services,
so any dialect difference (JSON columns, the sibling-name expression index, boolean and
timestamp handling, ordering) shows up as a different list of codings or documents.
"""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from themeqa.errors import InputError, NotFoundError
from themeqa.services.codebooks import codebook_tree, import_codebook, list_codebooks
from themeqa.services.codings import (
    add_coding,
    delete_coding,
    export_codings,
    import_codings,
    list_codings,
)
from themeqa.services.documents import get_document, list_documents
from themeqa.services.participants import list_participants
from themeqa.services.project import open_project
from themeqa.store.models import AuditEvent, Coding, ProjectInfo


@pytest.fixture(scope="module")
def sqlite_demo(demo_dir):
    handle = open_project(demo_dir, actor="reader")
    yield handle
    handle.close()


def _strip_ids(rows):
    return [{k: v for k, v in r.to_dict().items() if k != "id"} for r in rows]


def test_demo_on_postgres_equals_demo_on_sqlite(pg_demo, sqlite_demo):
    assert len(list_codings(pg_demo)) == 471
    assert _strip_ids(list_codings(pg_demo)) == _strip_ids(list_codings(sqlite_demo))
    assert [d.to_dict() | {"id": 0} for d in list_documents(pg_demo, coder="ben")] == [
        d.to_dict() | {"id": 0} for d in list_documents(sqlite_demo, coder="ben")
    ]
    assert [p.to_dict() for p in list_participants(pg_demo)] == [
        p.to_dict() for p in list_participants(sqlite_demo)
    ]
    assert list_codebooks(pg_demo) == list_codebooks(sqlite_demo)
    name = list_documents(sqlite_demo)[0].name
    a, b = get_document(pg_demo, name), get_document(sqlite_demo, name)
    assert (a.text, a.sha256, len(a.turns), a.sentences) == (
        b.text, b.sha256, len(b.turns), b.sentences)


def test_add_and_delete_a_coding_on_postgres(pg_demo):
    doc = list_documents(pg_demo)[0].name
    before = len(list_codings(pg_demo))
    cid = add_coding(pg_demo, document=doc, start=0, end=5, code="inhibitors::1", coder="carla")
    assert [c.coder for c in list_codings(pg_demo) if c.id == cid] == ["carla"]
    delete_coding(pg_demo, cid, actor="carla")
    assert len(list_codings(pg_demo)) == before
    with pg_demo.reading() as s:
        actions = s.exec(select(AuditEvent.action).where(
            AuditEvent.entity == "coding", AuditEvent.entity_id == cid)).all()
    assert sorted(actions) == ["create", "delete"]
    with pytest.raises(InputError, match="outside"):
        add_coding(pg_demo, document=doc, start=0, end=10**9, code="1", coder="carla")


def test_failed_codings_import_writes_nothing_on_postgres(pg_demo, tmp_path):
    doc = list_documents(pg_demo)[0].name
    bad = tmp_path / "bad.csv"
    bad.write_text("document,start,end,code,coder,layer,quote\n"
                   f"{doc},0,5,inhibitors::1,zed,coder,no\n"
                   f"{doc},0,5,nosuch::99,zed,coder,no\n", encoding="utf-8")
    with pg_demo.reading() as s:
        n0 = s.exec(select(func.count()).select_from(Coding)).one()
    with pytest.raises(InputError, match="nothing was imported"):
        import_codings(pg_demo, bad)
    with pg_demo.reading() as s:
        assert s.exec(select(func.count()).select_from(Coding)).one() == n0


def test_codings_export_import_round_trip_on_postgres(pg_demo, tmp_path):
    out = tmp_path / "ben.csv"
    assert export_codings(pg_demo, out, coder="ben") == len(list_codings(pg_demo, coder="ben"))
    text = out.read_text(encoding="utf-8").replace(",ben,", ",bea,")
    (tmp_path / "bea.csv").write_text(text, encoding="utf-8")
    n = import_codings(pg_demo, tmp_path / "bea.csv")
    ben = [(c.document, c.start, c.end, c.code) for c in list_codings(pg_demo, coder="ben")]
    bea = [(c.document, c.start, c.end, c.code) for c in list_codings(pg_demo, coder="bea")]
    assert n == len(ben) and bea == ben


def test_codebook_import_on_postgres(pg_project, study_files):
    result = import_codebook(pg_project, study_files["codebook"])
    assert result.codes == 3
    tree = codebook_tree(pg_project)
    assert [(n.label, n.depth) for n in tree] == [("1", 1), ("2", 1), ("2a", 2)]
    with pytest.raises(InputError, match="already exists"):
        import_codebook(pg_project, study_files["codebook"])


def test_json_settings_round_trip_on_postgres(pg_project):
    with pg_project.transaction() as s:
        info = s.exec(select(ProjectInfo)).one()
        info.settings = {"blind": True, "backup": {"interval_hours": 24, "keep": 7}, "é": [1]}
        s.add(info)
    assert pg_project.info().settings == {
        "blind": True, "backup": {"interval_hours": 24, "keep": 7}, "é": [1]}


def test_missing_document_is_not_found_on_postgres(pg_project):
    with pytest.raises(NotFoundError):
        add_coding(pg_project, document="nope.txt", start=0, end=1, code="1", coder="x")
