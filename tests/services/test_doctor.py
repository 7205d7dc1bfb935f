"""`themeqa doctor` finds each kind of damage, and nothing on a healthy project.

Damage is made by hand with sqlite3 and foreign keys off (what a careless external tool
would do), and the expected findings are counted in the test.
"""

from __future__ import annotations

import json
import sqlite3

from themeqa.cli.main import main
from themeqa.services.doctor import run_doctor
from themeqa.services.project import open_project


def _damage(db, *sql: str) -> None:
    con = sqlite3.connect(db)
    con.execute("PRAGMA foreign_keys=OFF")
    for q in sql:
        con.execute(q)
    con.commit()
    con.close()


def test_healthy_demo_has_no_problems(demo_dir):
    project = open_project(demo_dir, actor="doc")
    try:
        report = run_doctor(project)
    finally:
        project.close()
    assert report.ok, report.problems
    assert report.checks == ["integrity", "orphans", "offsets", "sha256", "loops", "privacy",
                             "attribution"]
    assert report.warnings == []


def test_doctor_finds_orphans_offsets_and_changed_text(demo_copy, capsys):
    db = demo_copy / "themeqa.db"
    _damage(
        db,
        # two codings of a document that does not exist -> 1 orphan problem (count 2)
        "update coding set document_id = 99999 where id in (1, 2)",
        # one coding past the end of its document (n_chars of document 1 + 5)
        "update coding set \"end\" = (select n_chars + 5 from document where id = "
        "(select document_id from coding where id = 3)) where id = 3",
        # a document edited behind themeqa's back
        "update document set text = text || 'x', n_chars = n_chars + 1 where id = 2",
    )
    project = open_project(demo_copy, actor="doc")
    try:
        report = run_doctor(project)
    finally:
        project.close()
    kinds = [p.check for p in report.problems]
    assert kinds.count("orphans") == 1
    assert "2 coding rows point at a missing document" in report.problems[0].message
    assert kinds.count("offsets") == 1 and "coding 3:" in report.problems[1].message
    assert kinds.count("sha256") == 1
    assert main(["--project", str(demo_copy), "doctor", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and len(out["problems"]) == 3


def test_doctor_reports_a_damaged_file(project, tmp_path, capsys):
    db = project.directory / "themeqa.db"
    project.close()
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=DELETE")  # fold the WAL in, so the pages are in the file
    page = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute(
        "select rootpage from sqlite_master where name = 'ix_coding_document_start'").fetchone()[0]
    con.close()
    data = bytearray(db.read_bytes())
    # Overwrite an index's root page with garbage: the tables the app reads on opening stay
    # intact, so it is the integrity check that has to notice.
    data[(root - 1) * page: root * page] = b"\xff" * page
    db.write_bytes(bytes(data))
    code = main(["--project", str(project.directory), "doctor"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines()[0].startswith("integrity: database:")
