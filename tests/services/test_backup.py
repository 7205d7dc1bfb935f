"""Backups and restore: consistent while coders write, rotating, refusing bad input.

Why: a backup that is torn, silently overwrites a study, or restores a file that is not a
themeqa project would turn a recoverable mistake into a lost study.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from themeqa.cli.main import main
from themeqa.errors import InputError
from themeqa.services.backup import (
    backup_project,
    backup_settings,
    check_backup_file,
    list_auto_backups,
    maybe_auto_backup,
    restore_project,
    set_backup_settings,
)
from themeqa.services.codings import add_coding, list_codings
from themeqa.services.documents import list_documents
from themeqa.services.project import open_project
from themeqa.store.engine import create_db_engine, head_revision, upgrade


def _count(db, sql: str) -> int:
    with sqlite3.connect(db) as con:
        return con.execute(sql).fetchone()[0]


def test_backup_while_another_coder_writes_is_consistent(demo_copy, tmp_path):
    project = open_project(demo_copy, actor="amira")
    writer = open_project(demo_copy, actor="ben")
    doc = list_documents(project)[0].name
    before = len(list_codings(project))
    stop = threading.Event()
    written: list[int] = []

    def code() -> None:
        i = 0
        while not stop.is_set() and i < 400:
            written.append(add_coding(writer, document=doc, start=i, end=i + 2,
                                      code="inhibitors::1", coder="ben"))
            i += 1

    t = threading.Thread(target=code)
    t.start()
    try:
        while len(written) < 5:  # the writer is going
            stop.wait(0.01)
        copies = [backup_project(project, tmp_path / f"b{i}.db") for i in range(3)]
    finally:
        stop.set()
        t.join()
        writer.close()
        project.close()
    for copy in copies:
        with sqlite3.connect(copy) as con:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            n = con.execute("select count(*) from coding").fetchone()[0]
            audited = con.execute(
                "select count(*) from audit_event where entity='coding' and action='create'"
                " and actor='ben'").fetchone()[0]
        # A snapshot between two commits: each coding with its audit event, none torn.
        assert before <= n <= before + len(written)
        assert n - before == audited
    assert check_backup_file(copies[0]) == head_revision()


def test_backup_refuses_to_overwrite_and_logs(project, tmp_path):
    out = backup_project(project, tmp_path / "copy.db")
    with pytest.raises(InputError, match="already exists"):
        backup_project(project, out)
    default = backup_project(project)
    assert default.parent == project.directory / "backups"
    assert _count(project.directory / "themeqa.db",
                  "select count(*) from audit_event where action='backup'") == 2


def test_backup_of_a_postgres_url_points_at_pg_dump(tmp_path):
    from themeqa.services.project import ProjectHandle

    fake = ProjectHandle(engine=None, url="postgresql+psycopg://x/y", directory=None)
    with pytest.raises(InputError, match="pg_dump"):
        backup_project(fake)


def test_automatic_backups_rotate(project):
    set_backup_settings(project, interval_hours=24, keep=3)
    created = project.info().created_at.replace(tzinfo=UTC)
    # Younger than the interval: no copy of a brand-new project.
    assert maybe_auto_backup(project, now=created + timedelta(hours=23)) is None
    made = []
    for day in range(1, 6):
        made.append(maybe_auto_backup(project, now=created + timedelta(days=day)))
        # A second open the same hour does nothing.
        assert maybe_auto_backup(project, now=created + timedelta(days=day, hours=1)) is None
    assert all(m is not None for m in made)
    assert list_auto_backups(project) == made[-3:]  # keep 3, oldest removed
    set_backup_settings(project, interval_hours=0)
    assert maybe_auto_backup(project, now=created + timedelta(days=30)) is None


def test_opening_an_old_project_makes_an_automatic_backup(project):
    from sqlmodel import select

    from themeqa.store.models import ProjectInfo

    with project.transaction() as s:
        info = s.exec(select(ProjectInfo)).one()
        info.created_at = datetime.now(UTC) - timedelta(days=2)
        s.add(info)
    again = open_project(project.directory, actor="x")
    again.close()
    assert len(list_auto_backups(project)) == 1


def test_backup_settings_are_checked(project):
    assert backup_settings(project).to_dict() == {"interval_hours": 24.0, "keep": 7}
    with pytest.raises(InputError):
        set_backup_settings(project, keep=0)
    with pytest.raises(InputError):
        set_backup_settings(project, interval_hours=-1)


def test_restore_refuses_without_force_and_keeps_the_replaced_file(demo_copy, tmp_path):
    project = open_project(demo_copy, actor="amira")
    n = len(list_codings(project))
    copy = backup_project(project, tmp_path / "copy.db")
    doc = list_documents(project)[0].name
    add_coding(project, document=doc, start=0, end=3, code="inhibitors::1", coder="amira")
    project.close()
    with pytest.raises(InputError, match="--force"):
        restore_project(demo_copy, copy)
    result = restore_project(demo_copy, copy, force=True)
    assert result.previous is not None
    assert _count(result.previous, "select count(*) from coding") == n + 1
    restored = open_project(demo_copy, actor="amira")
    try:
        assert len(list_codings(restored)) == n
    finally:
        restored.close()


def test_restore_migrates_an_old_backup(tmp_path):
    old = tmp_path / "old.db"
    engine = create_db_engine(f"sqlite:///{old}")
    upgrade(engine, "0001")
    with engine.begin() as c:
        c.exec_driver_sql("insert into project (name, description, created_at, settings)"
                          " values ('old', '', '2026-01-01', '{}')")
    engine.dispose()
    assert check_backup_file(old) == "0001"
    result = restore_project(tmp_path / "new", old)
    assert (result.from_revision, result.to_revision) == ("0001", head_revision())
    assert check_backup_file(tmp_path / "new" / "themeqa.db") == head_revision()


@pytest.mark.parametrize("content", [b"", b"hello", b"SQLite format 3\x00" + b"\x00" * 100])
def test_restore_refuses_files_that_are_not_themeqa_databases(tmp_path, content):
    bad = tmp_path / "bad.db"
    bad.write_bytes(content)
    with pytest.raises(InputError, match=r"themeqa database|cannot open|damaged"):
        restore_project(tmp_path / "p", bad)
    assert not (tmp_path / "p" / "themeqa.db").exists()


def test_restore_refuses_another_sqlite_database(tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as con:
        con.execute("create table t (x)")
    with pytest.raises(InputError, match="not a themeqa database"):
        restore_project(tmp_path / "p", other)


def test_restore_refuses_a_newer_schema(tmp_path, project):
    copy = backup_project(project, tmp_path / "copy.db")
    with sqlite3.connect(copy) as con:
        con.execute("update alembic_version set version_num = '9999'")
    with pytest.raises(InputError, match="newer themeqa"):
        restore_project(tmp_path / "p", copy)


def test_backup_and_restore_commands(project, tmp_path, capsys):
    d = str(project.directory)
    assert main(["--project", d, "backup", str(tmp_path / "c.db")]) == 0
    assert main(["--project", str(tmp_path / "p2"), "restore", str(tmp_path / "c.db")]) == 0
    assert main(["--project", str(tmp_path / "p2"), "restore", str(tmp_path / "c.db")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--force" in err
    assert main(["--project", d, "backup", "--set-every", "6", "--set-keep", "2", "--json"]) == 0
    assert '"keep": 2' in capsys.readouterr().out


def test_partial_and_incomplete_files_are_ignored_and_cleaned(demo_copy):
    """What an interrupted backup leaves (a hidden ``.partial`` of a dead process, an empty
    or journal-carrying ``auto-*.db`` from themeqa before issue 21) is not listed, not
    counted as the newest backup, and removed by the next automatic backup round."""
    import subprocess
    import sys

    from themeqa.services.backup import clean_backup_folder

    project = open_project(demo_copy, actor="t")
    try:
        folder = demo_copy / "backups"
        folder.mkdir(exist_ok=True)
        good = backup_project(project, folder / "auto-20260101T000000000000Z.db")
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True).stdout.strip()
        partial = folder / f".auto-20270101T000000000000Z.db.{dead}.partial"
        partial.write_bytes(good.read_bytes()[:4096])
        mine = folder / f".auto-20270102T000000000000Z.db.{os.getpid()}.partial"
        mine.write_bytes(b"being written by this process")
        empty = folder / "auto-20280101T000000000000Z.db"
        empty.write_bytes(b"")
        torn = folder / "auto-20290101T000000000000Z.db"
        torn.write_bytes(good.read_bytes()[:8192])
        (folder / (torn.name + "-journal")).write_bytes(b"\0" * 512)
        assert list_auto_backups(project) == [good]
        removed = clean_backup_folder(project)
        assert sorted(p.name for p in removed) == sorted(
            [partial.name, empty.name, torn.name])
        assert sorted(p.name for p in folder.iterdir()) == sorted([good.name, mine.name])
    finally:
        project.close()


def test_backup_is_renamed_into_place_complete(demo_copy, monkeypatch):
    """The copy is written under a hidden temporary name and renamed only when complete: a
    failure half-way leaves neither the destination nor the temporary file."""
    import themeqa.store.engine as engine

    project = open_project(demo_copy, actor="t")
    try:
        dest = demo_copy / "backups" / "auto-20260101T000000000000Z.db"
        seen = []

        def failing_replace(src, dst):
            seen.append(Path(src).name)
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(engine.os, "replace", failing_replace)
        with pytest.raises(InputError, match="No space left"):
            backup_project(project, dest)
        assert seen == [f".{dest.name}.{os.getpid()}.partial"]
        assert sorted(p.name for p in dest.parent.iterdir()) == []
    finally:
        project.close()


def test_restore_checks_integrity_before_replacing(demo_copy, tmp_path):
    """A backup with a damaged page is refused by the full integrity check; the project is
    left byte for byte as it was."""
    import random

    project = open_project(demo_copy, actor="t")
    try:
        bad = backup_project(project, tmp_path / "bad.db")
    finally:
        project.close()
    con = sqlite3.connect(bad)
    page, pages = (con.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_size", "page_count"))
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    with bad.open("r+b") as fh:
        fh.seek((pages // 2) * page)
        fh.write(random.Random(5).randbytes(page))
    before = (demo_copy / "themeqa.db").read_bytes()
    with pytest.raises(InputError, match="damaged"):
        restore_project(demo_copy, bad, force=True)
    assert (demo_copy / "themeqa.db").read_bytes() == before
    assert not list(demo_copy.glob("themeqa.db.before-restore-*"))
