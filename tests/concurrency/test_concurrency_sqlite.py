"""Several themeqa processes writing one SQLite project at once lose nothing (issue 20).

Before the fix, two processes editing one code with the version they had read silently
overwrote each other's edits, two processes moving codes under each other committed loops,
and ``codings import`` beside a coding process failed with "UNIQUE constraint failed:
coding.id". Each process here has its own engine and connections (``worker.py``).
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from tests.concurrency.scenarios import (
    check_imports_succeed,
    check_no_loop,
    check_no_lost_edit,
    concurrent_edits,
    concurrent_moves,
    import_beside_coding,
)
from themeqa.errors import BusyError
from themeqa.services.codings import add_coding, list_codings
from themeqa.services.documents import list_documents
from themeqa.services.project import BUSY_MESSAGE, open_project


@pytest.fixture
def project(demo_copy):
    handle = open_project(demo_copy, actor="lead")
    yield handle
    handle.close()


def test_concurrent_edits_of_one_code_lose_nothing(project, tmp_path):
    fig = concurrent_edits(project, tmp_path / "edits", n=30)
    check_no_lost_edit(fig, 30)


def test_concurrent_moves_leave_no_loop(project, tmp_path):
    check_no_loop(concurrent_moves(project, tmp_path / "moves", pairs=25))


def test_import_beside_a_coding_process_succeeds(project, tmp_path):
    doc = list_documents(project)[0].name
    check_imports_succeed(import_beside_coding(project, tmp_path / "imports", doc))


def _hold_write_lock(db, seconds: float, held: threading.Event) -> None:
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    held.set()
    time.sleep(seconds)
    con.execute("ROLLBACK")
    con.close()


def test_a_locked_project_is_waited_for_then_written(project, demo_copy):
    """Another process holds the write lock for 1.5 s: the coding waits and is saved."""
    doc = list_documents(project)[0].name
    held = threading.Event()
    t = threading.Thread(target=_hold_write_lock, args=(demo_copy / "themeqa.db", 1.5, held))
    t.start()
    held.wait(5)
    started = time.monotonic()
    cid = add_coding(project, document=doc, start=0, end=4, code="inhibitors::1", coder="ben")
    waited = time.monotonic() - started
    t.join()
    assert waited >= 1.0
    assert cid in {c.id for c in list_codings(project, coder="ben")}


def test_a_project_locked_too_long_is_one_clear_line(project, demo_copy):
    """Past the wait (30 s; 0.8 s here) the action is refused with one line, nothing written."""
    doc = list_documents(project)[0].name
    before = len(list_codings(project))
    project.busy_seconds = 0.8
    held = threading.Event()
    t = threading.Thread(target=_hold_write_lock, args=(demo_copy / "themeqa.db", 2.5, held))
    t.start()
    held.wait(5)
    started = time.monotonic()
    with pytest.raises(BusyError) as info:
        add_coding(project, document=doc, start=0, end=4, code="inhibitors::1", coder="ben")
    waited = time.monotonic() - started
    t.join()
    assert str(info.value) == BUSY_MESSAGE
    assert 0.7 <= waited < 2.4
    assert len(list_codings(project)) == before


def test_cli_reports_a_busy_project_in_one_line_and_exit_2(demo_copy, capsys, monkeypatch):
    from themeqa.cli.main import main
    from themeqa.services import project as project_module

    monkeypatch.setattr(project_module, "BUSY_SECONDS", 0.5)
    monkeypatch.setenv("THEMEQA_CODER", "amira")
    held = threading.Event()
    t = threading.Thread(target=_hold_write_lock, args=(demo_copy / "themeqa.db", 2.0, held))
    t.start()
    held.wait(5)
    try:
        code = main(["--project", str(demo_copy), "coders", "role", "amira", "lead"])
    finally:
        t.join()
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"error: {BUSY_MESSAGE}\n"
