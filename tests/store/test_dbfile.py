"""A file that is not a themeqa database is refused by every command and never re-initialised;
``doctor`` reports damaged pages and a newer schema instead of crashing (issue 21).

Each damaged file is built here: a 0-byte file, random bytes, another program's SQLite
database, a project truncated to half its size, a project with pages overwritten by random
bytes, and a project stamped with a revision no themeqa has.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3

import pytest

from themeqa.cli.main import main
from themeqa.store.dbfile import (
    DamagedDatabaseError,
    NotAProjectError,
    integrity_problems,
    project_revision,
)
from themeqa.store.engine import head_revision

# One command per kind of entry point: reading, writing, backing up, the TUI's gateway path.
COMMANDS = [["documents"], ["codebook", "show"], ["backup"], ["doctor"], ["doctor", "--json"],
            ["journal", "add", "x"], ["settings", "show"]]


def _empty(d):
    (d / "themeqa.db").write_bytes(b"")


def _garbage(d):
    (d / "themeqa.db").write_bytes(random.Random(21).randbytes(8192))


def _foreign(d):
    con = sqlite3.connect(d / "themeqa.db")
    con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    con.execute("INSERT INTO invoices VALUES (1, 9.5)")
    con.commit()
    con.close()


@pytest.mark.parametrize(("make", "why"), [
    (_empty, "(an empty file)"),
    (_garbage, "(not a SQLite database)"),
    (_foreign, "(a SQLite database without themeqa's tables)"),
])
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_not_a_project_is_refused_and_left_alone(tmp_path, capsys, make, why, command):
    make(tmp_path)
    before = (tmp_path / "themeqa.db").read_bytes()
    assert main(["--project", str(tmp_path), *command]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: {(tmp_path / 'themeqa.db').resolve()} is not a themeqa project "
                   f"{why}"]
    assert (tmp_path / "themeqa.db").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["themeqa.db"]


@pytest.mark.parametrize("make", [_empty, _garbage, _foreign])
def test_init_never_reinitialises_a_foreign_file(tmp_path, capsys, make):
    make(tmp_path)
    before = (tmp_path / "themeqa.db").read_bytes()
    assert main(["init", str(tmp_path)]) == 2
    assert "is not a themeqa project" in capsys.readouterr().err
    assert (tmp_path / "themeqa.db").read_bytes() == before


def test_a_project_missing_only_some_tables_names_them(tmp_path):
    con = sqlite3.connect(tmp_path / "themeqa.db")
    con.execute("CREATE TABLE project (id INTEGER)")
    con.execute("CREATE TABLE document (id INTEGER)")
    con.commit()
    con.close()
    with pytest.raises(NotAProjectError, match=r"without themeqa's alembic_version, code, "
                                               r"coder, coding tables\)$"):
        project_revision(tmp_path / "themeqa.db")


def test_revision_and_integrity_of_a_sound_project(demo_dir):
    assert project_revision(demo_dir / "themeqa.db") == head_revision()
    assert integrity_problems(demo_dir / "themeqa.db") == []


def _checkpointed_copy(demo_dir, tmp_path):
    dest = tmp_path / "study"
    shutil.copytree(demo_dir, dest)
    con = sqlite3.connect(dest / "themeqa.db")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page, pages = (con.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_size", "page_count"))
    con.close()
    for side in ("-wal", "-shm"):
        (dest / f"themeqa.db{side}").unlink(missing_ok=True)
    return dest, page, pages


def test_doctor_reports_pages_overwritten_with_garbage(demo_dir, tmp_path, capsys):
    study, page, pages = _checkpointed_copy(demo_dir, tmp_path)
    rng = random.Random(7)
    with (study / "themeqa.db").open("r+b") as fh:
        for n in (2, pages // 3, pages // 2):  # 0-based page numbers, never page 1
            fh.seek(n * page)
            fh.write(rng.randbytes(page))
    assert main(["--project", str(study), "doctor", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False
    assert out["checks"] == ["file", "integrity"]
    assert {p["check"] for p in out["problems"]} == {"integrity"}
    # SQLite names one of the overwritten pages (1-based numbers), or, when the check itself
    # cannot walk the file, says it is malformed
    said = " ".join(p["message"] for p in out["problems"])
    assert "malformed" in said or any(f"Page {n + 1}:" in said
                                      for n in (2, pages // 3, pages // 2)), out
    assert main(["--project", str(study), "doctor"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == f"checked: file, integrity — {len(out['problems'])} problem(s)"
    assert all(line.startswith("integrity: database: ") for line in lines[:-1])


def test_doctor_reports_a_truncated_file(demo_dir, tmp_path, capsys):
    study, page, pages = _checkpointed_copy(demo_dir, tmp_path)
    os.truncate(study / "themeqa.db", (pages // 2) * page)
    assert main(["--project", str(study), "doctor", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["problems"] and {p["check"] for p in out["problems"]} == {"integrity"}
    # other commands fail with one line, exit 2, never a traceback
    assert main(["--project", str(study), "codings", "list"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ")


def test_newer_schema_is_refused_and_reported(demo_dir, tmp_path, capsys):
    study, _page, _pages = _checkpointed_copy(demo_dir, tmp_path)
    con = sqlite3.connect(study / "themeqa.db")
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    before = (study / "themeqa.db").read_bytes()
    line = (f"{(study / 'themeqa.db').resolve()} was made by a newer themeqa (revision 9999); "
            "upgrade themeqa")
    for command in (["documents"], ["journal", "add", "x"]):
        assert main(["--project", str(study), *command]) == 2
        assert capsys.readouterr().err.strip().splitlines() == [f"error: {line}"]
    assert main(["--project", str(study), "doctor"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "schema: made by a newer themeqa (revision 9999); upgrade themeqa",
        "checked: file, integrity, schema — 1 problem(s)"]
    assert (study / "themeqa.db").read_bytes() == before
    assert not list(study.glob("themeqa.db.backup-*"))  # no pre-upgrade copy was attempted


def test_unreadable_table_list_is_damage_not_foreign(tmp_path):
    """A SQLite header over garbage: SQLite cannot read the schema, so the file is damaged
    (the doctor reports it), not "not a themeqa project"."""
    db = tmp_path / "themeqa.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    data = bytearray(db.read_bytes())
    data[100:4096] = random.Random(3).randbytes(4096 - 100)  # page 1's b-tree after the header
    db.write_bytes(bytes(data))
    with pytest.raises(DamagedDatabaseError, match="is damaged"):
        project_revision(db)
