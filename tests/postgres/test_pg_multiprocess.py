"""Several themeqa processes writing one PostgreSQL project at once lose nothing (issue 20).

The same scenarios as ``tests/concurrency/test_concurrency_sqlite.py``, on the server: the
version is checked in the UPDATE itself (a stale edit matches no row), and code moves lock
their codebook's row, so two moves that would close a loop run one after the other.
"""

from __future__ import annotations

from tests.concurrency.scenarios import (
    check_imports_succeed,
    check_no_loop,
    check_no_lost_edit,
    concurrent_edits,
    concurrent_moves,
    import_beside_coding,
)
from themeqa.services.documents import list_documents


def test_concurrent_edits_of_one_code_lose_nothing_on_postgres(pg_demo, tmp_path):
    check_no_lost_edit(concurrent_edits(pg_demo, tmp_path / "edits", n=30), 30)


def test_concurrent_moves_leave_no_loop_on_postgres(pg_demo, tmp_path):
    check_no_loop(concurrent_moves(pg_demo, tmp_path / "moves", pairs=25))


def test_import_beside_a_coding_process_succeeds_on_postgres(pg_demo, tmp_path):
    doc = list_documents(pg_demo)[0].name
    check_imports_succeed(import_beside_coding(pg_demo, tmp_path / "imports", doc))
