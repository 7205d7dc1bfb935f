"""Purging the identifiable originals after de-identification.

The study below is de-identified (names, a place, a date, two speaker labels), then purged.
Afterwards no byte of the project folder (the SQLite file with its write-ahead log, the
search cache) may hold a replaced name, except the backups the purge lists; the audit trail
keeps its events; undo cannot bring a name back; a second purge changes nothing.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from pathlib import Path

import click
import pytest
from sqlmodel import select

from themeqa.cli.main import main
from themeqa.core.redact import MASK
from themeqa.core.text import sha256_text
from themeqa.errors import ConflictError, InputError
from themeqa.services.backup import backup_project
from themeqa.services.codings import add_coding, list_codings, set_coding_memo
from themeqa.services.deid_purge import (
    PURGE_ACTION,
    PURGED_KEY,
    purge_originals,
    unpurged_originals,
)
from themeqa.services.deidentify import apply_review, propose, write_review
from themeqa.services.doctor import run_doctor
from themeqa.services.documents import get_document
from themeqa.services.participants import map_speaker
from themeqa.services.search import search
from themeqa.services.undo import redo, undo
from themeqa.store.models import AuditEvent, Coding, Document, SpeakerLabel

TEXT = (
    "Facilitator: Welcome back.\n"
    "P01: Ken drove me from Leeds on 12 March 2024. It was calm.\n"
    "Dana: Sorry, Dana again. I may go in March.\n"
    "Bess: Ken was kind.\n"
)
NAMES = ("Ken", "Leeds", "Dana", "Bess", "12 March 2024")
#: a replaced word as a whole word, in any case (the search cache stores lower-case forms)
_FOUND = re.compile(rb"(?<![A-Za-z])(?:" + b"|".join(re.escape(n.encode()) for n in NAMES)
                    + rb")(?![A-Za-z])", re.IGNORECASE)


def _holding_names(folder: Path) -> list[str]:
    """Files under ``folder`` with a replaced name anywhere in their bytes."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.is_file() and _FOUND.search(p.read_bytes()))


def _rows_holding_names(db: Path) -> list[str]:
    """Every row of every table, read with a separate connection (which sees the WAL too)."""
    con = sqlite3.connect(db)
    try:
        found = [line for line in con.iterdump()
                 if _FOUND.search(line.encode()) and not line.startswith("CREATE")]
    finally:
        con.close()
    return found


@pytest.fixture
def deid(project, study_files, tmp_path):
    """The study de-identified, with names in the audit log, a memo, the cache and a backup.

    Returns (project, key file outside the project, id of the original document, coding).
    """
    from themeqa.services.codebooks import import_codebook
    from themeqa.services.importing import import_files
    from themeqa.services.participants import import_participants

    import_participants(project, study_files["participants"])  # P01 is also "Dana"
    import_codebook(project, study_files["codebook"])
    f = tmp_path / "S7.txt"
    f.write_text(TEXT, encoding="utf-8")
    import_files(project, [f])
    map_speaker(project, "Bess", "P02")  # an audit event holding a name
    calm = TEXT.index("It was calm.")
    coding = add_coding(project, document="S7.txt", start=calm, end=calm + 12, code="1",
                        coder="tester")
    set_coding_memo(project, coding, "Ken said this calmly", actor="tester")
    set_coding_memo(project, coding, "said calmly", actor="tester")  # the memo is clean now
    ken, leeds = TEXT.index("Ken"), TEXT.index("Leeds")
    add_coding(project, document="S7.txt", start=ken, end=leeds + 2, code="2", coder="tester")
    assert [h.document for h in search(project, "Ken")] == ["S7.txt", "S7.txt"]  # cached
    key = tmp_path / "vault" / "deid-key.csv"
    proposals, _ = propose(project, names=["Ken"], places=["Leeds"], use_ner=False)
    apply_review(project, write_review(proposals, tmp_path / "review.csv"), mapping_file=key,
                 actor="tester")
    with project.reading() as s:
        orig_id = s.exec(select(Document.id).where(Document.name == "S7.txt")).one()
    return project, key, orig_id, coding


def test_before_the_purge_the_names_are_everywhere(deid):
    project, _key, _orig, _coding = deid
    folder = project.directory
    assert unpurged_originals(project) == [("S7.txt", "S7.deid.txt")]
    held = _holding_names(folder)
    assert any(p.startswith("themeqa.db") for p in held)
    assert any(p.startswith(".themeqa-cache") for p in held)
    assert _rows_holding_names(folder / "themeqa.db")


def test_purge_leaves_no_name_in_the_project(deid, tmp_path):
    project, key, _orig, coding = deid
    folder = project.directory
    backup = backup_project(project)  # taken before the purge: holds the originals
    usb = backup_project(project, tmp_path / "usb.db")  # one outside the project, logged
    with project.reading() as s:
        n_events = len(s.exec(select(AuditEvent)).all())
    result = purge_originals(project, include_speaker_labels=True, mapping_file=key,
                             actor="amira")
    assert result.documents == [("S7.txt", "S7.deid.txt")]
    assert result.audit_events >= 3  # map_speaker, the memo's create and update
    # the turns of "Dana:" (P01) and "Bess:" (P02: mapping the once-used label made it a turn)
    assert result.turns == 2
    assert result.speaker_labels == ["P01", "P02"] and result.speaker_labels_removed == 2
    assert result.cache_files >= 1 and result.vacuumed
    assert sorted(result.backups) == sorted([str(backup), str(usb)])
    assert result.backups_deleted == [] and result.files == [] and result.mentions == []

    # Nothing under the project holds a name, except the listed backup; nor any row.
    assert _holding_names(folder) == [str(backup.relative_to(folder))]
    assert _rows_holding_names(folder / "themeqa.db") == []

    # The original keeps its length, offsets, codings and turns; what was replaced is masked.
    original = get_document(project, "S7.txt")
    assert len(original.text) == len(TEXT)
    expected = TEXT
    for name in NAMES:
        expected = expected.replace(name, MASK * len(name))
    assert original.text == expected
    assert [t.speaker for t in original.turns] == ["Facilitator", "P01", "P01", "P02"]
    assert coding in {c.id for c in list_codings(project, document="S7.txt")}
    report = run_doctor(project)
    assert report.ok and report.warnings == [], (report.problems, report.warnings)

    # The audit trail keeps every event; the purge itself is one more, with counts and hashes.
    with project.reading() as s:
        events = s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert len(events) == n_events + 1
        purge = events[-1]
        assert (purge.action, purge.actor) == (PURGE_ACTION, "amira")
        assert purge.after["count"] == 1
        assert purge.after["documents"][0]["sha256_before"] == sha256_text(TEXT)
        assert purge.after["documents"][0]["sha256_after"] == sha256_text(expected)
        mapped = [e for e in events if e.action == "map_speaker"]
        assert mapped and mapped[0].after["label"] == result.marker
        assert mapped[0].after[PURGED_KEY] == result.marker[len("[purged "):-1]
        assert any(e.action == "deidentify" for e in events)
        assert s.exec(select(SpeakerLabel)).all() == []
    # The removed speaker labels went to the key, outside the project.
    with key.open(encoding="utf-8") as fh:
        labels = {(r["original"], r["replacement"]) for r in csv.DictReader(fh)
                  if r["kind"] == "speaker-label"}
    assert labels == {("Dana", "P01"), ("Bess", "P02")}


def test_the_date_was_kept_when_the_reviewer_rejected_it(project, study_files, tmp_path):
    """Only what the de-identified version no longer holds is masked."""
    from themeqa.services.importing import import_files
    from themeqa.services.participants import import_participants

    import_participants(project, study_files["participants"])
    f = tmp_path / "S7.txt"
    f.write_text(TEXT, encoding="utf-8")
    import_files(project, [f])
    proposals, _ = propose(project, names=["Ken"], use_ner=False)
    review = write_review(proposals, tmp_path / "r.csv")
    review.write_text(review.read_text(encoding="utf-8").replace(
        "12 March 2024,[DATE],yes", "12 March 2024,[DATE],no"), encoding="utf-8")
    apply_review(project, review, mapping_file=tmp_path / "key.csv")
    purge_originals(project, mapping_file=tmp_path / "key.csv")
    text = get_document(project, "S7.txt").text
    assert "12 March 2024" in text and "Ken" not in text and "Dana" not in text


def test_undo_and_redo_cannot_bring_a_name_back(deid):
    project, key, _orig, _coding = deid
    purge_originals(project, include_speaker_labels=True, mapping_file=key)
    for step in (undo, redo):
        for _ in range(10):
            try:
                if step(project, "tester") is None:
                    break
            except ConflictError:
                break
        assert _rows_holding_names(project.directory / "themeqa.db") == []
    with project.reading() as s:  # the purge is not an action undo would revert
        assert all(not e.undone for e in s.exec(select(AuditEvent).where(
            AuditEvent.action == PURGE_ACTION)))


def test_a_second_purge_is_a_no_op(deid):
    project, key, _orig, _coding = deid
    purge_originals(project, include_speaker_labels=True, mapping_file=key)
    db = project.directory / "themeqa.db"

    def rows() -> list[str]:
        con = sqlite3.connect(db)
        try:
            return list(con.iterdump())
        finally:
            con.close()

    before = rows()
    again = purge_originals(project, include_speaker_labels=True, mapping_file=key)
    assert not again.pending and not again.database_changes and not again.vacuumed
    assert again.already_purged == 1 and again.documents == []
    assert rows() == before
    assert unpurged_originals(project) == []


def test_backups_are_listed_then_deleted_on_request(deid, tmp_path):
    project, key, _orig, _coding = deid
    backup = backup_project(project)
    plan = purge_originals(project, dry_run=True, include_backups=True, mapping_file=key)
    assert plan.dry_run and plan.backups_deleted == [str(backup)] and backup.exists()
    assert get_document(project, "S7.txt").text == TEXT  # a dry run writes nothing
    done = purge_originals(project, include_backups=True, mapping_file=key)
    assert done.backups_deleted == [str(backup)] and done.backups == []
    assert not backup.exists()
    assert any("fresh" in n for n in done.notes)
    # Speaker labels were not included: they are reported by participant id, and kept.
    assert done.speaker_labels == ["P01", "P02"] and done.speaker_labels_removed == 0
    assert not any(p.startswith("backups") for p in _holding_names(project.directory))


def test_the_key_and_memos_under_the_project_are_listed(deid):
    project, key, _orig, coding = deid
    inside = project.directory / "deid-mapping.csv"
    inside.write_bytes(key.read_bytes())
    set_coding_memo(project, coding, "Bess agreed", actor="tester")
    report = run_doctor(project)
    assert report.ok and [w.check for w in report.warnings] == ["privacy", "privacy"]
    assert "S7.txt" in report.warnings[0].message
    assert "deid-mapping.csv" in report.warnings[1].message
    result = purge_originals(project)  # reads the key in the project folder by default
    assert result.files == [{"path": str(inside), "what": result.files[0]["what"]}]
    assert "key" in result.files[0]["what"]
    assert result.mentions == [f"memo {_memo_id(project, coding)}"]


def _memo_id(project, coding: int) -> int:
    from themeqa.store.models import Memo

    with project.reading() as s:
        return s.exec(select(Memo.id).where(Memo.coding_id == coding)).one()


def test_nothing_to_purge_without_de_identification(project, study_files):
    from themeqa.services.importing import import_files

    import_files(project, [study_files["S1"]])
    result = purge_originals(project)
    assert not result.pending and result.documents == [] and result.already_purged == 0
    with project.reading() as s:
        assert s.exec(select(AuditEvent).where(AuditEvent.action == PURGE_ACTION)).all() == []


def test_speaker_labels_on_postgres_need_a_key_file(deid, monkeypatch):
    project, _key, _orig, _coding = deid
    monkeypatch.setattr(project, "directory", None)
    with pytest.raises(InputError, match="--mapping"):
        purge_originals(project, include_speaker_labels=True)


def test_codings_on_the_original_keep_their_offsets(deid):
    project, key, orig_id, _coding = deid
    with project.reading() as s:
        before = [(c.start, c.end) for c in s.exec(
            select(Coding).where(Coding.document_id == orig_id))]
    result = purge_originals(project, mapping_file=key)
    assert len(before) == 2 and result.codings_not_copied == 1  # the one half over "Leeds"
    with project.reading() as s:
        after = [(c.start, c.end) for c in s.exec(
            select(Coding).where(Coding.document_id == orig_id))]
    assert after == before


# ------------------------------------------------------------------------------ command


def test_purge_command_confirms_and_reports(deid, capsys):
    project, key, _orig, _coding = deid
    d = str(project.directory)
    # No terminal and no --yes: refuses before anything is written.
    assert main(["--project", d, "deidentify", "--purge-originals"]) == 2
    assert "--yes" in capsys.readouterr().err
    assert unpurged_originals(project) == [("S7.txt", "S7.deid.txt")]
    assert main(["--project", d, "deidentify", "--apply", "r.csv", "--yes"]) == 2
    assert "go with --purge-originals" in capsys.readouterr().err
    assert main(["--project", d, "deidentify", "--purge-originals", "--yes",
                 "--include-speaker-labels", "--mapping", str(key), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["documents"] == [["S7.txt", "S7.deid.txt"]] and out["vacuumed"]
    assert main(["--project", d, "deidentify", "--purge-originals", "--yes",
                 "--mapping", str(key)]) == 0
    assert "nothing to purge" in capsys.readouterr().out
    assert main(["--project", d, "doctor"]) == 0
    assert "warning" not in capsys.readouterr().out


def test_purge_command_in_a_terminal_asks_first(deid, monkeypatch, capsys):
    project, key, _orig, _coding = deid
    d = str(project.directory)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    def refuse(*_args, **_kwargs):
        raise click.exceptions.Abort

    monkeypatch.setattr("click.confirm", refuse)
    assert main(["--project", d, "deidentify", "--purge-originals",
                 "--mapping", str(key)]) == 1
    out = capsys.readouterr().out
    assert "will mask the replaced text in S7.txt" in out
    assert unpurged_originals(project) == [("S7.txt", "S7.deid.txt")]  # nothing happened


def test_doctor_command_warns_without_failing(deid, capsys):
    project, _key, _orig, _coding = deid
    assert main(["--project", str(project.directory), "doctor"]) == 0
    out = capsys.readouterr().out
    assert "warning: privacy" in out and "--purge-originals" in out


def test_undo_refuses_a_purged_action_by_name(deid):
    """The memo edit whose old text named Ken was purged: undo says so and changes nothing."""
    from themeqa.services.codings import document_codings

    project, key, _orig, coding = deid
    purge_originals(project, include_speaker_labels=True, mapping_file=key)
    message = None
    for _ in range(10):
        try:
            if undo(project, "tester") is None:
                break
        except ConflictError as exc:
            message = str(exc)
            break
    assert message is not None and "purged of identifiable text" in message
    memos = {c.id: c.memo for c in document_codings(project, "S7.txt", viewer="tester")}
    assert memos.get(coding) in (None, "said calmly")
