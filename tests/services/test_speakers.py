"""Mapping speaker labels (issue 19): one-off and typo'd labels become their own turns,
facilitator labels are excluded from participant speech, codings survive, undo restores."""

from __future__ import annotations

import pytest
from sqlmodel import select

from themeqa.errors import InputError, NotFoundError
from themeqa.services.codebooks import import_codebook
from themeqa.services.codings import add_coding, list_codings
from themeqa.services.documents import get_document
from themeqa.services.importing import import_files
from themeqa.services.participants import import_participants
from themeqa.services.speakers import map_label
from themeqa.services.undo import redo, undo
from themeqa.store.models import SourceFile, SpeakerLabel

TEXT = (
    "Facilitator: What did you picture?\n"
    "P01: A boat on a grey lake.\n"
    "Marthe: Tea, anyone? The kettle is on.\n"
    "P01: The boat rocked gently.\n"
    "Intervewer Deux: noted, thank you\n"
    "P02: I saw my grandmother's hands.\n"
)


@pytest.fixture
def lake(project, study_files, tmp_path):
    import_participants(project, study_files["participants"])
    import_codebook(project, study_files["codebook"])
    f = tmp_path / "S9.txt"
    f.write_text(TEXT, encoding="utf-8")
    report = import_files(project, [f], session="S1")
    return project, report


def _turns(project):
    return [(t.speaker, t.role, t.participant, t.start, t.end)
            for t in get_document(project, "S9.txt").turns]


def test_import_lists_label_like_lines_nobody_claims(lake):
    _project, report = lake
    assert report.unrecognised_labels == {"S9.txt": ["Marthe", "Intervewer Deux"]}


def test_import_stores_the_raw_file_size(lake):
    project, _ = lake
    with project.reading() as s:
        sizes = s.exec(select(SourceFile.filename, SourceFile.size)).all()
    assert sizes == [("S9.txt", len(TEXT.encode("utf-8")))]


def test_mapping_to_the_facilitator_recuts_turns_and_keeps_codings(lake):
    project, _ = lake
    tea = TEXT.index("Tea, anyone?")
    kept = add_coding(project, document="S9.txt", start=tea, end=tea + 12, code="1",
                      coder="amira")
    before_codings = [(c.id, c.start, c.end) for c in list_codings(project)]
    before = _turns(project)
    assert [t[0] for t in before] == ["Facilitator", "P01", "P01", "P02"]
    # Marthe's words were inside P01's first turn
    assert before[1][3] == TEXT.index("P01: A boat") and before[1][4] > tea

    result = map_label(project, "Marthe", facilitator=True)
    assert (result.new_turns, result.documents) == (1, ["S9.txt"])
    after = _turns(project)
    m = TEXT.index("Marthe:")
    assert after[2] == ("Marthe", "facilitator", None, m, TEXT.index("\nP01: The boat"))
    assert after[1][4] == TEXT.index("\nMarthe")  # P01's turn now ends before Marthe
    assert [(c.id, c.start, c.end) for c in list_codings(project)] == before_codings
    assert kept in {c.id for c in list_codings(project)}
    # the sentence that began with the label starts after it
    sentences = get_document(project, "S9.txt").sentences
    assert (tea, tea + len("Tea, anyone?")) in sentences
    assert not any(a == m for a, _b in sentences)

    assert undo(project, "tester") == "map speaker 'Marthe' to facilitator"
    assert _turns(project) == before
    with project.reading() as s:
        assert s.exec(select(SpeakerLabel).where(SpeakerLabel.label == "Marthe")).first() is None
    assert redo(project, "tester")
    assert _turns(project) == after


def test_mapping_to_a_participant(lake):
    project, _ = lake
    map_label(project, "Marthe", "P02")
    speakers = [(t[0], t[1], t[2]) for t in _turns(project)]
    assert ("Marthe", "participant", "P02") in speakers
    # remapping to the facilitator side changes the role, no second cut
    again = map_label(project, "marthe", facilitator=True)
    assert again.new_turns == 0 and again.relinked == 1
    assert ("Marthe", "facilitator", None) in [(t[0], t[1], t[2]) for t in _turns(project)]


def test_a_typo_of_a_role_is_already_a_facilitator_turn(lake):
    project, _ = lake
    # "Intervewer Deux" is two words: not a role word; mapping it makes it one
    map_label(project, "Intervewer Deux", facilitator=True)
    roles = {t[0]: t[1] for t in _turns(project)}
    assert roles["Intervewer Deux"] == "facilitator"


def test_a_later_import_knows_a_mapped_facilitator_label(lake, tmp_path):
    project, _ = lake
    map_label(project, "Marthe", facilitator=True)
    f = tmp_path / "S10.txt"
    f.write_text("P01: hello\nMarthe: biscuits\nP02: bye\n", encoding="utf-8")
    report = import_files(project, [f], session="S1")
    assert report.unrecognised_labels == {}
    turns = get_document(project, "S10.txt").turns
    assert [(t.speaker, t.role) for t in turns] == [
        ("P01", "participant"), ("Marthe", "facilitator"), ("P02", "participant")]


def test_bad_mappings_are_refused(lake):
    project, _ = lake
    with pytest.raises(InputError):
        map_label(project, "Marthe", "P01", facilitator=True)
    with pytest.raises(NotFoundError):
        map_label(project, "Marthe", "P99")
    with pytest.raises(InputError):
        map_label(project, "  ", facilitator=True)
