"""Editing codings: resize, reassign, quote, memo; the coding screen's view; permissions."""

from __future__ import annotations

import pytest
from _undo_helpers import n_events, state

from themeqa.errors import InputError, NotFoundError, PermissionDeniedError
from themeqa.services.codebooks import codebook_tree, import_codebook
from themeqa.services.codings import (
    add_coding,
    code_counts,
    delete_coding,
    document_codings,
    list_codings,
    reassign_coding,
    resize_coding,
    set_coding_memo,
    set_quote,
)
from themeqa.services.importing import import_files
from themeqa.services.participants import import_participants
from themeqa.services.settings import (
    coder_role,
    is_blind,
    list_coders,
    set_blind,
    set_coder_role,
)
from themeqa.services.undo import redo, undo


@pytest.fixture
def coded(project, study_files):
    import_participants(project, study_files["participants"])
    import_codebook(project, study_files["codebook"])
    import_files(project, [study_files["S1"]], session="S1", timepoint="initial")
    return project


def _ids(project):
    return {n.label: n.id for n in codebook_tree(project)}


def _one(project, cid):
    return next(c for c in list_codings(project) if c.id == cid)


@pytest.mark.parametrize("edit,check", [
    (lambda p, c: resize_coding(p, c, 5, 30, actor="ann"),
     lambda r: (r.start, r.end) == (5, 30)),
    (lambda p, c: reassign_coding(p, c, "inhibitors::2a", actor="ann"),
     lambda r: r.code_label == "2a"),
    (lambda p, c: set_quote(p, c, True, actor="ann"), lambda r: r.quote is True),
])
def test_each_edit_is_one_undoable_step_that_restores_the_row_exactly(coded, edit, check):
    cid = add_coding(coded, document="S1.txt", start=0, end=7, code="1", coder="ann")
    start = state(coded)
    edit(coded, cid)
    assert check(_one(coded, cid))
    edited = state(coded)
    assert undo(coded, "ann") is not None
    assert state(coded) == start  # timestamps included
    assert redo(coded, "ann") is not None
    assert state(coded) == edited


def test_an_edit_that_changes_nothing_is_not_logged(coded):
    cid = add_coding(coded, document="S1.txt", start=0, end=7, code="1", coder="ann")
    n = n_events(coded)
    resize_coding(coded, cid, 0, 7, actor="ann")
    reassign_coding(coded, cid, "1", actor="ann")
    set_quote(coded, cid, False, actor="ann")
    set_coding_memo(coded, cid, "", actor="ann")
    assert n_events(coded) == n


def test_bad_edits_are_refused_and_write_nothing(coded):
    cid = add_coding(coded, document="S1.txt", start=0, end=7, code="1", coder="ann")
    n, before = n_events(coded), state(coded)
    with pytest.raises(InputError, match="outside"):
        resize_coding(coded, cid, 5, 10_000, actor="ann")
    with pytest.raises(InputError, match="empty"):
        resize_coding(coded, cid, 5, 5, actor="ann")
    with pytest.raises(NotFoundError):
        reassign_coding(coded, cid, "9z", actor="ann")
    with pytest.raises(NotFoundError, match="no coding 999"):
        set_quote(coded, 999, True, actor="ann")
    assert (n_events(coded), state(coded)) == (n, before)


def test_memo_set_change_delete_and_undo_each(coded):
    cid = add_coding(coded, document="S1.txt", start=0, end=7, code="1", coder="ann")
    memo = lambda: next(v.memo for v in document_codings(coded, "S1.txt", viewer="ann"))  # noqa: E731
    assert memo() is None
    set_coding_memo(coded, cid, "Gran's kitchen: warmth", actor="ann")
    set_coding_memo(coded, cid, "Warmth, not safety", actor="ann")
    assert memo() == "Warmth, not safety"
    set_coding_memo(coded, cid, "   ", actor="ann")
    assert memo() is None
    undo(coded, "ann")
    assert memo() == "Warmth, not safety"
    undo(coded, "ann")
    assert memo() == "Gran's kitchen: warmth"
    undo(coded, "ann")
    assert memo() is None


def test_deleting_a_coding_takes_its_memo_and_undo_brings_both_back(coded):
    cid = add_coding(coded, document="S1.txt", start=0, end=7, code="1", coder="ann")
    set_coding_memo(coded, cid, "keep me", actor="ann")
    before = state(coded)
    delete_coding(coded, cid, actor="ann")
    assert state(coded)["memo"] == [] and list_codings(coded) == []
    assert undo(coded, "ann").startswith("remove coding 1 ")
    assert state(coded) == before


def test_document_codings_view(coded):
    a = add_coding(coded, document="S1.txt", start=60, end=72, code="2a", coder="ann",
                   quote=True)
    b = add_coding(coded, document="S1.txt", start=10, end=20, code="1", coder="bo")
    set_coding_memo(coded, b, "hard to picture", actor="bo")
    views = document_codings(coded, "S1.txt", viewer="ann")
    assert [v.id for v in views] == [b, a]  # document order
    va = views[1]
    assert (va.start, va.end, va.code_label, va.code_name, va.codebook, va.coder, va.layer,
            va.quote, va.memo) == (60, 72, "2a", "Others are unreliable", "inhibitors",
                                   "ann", "coder", True, None)
    # colours as the codebook import gave them: 2 is the 2nd Okabe-Ito colour (#56B4E9),
    # its child 2a that colour mixed 35 % towards white: 0x56+0.35*(255-0x56)=145.15 -> 0x91,
    # 0xB4 -> 206.25 -> 0xCE, 0xE9 -> 240.7 -> 0xF1
    assert va.colour == "#91CEF1"
    assert views[0].memo == "hard to picture"
    with pytest.raises(NotFoundError):
        document_codings(coded, "nope.txt", viewer="ann")


def test_code_counts_per_coder(coded):
    ids = _ids(coded)
    for start in (0, 10, 20):
        add_coding(coded, document="S1.txt", start=start, end=start + 5, code="1", coder="ann")
    add_coding(coded, document="S1.txt", start=0, end=5, code="2a", coder="ann",
               layer="consensus")
    add_coding(coded, document="S1.txt", start=0, end=5, code="2a", coder="bo")
    assert code_counts(coded, "ann") == {ids["1"]: 3, ids["2a"]: 1}
    assert code_counts(coded, "bo") == {ids["2a"]: 1}
    assert code_counts(coded, "nobody") == {}


def test_blind_mode_hides_other_coders_from_non_leads(coded):
    a = add_coding(coded, document="S1.txt", start=0, end=7, code="1", coder="ann")
    b = add_coding(coded, document="S1.txt", start=10, end=17, code="1", coder="bo")
    set_coder_role(coded, "lead1", "lead", actor="tester")
    c = add_coding(coded, document="S1.txt", start=20, end=27, code="1", coder="lead1",
                   layer="consensus")

    def seen(viewer):
        return [v.id for v in document_codings(coded, "S1.txt", viewer=viewer)]

    assert not is_blind(coded)
    assert seen("ann") == [a, b, c]
    with pytest.raises(PermissionDeniedError, match="only a lead"):
        set_blind(coded, True, actor="ann")
    set_blind(coded, True, actor="lead1")
    assert is_blind(coded)
    assert seen("ann") == [a] and seen("bo") == [b] and seen("newcomer") == []
    assert seen("lead1") == [a, b, c]
    set_blind(coded, False, actor="lead1")
    assert seen("bo") == [a, b, c]


def test_blind_mode_needs_a_lead_to_exist(coded):
    with pytest.raises(PermissionDeniedError, match="coders role NAME lead"):
        set_blind(coded, True, actor="tester")
    assert not is_blind(coded)


def test_roles(coded):
    assert coder_role(coded, "ann") == "coder"  # unknown names are plain coders
    set_coder_role(coded, "ann", "lead", actor="whoever")  # the first lead: anybody
    assert coder_role(coded, "ann") == "lead"
    with pytest.raises(PermissionDeniedError, match="only a lead may change roles"):
        set_coder_role(coded, "bo", "lead", actor="bo")
    set_coder_role(coded, "bo", "lead", actor="ann")
    assert [(c.name, c.role) for c in list_coders(coded)] == [("ann", "lead"), ("bo", "lead")]
    with pytest.raises(InputError, match="role must be"):
        set_coder_role(coded, "bo", "admin", actor="ann")


def test_a_coder_writes_only_their_own_layer_once_there_is_a_lead(coded):
    ann = add_coding(coded, document="S1.txt", start=0, end=7, code="1", coder="ann")
    set_coder_role(coded, "lee", "lead", actor="tester")
    n, before = n_events(coded), state(coded)
    for attempt in (
        lambda: resize_coding(coded, ann, 1, 8, actor="bo"),
        lambda: reassign_coding(coded, ann, "2", actor="bo"),
        lambda: set_quote(coded, ann, True, actor="bo"),
        lambda: set_coding_memo(coded, ann, "mine now", actor="bo"),
        lambda: delete_coding(coded, ann, actor="bo"),
        lambda: delete_coding(coded, ann, actor="lee"),  # a lead does not edit a coder's layer
        lambda: add_coding(coded, document="S1.txt", start=0, end=7, code="1", coder="ann",
                           actor="bo"),
        lambda: add_coding(coded, document="S1.txt", start=0, end=7, code="1", coder="bo",
                           layer="consensus"),
    ):
        with pytest.raises(PermissionDeniedError):
            attempt()
    assert (n_events(coded), state(coded)) == (n, before)
    resize_coding(coded, ann, 1, 8, actor="ann")
    cons = add_coding(coded, document="S1.txt", start=0, end=7, code="1", coder="lee",
                      layer="consensus")
    set_quote(coded, cons, True, actor="lee")
    with pytest.raises(PermissionDeniedError, match="consensus"):
        set_quote(coded, cons, False, actor="ann")
