"""Undo/redo through the audit log: per actor, across restarts, refusing on conflicts."""

from __future__ import annotations

import pytest
from _undo_helpers import n_events, state
from sqlalchemy import text
from sqlmodel import select

from themeqa.errors import ConflictError
from themeqa.services.audit import record
from themeqa.services.codebook_edit import add_code, update_code
from themeqa.services.codebooks import codebook_tree, import_codebook
from themeqa.services.codings import (
    add_coding,
    delete_coding,
    import_codings,
    list_codings,
    resize_coding,
)
from themeqa.services.importing import import_files
from themeqa.services.participants import import_participants
from themeqa.services.project import open_project
from themeqa.services.settings import set_coder_role
from themeqa.services.undo import can_redo, can_undo, redo, undo
from themeqa.store.models import AuditEvent, Coding


@pytest.fixture
def coded(project, study_files):
    import_participants(project, study_files["participants"])
    import_codebook(project, study_files["codebook"])
    import_files(project, [study_files["S1"]], session="S1", timepoint="initial")
    return project


def _spans(project, coder=None):
    return [(c.id, c.start, c.end, c.code_label, c.coder)
            for c in list_codings(project, coder=coder)]


def test_add_undo_redo_survives_reopening(coded):
    directory = coded.directory
    assert not can_undo(coded, "ann") and undo(coded, "ann") is None
    cid = add_coding(coded, document="S1.txt", start=60, end=72, code="2a", coder="ann")
    assert can_undo(coded, "ann") and not can_redo(coded, "ann")
    assert undo(coded, "ann") == "add coding 2a at S1.txt:60-72"
    assert _spans(coded) == []
    coded.close()

    reopened = open_project(directory, actor="someone-else")
    try:
        assert can_redo(reopened, "ann") and not can_undo(reopened, "ann")
        assert redo(reopened, "ann") == "add coding 2a at S1.txt:60-72"
        assert _spans(reopened) == [(cid, 60, 72, "2a", "ann")]
        assert redo(reopened, "ann") is None
    finally:
        reopened.close()
    again = open_project(directory)
    try:
        assert undo(again, "ann") is not None
        assert _spans(again) == []
    finally:
        again.close()


def test_undo_steps_back_one_action_at_a_time_and_logs_itself(coded):
    a = add_coding(coded, document="S1.txt", start=0, end=7, code="1", coder="ann")
    resize_coding(coded, a, 2, 9, actor="ann")
    b = add_coding(coded, document="S1.txt", start=30, end=40, code="2", coder="ann")
    events = n_events(coded)
    assert undo(coded, "ann").startswith("add coding 2 ")
    assert _spans(coded) == [(a, 2, 9, "1", "ann")]
    assert undo(coded, "ann").startswith("resize coding 1 ")
    assert _spans(coded) == [(a, 0, 7, "1", "ann")]
    assert n_events(coded) == events + 2  # one "undo" event per undo, naming the batch
    assert redo(coded, "ann").startswith("resize")
    assert redo(coded, "ann").startswith("add coding 2 ")
    assert _spans(coded) == [(a, 2, 9, "1", "ann"), (b, 30, 40, "2", "ann")]
    with coded.reading() as s:
        logged = s.exec(select(AuditEvent).where(AuditEvent.action.in_(("undo", "redo")))
                        .order_by(AuditEvent.id)).all()
    assert [e.action for e in logged] == ["undo", "undo", "redo", "redo"]
    assert all(e.actor == "ann" and e.after["batch"] for e in logged)


def test_a_new_action_clears_the_redo_chain(coded):
    add_coding(coded, document="S1.txt", start=0, end=7, code="1", coder="ann")
    undo(coded, "ann")
    assert can_redo(coded, "ann")
    add_coding(coded, document="S1.txt", start=10, end=17, code="1", coder="ann")
    assert not can_redo(coded, "ann") and redo(coded, "ann") is None
    assert [(s, e) for _, s, e, _, _ in _spans(coded)] == [(10, 17)]


def test_history_is_per_actor(coded):
    a = add_coding(coded, document="S1.txt", start=0, end=7, code="1", coder="ann")
    add_coding(coded, document="S1.txt", start=10, end=17, code="1", coder="bo")
    assert undo(coded, "bo") is not None
    assert _spans(coded) == [(a, 0, 7, "1", "ann")]
    assert not can_undo(coded, "bo") and can_undo(coded, "ann")
    # ann acting does not clear bo's redo
    add_coding(coded, document="S1.txt", start=20, end=27, code="1", coder="ann")
    assert can_redo(coded, "bo")


def test_undo_refuses_when_someone_else_deleted_the_coding(coded):
    cid = add_coding(coded, document="S1.txt", start=0, end=7, code="1", coder="ann")
    resize_coding(coded, cid, 1, 8, actor="ann")
    delete_coding(coded, cid, actor="bo")  # no lead yet: roles are not enforced
    before = state(coded), n_events(coded)
    with pytest.raises(ConflictError, match=r"coding \d+ was deleted by bo"):
        undo(coded, "ann")
    assert (state(coded), n_events(coded)) == before
    assert can_undo(coded, "ann")  # still the top of ann's history


def test_undo_refuses_when_someone_else_changed_the_coding(coded):
    cid = add_coding(coded, document="S1.txt", start=0, end=7, code="1", coder="ann")
    resize_coding(coded, cid, 1, 8, actor="bo")
    with pytest.raises(ConflictError, match="was changed by bo"):
        undo(coded, "ann")
    assert _spans(coded) == [(cid, 1, 8, "1", "ann")]


def test_undo_refuses_when_a_code_was_edited_after(coded):
    code_id = next(n.id for n in codebook_tree(coded) if n.label == "2a")
    update_code(coded, code_id, name="Others let me down", actor="ann")
    update_code(coded, code_id, definition="Changed by bo.", actor="bo")
    with pytest.raises(ConflictError, match="code 2a was changed by bo"):
        undo(coded, "ann")
    assert undo(coded, "bo") is not None
    assert undo(coded, "ann") is not None
    node = next(n for n in codebook_tree(coded) if n.id == code_id)
    assert (node.name, node.definition) == ("Others are unreliable", "Unreliable.")


def test_undo_of_an_added_code_refuses_once_others_coded_with_it(coded):
    add_code(coded, codebook="inhibitors", label="7", name="Time pressure", actor="ann")
    cid = add_coding(coded, document="S1.txt", start=0, end=7, code="7", coder="bo")
    with pytest.raises(ConflictError, match=r"code 7 has a coding added since by bo"):
        undo(coded, "ann")
    assert [c.id for c in list_codings(coded)] == [cid]


def test_ids_are_not_reused_so_redo_works_after_others_coded(coded):
    cid = add_coding(coded, document="S1.txt", start=0, end=7, code="1", coder="ann")
    undo(coded, "ann")
    other = add_coding(coded, document="S1.txt", start=10, end=17, code="1", coder="bo")
    # AUTOINCREMENT (migration 0004): the id undo freed is never handed out again
    assert other > cid
    assert redo(coded, "ann") is not None
    assert _spans(coded) == [(cid, 0, 7, "1", "ann"), (other, 10, 17, "1", "bo")]


def test_redo_refuses_when_the_id_was_taken_meanwhile(coded):
    """Defence in depth (an older file, or a row written with an explicit id)."""
    cid = add_coding(coded, document="S1.txt", start=0, end=7, code="1", coder="ann")
    undo(coded, "ann")
    other = add_coding(coded, document="S1.txt", start=10, end=17, code="1", coder="bo")
    with coded.transaction() as s:  # force bo's coding onto the freed id
        s.exec(text(f"update coding set id = {cid} where id = {other}"))
    with pytest.raises(ConflictError, match=rf"coding {cid} cannot come back: its id was taken"):
        redo(coded, "ann")
    assert _spans(coded) == [(cid, 10, 17, "1", "bo")]


def test_actions_that_are_not_undoable_are_stepped_over(coded):
    cid = add_coding(coded, document="S1.txt", start=0, end=7, code="1", coder="tester")
    set_coder_role(coded, "tester", "lead", actor="tester")  # not a coding/codebook edit
    with coded.transaction() as s:  # another service's batch that mixes in its own table
        record(s, "tester", "create", "coding", cid, after={}, batch="mixed")
        record(s, "tester", "decide", "reconciliation", 1, after={}, batch="mixed")
    assert undo(coded, "tester") == "add coding 1 at S1.txt:0-7"
    assert _spans(coded) == []


def test_events_logged_before_whole_row_snapshots_still_undo(coded):
    """add_coding used to log only the coding's columns without id or timestamps."""
    cid = add_coding(coded, document="S1.txt", start=0, end=7, code="1", coder="ann")
    with coded.transaction() as s:
        ev = s.exec(select(AuditEvent).where(AuditEvent.entity == "coding")).one()
        ev.after = {k: v for k, v in ev.after.items()
                    if k not in ("id", "created_at", "updated_at")}
        s.add(ev)
    undo(coded, "ann")
    assert _spans(coded) == []
    redo(coded, "ann")
    assert _spans(coded) == [(cid, 0, 7, "1", "ann")]


def test_a_codings_import_is_one_undoable_step(coded, tmp_path):
    csv = tmp_path / "codings.csv"
    csv.write_text(
        "document,start,end,code,coder,layer,quote\n"
        "S1.txt,0,7,1,ann,coder,0\n"
        "S1.txt,60,72,2a,bo,coder,1\n"
        "S1.txt,10,20,2,bo,consensus,0\n",
        encoding="utf-8",
    )
    assert import_codings(coded, csv) == 3
    imported = state(coded)
    with coded.reading() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.entity == "coding")).all()
        ids = s.exec(select(Coding.id)).all()
    assert len({e.batch for e in events}) == 1
    assert sorted(e.entity_id for e in events if e.action == "create") == sorted(ids)
    assert undo(coded, "tester") == "import 3 codings from codings.csv"
    assert list_codings(coded) == []
    assert redo(coded, "tester") == "import 3 codings from codings.csv"
    assert state(coded) == imported


def test_undo_action_names_the_rows_it_touched(coded):
    """undo_action / redo_action report the changed ids, which a screen patches with."""
    from themeqa.services.codings import document_codings
    from themeqa.services.undo import redo_action, undo_action

    first = add_coding(coded, document="S1.txt", start=60, end=72, code="2a", coder="ann")
    second = add_coding(coded, document="S1.txt", start=80, end=90, code="2a", coder="ann")
    done = undo_action(coded, "ann")
    assert done.summary == "add coding 2a at S1.txt:80-90"
    assert done.changed == {"coding": frozenset({second})}
    both = document_codings(coded, "S1.txt", viewer="ann", ids=[first, second])
    assert [c.id for c in both] == [first]
    again = redo_action(coded, "ann")
    assert again.changed == {"coding": frozenset({second})}
    assert [c.id for c in document_codings(coded, "S1.txt", viewer="ann", ids=[second])] \
        == [second]
    assert undo_action(coded, "nobody") is None
