"""Joint display: numbers equal scipy's on the same split, families corrected, files written."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from themeqa.errors import InputError
from themeqa.services.analyses import (
    default_measures,
    group_values,
    joint_display,
    joint_display_tables,
    write_joint_display,
)
from themeqa.services.measures import import_measures
from themeqa.services.participants import import_participants

N = 24


@pytest.fixture
def study(project, tmp_path):
    f = tmp_path / "participants.csv"
    f.write_text(
        "id,condition\n" + "".join(f"P{i:02d},{'MI'[i % 2]}\n" for i in range(1, N + 1)),
        encoding="utf-8",
    )
    import_participants(project, f)
    rng = np.random.default_rng(42)
    score = rng.normal(3, 0.6, N).round(2)
    hf = rng.lognormal(6, 0.5, N).round(1)
    score[4] = np.nan
    m = tmp_path / "m.csv"
    m.write_text(
        "pid,total,hf\n"
        + "".join(
            f"P{i + 1:02d},{'' if math.isnan(score[i]) else score[i]},{hf[i]}\n" for i in range(N)
        ),
        encoding="utf-8",
    )
    import_measures(project, m)
    presence = pd.DataFrame(
        {
            "cb:1": [i < 10 for i in range(N)],
            "cb:2": [i % 3 == 0 for i in range(N)],
            "cb:3": [True] * N,
        },
        index=pd.Index([f"P{i:02d}" for i in range(1, N + 1)], name="pid"),
    )
    return project, presence, score, hf


def test_t_tests_equal_scipy_and_holm_across_the_family(study):
    project, presence, score, _ = study
    jd = joint_display(project, measures=["total", "hf"], presence=presence, split_measure="total")
    assert jd.n_participants == N and [t.theme for t in jd.themes] == ["cb:1", "cb:2", "cb:3"]
    t1 = jd.themes[0].tests[0]
    has = presence["cb:1"].to_numpy()
    a, b = score[has], score[~has]
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    ref = sps.ttest_ind(a, b)
    assert (t1.n_with, t1.n_without) == (9, 14)  # P05 has no total
    assert t1.mean_with == pytest.approx(a.mean()) and t1.sd_without == pytest.approx(b.std(ddof=1))
    assert t1.result.t == pytest.approx(ref.statistic) and t1.result.p == pytest.approx(ref.pvalue)
    assert t1.result.welch_p == pytest.approx(sps.ttest_ind(a, b, equal_var=False).pvalue)
    # cb:3 is present for everyone: no test, and it is left out of the family (m = 4)
    assert all(t.result is None and "at least 2" in t.reason for t in jd.themes[2].tests)
    ps = [t.result.p for th in jd.themes[:2] for t in th.tests]
    order = np.argsort(ps)
    holm = np.maximum.accumulate([min(1, (4 - k) * ps[i]) for k, i in enumerate(order)])
    got = [t.p_adj for th in jd.themes[:2] for t in th.tests]
    assert [got[i] for i in order] == pytest.approx(list(holm))
    bh = joint_display(project, measures=["total", "hf"], presence=presence, correction="bh")
    assert [t.p_adj for th in bh.themes[:2] for t in th.tests] == pytest.approx(
        list(sps.false_discovery_control(ps))
    )


def test_contingency_and_correlation_families(study):
    project, presence, score, hf = study
    jd = joint_display(
        project, measures=["total", "hf"], presence=presence, split_measure="total", split=3.0
    )
    row = jd.by_condition[0]
    cond = np.array(["MI"[i % 2] for i in range(1, N + 1)])
    has = presence["cb:1"].to_numpy()
    table = [
        [int(((has) & (cond == c)).sum()) for c in ("I", "M")],
        [int(((~has) & (cond == c)).sum()) for c in ("I", "M")],
    ]
    assert row.result.table == tuple(map(tuple, table))
    assert row.result.fisher_p == pytest.approx(sps.fisher_exact(table).pvalue)
    assert jd.by_condition[2].result is None and "empty row" in jd.by_condition[2].reason
    assert jd.split == {"measure": "total", "method": "cut", "threshold": 3.0}
    grp = np.where(score >= 3.0, "High", "Low")
    ok = ~np.isnan(score)
    low_with = int((has & ok & (grp == "Low")).sum())
    assert jd.by_split[0].result.table[0][0] == low_with  # columns Low, High
    (c,) = jd.correlations
    keep = ~np.isnan(score)
    assert c.pearson.r == pytest.approx(sps.pearsonr(score[keep], hf[keep]).statistic)
    assert c.spearman.r == pytest.approx(sps.spearmanr(score[keep], hf[keep]).statistic)
    assert c.pearson.n == N - 1


def test_tables_and_file_output(study, tmp_path):
    project, presence, *_ = study
    jd = joint_display(project, measures=["total"], presence=presence, split_measure=None)
    tables = joint_display_tables(jd)
    assert [t.key for t in tables] == ["joint_display", "t_tests", "by_condition"]
    first = tables[0].rows[0]
    r = jd.themes[0].tests[0].result
    assert first[6] == f"t({r.df:.0f}) = {r.t:.2f}" and first[2] == 9
    assert "Holm" in tables[0].notes[1]


def test_errors(study):
    project, presence, *_ = study
    with pytest.raises(InputError, match="correction"):
        joint_display(project, measures=["total"], presence=presence, correction="sidak")
    assert default_measures(project) == ["total", "hf"]  # no scores yet: all numeric
    with_, without = group_values(project, "cb:1", "total", presence=presence)
    assert len(with_) == 9 and len(without) == 14


def test_demo_joint_display_to_xlsx(demo_copy, tmp_path):
    from openpyxl import load_workbook

    from themeqa.services.project import open_project
    from themeqa.services.tally import presence_matrix

    project = open_project(demo_copy, actor="tester")
    try:
        assert default_measures(project) == ["scs26_total"]
        out, jd = write_joint_display(project, tmp_path / "joint.xlsx")
        pm = presence_matrix(project)
        fear = next(t for t in jd.themes if t.theme == "inhibitors::2")
        assert fear.n_with == int(pm["inhibitors::2"].sum())
        weak = next(t for t in jd.themes if t.theme == "inhibitors::1")
        assert weak.quote and weak.quote_by.startswith("P")
        assert jd.split["measure"] == "scs26_total"
        wb = load_workbook(out)
        assert {"joint_display", "t_tests", "by_condition", "by_sc_group"} <= set(wb.sheetnames)
    finally:
        project.close()


def test_docx_notes_say_note_once(study, tmp_path):
    """Issue 22: every joint-display note in the DOCX began "Note. Note." (the writer adds the
    italic "Note." itself; the notes must not carry it too)."""
    from docx import Document

    from themeqa.reports.writers import write_tables

    project, presence, *_ = study
    jd = joint_display(project, measures=["total", "hf"], presence=presence,
                       split_measure="total")
    tables = joint_display_tables(jd)
    assert not [n for t in tables for n in t.notes if n.startswith("Note")]
    path = write_tables(tables, tmp_path / "jd.docx", "docx")
    paras = [p.text for p in Document(str(path)).paragraphs]
    firsts = [p for p in paras if p.startswith("Note.")]
    assert len(firsts) == len(tables) >= 3
    assert not [p for p in paras if "Note. Note." in p]
    assert firsts[0].startswith(f"Note. n = {N} participants. With/without = participants in ")
