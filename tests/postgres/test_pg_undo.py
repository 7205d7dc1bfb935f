"""Undo/redo on PostgreSQL: rows come back with their ids, and the id sequence still works.

Why a separate check: undo re-inserts rows with explicit ids, which PostgreSQL's sequences do
not see, and the import's ids come from a batched RETURNING there (explicit ids on SQLite).
"""

from __future__ import annotations

from themeqa.services.codebook_edit import delete_code
from themeqa.services.codebooks import codebook_tree
from themeqa.services.codings import add_coding, list_codings
from themeqa.services.undo import redo, undo


def _rows(project):
    return [c.to_dict() for c in list_codings(project)]


def test_delete_code_undo_redo_and_new_ids_on_postgres(pg_demo):
    start = _rows(pg_demo)
    code = next(n for n in codebook_tree(pg_demo) if n.label == "2")
    n = delete_code(pg_demo, code.id, actor="amira")
    assert n > 0 and len(_rows(pg_demo)) == len(start) - n
    assert undo(pg_demo, "amira").startswith("delete code 2 ")
    assert _rows(pg_demo) == start
    doc = start[0]["document"]
    new = add_coding(pg_demo, document=doc, start=0, end=4, code="inhibitors::1", coder="amira")
    assert new not in {r["id"] for r in start}  # the sequence did not hand out a restored id
    assert undo(pg_demo, "amira").startswith("add coding 1 ")
    assert _rows(pg_demo) == start


def test_undo_and_redo_of_the_demo_import_on_postgres(pg_demo):
    start = _rows(pg_demo)
    assert undo(pg_demo, "themeqa-demo") == "import 471 codings from codings_demo.csv"
    assert list_codings(pg_demo) == []
    assert redo(pg_demo, "themeqa-demo") is not None
    assert _rows(pg_demo) == start
