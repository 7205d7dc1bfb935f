"""Importing through the service layer: turns, speaker mapping, atomic batches, duplicates."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from themeqa.errors import InputError
from themeqa.services.documents import get_document, list_documents
from themeqa.services.importing import import_files
from themeqa.services.participants import import_participants, list_participants, map_speaker
from themeqa.store.models import Document, SourceFile, Turn


def _count(project, model) -> int:
    with project.reading() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_transcript_turns_map_to_participants(project, study_files):
    import_participants(project, study_files["participants"])
    report = import_files(project, [study_files["S1"]], session="S1", timepoint="initial")
    assert report.documents == ["S1.txt"]
    assert report.unmapped_speakers == {}
    doc = get_document(project, "S1.txt")
    text = doc.text
    by_speaker = [(t.speaker, t.role, t.participant) for t in doc.turns]
    assert by_speaker == [
        ("Facilitator", "facilitator", None),
        ("P01", "participant", "P01"),
        ("Dana", "participant", "P01"),  # extra speaker label from participants.csv
        ("P2", "participant", "P02"),  # a missing leading zero still finds P02
    ]
    p01 = doc.turns[1]
    assert text[p01.content_start:p01.end] == "It felt warm. I could see my gran's kitchen."
    # sentences never cross a line and cover the two sentences of P01's turn
    inside = [text[a:b] for a, b in doc.sentences if p01.content_start <= a < p01.end]
    assert inside == ["It felt warm.", "I could see my gran's kitchen."]


def test_transcripts_imported_before_participants_are_linked_later(project, study_files):
    report = import_files(project, [study_files["S1"]], session="S1")
    # "Dana:" occurs once and is no known label yet, so it stays inside P01's turn
    assert report.unmapped_speakers == {"S1.txt": ["P01", "P2"]}
    import_participants(project, study_files["participants"])
    turns = get_document(project, "S1.txt").turns
    assert [(t.role, t.participant) for t in turns] == [
        ("facilitator", None), ("participant", "P01"), ("participant", "P02")]


def test_speaker_map_can_be_edited(project, study_files):
    import_participants(project, study_files["participants"])
    import_files(project, [study_files["S1"]], session="S1")
    assert map_speaker(project, "Dana", "P02") == 1
    dana = get_document(project, "S1.txt").turns[2]
    assert dana.participant == "P02"
    assert map_speaker(project, "Dana", None) == 1
    assert get_document(project, "S1.txt").turns[2].role == "unknown"


def test_written_responses_become_one_document_per_cell(project, study_files):
    import_participants(project, study_files["participants"])
    report = import_files(project, [study_files["written"]], timepoint="initial")
    assert report.documents == ["written.csv#P01/q1", "written.csv#P01/q2", "written.csv#P02/q1"]
    docs = {d.name: d for d in list_documents(project)}
    assert docs["written.csv#P02/q1"].participant == "P02"
    assert docs["written.csv#P02/q1"].kind == "written"
    assert docs["written.csv#P02/q1"].timepoint == "initial"
    assert docs["written.csv#P02/q1"].condition == "M"
    assert docs["written.csv#P02/q1"].session == "S1"  # the participant's session


def test_a_bad_file_in_a_batch_writes_nothing(project, study_files, tmp_path):
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(InputError) as err:
        import_files(project, [study_files["S1"], bad], session="S1")
    assert "broken.docx" in str(err.value)
    assert "\n" not in str(err.value)
    assert _count(project, Document) == 0
    assert _count(project, SourceFile) == 0
    assert _count(project, Turn) == 0


def test_importing_the_same_file_twice_is_refused(project, study_files, tmp_path):
    import_files(project, [study_files["S1"]], session="S1")
    copy = tmp_path / "S1_copy.txt"
    copy.write_bytes(study_files["S1"].read_bytes())
    with pytest.raises(InputError, match="already imported"):
        import_files(project, [copy])
    assert _count(project, Document) == 1


def test_a_missing_file_is_a_clear_error(project, tmp_path):
    with pytest.raises(InputError, match="no such file"):
        import_files(project, [tmp_path / "nope.txt"])


def test_participants_reimport_updates_instead_of_duplicating(project, study_files, tmp_path):
    import_participants(project, study_files["participants"])
    changed = tmp_path / "participants2.csv"
    changed.write_text(
        "id,condition,session,timepoints,age,gender\nP01,I,S2,initial,35,woman\n",
        encoding="utf-8",
    )
    # the timepoints column replaces P01's list: follow-up goes (one value cleared)
    assert import_participants(project, changed) == {"added": 0, "updated": 1, "cleared": 1}
    rows = {p.pid: p for p in list_participants(project)}
    assert len(rows) == 2
    assert (rows["P01"].condition, rows["P01"].session, rows["P01"].age) == ("I", "S2", 35)
    assert rows["P01"].timepoints == ("initial",)
    assert rows["P01"].extra == {"occupation": "teacher"}  # no occupation column: kept
    assert rows["P02"].extra == {"occupation": "nurse"}


def test_participants_reimport_of_some_columns_merges(project, study_files, tmp_path):
    """Issue 19: a file with only id,condition used to clear everyone's session, age,
    gender and timepoints."""
    import_participants(project, study_files["participants"])
    before = {p.pid: p for p in list_participants(project)}
    only = tmp_path / "conditions.csv"
    only.write_text("id,condition\nP01,I\nP02,I\n", encoding="utf-8")
    assert import_participants(project, only) == {"added": 0, "updated": 2, "cleared": 0}
    after = {p.pid: p for p in list_participants(project)}
    for pid in ("P01", "P02"):
        assert after[pid].condition == "I"
        assert (after[pid].session, after[pid].age, after[pid].gender, after[pid].timepoints,
                after[pid].extra) == (before[pid].session, before[pid].age, before[pid].gender,
                                      before[pid].timepoints, before[pid].extra)
    # --replace: the file is the whole truth. Cleared by hand: P01 session S1, age 34,
    # gender woman, timepoints initial + follow-up, occupation = 6; P02 session, age 51,
    # gender man, timepoint initial, occupation = 5; 11 in all
    assert import_participants(project, only, replace=True) == {
        "added": 0, "updated": 2, "cleared": 11}
    p01 = {p.pid: p for p in list_participants(project)}["P01"]
    assert (p01.session, p01.age, p01.gender, p01.timepoints, p01.extra) == (
        None, None, None, (), {})


def test_bad_participant_rows_write_nothing(project, tmp_path):
    bad = tmp_path / "p.csv"
    bad.write_text("id,condition,age\nP01,M,30\nP01,I,31\nP03,,forty\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_participants(project, bad)
    message = str(err.value)
    assert "row 3" in message and "row 4" in message
    assert list_participants(project) == []
