"""The command line in team mode: ``--db postgresql+psycopg://…`` and ``$THEMEQA_DB``."""

from __future__ import annotations

import json

from themeqa.cli.main import main


def test_cli_init_import_and_list_on_postgres(pg_url, study_files, capsys):
    assert main(["--db", pg_url, "init", "--name", "team study"]) == 0
    assert main(["--db", pg_url, "participants", "import",
                 str(study_files["participants"])]) == 0
    assert main(["--db", pg_url, "codebook", "import", str(study_files["codebook"])]) == 0
    assert main(["--db", pg_url, "import", str(study_files["S1"])]) == 0
    capsys.readouterr()
    assert main(["--db", pg_url, "documents", "--json"]) == 0
    docs = json.loads(capsys.readouterr().out)
    assert [d["name"] for d in docs] == ["S1.txt"]
    assert main(["--db", pg_url, "doctor", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and "integrity" not in report["checks"]  # SQLite-only check


def test_environment_variable_selects_the_server(pg_url, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("THEMEQA_DB", pg_url)
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    assert not (tmp_path / "themeqa.db").exists()
    assert main(["backup"]) == 2  # a server's backups are pg_dump's job
    assert "pg_dump" in capsys.readouterr().err
