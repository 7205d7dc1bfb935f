"""Theme development through the services: versions and their diff, split/promote/demote
with undo, phases, review extracts, theme memos, the journal and the thematic map."""

from __future__ import annotations

import pytest
from sqlmodel import select

from themeqa.errors import InputError, NotFoundError
from themeqa.services import themes as th
from themeqa.services.codebook_edit import add_code, merge_codes, move_code, update_code
from themeqa.services.codebooks import codebook_tree, import_codebook
from themeqa.services.codings import add_coding, list_codings
from themeqa.services.importing import import_files
from themeqa.services.participants import import_participants
from themeqa.services.undo import redo, undo
from themeqa.store.models import Code, Coding


@pytest.fixture
def study(project, study_files):
    import_participants(project, study_files["participants"])
    import_codebook(project, study_files["codebook"])
    import_files(project, [study_files["S1"]], session="S1", timepoint="initial")
    import_files(project, [study_files["written"]], timepoint="initial")
    return project


def _code_id(project, label):
    with project.reading() as s:
        return s.exec(select(Code.id).where(Code.label == label)).one()


def _state(project):
    with project.reading() as s:
        codes = sorted((c.id, c.label, c.name, c.parent_id, c.position)
                       for c in s.exec(select(Code)).all())
        codings = sorted((c.id, c.code_id, c.start, c.end)
                         for c in s.exec(select(Coding)).all())
    return codes, codings


def _code_three(study):
    ids = [add_coding(study, document="S1.txt", start=a, end=a + 5, code="2a", coder="ann")
           for a in (60, 70, 80)]
    return ids


def test_diff_lists_exactly_the_operations_applied_between_versions(study):
    _code_three(study)
    add_coding(study, document="S1.txt", start=10, end=20, code="1", coder="ann")
    th.save_version(study, "v1", actor="ann")
    new_id = add_code(study, codebook="inhibitors", label="2b", name="Others judge",
                      parent_id=_code_id(study, "2"), actor="ann")
    update_code(study, _code_id(study, "1"), name="Weak imagery", actor="ann")
    move_code(study, new_id, parent_id=None, actor="ann")
    merge_codes(study, _code_id(study, "2a"), new_id, actor="ann")
    th.save_version(study, "v2", actor="ann")
    changes = th.diff_versions(study, "v1", "v2")
    assert [(c.kind, c.label, c.detail, c.codings) for c in changes] == [
        ("added", "2b", "under top level", 3),
        ("merged", "2a", "into 2b Others judge", 3),
        ("renamed", "1", "was 'Weak imagery ability'", 1),
    ]
    # nothing happened since v2
    assert th.diff_versions(study, "v2") == []
    # an undone merge is not a merge: undo it and the diff to now shows 2a back
    assert undo(study, "ann").startswith("merge code")
    kinds = {(c.kind, c.label) for c in th.diff_versions(study, "v1")}
    assert ("merged", "2a") not in kinds and ("renamed", "1") in kinds
    assert [v.name for v in th.list_versions(study)] == ["v1", "v2"]
    with pytest.raises(InputError):
        th.save_version(study, "v1")
    with pytest.raises(NotFoundError):
        th.diff_versions(study, "v9")
    with pytest.raises(InputError):
        th.diff_versions(study, "v2", "v1")


def test_history_export_writes_a_table_per_step(study, tmp_path):
    th.save_version(study, "start")
    add_code(study, codebook="inhibitors", label="7", name="New theme")
    out = th.export_history(study, tmp_path / "history.md")
    text = out.read_text(encoding="utf-8")
    assert "Changes from start to current" in text and "| added" in text and "7 New theme" in text


def test_split_moves_the_chosen_codings_and_undoes_exactly(study):
    ids = _code_three(study)
    before = _state(study)
    new_id = th.split_code(study, "2a", ids[:2], label="2b", name="Friends drift away",
                           actor="ann")
    by_code = {r.id: r.code_label for r in list_codings(study)}
    assert by_code == {ids[0]: "2b", ids[1]: "2b", ids[2]: "2a"}
    tree = [(n.label, n.depth) for n in codebook_tree(study)]
    assert tree.index(("2b", 2)) == tree.index(("2a", 2)) + 1, "placed after the source"
    with study.reading() as s:
        assert s.get(Code, new_id).parent_id == _code_id(study, "2")
    assert undo(study, "ann").startswith("split 2 codings of 2a")
    assert _state(study) == before
    redo(study, "ann")
    assert {r.code_label for r in list_codings(study)} == {"2a", "2b"}
    with pytest.raises(InputError):
        th.split_code(study, "1", ids, label="1b", name="x")  # codings are not 1's
    with pytest.raises(InputError):
        th.split_code(study, "2a", [ids[2]], label="2b", name="again")  # label taken


def test_promote_and_demote_with_undo(study):
    before = _state(study)
    th.promote_code(study, "2a", actor="ann")
    tree = [(n.label, n.depth) for n in codebook_tree(study)]
    assert tree == [("1", 1), ("2", 1), ("2a", 1)]
    th.demote_code(study, "2a", actor="ann")
    assert [(n.label, n.depth) for n in codebook_tree(study)] == [("1", 1), ("2", 1), ("2a", 2)]
    undo(study, "ann")
    undo(study, "ann")
    assert _state(study) == before
    with pytest.raises(InputError):
        th.promote_code(study, "1")
    with pytest.raises(InputError):
        th.demote_code(study, "1")


def test_phases_are_recorded_with_dates(study):
    assert th.current_phase(study) is None
    th.set_phase(study, "1", actor="ann")
    th.set_phase(study, "initial", actor="ann")
    entry = th.set_phase(study, "reviewing themes", actor="bo")
    assert [p.phase for p in th.phases(study)] == [
        "familiarisation", "initial coding", "reviewing themes"
    ]
    assert th.current_phase(study) == entry and entry.by == "bo"
    assert entry.entered_at[:4] == "2026" or entry.entered_at[:2] == "20"
    with pytest.raises(InputError):
        th.set_phase(study, "dancing")
    with pytest.raises(InputError):
        th.set_phase(study, "")


def test_review_extracts_show_who_said_it_and_follow_the_layer(study):
    # "P01: It felt warm." — coded by ann; a written answer of P02 coded by bo
    add_coding(study, document="S1.txt", start=60, end=73, code="2a", coder="ann")
    add_coding(study, document="written.csv#P02/q1", start=0, end=16, code="2", coder="bo")
    extracts = th.review_extracts(study, "2")
    assert [(e.participant, e.condition, e.code, e.coder) for e in extracts] == [
        ("P01", "M", "2a", "ann"), ("P02", "M", "2", "bo")
    ]
    assert extracts[1].text == "Hard to picture."
    assert [e.coder for e in th.review_extracts(study, "2", layer="coder:bo")] == ["bo"]
    assert [e.code for e in th.review_extracts(study, "2", rollup=False)] == ["2"]
    with pytest.raises(InputError):
        th.review_extracts(study, "2", layer="everyone")


def test_theme_memo_set_replace_remove_undo(study):
    th.set_theme_memo(study, "2a", "Coherent; keep.", actor="ann")
    th.set_theme_memo(study, "2a", "Coherent; keep, rename?", actor="ann")
    assert th.theme_memo(study, "2a") == "Coherent; keep, rename?"
    undo(study, "ann")
    assert th.theme_memo(study, "2a") == "Coherent; keep."
    th.set_theme_memo(study, "2a", "  ", actor="ann")
    assert th.theme_memo(study, "2a") == ""


def test_journal_entries_are_dated_exported_and_undoable(study, tmp_path):
    th.add_journal(study, "I expected fear themes in I sessions.", actor="ann")
    th.add_journal(study, "Second thoughts after S3.", actor="bo")
    entries = th.journal(study)
    assert [(e.author, e.text) for e in entries] == [
        ("ann", "I expected fear themes in I sessions."), ("bo", "Second thoughts after S3."),
    ]
    import docx

    doc = docx.Document(th.export_journal(study, tmp_path / "journal.docx"))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert "Second thoughts after S3." in cells
    undo(study, "bo")
    assert [e.author for e in th.journal(study)] == ["ann"]
    with pytest.raises(InputError):
        th.add_journal(study, "   ")


def test_thematic_map_counts_participants_sessions_and_flags(study):
    add_coding(study, document="S1.txt", start=60, end=73, code="2a", coder="ann")  # P01
    add_coding(study, document="written.csv#P02/q1", start=0, end=16, code="2a",
               coder="ann")  # P02
    [book] = th.thematic_map(study, min_participants=2)
    nodes = {n.label: n for n in book.children[1:]} | {book.children[0].label: book.children[0]}
    two = nodes["2"]
    assert (two.participants, two.sessions, two.codings) == (2, 1, 0)
    assert (two.children[0].participants, two.children[0].codings) == (2, 2)
    assert nodes["1"].participants == 0 and nodes["1"].thin
    assert not two.thin and two.one_session
