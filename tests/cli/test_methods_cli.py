"""`themeqa methods`: prints, writes and reports JSON with the same numbers as the services."""

from __future__ import annotations

import json

from themeqa.cli.main import main
from themeqa.services.check import agreement_table
from themeqa.services.check_report import fmt_coef
from themeqa.services.project import open_project


def test_methods_json_and_file(demo_copy, tmp_path, capsys):
    base = ["--project", str(demo_copy)]
    assert main([*base, "check", "sample", "--pick", "S2,S5", "--coder", "ben",
                 "--coder-a", "amira", "--name", "pilot"]) == 0
    capsys.readouterr()
    assert main([*base, "methods", "--unit", "document", "--boot", "10", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    project = open_project(demo_copy)
    try:
        pooled = agreement_table(project, check="pilot", unit="document", n_boot=10).pooled
    finally:
        project.close()
    assert data["participants"] == 20 and data["check"]["name"] == "pilot"
    assert data["agreement"]["unit"] == "document"
    assert data["agreement"]["kappa"] == round(pooled.kappa, 6)
    assert f"Cohen's κ = {fmt_coef(pooled.kappa)}" in data["markdown"]
    out = tmp_path / "methods.md"
    assert main([*base, "methods", str(out), "--boot", "10"]) == 0
    assert "## Credibility check" in out.read_text(encoding="utf-8")
    assert "wrote" in capsys.readouterr().out
    both = tmp_path / "both.md"
    assert main([*base, "methods", str(both), "--boot", "10", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["markdown"] == both.read_text(encoding="utf-8")
    assert main([*base, "methods", str(tmp_path / "m.docx")]) == 2
    assert "Markdown" in capsys.readouterr().err
