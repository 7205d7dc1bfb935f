"""Exports are in the audit log: who exported what, where (privacy: DESIGN.md)."""

from __future__ import annotations

from sqlmodel import select

from themeqa.cli.main import main
from themeqa.services.codings import export_codings
from themeqa.services.project import open_project
from themeqa.store.models import AuditEvent


def _exports(directory) -> list[AuditEvent]:
    p = open_project(directory, actor="reader")
    try:
        with p.reading() as s:
            return list(s.exec(select(AuditEvent).where(AuditEvent.action == "export")
                               .order_by(AuditEvent.id)))
    finally:
        p.close()


def test_codings_export_is_audited(demo_copy, tmp_path):
    p = open_project(demo_copy, actor="ben")
    n = export_codings(p, tmp_path / "ben.csv", coder="ben")
    p.close()
    [e] = _exports(demo_copy)
    assert (e.actor, e.entity) == ("ben", "codings")
    assert e.after == {"file": str(tmp_path / "ben.csv"), "coder": "ben", "layer": None,
                       "count": n}


def test_codebook_export_is_audited(demo_copy, tmp_path, capsys):
    out = tmp_path / "inh.yaml"
    assert main(["--project", str(demo_copy), "codebook", "export", "--key", "inhibitors",
                 str(out)]) == 0
    assert main(["--project", str(demo_copy), "codebook", "export", "--key", "experience"]) == 0
    assert "codebook:" in capsys.readouterr().out
    events = _exports(demo_copy)
    assert [(e.entity, e.after["file"], e.after["key"]) for e in events] == [
        ("codebook", str(out), "inhibitors"), ("codebook", "-", "experience")]
