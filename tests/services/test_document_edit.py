"""Issue 19: a document's metadata can be corrected and a document deleted, undoably;
tallies follow at once (a transcript's condition is its session's)."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from themeqa.errors import InputError, NotFoundError
from themeqa.services.check_sample import create_check
from themeqa.services.codebooks import import_codebook
from themeqa.services.codings import add_coding, list_codings
from themeqa.services.document_edit import delete_document, set_document
from themeqa.services.documents import get_document, list_documents
from themeqa.services.importing import import_files
from themeqa.services.participants import import_participants
from themeqa.services.undo import redo, undo
from themeqa.store.models import Document, Sentence, SourceFile, Turn


@pytest.fixture
def study(project, study_files):
    import_participants(project, study_files["participants"])
    import_codebook(project, study_files["codebook"])
    import_files(project, [study_files["S1"]])  # no --session: no session, no condition
    text = get_document(project, "S1.txt").text
    at = text.index("It felt warm.")
    add_coding(project, document="S1.txt", start=at, end=at + 13, code="1", coder="amira")
    return project


def _doc(project, name):
    return next(d for d in list_documents(project) if d.name == name)


def test_set_session_gives_the_condition_and_undo_takes_it_back(study):
    assert (_doc(study, "S1.txt").session, _doc(study, "S1.txt").condition) == (None, None)
    out = set_document(study, "S1.txt", session="S1", timepoint="initial")
    assert (out["session"], out["condition"], out["timepoint"]) == ("S1", "M", "initial")
    assert (_doc(study, "S1.txt").session, _doc(study, "S1.txt").condition) == ("S1", "M")
    assert undo(study, "tester") == "edit document S1.txt"
    assert _doc(study, "S1.txt").session is None
    assert redo(study, "tester")
    set_document(study, "S1.txt", new_name="S1_initial.txt")
    assert [d.name for d in list_documents(study)] == ["S1_initial.txt"]
    assert [c.document for c in list_codings(study)] == ["S1_initial.txt"]


def test_a_session_set_afterwards_puts_the_transcript_in_a_session_sample(study):
    """Sessions decide the credibility-check sample (and the condition shown): a transcript
    without one was never drawn."""
    with pytest.raises(NotFoundError):
        create_check(study, coder_b="ben", sessions=["S2"], name="x")
    first = create_check(study, coder_b="ben", sessions=["S1"], name="before")
    assert "S1.txt" not in first.documents
    set_document(study, "S1.txt", session="S1")
    second = create_check(study, coder_b="ben", sessions=["S1"], name="after")
    assert "S1.txt" in second.documents


def test_bad_edits_are_one_line_and_write_nothing(study):
    with pytest.raises(NotFoundError, match="no session 'S9'"):
        set_document(study, "S1.txt", session="S9")
    with pytest.raises(NotFoundError):
        set_document(study, "nope.txt", session="S1")
    with pytest.raises(InputError, match="nothing to change"):
        set_document(study, "S1.txt")
    with pytest.raises(NotFoundError, match="no participant"):
        set_document(study, "S1.txt", participant="P99")
    assert _doc(study, "S1.txt").session is None


def _count(project, model):
    with project.reading() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_delete_takes_everything_and_undo_restores_it_with_ids(study, study_files):
    with study.reading() as s:
        turns = s.exec(select(Turn.id, Turn.start, Turn.end, Turn.participant_id)
                       .order_by(Turn.id)).all()
    codings = [(c.id, c.start, c.end, c.code_label) for c in list_codings(study)]
    n_sent = _count(study, Sentence)
    result = delete_document(study, "S1.txt")
    assert (result.codings, result.turns, result.source_file_removed) == (1, 4, True)
    assert [_count(study, m) for m in (Document, Turn, Sentence, SourceFile)] == [0, 0, 0, 0]
    # the source file went too, so the corrected file can be imported again ...
    # ... and undo brings back every row with its id
    assert undo(study, "tester") == "delete document S1.txt"
    with study.reading() as s:
        assert s.exec(select(Turn.id, Turn.start, Turn.end, Turn.participant_id)
                      .order_by(Turn.id)).all() == turns
    assert [(c.id, c.start, c.end, c.code_label) for c in list_codings(study)] == codings
    assert _count(study, Sentence) == n_sent
    assert redo(study, "tester") == "delete document S1.txt"
    assert _count(study, Document) == 0
    import_files(study, [study_files["S1"]], session="S1")  # importable again
    assert _doc(study, "S1.txt").condition == "M"


def test_delete_of_a_sampled_document_needs_force(study):
    set_document(study, "S1.txt", session="S1")
    create_check(study, coder_b="ben", coder_a="amira", sessions=["S1"], name="pilot")
    with pytest.raises(InputError, match="is in credibility check pilot"):
        delete_document(study, "S1.txt")
    result = delete_document(study, "S1.txt", force=True)
    assert result.checks == ["pilot"]
    assert undo(study, "tester") == "delete document S1.txt"
    with pytest.raises(InputError, match="is in credibility check pilot"):
        delete_document(study, "S1.txt")
