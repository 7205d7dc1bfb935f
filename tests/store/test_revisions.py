"""Opening a project reads the schema revision without Alembic (issue 24); the migration
graph read from the files equals Alembic's own."""

from __future__ import annotations

import subprocess
import sys

from themeqa.store import revisions


def test_graph_equals_alembics():
    from alembic.script import ScriptDirectory

    from themeqa.store.engine import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    assert revisions.head() == script.get_current_head()
    assert revisions.known() == {r.revision for r in script.walk_revisions()}
    for rev in script.walk_revisions():
        down = rev.down_revision
        expected = () if down is None else ((down,) if isinstance(down, str) else tuple(down))
        assert revisions.parents()[rev.revision] == expected


def test_opening_an_up_to_date_project_does_not_import_alembic(demo_dir):
    code = (
        "import sys; from themeqa.services.project import open_project;"
        f"p = open_project({str(demo_dir)!r}); p.info(); p.close();"
        "print(sorted(m for m in sys.modules if m == 'alembic' or m.startswith('alembic.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    assert out.strip() == "[]"


def test_an_old_project_is_still_migrated(tmp_path):
    """The fast path must not skip a due migration: a database stamped at an older
    revision is upgraded (and backed up) on open."""
    from sqlalchemy import text

    from themeqa.services.project import open_project
    from themeqa.store.engine import create_db_engine, upgrade

    db = tmp_path / "themeqa.db"
    engine = create_db_engine(f"sqlite:///{db}")
    upgrade(engine, "0004")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO project (name, description, created_at, settings) "
                          "VALUES ('old', '', '2026-01-01 00:00:00', '{}')"))
    engine.dispose()
    project = open_project(tmp_path)
    try:
        from themeqa.store.engine import current_revision

        assert current_revision(project.engine) == revisions.head()
    finally:
        project.close()
    assert list(tmp_path.glob("themeqa.db.backup-0004-*"))
