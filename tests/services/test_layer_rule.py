"""The layer rule (issue 19): ``auto`` reads a document's consensus layer only once its
credibility check is complete there, or a lead marked it reconciled.

The repro of the issue on the demo: sample S2/S5 for ben against amira, adopt the identical
codings, decide nothing -- Table 2 must stay exactly what it was before the check (it used to
drop 11 of 15 inhibitor rows: theme 1 6 -> 5, 2d 4 -> 2, 3b in I 4 -> 3), and say why.
Expected counts come from ``independent_count`` (sqlite3 and loops, no core.tally).
"""

from __future__ import annotations

import json

import pytest

from tests.services.test_tally_service import independent_count
from themeqa.cli.main import main
from themeqa.errors import InputError
from themeqa.services.check_disagreements import disagreements
from themeqa.services.check_reconcile import (
    adopt_agreements,
    decide,
    mark_reconciled,
    undo_decision,
)
from themeqa.services.check_sample import create_check
from themeqa.services.documents import get_document
from themeqa.services.project import open_project
from themeqa.services.tally import report_tables, tally_report

LABELS = ("1", "2", "2d", "3b", "6a")


def _table2(project) -> tuple[list, list[str]]:
    tables, _ = report_tables(project, "table2", codebook="inhibitors")
    return tables[0].rows, tables[0].notes


def _row(rows, label):
    return next(r for r in rows if r[0].split(" ")[0] == label)


def _doc_id(project, name: str) -> int:
    return get_document(project, name).id


def _check_counts(project, db, reconciled: set[int]) -> None:
    """auto's totals and per-condition counts equal the independent count with ``reconciled``
    read from the consensus layer and the union elsewhere."""
    r = tally_report(project, codebook="inhibitors", quotes=False).result
    for label in LABELS:
        code = int(r.codes.loc[r.codes["label"] == label, "code"].iloc[0])
        if reconciled:
            expected = independent_count(db, "inhibitors", label, consensus=True,
                                         reconciled=reconciled)
        else:
            expected = independent_count(db, "inhibitors", label)
        assert r.n(code) == len(set().union(*expected.values())), label
        for cond in ("M", "I"):
            assert r.n(code, (cond,)) == len(expected.get(cond, ())), (label, cond)


def _decide_document(project, name: str) -> int:
    """Decide every open disagreement on one document (keep what each side coded)."""
    n = 0
    for d in disagreements(project, "pilot"):
        if d.document != name or d.decision is not None:
            continue
        choice = ("keep_both" if d.code_a_id is not None and d.code_b_id is not None
                  else "keep_a" if d.code_a_id is not None else "keep_b")
        decide(project, d.key, choice, "discussed", decided_by="lead", check="pilot")
        n += 1
    return n


def test_issue_repro_partial_reconciliation_keeps_the_union(demo_copy):
    db = demo_copy / "themeqa.db"
    project = open_project(demo_copy, actor="lead")
    try:
        before_rows, before_notes = _table2(project)
        # the issue's numbers before the check (union of amira and ben)
        assert _row(before_rows, "1")[1] == 6 and _row(before_rows, "2d")[1] == 4
        assert _row(before_rows, "3b")[3] == "4 (50)"
        create_check(project, coder_b="ben", coder_a="amira", sessions=["S2", "S5"],
                     name="pilot")
        assert adopt_agreements(project, "pilot", decided_by="lead") == 29
        rows, notes = _table2(project)
        # 0 of 69 decided (111 before issue 19's pending rule: 42 were amira's codings on
        # written answers ben has not coded): identical, quotes included
        assert rows == before_rows
        assert notes[:len(before_notes) - 1] == before_notes[:-1]
        assert "Warning: pilot: 2 documents, 69 disagreements undecided, 25 more documents " \
               "not finished by coder B: counted from the " \
               "union." in notes
        _check_counts(project, db, set())
        # the explicit consensus layer still reads the fragment (what auto used to do)
        tables, _ = report_tables(project, "table2", codebook="inhibitors", layer="consensus")
        assert _row(tables[0].rows, "1")[1] == 5 and _row(tables[0].rows, "2d")[1] == 2

        # S2 decided in full: S2 alone reads consensus
        s2, s5 = _doc_id(project, "S2_focus_group.txt"), _doc_id(project, "S5_focus_group.txt")
        assert _decide_document(project, "S2_focus_group.txt") == 29
        _check_counts(project, db, {s2})
        _, notes = _table2(project)
        assert "Consensus layer counted on: S2_focus_group.txt." in notes
        assert "Warning: pilot: 1 document, 40 disagreements undecided, 25 more documents not " \
               "finished by coder B: counted from the union." in notes
        # undoing one decision on S2 takes it back to the union
        key = next(d.key for d in disagreements(project, "pilot")
                   if d.document == "S2_focus_group.txt")
        undo_decision(project, key, check="pilot")
        _check_counts(project, db, set())
        # a lead's mark: S5 reads consensus although 40 of its disagreements are open
        mark_reconciled(project, ["S5_focus_group.txt"], check="pilot")
        _check_counts(project, db, {s5})
        mark_reconciled(project, ["S5_focus_group.txt"], check="pilot", unmark=True)
        _check_counts(project, db, set())
        assert _table2(project)[0] == before_rows
    finally:
        project.close()


def test_identical_codings_not_adopted_keep_a_document_on_the_union(demo_copy):
    """Deciding every disagreement without `check adopt` leaves the agreed codings out of the
    consensus layer: the document is not complete, and the warning says what to run."""
    db = demo_copy / "themeqa.db"
    project = open_project(demo_copy, actor="lead")
    try:
        create_check(project, coder_b="ben", coder_a="amira", sessions=["S2"], name="pilot")
        _decide_document(project, "S2_focus_group.txt")
        _check_counts(project, db, set())
        _, notes = _table2(project)
        assert any("identical codings not adopted (themeqa check adopt --check pilot)" in n
                   for n in notes)
        adopt_agreements(project, "pilot", decided_by="lead")
        _check_counts(project, db, {_doc_id(project, "S2_focus_group.txt")})
    finally:
        project.close()


def test_every_report_and_the_results_prose_carry_the_warning(demo_copy):
    project = open_project(demo_copy, actor="lead")
    try:
        create_check(project, coder_b="ben", coder_a="amira", sessions=["S2", "S5"],
                     name="pilot")
        warning = "Warning: pilot: 2 documents, 69 disagreements undecided"
        for kind in ("cooccurrence", "presence"):
            tables, _ = report_tables(project, kind, codebook="inhibitors")
            assert any(n.startswith(warning) for n in tables[0].notes), kind
        _, paragraphs = report_tables(project, "results", codebook="inhibitors")
        assert paragraphs[-1].startswith("[" + warning)
        from themeqa.services.analyses import joint_display
        from themeqa.services.methods import build_methods

        assert any(n.startswith(warning) for n in joint_display(project).notes)

        text = build_methods(project, "pilot", n_boot=20).markdown
        assert ("Participant counts per theme were taken from the union of the coders' "
                "codings (no document's reconciliation was complete). [Reconciliation is not "
                "finished -- pilot: 2 documents, 69 disagreements undecided, 29 identical "
                "codings not adopted (themeqa check adopt --check pilot), 25 more documents "
                "not finished by coder B: counted from the union. Update after "
                "reconciliation.]") in text
    finally:
        project.close()


def test_marking_needs_a_lead_and_a_sampled_document(demo_copy, capsys, monkeypatch):
    from themeqa.services.settings import set_coder_role

    project = open_project(demo_copy, actor="lead")
    try:
        create_check(project, coder_b="ben", coder_a="amira", sessions=["S2"], name="pilot")
        set_coder_role(project, "lead", "lead", actor="lead")
        with pytest.raises(InputError, match="only a lead may mark documents reconciled"):
            mark_reconciled(project, None, check="pilot", actor="ben")
    finally:
        project.close()
    for var in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(var, "lead")
    base = ["--project", str(demo_copy)]
    assert main([*base, "check", "reconciled", "S5_focus_group.txt", "--check", "pilot"]) == 2
    assert "not in check 'pilot': S5_focus_group.txt" in capsys.readouterr().err
    assert main([*base, "check", "reconciled", "--check", "pilot"]) == 2
    capsys.readouterr()
    assert main([*base, "check", "reconciled", "--all", "--check", "pilot"]) == 0
    assert "pilot: 14 documents marked reconciled" in capsys.readouterr().out
    assert main([*base, "report", "table2", "--json", "--codebook", "inhibitors"]) == 0
    notes = json.loads(capsys.readouterr().out)["tables"][0]["notes"]
    assert any(n.startswith("Consensus layer counted on: S2_focus_group.txt") for n in notes)
