"""Issue 19: agreement on participant speech by default, and on finished documents only.

Every expected number is counted by hand in the comments (Cohen 1960 for kappa).
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from themeqa.errors import InputError
from themeqa.services.check import agreement_table
from themeqa.services.check_disagreements import disagreements
from themeqa.services.check_done import check_progress, mark_finished
from themeqa.services.check_sample import create_check
from themeqa.services.codebooks import import_codebook
from themeqa.services.codings import add_coding
from themeqa.services.importing import import_files
from themeqa.services.methods import build_methods
from themeqa.services.participants import import_participants
from themeqa.services.undo import undo

GARDEN = (
    "Facilitator: Tell me about the garden.\n"
    "P01: I grow beans.\n"
    "P02: I grow nothing at all.\n"
    "P01: Beans again, always beans.\n"
)
KITCHEN = "Facilitator: And the kitchen?\nP01: Warm bread.\nP02: Cold tiles.\n"


def _code(project, doc, text, phrase, coder, code="1"):
    at = text.index(phrase)
    return add_coding(project, document=doc, start=at, end=at + len(phrase), code=code,
                      coder=coder)


@pytest.fixture
def garden(project, study_files, tmp_path):
    import_participants(project, study_files["participants"])
    import_codebook(project, study_files["codebook"])
    for name, text in (("garden.txt", GARDEN), ("kitchen.txt", KITCHEN)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        import_files(project, [tmp_path / name], session="S1")
    # both coders code the facilitator's question; amira also P01's beans; both P02
    for coder in ("amira", "ben"):
        _code(project, "garden.txt", GARDEN, "Tell me about the garden.", coder)
        _code(project, "garden.txt", GARDEN, "I grow nothing at all.", coder)
    _code(project, "garden.txt", GARDEN, "I grow beans.", "amira")
    return project


def _counts(row):
    return (row.units, row.both, row.only_a, row.only_b, row.neither)


@pytest.mark.parametrize("unit", ["turn", "sentence"])
def test_facilitator_turns_are_left_out_by_default(garden, unit):
    code1 = lambda t: next(r for r in t.rows if r.label == "1")  # noqa: E731
    # participant turns: P01 beans (A only), P02 (both), P01 again (neither)
    out = agreement_table(garden, coders=("amira", "ben"), unit=unit, n_boot=10)
    assert _counts(code1(out)) == (3, 1, 1, 0, 1)
    # kappa: p_o = 2/3, p_e = 2/3*1/3 + 1/3*2/3 = 4/9 -> (2/9)/(5/9) = 0.4
    assert code1(out).kappa == pytest.approx(0.4)
    assert "participant speech only" in " ".join(out.notes)
    # with the facilitator's question, on which both agree: one more "both"
    inc = agreement_table(garden, coders=("amira", "ben"), unit=unit, n_boot=10,
                          include_facilitator=True)
    assert _counts(code1(inc)) == (4, 2, 1, 0, 1)
    # p_o = 3/4, p_e = 3/4*2/4 + 1/4*2/4 = 1/2 -> 0.5
    assert code1(inc).kappa == pytest.approx(0.5)
    assert "facilitator turns included" in " ".join(inc.notes)
    assert inc.to_dict()["include_facilitator"] is True


def test_agreement_covers_finished_documents_and_says_how_many_are_pending(garden):
    create_check(garden, coder_b="ben", coder_a="amira", sessions=["S1"], name="pilot")
    # nothing marked: the documents ben has coded count (garden), kitchen is pending
    scope = check_progress(garden, "pilot")
    assert (scope.rule, [d.name for d in scope.finished]) == ("coded", ["garden.txt"])
    _code(garden, "kitchen.txt", KITCHEN, "Warm bread.", "amira")
    table = agreement_table(garden, check="pilot", n_boot=10)
    assert table.documents == ["garden.txt"]
    # amira's kitchen coding is not "A only": ben has not opened kitchen.txt
    assert all(d.document == "garden.txt" for d in disagreements(garden, "pilot"))

    scope = mark_finished(garden, "garden.txt", "pilot", actor="ben")
    assert scope.rule == "marked"
    assert scope.sentence() == "1 of 2 sampled documents finished; 1 pending (kitchen.txt)"
    assert any(n.startswith("Check pilot: 1 of 2 sampled documents finished; 1 pending")
               for n in agreement_table(garden, check="pilot", n_boot=10).notes)

    scope = mark_finished(garden, "kitchen.txt", "pilot", actor="ben")
    assert scope.sentence() == "2 of 2 sampled documents finished; 0 pending"
    table = agreement_table(garden, check="pilot", unit="turn", n_boot=10)
    assert table.documents == ["garden.txt", "kitchen.txt"]
    row = next(r for r in table.rows if r.label == "1")
    # garden (3, 1, 1, 0, 1) + kitchen participant turns: Warm bread A only, Cold tiles neither
    assert _counts(row) == (5, 1, 2, 0, 2)
    kinds = [(d.document, d.kind) for d in disagreements(garden, "pilot")]
    assert ("kitchen.txt", "one_coder") in kinds

    md = build_methods(garden, "pilot", n_boot=10).markdown
    assert "participant speech only (facilitator turns excluded)" in md

    # undone marks go back to pending; marking twice is refused
    assert undo(garden, "ben").startswith("mark kitchen.txt finished")
    assert [d.name for d in check_progress(garden, "pilot").pending] == ["kitchen.txt"]
    with pytest.raises(InputError, match="already finished"):
        mark_finished(garden, "garden.txt", "pilot")
    mark_finished(garden, "garden.txt", "pilot", finished=False)
    # nothing marked any more: back to the documents ben has coded
    assert check_progress(garden, "pilot").rule == "coded"
    # a coder B who has coded nothing: nothing to compare, said in one line
    create_check(garden, coder_b="cara", coder_a="amira", sessions=["S1"], name="second")
    with pytest.raises(InputError, match="no document of check 'second' is finished yet"):
        agreement_table(garden, check="second", n_boot=10)


def test_a_document_outside_the_sample_cannot_be_marked(garden, tmp_path):
    create_check(garden, coder_b="ben", coder_a="amira", sessions=["S1"], name="pilot")
    (tmp_path / "other.txt").write_text("P01: hello\n", encoding="utf-8")
    import_files(garden, [tmp_path / "other.txt"])
    with pytest.raises(InputError, match="no credibility check"):
        mark_finished(garden, "other.txt")
    with pytest.raises(InputError, match="not in the sample"):
        mark_finished(garden, "other.txt", "pilot")


def test_a_document_b_has_not_finished_is_never_complete_for_the_layer_rule(garden):
    """Disagreements cover finished documents only, so the layer rule must not take a
    pending document (no disagreements listed yet) for a completely reconciled one."""
    from themeqa.services.layer_rule import layer_plan
    from themeqa.store.models import Document

    create_check(garden, coder_b="ben", coder_a="amira", sessions=["S1"], name="pilot")
    _code(garden, "kitchen.txt", KITCHEN, "Warm bread.", "amira")  # ben never opened it
    with garden.reading() as s:
        kitchen = s.exec(select(Document.id).where(Document.name == "kitchen.txt")).one()
        (state,) = layer_plan(s).checks
    assert kitchen not in state.complete
