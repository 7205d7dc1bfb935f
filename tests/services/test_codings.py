"""Codings through the service layer: add, delete, CSV import all-or-nothing, round trip."""

from __future__ import annotations

import pytest

from themeqa.errors import InputError, NotFoundError
from themeqa.services.codebooks import codebook_tree, import_codebook
from themeqa.services.codings import (
    add_coding,
    delete_coding,
    export_codings,
    import_codings,
    list_codings,
)
from themeqa.services.importing import import_files
from themeqa.services.participants import import_participants


@pytest.fixture
def coded(project, study_files):
    import_participants(project, study_files["participants"])
    import_codebook(project, study_files["codebook"])
    import_files(project, [study_files["S1"]], session="S1", timepoint="initial")
    return project


def test_add_coding_resolves_label_path_and_qualified_reference(coded):
    text_start = 60
    a = add_coding(coded, document="S1.txt", start=text_start, end=text_start + 5, code="2a",
                   coder="ann")
    b = add_coding(coded, document="S1.txt", start=1, end=4,
                   code="Fear of compassion/Others are unreliable", coder="ann")
    c = add_coding(coded, document="S1.txt", start=1, end=4, code="inhibitors::1",
                   coder="bo", quote=True)
    rows = {r.id: r for r in list_codings(coded)}
    assert (rows[a].code_label, rows[a].start, rows[a].end) == ("2a", 60, 65)
    assert rows[b].code_label == "2a"
    assert (rows[c].code_label, rows[c].coder, rows[c].quote) == ("1", "bo", True)
    counts = {n.label: n.codings for n in codebook_tree(coded, coder="ann")}
    assert counts == {"1": 0, "2": 0, "2a": 2}


def test_add_coding_rejects_bad_spans_and_codes(coded):
    with pytest.raises(InputError):
        add_coding(coded, document="S1.txt", start=5, end=5, code="1", coder="ann")
    with pytest.raises(InputError):
        add_coding(coded, document="S1.txt", start=0, end=10_000, code="1", coder="ann")
    with pytest.raises(NotFoundError):
        add_coding(coded, document="S1.txt", start=0, end=3, code="9z", coder="ann")
    with pytest.raises(NotFoundError):
        add_coding(coded, document="nope.txt", start=0, end=3, code="1", coder="ann")
    assert list_codings(coded) == []


def test_delete_coding(coded):
    cid = add_coding(coded, document="S1.txt", start=0, end=3, code="1", coder="ann")
    delete_coding(coded, cid)
    assert list_codings(coded) == []


def test_csv_import_is_all_or_nothing_and_names_rows(coded, tmp_path):
    bad = tmp_path / "codings.csv"
    bad.write_text(
        "document,start,end,code,coder,layer,quote\n"
        "S1.txt,0,7,1,ann,coder,0\n"
        "S1.txt,0,99999,1,ann,coder,0\n"
        "missing.txt,0,3,1,ann,coder,0\n"
        "S1.txt,0,3,7q,ann,coder,0\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        import_codings(coded, bad)
    msg = str(err.value)
    assert "3 bad rows" in msg
    assert "row 3" in msg and "row 4" in msg and "row 5" in msg
    assert list_codings(coded) == []


def test_csv_round_trip(coded, tmp_path):
    add_coding(coded, document="S1.txt", start=60, end=72, code="2a", coder="ann", quote=True)
    add_coding(coded, document="S1.txt", start=10, end=20, code="1", coder="bo",
               layer="consensus")
    out = tmp_path / "out.csv"
    assert export_codings(coded, out) == 2
    text = out.read_text(encoding="utf-8").splitlines()
    assert text[0] == "document,start,end,code,coder,layer,quote"
    assert "S1.txt,60,72,2a,ann,coder,1" in text
    assert "S1.txt,10,20,1,bo,consensus,0" in text
    before = [(r.document, r.start, r.end, r.code_label, r.coder, r.layer, r.quote)
              for r in list_codings(coded)]
    for r in list_codings(coded):
        delete_coding(coded, r.id)
    assert import_codings(coded, out) == 2
    after = [(r.document, r.start, r.end, r.code_label, r.coder, r.layer, r.quote)
             for r in list_codings(coded)]
    assert after == before
