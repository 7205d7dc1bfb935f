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


def test_measures_import_replace_undo_redo_on_postgres(pg_project, tmp_path):
    """Measure values are keyed by (variable, participant), not an id; variables' value
    labels are JSON: both must come back exactly on PostgreSQL too."""
    from themeqa.services.measures import import_measures, measure_frame
    from themeqa.services.participants import import_participants

    def tables():
        from sqlalchemy import select

        from themeqa.store.models import MeasureValue, MeasureVariable

        with pg_project.reading() as s:
            return [[dict(r) for r in s.execute(select(m.__table__).order_by(
                *m.__table__.primary_key.columns)).mappings().all()]
                for m in (MeasureVariable, MeasureValue)]

    people = tmp_path / "p.csv"
    people.write_text("id,condition\nP01,M\nP02,I\nP03,M\n", encoding="utf-8")
    import_participants(pg_project, people)
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("id,score,mood\nP01,1.5,ok\nP02,2,low\n", encoding="utf-8")
    second.write_text("id,score\nP01,3\nP03,4\n", encoding="utf-8")
    actor = pg_project.actor
    import_measures(pg_project, first, timepoint="initial")
    imported = tables()
    import_measures(pg_project, second, replace=True)
    replaced = tables()
    assert undo(pg_project, actor).endswith("from b.csv, replacing 1")
    assert tables() == imported
    assert redo(pg_project, actor) is not None and tables() == replaced
    assert undo(pg_project, actor) and undo(pg_project, actor)
    assert measure_frame(pg_project).empty
    assert redo(pg_project, actor) and tables() == imported
    # an infinite LF/HF ratio (HF = 0): PostgreSQL's JSON has no infinity, the log has text
    from themeqa.services.measures import store_computed

    store_computed(pg_project, {"P01": {"lf_hf": float("inf")}}, {"lf_hf": "LF/HF"},
                   source="hrv", prefix="hrv_", replace=True, details={})
    assert measure_frame(pg_project).loc["P01", "hrv_lf_hf"] == float("inf")
    assert undo(pg_project, actor) == "compute HRV for 1 participant"
    assert tables() == imported
    assert redo(pg_project, actor) is not None
    assert measure_frame(pg_project).loc["P01", "hrv_lf_hf"] == float("inf")
