"""`themeqa export qdpx`, `import-project`, `codebook export --format qdc`, `codebook import`."""

from __future__ import annotations

import json

from tests.interop.refi_fixtures import S1, project_xml, selection, write_qdpx
from themeqa.cli.main import main


def test_export_import_and_qdc_commands(demo_copy, tmp_path, capsys):
    out = tmp_path / "study.qdpx"
    assert main(["--project", str(demo_copy), "export", "qdpx", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["codings"] == 471 and data["sources"] == 87
    target = tmp_path / "copy"
    assert main(["import-project", str(out), str(target), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["codings"] == 471 and rep["codebooks"] == ["inhibitors", "facilitators",
                                                          "experience"]
    qdc = tmp_path / "f.qdc"
    assert main(["--project", str(target), "codebook", "export", "--format", "qdc",
                 "--key", "facilitators", str(qdc)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert main(["--project", str(target), "codebook", "import", "--key", "fac2", str(qdc)]) == 0
    assert "codebook 'fac2'" in capsys.readouterr().out


def test_import_project_errors_are_one_line(tmp_path, capsys):
    junk = tmp_path / "junk.qdpx"
    junk.write_bytes(b"nope")
    assert main(["import-project", str(junk), str(tmp_path / "p")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: junk.qdpx: not a readable zip") and err.count("\n") == 1
    assert not (tmp_path / "p").exists()


def test_skip_mismatched_flag(tmp_path, capsys):
    f = write_qdpx(tmp_path / "m.qdpx", project_xml(origin="ATLAS.ti 23",
                                                    selections=selection(17, 21, name="calm today")),
                   {f"{S1}.txt": b"It was lovely and calm today.\n"})
    assert main(["import-project", str(f), str(tmp_path / "a")]) == 2
    assert "do not match" in capsys.readouterr().err
    assert main(["import-project", "--skip-mismatched", str(f), str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert "  codings:  1 in the file, 0 imported\n" in out
    assert "skipped (1):\n  selection 'interview: 44444444-4444-4444-8444-444444444444'" \
           ": its text does not match the source; 1 coding with it\n" in out


def test_codebook_export_qdc_needs_a_file(demo_copy, capsys):
    assert main(["--project", str(demo_copy), "codebook", "export", "--format", "qdc",
                 "--key", "inhibitors"]) == 2
    assert "needs an output file" in capsys.readouterr().err
