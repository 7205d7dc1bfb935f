"""`themeqa search`, `words`, `suggest` through the command line on a copy of the demo study."""

from __future__ import annotations

import json

import openpyxl

from themeqa.cli.main import main


def run(capsys, project, *args):
    code = main(["--project", str(project), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_search_json_filters_and_code_as_then_undo(demo_copy, capsys):
    code, out, _ = run(capsys, demo_copy, "search", "relax", "--condition", "I",
                       "--participants-only", "--json")
    assert code == 0
    hits = json.loads(out)
    assert hits and {h["condition"] for h in hits} == {"I"}
    assert all(h["match"].lower().startswith("relax") for h in hits)
    code, out, _ = run(capsys, demo_copy, "search", "relax", "--condition", "I",
                       "--participants-only", "--code-as", "E2", "--scope", "sentence",
                       "--coder", "carol", "--json")
    assert code == 0
    created = json.loads(out)["created"]
    assert 0 < len(created) <= len(hits)
    code, out, _ = run(capsys, demo_copy, "codings", "list", "--coder", "carol", "--json")
    assert len(json.loads(out)) == len(created)
    assert run(capsys, demo_copy, "undo", "--coder", "carol")[0] == 0
    code, out, _ = run(capsys, demo_copy, "codings", "list", "--coder", "carol", "--json")
    assert json.loads(out) == []


def test_search_errors_are_one_line(demo_copy, capsys):
    code, _, err = run(capsys, demo_copy, "search", "(", "--regex")
    assert code == 2 and err.count("\n") == 1 and "regular expression" in err
    code, _, err = run(capsys, demo_copy, "search", "relax", "--code-as", "E2")
    assert code == 2 and "--coder" in err


def test_words_compare_writes_xlsx_with_both_directions(demo_copy, capsys, tmp_path):
    out_file = tmp_path / "m_vs_i.xlsx"
    code, out, _ = run(capsys, demo_copy, "words", "--compare", "M,I", "--top", "3",
                       "--out", str(out_file), "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 6
    assert rows[0]["log-odds z"] > 0 > rows[-1]["log-odds z"]
    sheet = openpyxl.load_workbook(out_file).active
    values = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert rows[0]["word"] in values


def test_suggest_evaluate_reports_a_share(demo_copy, capsys):
    code, out, _ = run(capsys, demo_copy, "suggest", "--evaluate", "--coder", "ben", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["trials"] > 0 and 0 <= result["hits"] <= result["trials"]
    code, _, err = run(capsys, demo_copy, "suggest", "--coder", "ben")
    assert code == 2 and "DOCUMENT START END" in err
