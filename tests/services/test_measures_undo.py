"""Measures imports, scoring and HRV runs are undoable steps like a codings import.

Why these tests: a measures import writes thousands of rows into two tables, one of them
keyed by (variable, participant) rather than an id; undo must take exactly those rows away,
put back what a ``replace`` overwrote, and refuse when someone changed them since.
"""

from __future__ import annotations

import numpy as np
import pytest
from _undo_helpers import n_events
from sqlalchemy import text
from sqlmodel import select

from themeqa.errors import ConflictError
from themeqa.services.audit import record
from themeqa.services.measures import (
    compute_hrv,
    import_measures,
    list_variables,
    measure_frame,
    score_measures,
)
from themeqa.services.participants import import_participants
from themeqa.services.project import open_project
from themeqa.services.undo import can_redo, can_undo, redo, redo_action, undo, undo_action
from themeqa.store.models import AuditEvent, MeasureValue, MeasureVariable


@pytest.fixture
def study(project, tmp_path):
    f = tmp_path / "participants.csv"
    f.write_text(
        "id,condition\n" + "".join(f"P{i:02d},{'MI'[i % 2]}\n" for i in range(1, 13)),
        encoding="utf-8",
    )
    import_participants(project, f)
    return project


def _rows(project, model) -> list[dict]:
    table = model.__table__
    with project.reading() as s:
        return [dict(r) for r in s.execute(select(table).order_by(*table.primary_key.columns))
                .mappings().all()]


def _state(project) -> dict[str, list[dict]]:
    """Every column of both measures tables: what undo must restore exactly."""
    return {"variables": _rows(project, MeasureVariable),
            "values": _rows(project, MeasureValue)}


def _csv(tmp_path, name: str, body: str):
    f = tmp_path / name
    f.write_text(body, encoding="utf-8")
    return f


FIRST = "id,score,mood\nP01,3.5,ok\nP02,2,low\nP03,4.25,\nP04,1,high\n"
#: score: P01 changed, P02 and P04 the same, P03 gone (blank), P05 new; mood: P04 changed,
#: P05 new; and a new variable "extra"
SECOND = "id,score,mood,extra\nP01,3,ok,1\nP02,2,low,2\nP03,,,\nP04,1,mid,\nP05,5,new,3\n"


def test_an_import_is_one_step_that_undo_removes_and_redo_brings_back(study, tmp_path):
    empty = _state(study)
    done = import_measures(study, _csv(tmp_path, "m.csv", FIRST))
    assert done.values_written == 7
    imported = _state(study)
    with study.reading() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.entity.like("measure%"))).all()
    assert len({e.batch for e in events}) == 1
    assert sorted((e.action, e.entity) for e in events if e.action != "import") == [
        *[("create", "measure_value")] * 7, *[("create", "measure_variable")] * 2]
    assert can_undo(study, "tester")

    summary = "import 2 measure variables (7 values) from m.csv"
    assert undo(study, "tester") == summary
    assert _state(study) == empty and list_variables(study) == []
    assert redo(study, "tester") == summary
    assert _state(study) == imported
    assert measure_frame(study).loc["P03", "score"] == 4.25


def test_undoing_a_replace_import_puts_the_old_values_back_exactly(study, tmp_path):
    import_measures(study, _csv(tmp_path, "m.csv", FIRST), timepoint="initial")
    first = _state(study)
    second_file = _csv(tmp_path, "m2.csv", SECOND)
    done = import_measures(study, second_file, replace=True)
    assert done.existing == ["score", "mood"]
    second = _state(study)
    assert second != first
    with study.reading() as s:
        kinds = sorted((e.action, e.entity) for e in s.exec(
            select(AuditEvent).where(AuditEvent.entity == "measure_value",
                                     AuditEvent.undone.is_(False))).all())
    # only what changed is logged: P01's score and P04's mood changed, P03's score went
    assert kinds.count(("update", "measure_value")) == 2
    assert kinds.count(("delete", "measure_value")) == 1

    result = undo_action(study, "tester")
    assert result.summary == ("import 3 measure variables (11 values) from m2.csv, "
                              "replacing 2")
    assert set(result.changed) == {"measure_variable", "measure_value"}
    assert _state(study) == first  # ids, positions, labels, sources, timepoint: all of it
    frame = measure_frame(study)
    assert frame.loc["P03", "score"] == 4.25 and frame.loc["P01", "score"] == 3.5
    assert "extra" not in frame.columns
    assert redo_action(study, "tester").summary.startswith("import 3 measure variables")
    assert _state(study) == second
    assert undo(study, "tester") is not None and undo(study, "tester") is not None
    assert list_variables(study) == []


def test_undo_refuses_when_someone_else_changed_a_value_since(study, tmp_path):
    study.actor = "ann"
    import_measures(study, _csv(tmp_path, "m.csv", FIRST))
    study.actor = "ben"
    import_measures(study, _csv(tmp_path, "b.csv", "id,score\nP01,3.5\nP02,9\nP03,4.25\n"
                                                   "P04,1\n"), replace=True)
    before, events = _state(study), n_events(study)
    with pytest.raises(ConflictError,
                       match=r'cannot undo "import 2 measure variables \(7 values\) from m\.csv'
                             r'": the score value of P02 was changed by ben; reload'):
        undo(study, "ann")
    assert _state(study) == before and n_events(study) == events  # nothing written
    assert undo(study, "ben") is not None  # ben's own replace still undoes...
    assert undo(study, "ann") is not None  # ...and then ann's import can go
    assert list_variables(study) == []


def test_undo_refuses_a_value_edited_outside_the_log_and_one_added_since(study, tmp_path):
    study.actor = "ann"
    import_measures(study, _csv(tmp_path, "m.csv", FIRST))
    with study.transaction() as s:
        s.execute(text("update measure_value set text_value = 'fine' where text_value = 'ok'"))
    with pytest.raises(ConflictError, match=r"the mood value of P01 was changed; reload"):
        undo(study, "ann")
    with study.transaction() as s:
        s.execute(text("update measure_value set text_value = 'ok' where text_value = 'fine'"))
    study.actor = "ben"  # the same values plus P05's score
    import_measures(study, _csv(tmp_path, "b.csv", "id,score\nP01,3.5\nP02,2\nP03,4.25\n"
                                                   "P04,1\nP05,2\n"), replace=True)
    with study.transaction() as s:  # the variable row itself as ann left it
        s.execute(text("update measure_variable set source = 'file:m.csv'"))
    with pytest.raises(ConflictError, match=r"variable score has a value added since by ben"):
        undo(study, "ann")


def test_undo_survives_reopening_the_project(study, tmp_path):
    directory = study.directory
    import_measures(study, _csv(tmp_path, "m.csv", FIRST))
    imported = _state(study)
    study.close()
    reopened = open_project(directory, actor="someone-else")
    try:
        assert not can_undo(reopened, "someone-else") and can_undo(reopened, "tester")
        assert undo(reopened, "tester").startswith("import 2 measure variables")
        assert _state(reopened)["values"] == []
    finally:
        reopened.close()
    again = open_project(directory, actor="tester")
    try:
        assert can_redo(again, "tester") and redo(again, "tester") is not None
        assert _state(again) == imported
    finally:
        again.close()


def test_scoring_and_hrv_are_undone_one_step_at_a_time(study, tmp_path):
    rng = np.random.default_rng(3)
    lines = ["pid," + ",".join(f"scs_{i}" for i in range(1, 27))]
    lines += [f"P{k:02d}," + ",".join(map(str, rng.integers(1, 6, 26))) for k in range(1, 9)]
    import_measures(study, _csv(tmp_path, "scs.csv", "\n".join(lines) + "\n"))
    items = _state(study)
    assert len(items["values"]) == 8 * 26
    score_measures(study, "scs26")
    scored = _state(study)
    rr = tmp_path / "P01_rest.txt"
    rr.write_text("\n".join(f"{800 + 30 * np.sin(i / 3):.1f}" for i in range(300)) + "\n",
                  encoding="utf-8")
    compute_hrv(study, [rr])
    assert any(v.name == "hrv_rmssd" for v in list_variables(study))

    assert undo(study, "tester") == "compute HRV for 1 participant"
    assert _state(study) == scored
    assert undo(study, "tester") == "score scs26 (8 respondents)"
    assert _state(study) == items
    assert redo(study, "tester") == "score scs26 (8 respondents)"
    assert _state(study) == scored
    with study.reading() as s:  # the records people read are still there, in the batch
        scale = s.exec(select(AuditEvent).where(AuditEvent.entity == "measure_scale")
                       .order_by(AuditEvent.id.desc())).first()
    assert scale.after["scale"] == "scs26" and scale.batch is not None


def test_measures_batches_logged_before_row_snapshots_are_stepped_over(study, tmp_path):
    """Older projects logged an import as one event per variable without rows: such a batch
    is not undoable, so undo goes past it to the action before."""
    import_measures(study, _csv(tmp_path, "m.csv", FIRST))
    with study.transaction() as s:
        record(s, "tester", "import", "measure_variable", 99, after={"name": "x"}, batch="old")
        record(s, "tester", "import", "measure_file", None, after={"file": "x"}, batch="old")
    assert undo(study, "tester") == "import 2 measure variables (7 values) from m.csv"
    assert undo(study, "tester") is None


def test_spss_labels_and_missing_codes_come_back_after_undoing_a_replace(study, tmp_path):
    """Value labels and user-missing codes are JSON columns: the check before undoing must
    compare them as stored, and the undo must write them back as they were."""
    import pandas as pd
    import pyreadstat

    def sav(name: str, values: list[float], labels: dict[float, str]):
        f = tmp_path / name
        pyreadstat.write_sav(
            pd.DataFrame({"pid": ["P01", "P02", "P03"], "grp": values}), str(f),
            column_labels={"pid": "id", "grp": "Group"},
            variable_value_labels={"grp": labels}, missing_ranges={"grp": [-9]})
        return f

    import_measures(study, sav("a.sav", [1.0, 2.0, -9.0], {1: "one", 2: "two", -9: "missing"}))
    first = _state(study)
    (info,) = list_variables(study)
    assert info.value_labels == {"1": "one", "2": "two", "-9": "missing"}
    import_measures(study, sav("b.sav", [2.0, 2.0, 1.0], {1: "low", 2: "high"}), replace=True)
    assert list_variables(study)[0].value_labels == {"1": "low", "2": "high"}
    assert undo(study, "tester").endswith("from b.sav, replacing 1")
    assert _state(study) == first
    assert list_variables(study)[0].missing_values == [-9.0]


def test_an_infinite_ratio_is_logged_as_text_and_restored_as_a_number(study):
    """LF/HF is inf when HF is 0; JSON cannot hold it (PostgreSQL refuses the event)."""
    from themeqa.services.measures import store_computed

    def run(value: float) -> None:
        store_computed(study, {"P01": {"lf_hf": value}, "P02": {"lf_hf": 2.0}},
                       {"lf_hf": "LF/HF"}, source="hrv", prefix="hrv_", replace=True,
                       details={})

    run(float("inf"))
    first = _state(study)
    assert measure_frame(study).loc["P01", "hrv_lf_hf"] == float("inf")
    with study.reading() as s:
        logged = [e.after["value"] for e in s.exec(select(AuditEvent).where(
            AuditEvent.entity == "measure_value")).all()]
    assert sorted(map(str, logged)) == ["2.0", "inf"]
    run(3.0)
    assert undo(study, "tester") == "compute HRV for 2 participants"
    assert _state(study) == first
    assert undo(study, "tester") is not None and _state(study)["values"] == []
    assert redo(study, "tester") is not None and _state(study) == first


def test_a_value_someone_added_where_the_import_removed_one_blocks_the_undo(study, tmp_path):
    import_measures(study, _csv(tmp_path, "m.csv", FIRST))
    import_measures(study, _csv(tmp_path, "m2.csv", SECOND), replace=True)  # P03 score gone
    study.actor = "ben"
    import_measures(study, _csv(tmp_path, "b.csv", "id,extra2\nP01,1\n"))  # unrelated
    with study.transaction() as s:  # P03's score back, not through the log
        s.execute(text("insert into measure_value (participant_id, variable_id, value) "
                       "select p.id, v.id, 1.0 from participant p, measure_variable v "
                       "where p.pid = 'P03' and v.name = 'score'"))
    with pytest.raises(ConflictError, match=r"the score value of P03 cannot come back: its "
                                            r"place was taken by a newer value; reload"):
        undo(study, "tester")
