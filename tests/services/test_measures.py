"""Measures service: id linking with confirmation, all-or-nothing import, scoring, HRV."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sqlmodel import select

from tests.conftest import CONFORMANCE
from themeqa.errors import InputError, NotFoundError
from themeqa.services.measures import (
    compute_hrv,
    import_measures,
    list_variables,
    match_ids,
    measure_frame,
    preview_measures,
    score_measures,
)
from themeqa.services.participants import import_participants
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


def _count(project, model) -> int:
    with project.reading() as s:
        return len(s.exec(select(model)).all())


def test_match_ids_exact_normalised_similar_and_unmatched():
    pids = ["P01", "P02", "P07", "P10", "Anna"]
    exact, proposals, unmatched = match_ids(["P01", "P7", "p 02", "Ana", "Z99"], pids)
    assert exact == {"P01": "P01"}
    got = {(m.given, m.pid, m.reason) for m in proposals}
    assert got == {
        ("P7", "P07", "normalised"),
        ("p 02", "P02", "normalised"),
        ("Ana", "Anna", "similar"),
    }
    assert unmatched == ["Z99"]


def test_near_misses_need_confirmation_and_nothing_is_half_written(study, tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("id,score,mood\nP01,3.5,ok\nP7,2,low\nX99,1,\n", encoding="utf-8")
    plan = preview_measures(study, f)
    assert plan.exact == ["P01"] and [m.pid for m in plan.proposals] == ["P07"]
    assert plan.unmatched == ["X99"]
    with pytest.raises(InputError, match=r"P7 -> P07.*--accept-matches"):
        import_measures(study, f)
    assert _count(study, MeasureVariable) == 0 and _count(study, MeasureValue) == 0
    done = import_measures(study, f, accept_matches=True)
    assert done.accepted and done.values_written == 4 and done.unmatched == ["X99"]
    frame = measure_frame(study)
    assert frame.loc["P01", "score"] == 3.5 and frame.loc["P07", "score"] == 2.0
    assert frame.loc["P07", "mood"] == "low" and math.isnan(frame.loc["P02", "score"])
    with study.reading() as s:
        ev = s.exec(select(AuditEvent).where(AuditEvent.entity == "measure_file")).one()
    assert ev.after["matched"] == {"P01": "P01", "P7": "P07"}
    # importing again: the variables exist
    with pytest.raises(InputError, match="already exists"):
        import_measures(study, f, accept_matches=True)
    import_measures(study, f, accept_matches=True, replace=True)
    assert _count(study, MeasureValue) == 4


def _three_ids(tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("id,pss\nP01,12\np7 ,20\np 02,9\nX99,4\n", encoding="utf-8")
    return f


def test_preview_reports_prefixed_names_and_existing_variables_without_writing(
    study, tmp_path
):
    f = _three_ids(tmp_path)
    events = _count(study, AuditEvent)
    plan = preview_measures(study, f, prefix="t1_")
    assert plan.variables == ["t1_pss"] and plan.existing == []
    assert {(m.given, m.pid) for m in plan.proposals} == {("p7", "P07"), ("p 02", "P02")}
    assert plan.exact == ["P01"] and plan.unmatched == ["X99"]
    assert _count(study, MeasureVariable) == 0 and _count(study, AuditEvent) == events
    import_measures(study, f, accept={"p7": "P07"}, prefix="t1_")
    assert preview_measures(study, f, prefix="t1_").existing == ["t1_pss"]
    assert preview_measures(study, f).existing == []
    with pytest.raises(InputError, match="'t 1pss' is not usable"):
        preview_measures(study, f, prefix="t 1")


def test_accept_links_only_the_chosen_near_misses(study, tmp_path):
    f = _three_ids(tmp_path)
    done = import_measures(study, f, accept={"p7": "P07"})
    assert done.accepted and done.rejected == ["p 02"] and done.unmatched == ["X99"]
    assert done.values_written == 2
    frame = measure_frame(study)
    assert frame.loc["P01", "pss"] == 12 and frame.loc["P07", "pss"] == 20
    assert math.isnan(frame.loc["P02", "pss"])  # rejected: the row of 'p 02' was skipped
    with study.reading() as s:
        ev = s.exec(select(AuditEvent).where(AuditEvent.entity == "measure_file")).one()
    assert ev.after["matched"] == {"P01": "P01", "p7": "P07"}
    assert ev.after["rejected"] == {"p 02": "P02"} and ev.after["unmatched"] == ["X99"]


def test_accept_nothing_rejects_every_near_miss(study, tmp_path):
    f = _three_ids(tmp_path)
    done = import_measures(study, f, accept={})
    assert not done.accepted and sorted(done.rejected) == ["p 02", "p7"]
    assert done.values_written == 1 and measure_frame(study)["pss"].notna().sum() == 1


def test_accept_of_a_pair_that_is_no_longer_proposed_writes_nothing(study, tmp_path):
    f = _three_ids(tmp_path)
    with pytest.raises(InputError, match=r"p7 -> P08 is no longer a proposed match"):
        import_measures(study, f, accept={"p7": "P08"})
    with pytest.raises(InputError, match=r"P01 -> P01 is no longer"):
        import_measures(study, f, accept={"P01": "P01"})  # exact ids are not proposals
    assert _count(study, MeasureVariable) == 0 and _count(study, MeasureValue) == 0


def test_rejecting_the_only_ids_imports_nothing(study, tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("id,pss\np7,20\nX99,4\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"no id is linked.*p7, X99.*nothing was imported"):
        import_measures(study, f, accept={})
    assert _count(study, MeasureVariable) == 0


def test_bad_variable_name_rolls_back_everything(study, tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("id,good,bad name\nP01,1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="'bad name' is not usable"):
        import_measures(study, f)
    assert _count(study, MeasureVariable) == 0


def test_sav_import_keeps_labels_and_missing_codes(study, tmp_path):
    import pandas as pd
    import pyreadstat

    df = pd.DataFrame({"pid": ["P01", "P02"], "grp": [1.0, -9.0]})
    f = tmp_path / "m.sav"
    pyreadstat.write_sav(
        df,
        str(f),
        column_labels={"pid": "id", "grp": "Group"},
        variable_value_labels={"grp": {1: "one", -9: "missing"}},
        missing_ranges={"grp": [-9]},
    )
    res = import_measures(study, f, prefix="t1_", timepoint="initial")
    assert res.variables == ["t1_grp"] and res.user_missing == 1
    (info,) = list_variables(study)
    assert info.label == "Group" and info.value_labels == {"1": "one", "-9": "missing"}
    assert info.missing_values == [-9.0] and info.timepoint == "initial" and info.n == 1


def _scs_rows(rng, ids):
    return {pid: rng.integers(1, 6, 26) for pid in ids}


def test_score_scs26_from_imported_items_matches_core(study, tmp_path):
    from themeqa.core.scales import score_scale

    rng = np.random.default_rng(5)
    rows = _scs_rows(rng, [f"P{i:02d}" for i in range(1, 11)])
    lines = ["pid," + ",".join(f"scs_{i}" for i in range(1, 27))]
    for pid, vals in rows.items():
        cells = [str(v) for v in vals]
        if pid == "P03":
            cells[0] = ""  # one missing self-judgment item: prorated
        lines.append(pid + "," + ",".join(cells))
    f = tmp_path / "scs.csv"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_measures(study, f)
    out = score_measures(study, "scs26")
    assert out["variables"][-1] == "scs26_total" and out["n_scored"] == 10
    frame = measure_frame(study)
    # hand check for P01: self-kindness = mean of items 5, 12, 19, 23, 26
    p1 = rows["P01"]
    assert frame.loc["P01", "scs26_self_kindness"] == pytest.approx(
        np.mean([p1[4], p1[11], p1[18], p1[22], p1[25]])
    )
    # total = mean of six subscale means with negative ones reversed (6 - x)
    sj = np.mean([p1[i - 1] for i in (1, 8, 11, 16, 21)])
    assert frame.loc["P01", "scs26_self_judgment"] == pytest.approx(sj)
    ref = score_scale(frame[[f"scs_{i}" for i in range(1, 27)]].dropna(how="all"), "scs26")
    assert frame.loc["P03", "scs26_total"] == pytest.approx(ref.loc["P03", "total"])
    assert math.isnan(frame.loc["P11", "scs26_total"])  # no items: not scored
    # scoring again overwrites (no duplicate variables)
    score_measures(study, "scs26")
    assert sum(v.source == "score:scs26" for v in list_variables(study)) == 7


def test_score_errors_are_input_errors(study, tmp_path):
    with pytest.raises(InputError, match=r"could not find item columns.*--items"):
        score_measures(study, "scs26")
    with pytest.raises(InputError, match="unknown scale"):
        score_measures(study, "nope")
    with pytest.raises(NotFoundError):
        measure_frame(study, ["ghost"])


def _write_rr(path, rr):
    path.write_text("\n".join(f"{v:.1f}" for v in rr) + "\n", encoding="utf-8")


def test_hrv_from_rr_files_matches_direct_numpy(study, tmp_path):
    rng = np.random.default_rng(11)
    t = np.arange(400)
    rr1 = 850 + 40 * np.sin(2 * np.pi * 0.25 * t * 0.85) + rng.normal(0, 5, t.size)
    rr2 = 700 + rng.normal(0, 20, 150)  # 105 s: too short for LF
    d = tmp_path / "rr"
    d.mkdir()
    _write_rr(d / "P01_rest.txt", rr1)
    _write_rr(d / "P02.txt", rr2)
    out = compute_hrv(study, [d], correct=False)
    assert out["participants"] == ["P01", "P02"] and "hrv_rmssd" in out["variables"]
    assert any(n.startswith("P02: no frequency domain") for n in out["notes"])
    frame = measure_frame(study)
    rr = np.round(rr1, 1)
    assert frame.loc["P01", "hrv_rmssd"] == pytest.approx(np.sqrt(np.mean(np.diff(rr) ** 2)))
    assert frame.loc["P01", "hrv_sdnn"] == pytest.approx(np.std(rr, ddof=1))
    assert frame.loc["P01", "hrv_hf"] > frame.loc["P01", "hrv_lf"]  # 0.29 Hz breathing
    assert math.isnan(frame.loc["P02", "hrv_hf"]) and frame.loc["P02", "hrv_sdnn"] > 0


def test_hrv_near_miss_file_name_needs_confirmation(study, tmp_path):
    _write_rr(tmp_path / "P7.txt", 800 + np.zeros(10) + np.arange(10))
    with pytest.raises(InputError, match=r"P7\.txt -> P07"):
        compute_hrv(study, [tmp_path / "P7.txt"])
    out = compute_hrv(study, [tmp_path / "P7.txt"], accept_matches=True)
    assert out["participants"] == ["P07"]


@pytest.mark.conformance
def test_conformance_rr_recording_and_scs_items(study, tmp_path):
    rr_file = CONFORMANCE / "hrv" / "hrv_rest_rri.txt"
    scs = CONFORMANCE / "scs" / "scs26_items.csv"
    if not rr_file.is_file() or not scs.is_file():
        pytest.skip(f"conformance files absent under {CONFORMANCE}")
    target = tmp_path / "P05_rest.txt"
    target.write_bytes(rr_file.read_bytes())
    out = compute_hrv(study, [target])
    from themeqa.core.hrv import correct_ectopic, time_domain
    from themeqa.ingest.rr import read_rr

    rr, n = correct_ectopic(read_rr(rr_file).rr)
    assert out["n_corrected"]["P05"] == n
    assert measure_frame(study).loc["P05", "hrv_rmssd"] == pytest.approx(time_domain(rr).rmssd)
    # the first 12 rescue-worker rows, renamed P01..P12, scored like the core does
    lines = scs.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    keep = [0] + [i for i, h in enumerate(header) if h.startswith("scs_")]
    out_lines = [",".join(header[i] for i in keep)]
    for k, line in enumerate(lines[1:13], start=1):
        cells = line.split(",")
        out_lines.append(",".join([f"P{k:02d}"] + [cells[i] for i in keep[1:]]))
    f = tmp_path / "scs.csv"
    f.write_text("\n".join(out_lines) + "\n", encoding="utf-8")
    import_measures(study, f)
    assert score_measures(study, "scs26")["n_scored"] == 12
