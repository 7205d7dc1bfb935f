"""Typed disagreements and reconciliation on a tiny hand-built project.

The right list of disagreements is written out below from the codings the test makes, so a
change in the rules (overlap of the shorter span, greedy pairing, kinds) shows up here.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from themeqa.errors import InputError, NotFoundError
from themeqa.services.check_disagreements import disagreements
from themeqa.services.check_reconcile import decide, next_open, progress, undo_decision
from themeqa.services.check_sample import create_check
from themeqa.services.codebooks import import_codebook
from themeqa.services.codings import add_coding, list_codings
from themeqa.services.importing import import_files
from themeqa.services.participants import import_participants
from themeqa.services.project import open_project
from themeqa.store.models import AuditEvent, Reconciliation

# (coder, code, start, end) on S1.txt (195 characters; see conftest.study_files)
CODINGS = [
    ("ann", "2a", 60, 70), ("bo", "2a", 60, 70),        # agree exactly: not listed
    ("ann", "1", 100, 140), ("bo", "1", 110, 140),      # boundary: same code, other extent
    ("ann", "2", 150, 170), ("bo", "2a", 152, 170),     # code conflict: same span
    ("ann", "1", 0, 7),                                  # only A
    ("bo", "2", 20, 30),                                 # only B
    ("ann", "2a", 175, 185), ("bo", "2a", 183, 195),    # overlap 2 of 10 < 50%: two one-coder
]

EXPECTED = [  # kind, A (code, start, end), B (code, start, end), in document order; codes as
    # codebook::label like every other output (issue 22: was "inhibitors:1")
    ("one_coder", ("inhibitors::1", 0, 7), None),
    ("one_coder", None, ("inhibitors::2", 20, 30)),
    ("boundary", ("inhibitors::1", 100, 140), ("inhibitors::1", 110, 140)),
    ("code_conflict", ("inhibitors::2", 150, 170), ("inhibitors::2a", 152, 170)),
    ("one_coder", ("inhibitors::2a", 175, 185), None),
    ("one_coder", None, ("inhibitors::2a", 183, 195)),
]


@pytest.fixture
def tiny(project, study_files):
    import_participants(project, study_files["participants"])
    import_codebook(project, study_files["codebook"])
    import_files(project, [study_files["S1"]], session="S1", timepoint="initial")
    for coder, code, start, end in CODINGS:
        add_coding(project, document="S1.txt", start=start, end=end, code=code, coder=coder)
    add_coding(project, document="S1.txt", start=0, end=7, code="1", coder="ann")  # duplicate
    create_check(project, coder_b="bo", coder_a="ann", sessions=["S1"], name="tiny")
    return project


def _side(code, start, end):
    return None if code is None else (code, start, end)


def test_typed_disagreements_are_exactly_the_written_list(tiny):
    found = disagreements(tiny, "tiny")
    got = [(d.kind, _side(d.code_a, d.a_start, d.a_end), _side(d.code_b, d.b_start, d.b_end))
           for d in found]
    assert got == EXPECTED
    conflict = found[3]
    assert (conflict.a_text, conflict.b_text) == (" I found it hard to ", " found it hard to ")
    assert found[0].document == "S1.txt" and found[0].b_text == ""
    assert len({d.key for d in found}) == len(found)
    assert [d.key[0] for d in found] == ["o", "o", "b", "c", "o", "o"]


def test_keys_are_stable_across_sessions_and_threshold_changes_the_kinds(tiny):
    keys = [d.key for d in disagreements(tiny, "tiny")]
    again = open_project(tiny.directory)
    try:
        assert [d.key for d in disagreements(again, "tiny")] == keys
    finally:
        again.close()
    loose = disagreements(tiny, "tiny", threshold=0.1)  # 2 of 10 characters now suffice
    assert [d.kind for d in loose].count("boundary") == 2
    assert [d.kind for d in loose].count("one_coder") == 2


def _coder_layer(project):
    return [(c.coder, c.code_label, c.start, c.end) for c in list_codings(project, layer="coder")]


def test_decisions_write_consensus_only_and_can_be_undone(tiny):
    before = _coder_layer(tiny)
    found = disagreements(tiny, "tiny")
    boundary, conflict, only_a, only_b = found[2], found[3], found[0], found[1]
    assert str(progress(tiny, "tiny")) == "0 of 6 resolved"

    d1 = decide(tiny, boundary.key, "keep_b", "B's extent holds the reason only",
                decided_by="ann", reviewer="bo", check="tiny")
    d2 = decide(tiny, conflict.key, "keep_both", "both readings apply", decided_by="ann",
                check="tiny")
    d3 = decide(tiny, only_a.key, "neither", "a heading, not data", decided_by="ann",
                check="tiny")
    d4 = decide(tiny, only_b.key, "edit", "only the question", decided_by="ann",
                check="tiny", span=(13, 40), code="2a")
    consensus = sorted((c.code_label, c.start, c.end, c.coder)
                       for c in list_codings(tiny, layer="consensus"))
    assert consensus == [("1", 110, 140, "ann"), ("2", 150, 170, "ann"),
                         ("2a", 13, 40, "ann"), ("2a", 152, 170, "ann")]
    assert (len(d1.consensus_ids), len(d2.consensus_ids), d3.consensus_ids) == (1, 2, [])
    assert len(d4.consensus_ids) == 1
    assert _coder_layer(tiny) == before  # the coders' own layers never change
    assert str(progress(tiny, "tiny")) == "4 of 6 resolved"
    assert [d.decision for d in disagreements(tiny, "tiny")][:4] == [
        "neither", "edit", "keep_b", "keep_both"]

    with tiny.reading() as s:
        rec = s.exec(select(Reconciliation).where(Reconciliation.key == boundary.key)).one()
        assert (rec.kind, rec.choice, rec.a_start, rec.b_start) == ("boundary", "keep_b", 100,
                                                                      110)
        assert rec.reviewer_id is not None and rec.rationale.startswith("B's extent")
        events = s.exec(select(AuditEvent).where(AuditEvent.entity == "reconciliation")).all()
        assert [e.action for e in events] == ["decide"] * 4

    undo_decision(tiny, conflict.key, check="tiny", actor="ann")
    assert len(list_codings(tiny, layer="consensus")) == 2
    assert str(progress(tiny, "tiny")) == "3 of 6 resolved"
    assert next_open(tiny, "tiny").key == conflict.key  # the queue resumes where it is open


def test_bad_decisions_write_nothing(tiny):
    found = disagreements(tiny, "tiny")
    only_a = found[0]
    with pytest.raises(InputError, match="rationale"):
        decide(tiny, only_a.key, "keep_a", "  ", decided_by="ann", check="tiny")
    with pytest.raises(InputError, match="only one coder"):
        decide(tiny, only_a.key, "keep_both", "x", decided_by="ann", check="tiny")
    with pytest.raises(InputError, match="coder B did not"):
        decide(tiny, only_a.key, "keep_b", "x", decided_by="ann", check="tiny")
    with pytest.raises(InputError, match="outside"):
        decide(tiny, only_a.key, "edit", "x", decided_by="ann", check="tiny", span=(5, 999))
    with pytest.raises(NotFoundError):
        decide(tiny, "o-0000000000", "keep_a", "x", decided_by="ann", check="tiny")
    with pytest.raises(InputError, match="reviewer"):
        decide(tiny, only_a.key, "keep_a", "x", decided_by="ann", reviewer="ann",
               check="tiny")
    assert list_codings(tiny, layer="consensus") == []
    assert str(progress(tiny, "tiny")) == "0 of 6 resolved"
    decide(tiny, only_a.key, "keep_a", "fine", decided_by="ann", check="tiny")
    with pytest.raises(InputError, match="decided already"):
        decide(tiny, only_a.key, "neither", "again", decided_by="ann", check="tiny")
    assert len(list_codings(tiny, layer="consensus")) == 1


def test_adopt_agreements_copies_identical_codings_once(tiny):
    from themeqa.services.check_reconcile import adopt_agreements

    # the only identical pair in CODINGS: 2a on 60-70 (ann and bo)
    assert adopt_agreements(tiny, "tiny", decided_by="ann") == 1
    assert adopt_agreements(tiny, "tiny", decided_by="ann") == 0  # idempotent
    consensus = [(c.code_label, c.start, c.end) for c in list_codings(tiny, layer="consensus")]
    assert consensus == [("2a", 60, 70)]
    assert str(progress(tiny, "tiny")) == "0 of 6 resolved"  # agreements are not decisions
