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
    assert _exports(demo_copy) == []  # the demo as built has exported nothing
    p = open_project(demo_copy, actor="ben")
    n = export_codings(p, tmp_path / "ben.csv", coder="ben")
    p.close()
    [e] = _exports(demo_copy)
    assert (e.actor, e.entity) == ("ben", "codings")
    assert e.after == {"file": str(tmp_path / "ben.csv"), "coder": "ben", "layer": None,
                       "count": n}


def test_codebook_export_is_audited(demo_copy, tmp_path, capsys):
    assert _exports(demo_copy) == []
    out = tmp_path / "inh.yaml"
    assert main(["--project", str(demo_copy), "codebook", "export", "--key", "inhibitors",
                 str(out)]) == 0
    assert main(["--project", str(demo_copy), "codebook", "export", "--key", "experience"]) == 0
    assert "codebook:" in capsys.readouterr().out
    events = _exports(demo_copy)
    assert [(e.entity, e.after["file"], e.after["key"]) for e in events] == [
        ("codebook", str(out), "inhibitors"), ("codebook", "-", "experience")]


def test_reports_and_project_exports_are_logged(demo_copy, tmp_path):
    """Who took which data out: the history, journal, methods and qdpx exports all log."""
    from sqlmodel import select

    from themeqa.services.exchange import export_project
    from themeqa.services.project import open_project
    from themeqa.services.themes import add_journal, export_history, export_journal, save_version
    from themeqa.store.models import AuditEvent

    assert _exports(demo_copy) == []
    p = open_project(demo_copy, actor="amira")
    try:
        save_version(p, "v1")
        add_journal(p, "note")
        export_history(p, tmp_path / "h.md")
        export_journal(p, tmp_path / "j.md")
        export_project(p, tmp_path / "p.qdpx")
        with p.reading() as s:
            logged = [(e.entity, e.actor) for e in s.exec(
                select(AuditEvent).where(AuditEvent.action == "export")
                .order_by(AuditEvent.id)).all()]
    finally:
        p.close()
    assert logged == [("codebook_history", "amira"), ("journal", "amira"), ("project", "amira")]
