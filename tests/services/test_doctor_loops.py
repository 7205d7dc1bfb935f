"""The doctor finds code loops, self-parents and self-referencing document versions.

The damage is made by hand with sqlite3 (what a concurrent move used to commit, issue 20);
the loops expected are worked out in each test from the rows written.
"""

from __future__ import annotations

import sqlite3

from themeqa.cli.main import main
from themeqa.services.doctor import run_doctor
from themeqa.services.doctor_loops import find_loops
from themeqa.services.project import open_project


def test_find_loops_reports_each_cycle_once():
    # 1 <- 2 <- 3 is a chain; 4 -> 5 -> 6 -> 4 a loop with 7 hanging below it; 8 its own
    # parent; 9 points at a missing 99 (the orphan check's business, not a loop)
    parents = {1: None, 2: 1, 3: 2, 4: 5, 5: 6, 6: 4, 7: 6, 8: 8, 9: 99}
    assert find_loops(parents) == [[4, 5, 6], [8]]
    assert find_loops({}) == []
    assert find_loops({1: 2, 2: 1}) == [[1, 2]]


def test_healthy_demo_has_no_loops(demo_dir):
    project = open_project(demo_dir, actor="doc")
    try:
        report = run_doctor(project)
    finally:
        project.close()
    assert "loops" in report.checks
    assert [p for p in report.problems if p.check == "loops"] == []


def test_doctor_finds_loops(demo_copy, capsys):
    db = demo_copy / "themeqa.db"
    con = sqlite3.connect(db)
    ids = dict(con.execute(
        "SELECT code.label, code.id FROM code JOIN codebook ON codebook.id = code.codebook_id"
        " WHERE codebook.key = 'inhibitors'").fetchall())
    con.execute("UPDATE code SET parent_id = ? WHERE id = ?", (ids["2a"], ids["2"]))  # 2a<->2
    con.execute("UPDATE code SET parent_id = id WHERE id = ?", (ids["3"],))  # 3 under 3
    doc = con.execute("SELECT id FROM document ORDER BY id LIMIT 1").fetchone()[0]
    con.execute("UPDATE document SET previous_id = id WHERE id = ?", (doc,))
    con.commit()
    con.close()
    project = open_project(demo_copy, actor="doc")
    try:
        report = run_doctor(project)
    finally:
        project.close()
    loops = [p.message for p in report.problems if p.check == "loops"]
    assert len(loops) == 3, loops
    two = min(ids["2"], ids["2a"])
    first = "2" if two == ids["2"] else "2a"
    other = "2a" if first == "2" else "2"
    assert f"codes form a loop in inhibitors: {first} under {other} under {first}" in loops[0]
    assert loops[1].startswith(f"code 3 (inhibitors, id {ids['3']}) is its own parent")
    assert "is its own previous version" in loops[2]
    assert not report.ok
    assert main(["--project", str(demo_copy), "doctor"]) != 0
