"""`themeqa check` end to end on the demo study: agree, sample, disagreements, decide, report."""

from __future__ import annotations

import json

import krippendorff
import pytest

from themeqa.cli.main import main
from themeqa.services.codings import list_codings
from themeqa.services.documents import get_document
from themeqa.services.project import open_project


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_agree_json_matches_hand_count(demo_dir, capsys):
    code, out, _ = run(capsys, "--project", str(demo_dir), "check", "agree", "--coders",
                       "amira,ben", "--unit", "turn", "--code", "F3", "--boot", "100", "--json")
    assert code == 0
    data = json.loads(out)
    row = next(r for r in data["agreement"]["rows"] if r["label"] == "F3")
    # by hand: turns of S2/S5 touched by each coder's F3 codings
    project = open_project(demo_dir)
    try:
        docs = ("S2_focus_group.txt", "S5_focus_group.txt")
        # participant speech only: facilitator turns are not units by default
        turns = [(d, t.start, t.end) for d in docs for t in get_document(project, d).turns
                 if t.role != "facilitator"]
        spans = {c: [(x.document, x.start, x.end) for x in list_codings(project, coder=c)
                     if x.code_label == "F3" and x.document in docs] for c in ("amira", "ben")}
    finally:
        project.close()
    marks = {c: [int(any(cd == d and s < te and e > ts for cd, s, e in spans[c]))
                 for d, ts, te in turns] for c in spans}
    both = sum(a and b for a, b in zip(marks["amira"], marks["ben"], strict=True))
    assert row["both"] == both and row["units"] == len(turns)
    assert row["only_a"] == sum(marks["amira"]) - both
    assert row["alpha"] == pytest.approx(krippendorff.alpha(
        reliability_data=[marks["amira"], marks["ben"]], level_of_measurement="nominal"),
        abs=1e-6)
    assert data["agreement"]["documents"] == list(docs)
    assert data["agreement"]["include_facilitator"] is False
    assert data["spans"]["threshold"] == 0.5


def test_agree_text_table_and_na(demo_dir, capsys):
    code, out, _ = run(capsys, "--project", str(demo_dir), "check", "agree", "--coders",
                       "amira,ben", "--boot", "50")
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("5 "))
    assert "n/a" in line and "Lack of distress" in line
    assert any(x.startswith("pooled") for x in out.splitlines())
    assert "Span matching" in out


def test_unknown_coder_is_one_line_exit_2(demo_dir, capsys):
    code, _, err = run(capsys, "--project", str(demo_dir), "check", "agree", "--coders",
                       "amira,zed")
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1


def test_sample_decide_status_report(demo_copy, capsys, tmp_path):
    p = ["--project", str(demo_copy)]
    code, out, _ = run(capsys, *p, "check", "sample", "--sessions", "2", "--seed", "5",
                       "--coder", "ben", "--coder-a", "amira", "--json")
    assert code == 0
    first = json.loads(out)
    code, out, _ = run(capsys, *p, "check", "sample", "--sessions", "2", "--seed", "5",
                       "--coder", "ben", "--coder-a", "amira", "--json")
    assert json.loads(out)["sessions"] == first["sessions"]
    code, out, _ = run(capsys, *p, "check", "sample", "--pick", "S2,S5", "--coder", "ben",
                       "--coder-a", "amira", "--name", "pilot")
    assert code == 0 and "S2, S5" in out
    code, out, _ = run(capsys, *p, "check", "disagreements", "--check", "pilot", "--json")
    found = json.loads(out)
    assert code == 0 and {d["kind"] for d in found} == {"one_coder", "boundary",
                                                         "code_conflict"}
    boundary = next(d for d in found if d["kind"] == "boundary")
    assert boundary["a_text"] and boundary["b_text"]
    code, out, err = run(capsys, *p, "check", "decide", boundary["key"], "--check", "pilot",
                         "--choice", "keep_a", "--rationale", "A marks the whole reason",
                         "--by", "amira")
    assert code == 0, err
    assert f"1 of {len(found)} resolved" in out
    code, _, err = run(capsys, *p, "check", "decide", boundary["key"], "--check", "pilot",
                       "--choice", "keep_a", "--rationale", "again")
    assert code == 2 and "decided already" in err
    code, out, _ = run(capsys, *p, "check", "status", "--json")
    pilot = next(c for c in json.loads(out) if c["name"] == "pilot")
    assert (pilot["decided"], pilot["total"], pilot["status"]) == (1, len(found),
                                                                    "reconciling")
    md, docx = tmp_path / "check.md", tmp_path / "check.docx"
    assert run(capsys, *p, "check", "report", str(md), "--check", "pilot")[0] == 0
    text = md.read_text(encoding="utf-8")
    assert "chosen by hand" in text and "S2, S5" in text and "κ 95% CI" in text
    assert "Same code, different extent" in text
    assert run(capsys, *p, "check", "report", str(docx), "--check", "pilot")[0] == 0
    import docx as python_docx

    doc = python_docx.Document(str(docx))
    assert len(doc.tables) == 3
    header = [c.text for c in doc.tables[1].rows[0].cells]
    assert header[:2] == ["Code", "Name"] and "AC1" in header
    code, out, _ = run(capsys, *p, "check", "undo", boundary["key"], "--check", "pilot")
    assert code == 0 and f"0 of {len(found)} resolved" in out
    code, out, _ = run(capsys, *p, "check", "adopt", "--check", "pilot", "--by", "amira")
    assert code == 0 and out.startswith("copied ")
    n = int(out.split()[1])
    project = open_project(demo_copy)
    try:
        assert len(list_codings(project, layer="consensus")) == n > 0
    finally:
        project.close()


def test_random_sample_report_states_seed(demo_copy, capsys, tmp_path):
    p = ["--project", str(demo_copy)]
    run(capsys, *p, "check", "sample", "--sessions", "2", "--seed", "99", "--coder", "ben",
        "--coder-a", "amira")
    md = tmp_path / "r.md"
    assert run(capsys, *p, "check", "report", str(md))[0] == 0
    assert "drawn at random with seed 99" in md.read_text(encoding="utf-8")


def test_agree_without_coders_uses_the_most_recent_check(demo_copy, capsys):
    from themeqa.cli.main import main

    base = ["--project", str(demo_copy)]
    assert main([*base, "check", "agree"]) == 2
    assert "name two coders" in capsys.readouterr().err
    assert main([*base, "check", "sample", "--pick", "S2,S5", "--coder", "ben",
                 "--coder-a", "amira", "--name", "latest"]) == 0
    capsys.readouterr()
    assert main([*base, "check", "agree", "--json", "--boot", "50"]) == 0
    import json

    out = json.loads(capsys.readouterr().out)
    assert out["agreement"]["check"] == "latest"
