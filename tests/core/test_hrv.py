"""HRV indices: hand examples, direct numpy computation, synthetic spectra, ectopic correction."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from themeqa.core.hrv import (
    HRVError,
    correct_ectopic,
    frequency_domain,
    resample_tachogram,
    time_domain,
)

CONFORMANCE = Path(__file__).resolve().parents[2].parent / "shared" / "conformance"
HRV_DIR = CONFORMANCE / "hrv"
needs_hrv = pytest.mark.skipif(
    not HRV_DIR.is_dir(), reason=f"conformance data not present at {HRV_DIR}"
)


def test_time_domain_hand_example_five_intervals():
    # rr = 800, 850, 780, 900, 870: mean 4200/5 = 840
    # deviations -40, 10, -60, 60, 30 -> squares sum 9800 -> sdnn = sqrt(9800/4) = sqrt(2450)
    # diffs 50, -70, 120, -30 -> squares sum 22700 -> rmssd = sqrt(22700/4) = sqrt(5675)
    # |diff| > 50: 70 and 120 (50 itself is not > 50) -> nn50 = 2, pnn50 = 2/4 = 50 %
    td = time_domain([800, 850, 780, 900, 870])
    assert td.n == 5
    assert td.mean_nn == 840
    assert td.sdnn == pytest.approx(np.sqrt(2450))
    assert td.rmssd == pytest.approx(np.sqrt(5675))
    assert td.nn50 == 2
    assert td.pnn50 == 50.0
    assert td.mean_hr == pytest.approx(60000 / 840)


def test_time_domain_against_direct_numpy():
    rng = np.random.default_rng(20240521)
    rr = 820 + np.cumsum(rng.normal(0, 15, 400)) * 0.3 + rng.normal(0, 40, 400)
    td = time_domain(rr)
    d = np.diff(rr)
    assert td.mean_nn == pytest.approx(rr.sum() / rr.size)
    assert td.sdnn == pytest.approx(np.sqrt(((rr - rr.mean()) ** 2).sum() / (rr.size - 1)))
    assert td.rmssd == pytest.approx(np.sqrt((d**2).sum() / d.size))
    assert td.nn50 == sum(abs(x) > 50 for x in d)
    assert td.pnn50 == pytest.approx(100 * td.nn50 / (rr.size - 1))
    assert td.mean_hr == pytest.approx(60000 / rr.mean())
    assert set(td.as_dict()) == {"n", "mean_nn", "sdnn", "rmssd", "nn50", "pnn50", "mean_hr"}


def test_time_domain_published_example_of_hrv_package():
    """rhenanbartels/hrv tests/test_classical.py: FAKE_RRI = [800, 810, 815, 750] gives
    rmssd 38.07, sdnn 29.82, nn50 1, pnn50 33.33, mrri 793.75 and mhr 75.67. Their mhr is the
    mean of instantaneous rates; ours is 60000/mean_nn = 75.59 (documented choice)."""
    td = time_domain([800, 810, 815, 750])
    assert td.rmssd == pytest.approx(38.07, abs=0.01)
    assert td.sdnn == pytest.approx(29.82, abs=0.01)
    assert (td.nn50, round(td.pnn50, 2), td.mean_nn) == (1, 33.33, 793.75)
    assert td.mean_hr == pytest.approx(75.59, abs=0.01)
    assert np.mean(60000 / np.array([800, 810, 815, 750])) == pytest.approx(75.67, abs=0.01)


@pytest.mark.parametrize(
    "bad", [[800], [800, -1, 800], [800, np.nan, 800], [[800, 800]], [0.8, 0.81, 0.79]]
)
def test_time_domain_rejects_bad_input(bad):
    with pytest.raises(HRVError):
        time_domain(bad)


def synthetic_rr(freq_hz: float, seconds: float = 300.0, amp: float = 50.0) -> np.ndarray:
    """RR = 1000 + amp * sin(2 pi f t) ms, each interval evaluated at its cumulative time."""
    t, rr = 0.0, []
    while t < seconds:
        value = 1000.0 + amp * np.sin(2 * np.pi * freq_hz * t)
        rr.append(value)
        t += value / 1000.0
    return np.array(rr)


def test_frequency_domain_hf_dominates_at_025_hz():
    fd = frequency_domain(synthetic_rr(0.25))
    assert fd.hf_peak == pytest.approx(0.25, abs=1 / 64)
    assert fd.hf > 100 * fd.lf
    assert fd.nhf > 0.99 and fd.lf_hf < 0.01
    # a sinusoid of amplitude 50 ms has variance 50**2 / 2 = 1250 ms^2
    assert fd.hf == pytest.approx(1250, rel=0.1)
    assert (fd.fs, fd.nperseg, fd.noverlap) == (4.0, 256, 128)


def test_frequency_domain_lf_dominates_at_01_hz():
    fd = frequency_domain(synthetic_rr(0.1))
    assert fd.lf_peak == pytest.approx(0.1, abs=1 / 64)
    assert fd.lf > 100 * fd.hf
    assert fd.nhf < 0.01 and fd.lf_hf > 100
    assert fd.lf == pytest.approx(1250, rel=0.1)


def test_frequency_domain_too_short_for_lf():
    with pytest.raises(HRVError, match="at least 120 s"):
        frequency_domain(np.full(100, 1000.0))  # 100 s


def test_resample_grid():
    t, x = resample_tachogram([1000, 1000, 1000, 1000, 1000], fs=4.0)
    np.testing.assert_allclose(t, np.arange(0, 4, 0.25))
    np.testing.assert_allclose(x, 1000.0)


def smooth_rr(n: int = 300) -> np.ndarray:
    i = np.arange(n)
    return 800 + 30 * np.sin(2 * np.pi * i / 20)


def test_correct_ectopic_clean_series_untouched():
    rr = smooth_rr()
    corrected, n = correct_ectopic(rr)
    assert n == 0
    np.testing.assert_array_equal(corrected, rr)


def test_correct_ectopic_detects_injected_artefacts():
    clean = smooth_rr()
    rr = clean.copy()
    rr[50] = 1600  # missed beat
    rr[120] = 400  # extra beat
    rr[200], rr[201] = 600, 1000  # premature beat + compensatory pause
    rr[0] = 1300  # artefact at the start
    corrected, n = correct_ectopic(rr)
    assert n == 5
    for i in (0, 50, 120, 200, 201):
        assert abs(corrected[i] - clean[i]) < 40
    untouched = np.setdiff1d(np.arange(rr.size), [0, 50, 120, 200, 201])
    np.testing.assert_array_equal(corrected[untouched], rr[untouched])


def test_correct_ectopic_threshold_is_configurable():
    rr = smooth_rr()
    rr[100] = rr[100] * 1.15  # 15 % off: kept at 20 %, flagged at 10 %
    assert correct_ectopic(rr)[1] == 0
    assert correct_ectopic(rr, threshold=0.10)[1] == 1
    with pytest.raises(HRVError):
        correct_ectopic(rr, threshold=20)


# --- conformance: RR files from HRV libraries -------------------------------------------------


def _rr_files() -> list[Path]:
    return sorted(HRV_DIR.iterdir()) if HRV_DIR.is_dir() else []


@needs_hrv
@pytest.mark.parametrize("path", _rr_files(), ids=lambda p: p.name)
def test_conformance_files_time_domain_plausible(path):
    from themeqa.ingest.rr import read_rr  # test-only use of the ingest layer

    rec = read_rr(path)
    td = time_domain(rec.rr)
    assert 300 <= td.mean_nn <= 2000
    assert 0 < td.sdnn < 500 and 0 < td.rmssd < 500
    assert 0 <= td.pnn50 <= 100
    assert 30 <= td.mean_hr <= 200


@needs_hrv
def test_conformance_hrv_package_real_rri_frequency_domain():
    """rhenanbartels/hrv documents, for tests/test_files/real_rri.txt with Welch nperseg=256,
    noverlap=128, Hann window, cubic-spline 4 Hz resampling and per-segment mean removal:
    lf 1343.51, hf 1414.88, lf_hf 0.94 (2 decimals, abs tol 0.015), hfnu 51.28 %. Their
    reader drops the file's trailing 0 line, as ours does."""
    from themeqa.ingest.rr import read_rr

    rec = read_rr(HRV_DIR / "hrv_real_rri.txt")
    assert rec.rr.size == 771
    fd = frequency_domain(rec.rr, nperseg=256, noverlap=128, detrend="constant")
    assert fd.lf == pytest.approx(1343.51, abs=0.01)
    assert fd.hf == pytest.approx(1414.88, abs=0.01)
    assert fd.lf_hf == pytest.approx(0.94, abs=0.015)
    assert 100 * fd.nhf == pytest.approx(51.28, abs=0.015)
    # our default (whole-series linear detrend first) barely changes this recording
    assert frequency_domain(rec.rr).lf == pytest.approx(1343.5, rel=0.01)
