"""The methods-section template: every number in its text comes from the project.

Participants are counted here from the demo's own participants CSV (an independent source),
the pooled κ is recomputed by hand from the pooled 2x2 table (Cohen, 1960), and the
reconciliation counts are compared with decisions made in the test.
"""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from themeqa.errors import InputError
from themeqa.services.check_disagreements import disagreements
from themeqa.services.check_reconcile import decide
from themeqa.services.check_report import fmt_coef
from themeqa.services.check_sample import create_check, sample_check
from themeqa.services.demo import demo_data_dir
from themeqa.services.methods import REFERENCES, build_methods, write_methods
from themeqa.services.project import open_project


@pytest.fixture
def demo_project(demo_copy):
    handle = open_project(demo_copy, actor="tester")
    yield handle
    handle.close()


def test_participants_per_condition_and_timepoint_match_the_csv(demo_project):
    with open(demo_data_dir() / "participants.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_cond = Counter(r["condition"] for r in rows)
    follow_up = Counter(r["condition"] for r in rows if "follow-up" in r["timepoints"])
    m = build_methods(demo_project, n_boot=10)
    assert m.n_participants == len(rows) == 20
    assert m.by_condition == dict(by_cond)
    for cond, n in by_cond.items():
        assert f"{n} in condition {cond}" in m.markdown
        assert f"| {cond} | {n} | {follow_up[cond]} |" in m.markdown
    # no check drawn yet: the template says how to draw one
    assert m.check is None and "No credibility check has been recorded" in m.markdown


def test_check_agreement_and_reconciliation_numbers(demo_project):
    create_check(demo_project, coder_b="ben", sessions=["S2", "S5"], coder_a="amira",
                 name="pilot")
    found = disagreements(demo_project, "pilot")
    boundary = next(d for d in found if d.kind == "boundary")
    one = next(d for d in found if d.kind == "one_coder")
    decide(demo_project, boundary.key, "keep_a", "A's extent holds the reason",
           decided_by="amira")
    decide(demo_project, one.key, "neither", "not an inhibitor", decided_by="amira")

    m = build_methods(demo_project, unit="turn", seed=3, n_boot=20)
    text = m.markdown
    assert "were chosen by hand (not at random)" in text and "(S2, S5;" in text
    # pooled kappa by hand from the pooled 2x2 table: (po - pe) / (1 - pe)
    p = m.agreement.pooled
    n = p.both + p.only_a + p.only_b + p.neither
    po = (p.both + p.neither) / n
    a_yes, b_yes = (p.both + p.only_a) / n, (p.both + p.only_b) / n
    pe = a_yes * b_yes + (1 - a_yes) * (1 - b_yes)
    kappa = (po - pe) / (1 - pe)
    assert p.kappa == pytest.approx(kappa)
    assert f"Cohen's κ = {fmt_coef(kappa)} (Cohen, 1960)" in text
    assert f"{100 * po:.1f}%" in text
    # agreement covers the documents coder B finished (issue 19): none is marked, so the
    # two B has coded count; the 25 written answers B has not coded are pending
    assert "of the 2 documents in the sample that ben had finished" in text
    assert "25 pending" in text
    assert "seed 3, 20 replicates" in text
    # disagreements and decisions as made above
    kinds = Counter(d.kind for d in found)
    assert m.disagreements == dict(kinds)
    assert f"differed in {len(found)} places" in text
    assert "2 of them were resolved by discussion" in text
    assert f"| Same code, different extent | {kinds['boundary']} | 1 | 0 | 0 | 0 | 0 | " \
           f"{kinds['boundary'] - 1} |" in text
    assert f"| Code applied by one coder only | {kinds['one_coder']} | 0 | 0 | 0 | 1 | 0 | " \
           f"{kinds['one_coder'] - 1} |" in text
    for short, _, full in REFERENCES:
        assert short in text and full in text


def test_seed_is_stated_and_confirmed_by_the_audit_log(demo_project):
    info = sample_check(demo_project, coder_b="ben", coder_a="amira", sessions=2,
                        seed=20240611)
    m = build_methods(demo_project, n_boot=10)
    assert m.seed_logged == 20240611
    assert f"2 of 6 sessions ({', '.join(info.sessions)};" in m.markdown
    assert "drawn at random with seed 20240611" in m.markdown
    assert "recorded in the project's audit log" in m.markdown


def test_a_seed_changed_behind_the_log_is_flagged(demo_project):
    from themeqa.store.models import CredibilityCheck

    info = sample_check(demo_project, coder_b="ben", coder_a="amira", sessions=2, seed=5)
    with demo_project.transaction() as s:
        s.get(CredibilityCheck, info.id).seed = 6
    text = build_methods(demo_project, n_boot=10).markdown
    assert "[Check: the audit log records seed 5, the check 6.]" in text


def test_write_refuses_a_non_markdown_file_and_writes_nothing(demo_project, tmp_path):
    with pytest.raises(InputError):
        write_methods(demo_project, tmp_path / "methods.docx", n_boot=10)
    assert not (tmp_path / "methods.docx").exists()
    out = write_methods(demo_project, tmp_path / "methods.md", n_boot=10)
    assert out.read_text(encoding="utf-8").startswith("# Method")


def test_a_new_document_version_is_not_counted_twice(demo_project, tmp_path):
    """De-identifying S2 makes a new version with copies of its codings; the template counts
    the current versions only, so the coders' numbers stay what they were."""
    from themeqa.services.deidentify import apply_review, propose, write_review

    before = {c["name"]: (c["codings"], c["documents"])
              for c in build_methods(demo_project, n_boot=10).coders}
    proposals, _ = propose(demo_project, documents=["S2_focus_group.txt"], names=["Bess"],
                           dates=False, use_ner=False)
    assert proposals
    review = write_review(proposals, tmp_path / "review.csv")
    apply_review(demo_project, review, mapping_file=tmp_path / "key.csv")
    m = build_methods(demo_project, n_boot=10)
    assert {c["name"]: (c["codings"], c["documents"]) for c in m.coders} == before
    assert before["ben"] == (82, 2)  # the demo: ben double-coded S2 and S5 (82 codings)
    assert m.documents_by_kind == {"transcript": 6, "written": 81}
