"""ECG files -> HR variables, event-related HR from an onsets file (neurokit2 simulation)."""

from __future__ import annotations

import numpy as np
import pytest

from themeqa.core.ecg import event_related_hr, heart_rate_series, ibi_ms, refine_peaks
from themeqa.errors import InputError
from themeqa.ingest.ecg import read_ecg, read_events
from themeqa.services.measures import measure_frame
from themeqa.services.participants import import_participants
from themeqa.services.physio import compute_ecg

nk = pytest.importorskip("neurokit2", reason="neurokit2 (extra 'physio') is not installed")
FS = 250


@pytest.fixture
def study(project, tmp_path):
    f = tmp_path / "participants.csv"
    f.write_text("id,condition\nP01,M\nP02,I\n", encoding="utf-8")
    import_participants(project, f)
    return project


def _write(path, ecg, header="time,ecg"):
    lines = [header] + [f"{i / FS:.4f},{v:.5f}" for i, v in enumerate(ecg)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_ecg_variables_and_event_related_hr(study, tmp_path):
    ecgs = {
        pid: nk.ecg_simulate(duration=90, sampling_rate=FS, heart_rate=hr, random_state=7)
        for pid, hr in (("P01", 62), ("P02", 80))
    }
    for pid, x in ecgs.items():
        _write(tmp_path / f"{pid}_ecg.csv", x)
    (tmp_path / "onsets.csv").write_text(
        "participant,onset,label\nP01,20,imagery\nP01,50,imagery\nP02,40,imagery\n",
        encoding="utf-8",
    )
    assert read_events(tmp_path / "onsets.csv") == {"P01": [20.0, 50.0], "P02": [40.0]}
    out = compute_ecg(
        study,
        [tmp_path / "P01_ecg.csv", tmp_path / "P02_ecg.csv"],
        fs=FS,
        method="pantompkins",
        events=tmp_path / "onsets.csv",
        baseline=(-5, 0),
        window=(0, 20),
    )
    assert out["participants"] == ["P01", "P02"] and "ecg_er_auc" in out["variables"]
    frame = measure_frame(study)
    assert frame.loc["P01", "ecg_mean_hr"] == pytest.approx(62, abs=1.5)
    assert frame.loc["P02", "ecg_mean_hr"] == pytest.approx(80, abs=1.5)
    # recompute P01's epochs directly from the core functions on the file as read
    x = read_ecg(tmp_path / "P01_ecg.csv")
    from themeqa.core.ecg import pan_tompkins

    peaks = refine_peaks(x, pan_tompkins(x, FS), FS)
    t, hr = heart_rate_series(peaks, FS)
    eps = event_related_hr(t, hr, [20.0, 50.0], baseline=(-5, 0), window=(0, 20))
    assert frame.loc["P01", "ecg_er_auc"] == pytest.approx(np.mean([e.auc for e in eps]))
    assert frame.loc["P01", "ecg_n_beats"] == peaks.size
    assert frame.loc["P01", "ecg_rmssd"] == pytest.approx(
        np.sqrt(np.mean(np.diff(ibi_ms(peaks, FS)) ** 2))
    )


def test_ecg_errors(study, tmp_path):
    bad = tmp_path / "P01.csv"
    bad.write_text("a,b\n1,x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"P01\.csv: need at least 2 s"):
        compute_ecg(study, [bad], fs=FS)
    with pytest.raises(InputError, match="no such file"):
        compute_ecg(study, [tmp_path / "nope.csv"], fs=FS)
