"""De-identification covers what people wrote (issue 21): coding memos, document memos, the
journal, theme review memos, code names and fields, reconciliation rationales are proposed,
reviewed and applied with the transcripts; memos on codings follow their codings to the
de-identified copy; exports warn when identifiable text remains.

The repro of the issue: names typed into memos and the journal, ``deidentify --apply``, then
``export qdpx`` and the journal export; the test counts the names in every exported file
(0 after this change; before it, the .qdpx of the issue held 26).
"""

from __future__ import annotations

import re
import zipfile

import pytest
from sqlmodel import select

from themeqa.cli.main import main
from themeqa.errors import InputError
from themeqa.services.codings import add_coding, set_coding_memo
from themeqa.services.deidentify import apply_review, propose, read_review, write_review
from themeqa.services.themes import add_journal, set_theme_memo
from themeqa.store.models import Code, Coding, Document, Memo

TEXT = (
    "Facilitator: Welcome back.\n"
    "P01: Ken drove me from Leeds on 12 March 2024. It was calm.\n"
    "Dana: Sorry, Dana again. I may go in March.\n"
)
NAMES = re.compile(r"\b(?:Ken|KEN|Dana|DANA|Leeds|LEEDS)\b")


def _hits(path) -> int:
    """Names in a file; each member of a ZIP container (.qdpx, .docx) read as text."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return sum(len(NAMES.findall(z.read(i).decode("utf-8", "replace")))
                       for i in z.infolist())
    return len(NAMES.findall(path.read_text(encoding="utf-8")))


@pytest.fixture
def written(project, study_files, tmp_path):
    """The issue's study: a transcript naming Ken, Dana (P01's speaker label) and Leeds, and
    the same names in every kind of text a researcher writes."""
    from themeqa.services.codebooks import import_codebook
    from themeqa.services.importing import import_files
    from themeqa.services.participants import import_participants

    import_participants(project, study_files["participants"])
    import_codebook(project, study_files["codebook"])
    f = tmp_path / "S7.txt"
    f.write_text(TEXT, encoding="utf-8")
    import_files(project, [f])
    calm = TEXT.index("It was calm.")
    coding = add_coding(project, document="S7.txt", start=calm, end=calm + 12, code="2a",
                        coder="amira")
    set_coding_memo(project, coding, "Ken is her brother; Dana sounded relieved.",
                    actor="amira")
    add_journal(project, "Dana reminded me of my aunt in Leeds; watch my bias.")
    add_journal(project, "Nothing identifying here.")
    set_theme_memo(project, "2a", "Holds for Dana and for Ken's account.")
    with project.transaction() as s:
        doc = s.exec(select(Document).where(Document.name == "S7.txt")).one()
        s.add(Memo(text="Recorded in Leeds; KEN arrived late.", document_id=doc.id))
        code = s.exec(select(Code).where(Code.label == "1")).one()
        code.name = "Ken's weak imagery"
        code.examples = ["Ken drove me from Leeds"]
        s.add(code)
    return project, coding


def _review_all(project, tmp_path):
    proposals, _notes = propose(project, names=["Ken"], places=["Leeds"], use_ner=False)
    review = write_review(proposals, tmp_path / "review.csv")
    return proposals, review


def test_proposals_cover_every_written_text(written, tmp_path):
    project, _coding = written
    proposals, review = _review_all(project, tmp_path)
    fields = sorted({p.field for p in proposals})
    assert fields == ["", "code example 1", "code name", "memo"]
    memo_rows = [p for p in proposals if p.field == "memo"]
    # coding memo: Ken, Dana; journal: Dana, Leeds; theme memo: Dana, Ken; doc memo: Leeds, KEN
    assert sorted(p.original for p in memo_rows) == sorted(
        ["Ken", "Dana", "Dana", "Leeds", "Dana", "Ken", "Leeds", "KEN"])
    assert {p.replacement for p in memo_rows if p.original == "Dana"} == {"P01"}
    assert {p.replacement for p in memo_rows if p.original.casefold() == "ken"} == {
        "[PERSON 1]"}
    places = {p.document.split(" (", 1)[1] for p in memo_rows}
    assert places == {"on coding 1 in S7.txt)", "journal)", "on theme 2a)", "on S7.txt)"}
    # the review file round-trips the new column
    assert read_review(review) == proposals


def test_apply_rewrites_written_texts_and_carries_coding_memos(written, tmp_path):
    project, coding = written
    _proposals, review = _review_all(project, tmp_path)
    result = apply_review(project, review)
    assert result.documents == [("S7.txt", "S7.deid.txt")]
    assert result.texts_changed == 6  # 4 memos (journal has 1 to change), code name+example
    assert result.memos_carried == 1
    with project.reading() as s:
        memos = {m.id: m for m in s.exec(select(Memo)).all()}
        texts = sorted(m.text for m in memos.values())
        assert texts == sorted([
            "[PERSON 1] is her brother; P01 sounded relieved.",
            "P01 reminded me of my aunt in [PLACE 1]; watch my bias.",
            "Nothing identifying here.",
            "Holds for P01 and for [PERSON 1]'s account.",
            "Recorded in [PLACE 1]; [PERSON 1] arrived late.",
        ])
        code = s.exec(select(Code).where(Code.label == "1")).one()
        assert code.name == "[PERSON 1]'s weak imagery"
        assert code.examples == ["[PERSON 1] drove me from [PLACE 1]"]
        # the coding memo moved to the coding's copy on the de-identified version
        memo = next(m for m in memos.values() if m.text.startswith("[PERSON 1] is her"))
        carried = s.get(Coding, memo.coding_id)
        assert carried.id != coding
        assert s.get(Document, carried.document_id).name == "S7.deid.txt"
    key = (project.directory / "deid-mapping.csv").read_text(encoding="utf-8")
    assert key.count("memo 2 (journal),memo 2 (journal),") == 2  # Dana, Leeds


def test_repro_exports_hold_no_names_after_apply(written, tmp_path, capsys):
    """The issue's repro, through the CLI: before, names survived in coding memos and the
    journal (26 hits in the .qdpx) with no warning; now 0 hits and no warning."""
    project, _coding = written
    d = str(project.directory)
    _proposals, review = _review_all(project, tmp_path)
    assert main(["--project", d, "deidentify", "--apply", str(review)]) == 0
    out = capsys.readouterr()
    assert "6 memo/code texts de-identified in place; 1 memo on codings carried" in out.out
    files = [tmp_path / "study.qdpx", tmp_path / "journal.md", tmp_path / "journal.docx",
             tmp_path / "journal.csv"]
    assert main(["--project", d, "export", "qdpx", str(files[0])]) == 0
    for f in files[1:]:
        assert main(["--project", d, "journal", "export", str(f)]) == 0
    err = capsys.readouterr().err
    assert "warning:" not in err
    assert {f.name: _hits(f) for f in files} == {f.name: 0 for f in files}


def test_exports_warn_when_identifiable_text_remains(written, tmp_path, capsys):
    project, _coding = written
    d = str(project.directory)
    _proposals, review = _review_all(project, tmp_path)
    assert main(["--project", d, "deidentify", "--apply", str(review)]) == 0
    add_journal(project, "Met KEN again after the session.")  # written after the review
    capsys.readouterr()
    journal = tmp_path / "journal.md"
    assert main(["--project", d, "journal", "export", str(journal)]) == 0
    assert _hits(journal) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"warning: {journal} holds 1 occurrence of text that "
                             "de-identification replaced (still quoted by memo ")
    assert "Ken" not in err[0] and "KEN" not in err[0]  # the warning never prints a name
    qdpx = tmp_path / "study.qdpx"
    assert main(["--project", d, "export", "qdpx", str(qdpx)]) == 0
    assert _hits(qdpx) == 2  # the note's text and its name (the text's first line)
    assert "warning: " in capsys.readouterr().err


def test_no_warning_in_a_project_never_deidentified(written, tmp_path, capsys):
    project, _coding = written
    out = tmp_path / "journal.md"
    assert main(["--project", str(project.directory), "journal", "export", str(out)]) == 0
    assert _hits(out) == 2  # the names are there, but nothing was ever de-identified
    assert "warning" not in capsys.readouterr().err


def test_stale_or_clashing_written_rows_change_nothing(written, tmp_path):
    project, _coding = written
    proposals, _review = _review_all(project, tmp_path)
    # a journal entry edited after the review: its row no longer matches
    stale = next(p for p in proposals if "journal" in p.document)
    bad = tmp_path / "stale.csv"
    write_review([type(stale)(**{**stale.to_dict(), "original": "Dina"})], bad)
    with pytest.raises(InputError, match="the review is stale"):
        apply_review(project, bad)
    # a code rename that would clash with a sibling
    with project.transaction() as s:
        two = s.exec(select(Code).where(Code.label == "2")).one()
        two.name = "[PERSON 1]'s weak imagery"
        s.add(two)
    with pytest.raises(InputError, match="same name as its sibling 2"):
        apply_review(project, write_review(proposals, tmp_path / "clash.csv"))
    with project.reading() as s:
        assert s.exec(select(Code.name).where(Code.label == "1")).one() == "Ken's weak imagery"
        assert len(s.exec(select(Document)).all()) == 1


def test_tui_review_shows_written_rows_in_context(written):
    """The TUI's review table shows a memo row inside its memo, as it shows a document row."""
    from themeqa.tui.gateway import ServicesGateway

    project, _coding = written
    gateway = ServicesGateway(project.directory, None, "amira")
    try:
        proposals, _notes = gateway.deid_propose(["Ken"], ["Leeds"])
        journal = next(p for p in proposals if "journal" in p.document and p.original == "Dana")
        assert gateway.deid_context(journal, width=12) == "[Dana] reminded me "
    finally:
        gateway.close()
