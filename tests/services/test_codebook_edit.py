"""Codebook editing: add, update, move, merge, delete — validated, versioned and undoable."""

from __future__ import annotations

import itertools
import sqlite3

import pytest
from _undo_helpers import copy_study, n_events, small_study_dir, state
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from themeqa.errors import ConflictError, InputError, NotFoundError
from themeqa.services.codebook_edit import (
    add_code,
    code_usage,
    codebook_stamp,
    delete_code,
    merge_codes,
    move_code,
    update_code,
)
from themeqa.services.codebooks import codebook_tree, export_codebook
from themeqa.services.codings import (
    add_coding,
    delete_coding,
    list_codings,
    reassign_coding,
    resize_coding,
    set_coding_memo,
    set_quote,
)
from themeqa.services.undo import redo, undo
from themeqa.store.engine import DB_FILENAME

_counter = itertools.count()


@pytest.fixture
def book(study_files, tmp_path_factory, tmp_path):
    """The small study (codebook 1, 2 > 2a; four codings, one memo), a private copy."""
    p = copy_study(small_study_dir(study_files, tmp_path_factory), tmp_path / "copy")
    yield p
    p.close()


def _ids(project) -> dict[str, int]:
    return {n.label: n.id for n in codebook_tree(project)}


def _tree(project) -> list[tuple[str, str, int, str | None]]:
    """(label, name, depth, parent label) in tree order."""
    nodes = codebook_tree(project)
    by_id = {n.id: n.label for n in nodes}
    return [(n.label, n.name, n.depth, by_id.get(n.parent_id)) for n in nodes]


def _version(project, code_id) -> int:
    from themeqa.store.models import Code

    with project.reading() as s:
        return s.get(Code, code_id).version


# ------------------------------------------------------------------------------------ add


def test_add_code_top_level_and_child_with_palette_colours(book):
    ids = _ids(book)
    top = add_code(book, codebook="inhibitors", label="3", name="Shame", actor="ann")
    child = add_code(book, codebook="inhibitors", label="2b", name="Self-criticism",
                     parent_id=ids["2"], definition="Harsh inner voice.", actor="ann")
    assert _tree(book) == [
        ("1", "Weak imagery ability", 1, None),
        ("2", "Fear of compassion", 1, None),
        ("2a", "Others are unreliable", 2, "2"),
        ("2b", "Self-criticism", 2, "2"),
        ("3", "Shame", 1, None),
    ]
    nodes = {n.id: n for n in codebook_tree(book)}
    # Okabe-Ito: 1 and 2 took #E69F00 and #56B4E9, so the next top level theme gets the third
    # colour #009E73; a child is its parent's colour mixed 35 % towards white:
    # 0x56 + 0.35*(255-0x56) = 145.15 -> 0x91, 0xB4 -> 206.25 -> 0xCE, 0xE9 -> 240.7 -> 0xF1
    assert nodes[top].colour == "#009E73"
    assert nodes[child].colour == "#91CEF1"
    assert nodes[child].definition == "Harsh inner voice."
    assert undo(book, "ann") == "add code 2b 'Self-criticism'"
    assert child not in {n.id for n in codebook_tree(book)}


@pytest.mark.parametrize("kwargs,message", [
    ({"label": "2a", "name": "Something new"}, "label '2a' is already used"),
    ({"label": "9", "name": "  fear of   COMPASSION "}, "already has a code named"),
    ({"label": "x::y", "name": "Bad label"}, "must not contain '::'"),
    ({"label": "", "name": "No label"}, "empty label"),
    ({"label": "9", "name": ""}, "empty name"),
])
def test_add_code_validation_matches_the_codebook_rules(book, kwargs, message):
    n, before = n_events(book), state(book)
    with pytest.raises(InputError, match=message):
        add_code(book, codebook="inhibitors", **kwargs)
    assert (n_events(book), state(book)) == (n, before)


def test_add_code_needs_a_known_codebook_and_parent(book):
    with pytest.raises(NotFoundError, match="no codebook 'nope'"):
        add_code(book, codebook="nope", label="1", name="x")
    with pytest.raises(NotFoundError, match="no parent code"):
        add_code(book, codebook="inhibitors", label="9", name="x", parent_id=9999)


# --------------------------------------------------------------------------------- update


def test_update_bumps_version_and_undo_restores_content_with_a_newer_version(book):
    ids = _ids(book)
    before = state(book)
    assert _version(book, ids["2a"]) == 1
    v = update_code(book, ids["2a"], expected_version=1, name="Others let me down",
                    colour="#123456", examples=["They'd leave."], actor="ann")
    assert v == 2 and _version(book, ids["2a"]) == 2
    cb = export_codebook(book, "inhibitors")
    child = cb.themes[1].children[0]
    assert (child.name, child.colour, child.examples) == (
        "Others let me down", "#123456", ("They'd leave.",))
    assert undo(book, "ann") == "edit code 2a (colour, examples, name)"
    assert state(book) == before
    # the version never runs backwards: a client that saw version 2 must reload
    assert _version(book, ids["2a"]) == 3
    with pytest.raises(ConflictError, match="code 2a was changed by ann since you opened it; reload"):
        update_code(book, ids["2a"], expected_version=2, name="Stale", actor="bo")


def test_stale_version_names_who_changed_the_code(book):
    ids = _ids(book)
    update_code(book, ids["1"], expected_version=1, definition="Sharper.", actor="ben")
    with pytest.raises(ConflictError, match="code 1 was changed by ben since you opened it; reload"):
        update_code(book, ids["1"], expected_version=1, definition="Mine.", actor="amira")
    with pytest.raises(ConflictError):
        move_code(book, ids["1"], parent_id=None, position=1, expected_version=1)


@pytest.mark.parametrize("fields,message", [
    ({"label": "2"}, "label '2' is already used"),
    ({"name": "weak imagery  ability"}, "already has a code named"),
    ({"colour": "blue"}, "is not a hex colour"),
    ({"parent_id": 1}, "cannot change parent_id"),
])
def test_update_validation(book, fields, message):
    ids = _ids(book)
    code = ids["2a"] if "name" not in fields else ids["2"]
    n = n_events(book)
    with pytest.raises(InputError, match=message):
        update_code(book, code, **fields)
    assert n_events(book) == n


def test_update_without_a_change_logs_nothing(book):
    ids = _ids(book)
    n = n_events(book)
    assert update_code(book, ids["1"], name="Weak imagery ability") == 1
    assert n_events(book) == n


# ----------------------------------------------------------------------------------- move


def test_move_reparents_reorders_and_undo_restores_positions(book):
    ids = _ids(book)
    start = state(book)
    move_code(book, ids["2a"], parent_id=None, position=0, actor="ann")
    assert _tree(book) == [
        ("2a", "Others are unreliable", 1, None),
        ("1", "Weak imagery ability", 1, None),
        ("2", "Fear of compassion", 1, None),
    ]
    move_code(book, ids["1"], parent_id=ids["2"], actor="ann")
    assert _tree(book)[1:] == [("2", "Fear of compassion", 1, None),
                               ("1", "Weak imagery ability", 2, "2")]
    assert undo(book, "ann").startswith("move code 1 to 2")
    assert undo(book, "ann") == "move code 2a to the top level"
    assert state(book) == start


def test_move_refuses_cycles_other_codebooks_and_name_clashes(book):
    ids = _ids(book)
    with pytest.raises(InputError, match="inside 2"):
        move_code(book, ids["2"], parent_id=ids["2a"])
    with pytest.raises(InputError, match="inside 2"):
        move_code(book, ids["2"], parent_id=ids["2"])
    add_code(book, codebook="inhibitors", label="1x", name="Others are unreliable",
             parent_id=ids["1"])
    with pytest.raises(InputError, match="already has a code named"):
        move_code(book, ids["2a"], parent_id=ids["1"])
    with pytest.raises(InputError, match="0 or more"):
        move_code(book, ids["2a"], parent_id=None, position=-1)


# ---------------------------------------------------------------------------------- merge


def test_merge_repoints_codings_moves_children_and_undo_restores_exactly(book):
    ids = _ids(book)
    add_code(book, codebook="inhibitors", label="2x", name="Too much", parent_id=ids["2"])
    add_code(book, codebook="inhibitors", label="2y", name="Later", parent_id=ids["2"])
    x = _ids(book)["2x"]
    add_coding(book, document="S1.txt", start=1, end=5, code="2x", coder="ann")
    set_coding_memo(book, list_codings(book, coder="ann")[0].id, "note", actor="ann")
    start = state(book)
    codings_of_2 = [c.id for c in list_codings(book) if c.code_label == "2"]
    assert merge_codes(book, ids["2"], ids["1"], actor="lead") == len(codings_of_2) == 1
    assert _tree(book) == [
        ("1", "Weak imagery ability", 1, None),
        ("2a", "Others are unreliable", 2, "1"),
        ("2x", "Too much", 2, "1"),
        ("2y", "Later", 2, "1"),
    ]
    assert {c.id: c.code_label for c in list_codings(book)}[codings_of_2[0]] == "1"
    merged = state(book)
    assert undo(book, "lead") == (
        "merge code 2 'Fear of compassion' into 1 'Weak imagery ability' (1 codings)")
    assert state(book) == start
    assert redo(book, "lead") is not None
    assert state(book) == merged
    assert code_usage(book, ids["1"]) == 5  # all five codings now sit under 1
    with pytest.raises(InputError, match="into itself"):
        merge_codes(book, ids["1"], ids["1"])
    with pytest.raises(InputError, match="inside it"):
        merge_codes(book, ids["1"], x)


# --------------------------------------------------------------------------------- delete


def test_delete_code_with_subtree_codings_and_memos_then_undo_restores_all(book):
    ids = _ids(book)
    cid = add_coding(book, document="S1.txt", start=1, end=5, code="2", coder="ann")
    set_coding_memo(book, cid, "mine", actor="ann")
    start = state(book)
    # codings of 2 and its child 2a: ann 60-72 (2a), ann 50-90 (2), bo 62-80 (2a), ann 1-5
    assert code_usage(book, ids["2"]) == 4
    assert code_usage(book, ids["2a"]) == 2
    assert delete_code(book, ids["2"], actor="ann") == 4
    assert [n.label for n in codebook_tree(book)] == ["1"]
    assert [c.code_label for c in list_codings(book)] == ["1"]
    assert state(book)["memo"] == []
    assert undo(book, "ann") == "delete code 2 'Fear of compassion' (1 subcodes, 4 codings)"
    assert state(book) == start
    assert redo(book, "ann") is not None
    assert [n.label for n in codebook_tree(book)] == ["1"]
    with pytest.raises(NotFoundError):
        code_usage(book, ids["2"])


def test_undo_of_a_delete_refuses_when_the_label_was_reused(book):
    ids = _ids(book)
    delete_code(book, ids["1"], actor="ann")
    add_code(book, codebook="inhibitors", label="1", name="Something else", actor="bo")
    with pytest.raises(ConflictError,
                       match=r'cannot undo "delete code 1 .*another code took the same label'):
        undo(book, "ann")


def test_undo_of_a_move_refuses_a_cycle_made_since(book):
    ids = _ids(book)
    move_code(book, ids["2a"], parent_id=ids["1"], actor="ann")  # 2a leaves 2 for 1
    move_code(book, ids["2"], parent_id=ids["2a"], actor="bo")  # 2 goes under 2a
    with pytest.raises(ConflictError, match="inside itself"):
        undo(book, "ann")  # putting 2a back under 2 would loop


# ---------------------------------------------------------------------------------- stamp


def test_codebook_stamp_changes_on_every_edit_and_undo(book):
    ids = _ids(book)
    seen = [(codebook_stamp(book), _codes_with_versions(book))]

    def step(fn):
        fn()
        seen.append((codebook_stamp(book), _codes_with_versions(book)))

    step(lambda: update_code(book, ids["1"], name="Renamed", actor="a"))
    step(lambda: undo(book, "a"))
    step(lambda: update_code(book, ids["2"], name="Renamed", actor="a"))
    step(lambda: move_code(book, ids["2a"], parent_id=None, position=0, actor="a"))
    step(lambda: add_code(book, codebook="inhibitors", label="9", name="New", actor="a"))
    step(lambda: delete_code(book, ids["1"], actor="a"))
    step(lambda: undo(book, "a"))  # the deleted code comes back exactly: same as after add
    step(lambda: undo(book, "a"))  # and without the added one: same as after the move
    for (stamp_a, _), (stamp_b, _) in itertools.pairwise(seen):
        assert stamp_a != stamp_b  # every step changed the codebook
    for (stamp_a, codes_a), (stamp_b, codes_b) in itertools.combinations(seen, 2):
        assert (stamp_a == stamp_b) == (codes_a == codes_b)
    assert seen[7][0] == seen[5][0] and seen[8][0] == seen[4][0]
    add_coding(book, document="S1.txt", start=0, end=3, code="2", coder="ann")
    assert codebook_stamp(book) == seen[-1][0]  # codings do not touch the codebook


def _codes_with_versions(project):
    from _undo_helpers import table_rows

    from themeqa.store.models import Code

    return table_rows(project, Code)


# ------------------------------------------------------------------------- property test


def _random_edit(project, data) -> str | None:
    """Try one random coding or codebook edit; its actor, or None if it was refused."""
    actor = data.draw(st.sampled_from(["ann", "bo"]))
    codings = [c.id for c in list_codings(project)]
    codes = [n.id for n in codebook_tree(project)]
    labels = [n.label for n in codebook_tree(project)]
    n_chars = 160
    kinds = ["add_coding", "add_code", "rename", "move"] if codes else ["add_code"]
    if codings:
        kinds += ["delete_coding", "resize", "reassign", "quote", "memo"]
    if len(codes) > 1:
        kinds += ["merge", "delete_code"]
    kind = data.draw(st.sampled_from(kinds))
    span = data.draw(st.tuples(st.integers(0, n_chars - 2), st.integers(1, 40)))
    start, end = span[0], min(n_chars, span[0] + span[1])
    try:
        if kind == "add_coding":
            add_coding(project, document="S1.txt", start=start, end=end,
                       code=data.draw(st.sampled_from(labels)), coder=actor)
        elif kind == "delete_coding":
            delete_coding(project, data.draw(st.sampled_from(codings)), actor=actor)
        elif kind == "resize":
            resize_coding(project, data.draw(st.sampled_from(codings)), start, end, actor=actor)
        elif kind == "reassign":
            reassign_coding(project, data.draw(st.sampled_from(codings)),
                            data.draw(st.sampled_from(labels)), actor=actor)
        elif kind == "quote":
            set_quote(project, data.draw(st.sampled_from(codings)), data.draw(st.booleans()),
                      actor=actor)
        elif kind == "memo":
            set_coding_memo(project, data.draw(st.sampled_from(codings)),
                            data.draw(st.sampled_from(["", "a memo", "another"])), actor=actor)
        elif kind == "add_code":
            parent = data.draw(st.one_of(st.none(), st.sampled_from(codes)) if codes
                               else st.none())
            add_code(project, codebook="inhibitors", label=f"n{next(_counter)}",
                     name=data.draw(st.sampled_from(["Alpha", "Beta", "Gamma"])),
                     parent_id=parent, actor=actor)
        elif kind == "rename":
            update_code(project, data.draw(st.sampled_from(codes)),
                        name=data.draw(st.sampled_from(["Alpha", "Beta", "Delta"])), actor=actor)
        elif kind == "move":
            move_code(project, data.draw(st.sampled_from(codes)),
                      parent_id=data.draw(st.one_of(st.none(), st.sampled_from(codes))),
                      position=data.draw(st.one_of(st.none(), st.integers(0, 3))), actor=actor)
        elif kind == "merge":
            a, b = data.draw(st.lists(st.sampled_from(codes), min_size=2, max_size=2,
                                      unique=True))
            merge_codes(project, a, b, actor=actor)
        else:
            delete_code(project, data.draw(st.sampled_from(codes)), actor=actor)
    except InputError as exc:
        assert not isinstance(exc, ConflictError), exc
        return None
    return actor


@pytest.fixture
def scratch(study_files, tmp_path_factory, tmp_path):
    """One open project for every hypothesis example, and a function that resets its file to
    the small study (SQLite's online backup API), so SQLAlchemy's statement cache, kept per
    engine, survives from one example to the next."""
    base = small_study_dir(study_files, tmp_path_factory)
    project = copy_study(base, tmp_path / "scratch")

    def reset():
        project.engine.dispose()
        with sqlite3.connect(base / DB_FILENAME) as src, \
                sqlite3.connect(project.directory / DB_FILENAME) as dest:
            src.backup(dest)
        return project

    yield reset
    project.close()


# No shrinking: each example runs up to 24 transactions, so shrinking a failure takes
# minutes; the failing example is printed as is (re-run it with its seed).
@settings(max_examples=15, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_edits_then_as_many_undos_restore_the_start(scratch, data):
    """Any sequence of edits by two coders, undone in reverse (each by its own author),
    gives back the codings, codes and memos exactly (bar the code edit counter); redoing
    them all, in order, gives back the edited state."""
    project = scratch()
    start = state(project)
    actors = []
    for _ in range(data.draw(st.integers(1, 8), label="edits")):
        logged = n_events(project)
        actor = _random_edit(project, data)
        if actor is not None and n_events(project) > logged:  # not a no-op
            actors.append(actor)
    edited = state(project)
    for actor in reversed(actors):
        assert undo(project, actor) is not None
    assert state(project) == start
    for actor in actors:
        assert redo(project, actor) is not None
    assert state(project) == edited
