"""After de-identification the new version replaces its original everywhere it is read.

The original stays in the project until ``deidentify --purge-originals``; these tests check,
path by path, that it is not searched, listed, counted or exported beside its new version
(``services.versions``), and that the explicit ways to reach it still do. The small study is
worked out by hand: S7.txt below, with Ken, Leeds and the speaker label Dana replaced; amira's
two codings map exactly and are copied, ben's ends inside "Leeds" and stays on the original.
"""

from __future__ import annotations

import csv
import json
import re
import zipfile

import pytest
from sqlmodel import select

from themeqa.cli.main import main
from themeqa.errors import InputError, NotFoundError
from themeqa.services.codings import add_coding, code_counts, export_codings, list_codings
from themeqa.services.deidentify import apply_review, propose, write_review
from themeqa.services.documents import get_document, list_documents
from themeqa.services.search import SearchFilters, code_from_search, search
from themeqa.store.models import Document

TEXT = (
    "Facilitator: Welcome back.\n"
    "P01: Ken drove me from Leeds on 12 March 2024. It was calm.\n"
    "Dana: Sorry, Dana again. I may go in March.\n"
)
NAMES = ("Ken", "Leeds", "Dana")
_NAME = re.compile(rb"(?<![A-Za-z])(?:Ken|Leeds|Dana)(?![A-Za-z])")


@pytest.fixture
def deid(project, study_files, tmp_path):
    """The study with S7.txt de-identified; returns the project."""
    from themeqa.services.codebooks import import_codebook
    from themeqa.services.importing import import_files
    from themeqa.services.participants import import_participants

    import_participants(project, study_files["participants"])  # P01 is also "Dana"
    import_codebook(project, study_files["codebook"])
    f = tmp_path / "S7.txt"
    f.write_text(TEXT, encoding="utf-8")
    import_files(project, [f])
    calm = TEXT.index("It was calm.")
    ken, leeds = TEXT.index("Ken"), TEXT.index("Leeds")
    add_coding(project, document="S7.txt", start=calm, end=calm + 12, code="1", coder="amira")
    add_coding(project, document="S7.txt", start=ken, end=leeds + 5, code="2", coder="amira",
               quote=True)
    add_coding(project, document="S7.txt", start=ken, end=leeds + 2, code="2a", coder="ben")
    assert len(search(project, "Ken", mode="exact")) == 1  # before: the name is found
    proposals, _ = propose(project, names=["Ken"], places=["Leeds"], dates=False,
                           use_ner=False)
    result = apply_review(project, write_review(proposals, tmp_path / "review.csv"),
                          mapping_file=tmp_path / "vault" / "key.csv", actor="amira")
    assert (result.codings_copied, result.codings_left) == (2, 1)
    return project


def test_search_finds_only_the_new_version(deid):
    for name in NAMES:
        assert search(deid, name, mode="exact") == [], name
    hits = search(deid, "calm")
    assert [(h.document, h.superseded_by) for h in hits] == [("S7.deid.txt", None)]
    # the lead can look at the originals on purpose; their hits say what replaced them
    both = SearchFilters(include_superseded=True)
    assert [(h.document, h.superseded_by) for h in search(deid, "calm", filters=both)] == [
        ("S7.deid.txt", None), ("S7.txt", "S7.deid.txt")]
    dana = search(deid, "Dana", mode="exact", filters=both)
    assert [(h.document, h.match) for h in dana] == [("S7.txt", "Dana")]  # the label is not
    with pytest.raises(InputError, match="replaced by a newer version"):
        code_from_search(deid, dana, "1", coder="amira", scope="word")


def test_search_command_and_its_include_originals_option(deid, capsys):
    d = str(deid.directory)
    assert main(["--project", d, "search", "Dana", "--exact", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["--project", d, "search", "Dana", "--exact", "--include-originals"]) == 0
    out = capsys.readouterr().out
    assert "S7.txt (original of S7.deid.txt)" in out and "Sorry, [Dana] again" in out


def test_documents_list_shows_the_new_version_only(deid, capsys):
    assert [d.name for d in list_documents(deid)] == ["S7.deid.txt"]
    both = {d.name: d for d in list_documents(deid, include_superseded=True)}
    assert both["S7.txt"].superseded_by == "S7.deid.txt"
    assert both["S7.deid.txt"].superseded_by is None
    assert (both["S7.txt"].codings, both["S7.deid.txt"].codings) == (3, 2)
    assert get_document(deid, "S7.txt").text == TEXT  # asked for by name: still there
    d = str(deid.directory)
    assert main(["--project", d, "documents", "--json"]) == 0
    assert [x["name"] for x in json.loads(capsys.readouterr().out)] == ["S7.deid.txt"]
    assert main(["--project", d, "documents", "--include-originals"]) == 0
    assert "S7.txt (original of S7.deid.txt)" in capsys.readouterr().out


def test_qdpx_export_holds_no_name(deid, tmp_path):
    from themeqa.interop.refi import read_qdpx
    from themeqa.services.exchange import export_project

    out = tmp_path / "study.qdpx"
    report = export_project(deid, out)
    assert (report.sources, report.codings) == (1, 2)
    assert report.warnings and "1 original" in report.warnings[0]
    assert "speaker label" in report.warnings[0]  # "Dana" -> P01 is a name and its owner
    with zipfile.ZipFile(out) as z:
        leaks = [(n, m.group()) for n in z.namelist() for m in _NAME.finditer(z.read(n))]
    assert leaks == []
    p = read_qdpx(out)
    assert [s.name for s in p.sources] == ["S7.deid.txt"]
    side = p.extras["participants"]
    assert all(v["speaker_labels"] == [] for v in side.values())


def test_export_and_apply_commands_say_what_was_left_out(deid, tmp_path, capsys):
    d = str(deid.directory)
    assert main(["--project", d, "export", "qdpx", str(tmp_path / "s.qdpx")]) == 0
    assert "note: 1 original of de-identified documents left out" in capsys.readouterr().err
    # a second round on the new version: the apply command says where the originals went
    review = tmp_path / "again.csv"
    assert main(["--project", d, "deidentify", "--name", "March", "--no-dates",
                 "--review", str(review)]) == 0
    capsys.readouterr()
    assert main(["--project", d, "deidentify", "--apply", str(review)]) == 0
    out = capsys.readouterr().out
    assert "S7.deid.txt -> S7.deid.deid.txt" in out
    assert "now replace the originals in lists, search, counts and exports" in out
    # a chain of versions: the newest replaces both, and each names the newest
    assert [x.name for x in list_documents(deid)] == ["S7.deid.deid.txt"]
    assert {x.name: x.superseded_by for x in list_documents(deid, include_superseded=True)} \
        == {"S7.txt": "S7.deid.deid.txt", "S7.deid.txt": "S7.deid.deid.txt",
            "S7.deid.deid.txt": None}
    assert [h.document for h in search(deid, "calm")] == ["S7.deid.deid.txt"]


def test_codings_are_counted_and_exported_once(deid, tmp_path):
    assert [(c.document, c.code_label) for c in list_codings(deid)] == [
        ("S7.deid.txt", "2"), ("S7.deid.txt", "1")]
    assert len(list_codings(deid, include_superseded=True)) == 5
    # the codings de-identification left on the original are found by naming it
    assert [c.code_label for c in list_codings(deid, document="S7.txt", coder="ben")] == ["2a"]
    n = export_codings(deid, tmp_path / "codings.csv")
    with (tmp_path / "codings.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert n == 2 and {r["document"] for r in rows} == {"S7.deid.txt"}
    from themeqa.services.codebooks import codebook_tree

    counts = {c.label: c.codings for c in codebook_tree(deid)}
    assert counts == {"1": 1, "2": 1, "2a": 0}
    label_of = {c.id: c.label for c in codebook_tree(deid)}
    assert {label_of[k]: v for k, v in code_counts(deid, "amira").items()} == {"1": 1, "2": 1}
    assert code_counts(deid, "ben") == {}


def test_tallies_count_each_coding_once_and_quote_the_new_text(deid):
    from themeqa.services.tally import load_frames, report_tables, tally_report

    frames = load_frames(deid)
    assert list(frames.documents["name"]) == ["S7.deid.txt"]
    assert len(frames.codings) == 2
    report = tally_report(deid, layer="union", by=())
    counts = report.result.counts_frame()["total"]
    codes = report.frames.codes.set_index("label")["code"]
    assert (counts[codes["1"]], counts[codes["2"]], counts[codes["2a"]]) == (1, 1, 0)
    quote = report.quotes[codes["2"]].text
    assert quote == "[PERSON 1] drove me from [PLACE 1]"
    tables, _ = report_tables(deid, "table2", layer="union")
    cells = json.dumps([t.rows for t in tables], default=str)
    assert "[PERSON 1]" in cells and not any(n in cells for n in NAMES)


def test_a_reconciled_document_stays_reconciled_in_its_new_version(project, study_files,
                                                                    tmp_path):
    """A check's reconciled original makes the new version reconciled too, so the
    consensus layer reads the same documents before and after de-identification."""
    from themeqa.services.check_reconcile import mark_reconciled
    from themeqa.services.check_sample import sample_check
    from themeqa.services.codebooks import import_codebook
    from themeqa.services.importing import import_files
    from themeqa.services.participants import import_participants
    from themeqa.services.tally import load_frames

    import_participants(project, study_files["participants"])
    import_codebook(project, study_files["codebook"])
    f = tmp_path / "S7.txt"
    f.write_text(TEXT, encoding="utf-8")
    import_files(project, [f])
    info = sample_check(project, coder_b="ben", documents=1, seed=1)
    assert load_frames(project).reconciled == set()
    mark_reconciled(project, None, check=info.id)
    proposals, _ = propose(project, names=["Ken"], dates=False, use_ner=False)
    apply_review(project, write_review(proposals, tmp_path / "r.csv"),
                 mapping_file=tmp_path / "key.csv")
    with project.reading() as s:
        new_id = s.exec(select(Document.id).where(Document.name == "S7.deid.txt")).one()
    assert load_frames(project).reconciled == {new_id}


def test_words_suggestions_extracts_and_pairs_leave_the_original_out(deid):
    from themeqa.services.check import double_coded_pairs
    from themeqa.services.suggest import suggest_codes
    from themeqa.services.themes import review_extracts
    from themeqa.services.wordfreq import group_counts

    words = group_counts(deid, by="all", min_length=2)["all"]
    assert words["calm"] == 1 and words["drive"] == 1  # not twice
    assert not {"ken", "leeds", "dana"} & set(words)
    extracts = review_extracts(deid, "2", layer="union", rollup=False)
    assert [(e.document, e.text) for e in extracts] == [
        ("S7.deid.txt", "[PERSON 1] drove me from [PLACE 1]")]
    # ben's only coding is on the original: nobody double-coded a current document
    assert double_coded_pairs(deid) == []
    with pytest.raises(NotFoundError, match=r"replaced by 'S7\.deid\.txt'"):
        suggest_codes(deid, "S7.txt", 0, 10, coder="amira")


def test_check_sample_and_methods_count_current_documents(deid):
    from themeqa.services.check_sample import sample_check
    from themeqa.services.methods import build_methods

    info = sample_check(deid, coder_b="ben", documents=1, seed=3)
    assert info.documents == ["S7.deid.txt"] and info.eligible == 1
    m = build_methods(deid, n_boot=10)
    assert m.documents_by_kind == {"transcript": 1}
    assert {c["name"]: c["codings"] for c in m.coders} == {"amira": 2}


def test_demo_counts_are_unchanged_by_de_identifying_a_session(demo_copy, tmp_path):
    """De-identifying S2 (the dog Bess) changes no count: the tallies, the agreement of the
    two coders and the word counts read S2's new version instead of its original, not both."""
    from themeqa.services.check import agreement_table, double_coded_pairs
    from themeqa.services.project import open_project
    from themeqa.services.tally import tally_report
    from themeqa.services.wordfreq import group_counts

    demo = open_project(demo_copy, actor="lead")
    try:
        def snapshot():
            counts = tally_report(demo, layer="union", quotes=False).result.counts_frame()
            agree = agreement_table(demo, coders=("amira", "ben"), n_boot=10)
            return counts, agree.pooled.to_dict(), agree.documents, double_coded_pairs(demo)

        counts, pooled, docs, pairs = snapshot()
        words = group_counts(demo, by="all")["all"]
        assert words["bess"] == 2 and docs == ["S2_focus_group.txt", "S5_focus_group.txt"]
        proposals, _ = propose(demo, documents=["S2_focus_group.txt"], names=["Bess"],
                               dates=False, use_ner=False)
        result = apply_review(demo, write_review(proposals, tmp_path / "r.csv"),
                              mapping_file=tmp_path / "key.csv")
        assert result.codings_left == 0  # every coding copied: nothing may change
        counts_after, pooled_after, docs_after, pairs_after = snapshot()
        assert counts_after.equals(counts)
        assert pooled_after == pooled and pairs_after == pairs
        assert docs_after == ["S2_focus_group.deid.txt", "S5_focus_group.txt"]
        words_after = group_counts(demo, by="all")["all"]
        assert "bess" not in words_after
        assert words_after["cabin"] == words["cabin"]
    finally:
        demo.close()
