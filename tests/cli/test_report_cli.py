"""`themeqa report`: files in every format, JSON for scripts, one-line errors."""

from __future__ import annotations

import csv
import json

import pytest

from themeqa.cli.main import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_table2_json_matches_presence_csv(demo_copy, tmp_path, capsys):
    code, out, _ = run(
        capsys,
        "--project",
        str(demo_copy),
        "report",
        "table2",
        "--json",
        "--codebook",
        "inhibitors",
    )
    assert code == 0
    table = json.loads(out)["tables"][0]
    totals = {row[0].split()[0]: row[1] for row in table["rows"]}
    code, out, _ = run(
        capsys,
        "--project",
        str(demo_copy),
        "report",
        "presence",
        str(tmp_path / "p.csv"),
        "--codebook",
        "inhibitors",
    )
    assert code == 0 and "wrote" in out
    with (tmp_path / "p.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 20
    # the presence file and Table 2 agree: column sums are the table's totals
    for label, total in totals.items():
        assert sum(int(r[f"inhibitors::{label}"]) for r in rows) == total


@pytest.mark.parametrize("suffix", ["docx", "xlsx", "md", "csv"])
def test_formats_by_suffix(demo_copy, tmp_path, capsys, suffix):
    out_file = tmp_path / f"r.{suffix}"
    code, out, err = run(capsys, "--project", str(demo_copy), "report", "table1", str(out_file))
    assert code == 0, err
    assert out.strip() == f"table1: wrote {out_file}"
    if suffix == "docx":
        import docx

        text = [c.text for c in docx.Document(str(out_file)).tables[0].rows[2].cells]
    elif suffix == "xlsx":
        import openpyxl

        text = [c.value for c in openpyxl.load_workbook(out_file)["table1"][4]]
    elif suffix == "csv":
        text = list(csv.reader(out_file.read_text(encoding="utf-8-sig").splitlines()))[2]
    else:
        text = next(x for x in out_file.read_text().splitlines() if "Age, M" in x).split(" | ")
    assert text[0].lstrip("| ") == "Age, M (SD)" and "47.4 (14.4)" in text


def test_results_printed_and_format_option(demo_copy, tmp_path, capsys):
    code, out, _ = run(
        capsys,
        "--project",
        str(demo_copy),
        "report",
        "results",
        "--layer",
        "coder:amira",
        "--codebook",
        "experience",
    )
    assert code == 0 and "participants" in out and "(E1)." in out
    code, _, _ = run(
        capsys,
        "--project",
        str(demo_copy),
        "report",
        "cooccurrence",
        str(tmp_path / "co.txt"),
        "--format",
        "md",
    )
    assert code == 0 and "participants reporting both" in (tmp_path / "co.txt").read_text()


def test_errors_are_one_line_exit_2(demo_copy, tmp_path, capsys):
    code, _, err = run(
        capsys, "--project", str(demo_copy), "report", "table2", "--layer", "coder:zoe"
    )
    assert code == 2 and err.strip() == "error: no codings by coder 'zoe' (coders: amira, ben)"
    code, _, err = run(
        capsys, "--project", str(demo_copy), "report", "table2", str(tmp_path / "x.pdf")
    )
    assert code == 2 and err.count("\n") == 1 and "format" in err
    code, _, err = run(capsys, "--project", str(demo_copy), "report", "table2", "--by", "age")
    assert code == 2 and "break down by age" in err


def test_cooccurrence_matrix_diagonal_is_table2_total(demo_dir, capsys):
    code, out, _ = run(
        capsys,
        "--project",
        str(demo_dir),
        "report",
        "cooccurrence",
        "--matrix",
        "--json",
        "--codebook",
        "inhibitors",
    )
    assert code == 0
    matrix = json.loads(out)["tables"][0]
    code, out, _ = run(
        capsys, "--project", str(demo_dir), "report", "table2", "--json", "--codebook", "inhibitors"
    )
    totals = {row[0].split()[0]: row[1] for row in json.loads(out)["tables"][0]["rows"]}
    labels = [c.split("::")[1] for c in matrix["columns"][1:]]
    for i, row in enumerate(matrix["rows"]):
        assert row[1 + i] == totals[labels[i]]  # a theme co-occurs with itself in all its people
        assert all(row[1 + j] == matrix["rows"][j][1 + i] for j in range(len(labels)))
        assert all(v <= row[1 + i] for v in row[1:])  # never more than either theme's total
