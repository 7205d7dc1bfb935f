"""Every written answer and turn is attributed, or the user is told (issue 19).

The issue's repro: ``P05-followup.txt`` beginning "P05: I did not feel worthy…", imported with
``--kind written``, was stored with no participant and its codings counted for nobody. Here
the same answer in every single-text format takes its writer from the leading label, the
file name or ``--participant``; what stays unattributed is reported by the import, listed by
``documents`` and ``doctor`` and noted under Table 2.
"""

from __future__ import annotations

import pytest

from themeqa.cli.main import main
from themeqa.errors import InputError
from themeqa.services.codebooks import import_codebook
from themeqa.services.codings import add_coding
from themeqa.services.doctor import run_doctor
from themeqa.services.documents import get_document, list_documents
from themeqa.services.importing import import_files
from themeqa.services.participants import import_participants
from themeqa.services.tally import report_tables, tally_report

ANSWER = "P02: I did not feel worthy of it, to be honest."


def _docx(path, text: str) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph(text)
    d.save(str(path))


def _write(path, text: str) -> None:
    if path.suffix == ".docx":
        _docx(path, text)
    elif path.suffix == ".vtt":
        path.write_text(f"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n{text}\n", encoding="utf-8")
    elif path.suffix == ".srt":
        path.write_text(f"1\n00:00:01,000 --> 00:00:04,000\n{text}\n", encoding="utf-8")
    else:
        path.write_text(text + "\n", encoding="utf-8")


@pytest.fixture
def study(project, study_files):
    import_participants(project, study_files["participants"])
    import_codebook(project, study_files["codebook"])
    return project


@pytest.mark.parametrize("suffix", [".txt", ".md", ".docx", ".vtt", ".srt"])
def test_leading_label_names_the_writer_in_every_format(study, tmp_path, suffix):
    f = tmp_path / f"followup{suffix}"
    _write(f, ANSWER)
    report = import_files(study, [f], kind="written", timepoint="follow-up")
    assert report.unattributed == {}
    doc = next(d for d in list_documents(study) if d.name == f.name)
    assert (doc.participant, doc.unattributed) == ("P02", 0)
    text = get_document(study, f.name)
    turn = text.turns[0]
    # the label is not part of the answer: the turn's content starts after "P02: "
    assert text.text[turn.content_start:].startswith("I did not feel worthy")
    assert turn.participant == "P02"


def test_file_name_with_one_known_id(study, tmp_path):
    one, two = tmp_path / "P02-followup.txt", tmp_path / "P01_P02.txt"
    one.write_text("I did not feel worthy.\n", encoding="utf-8")
    two.write_text("We wrote this together.\n", encoding="utf-8")
    report = import_files(study, [one, two], kind="written")
    writers = {d.name: d.participant for d in list_documents(study)}
    assert writers["P02-followup.txt"] == "P02"
    assert writers["P01_P02.txt"] is None  # two ids: the name decides nothing
    assert report.unattributed == {"P01_P02.txt": 1}


def test_participant_option_and_its_errors(study, tmp_path):
    f = tmp_path / "P01-answer.txt"
    f.write_text("P01: Calm.\n", encoding="utf-8")
    with pytest.raises(InputError, match="--participant P09: no such participant"):
        import_files(study, [f], kind="written", participant="P09")
    with pytest.raises(InputError, match="--participant names the writer of written answers"):
        import_files(study, [f], participant="P02")
    import_files(study, [f], kind="written", participant="p2")  # the option wins
    assert {d.name: d.participant for d in list_documents(study)}["P01-answer.txt"] == "P02"


def test_codings_in_unattributed_text_are_noted_listed_and_warned(study, tmp_path, capsys):
    anon = tmp_path / "anon.txt"
    anon.write_text("Nobody signed this answer.\n", encoding="utf-8")
    code = main(["--project", str(study.directory), "import", str(anon), "--kind", "written"])
    assert code == 0
    err = capsys.readouterr().err
    assert "1 document(s) hold 1 turn(s) or answer(s) attributed to nobody" in err
    assert "anon.txt" in err
    add_coding(study, document="anon.txt", start=0, end=6, code="inhibitors::1", coder="amira")
    add_coding(study, document="anon.txt", start=7, end=13, code="inhibitors::2a",
               coder="amira")
    result = tally_report(study, quotes=False).result
    assert result.counts[:, 0].sum() == 0  # nobody to count...
    note = ("Warning: 2 codings lie in text attributed to nobody and count for no "
            "participant (themeqa doctor lists the documents).")
    assert note in result.notes  # ...and the report says so
    tables, _ = report_tables(study, "table2")
    assert note in tables[0].notes
    warnings = [w.message for w in run_doctor(study).warnings if w.check == "attribution"]
    assert warnings == ["anon.txt: 1 turn or answer attributed to nobody (no participant, not "
                        "a facilitator): codings there count for no participant"]
    assert main(["--project", str(study.directory), "documents", "--unattributed"]) == 0
    out = capsys.readouterr().out
    assert "anon.txt" in out and "S1.txt" not in out


def test_facilitator_codings_are_not_unattributed(study, study_files):
    """A coding of the facilitator's question credits nobody by design: no warning."""
    import_files(study, [study_files["S1"]], session="S1")
    text = get_document(study, "S1.txt").text
    start = text.index("How did")
    add_coding(study, document="S1.txt", start=start, end=start + 10, code="inhibitors::1",
               coder="amira")
    assert not any("attributed to nobody" in n for n in tally_report(study).result.notes)
