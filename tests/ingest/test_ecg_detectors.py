"""R-peak detectors on neurokit2's ECGSYN simulation (McSharry et al. 2003) at a known rate."""

from __future__ import annotations

import numpy as np
import pytest

from themeqa.core.ecg import ECGError, event_related_hr, heart_rate_series, ibi_ms
from themeqa.ingest.ecg import detect_r_peaks

nk = pytest.importorskip("neurokit2", reason="neurokit2 (extra 'physio') is not installed")

FS = 500


@pytest.fixture(scope="module", params=[55, 70, 95])
def simulated(request):
    hr = request.param
    ecg = nk.ecg_simulate(
        duration=120, sampling_rate=FS, heart_rate=hr, heart_rate_std=1, random_state=42
    )
    return hr, np.asarray(ecg)


@pytest.mark.parametrize("method", ["neurokit", "pantompkins"])
def test_detected_rate_matches_the_simulated_heart_rate(simulated, method):
    hr, ecg = simulated
    peaks = detect_r_peaks(ecg, FS, method=method)
    expected_beats = hr * 120 / 60
    assert abs(peaks.size - expected_beats) <= 2
    mean_hr = 60000 / ibi_ms(peaks, FS).mean()
    assert mean_hr == pytest.approx(hr, abs=1.0)
    # refined peaks are local maxima of the raw signal
    inner = peaks[(peaks > 25) & (peaks < ecg.size - 25)]
    assert all(ecg[p] == ecg[p - 25 : p + 26].max() for p in inner)


def test_both_detectors_agree_beat_by_beat(simulated):
    _, ecg = simulated
    # beats in the last/first half second may be cut off; one detector may keep them
    inner = slice(FS // 2, ecg.size - FS // 2)
    a = detect_r_peaks(ecg, FS, method="neurokit")
    b = detect_r_peaks(ecg, FS, method="pantompkins")
    a = a[(a >= inner.start) & (a < inner.stop)]
    b = b[(b >= inner.start) & (b < inner.stop)]
    assert a.size == b.size
    assert np.abs(a - b).max() <= 2  # samples (4 ms at 500 Hz)


def test_event_related_hr_on_simulation(simulated):
    hr, ecg = simulated
    t, series = heart_rate_series(detect_r_peaks(ecg, FS), FS)
    (ep,) = event_related_hr(t, series, [60.0], baseline=(-10, 0), window=(0, 20))
    assert ep.baseline_hr == pytest.approx(hr, abs=2.0)
    assert abs(ep.mean_change) < 3.0  # no event in the simulation: no systematic change
    assert ep.auc == pytest.approx(np.trapezoid(ep.change, ep.t))


def test_unknown_method():
    with pytest.raises(ECGError, match="method"):
        detect_r_peaks(np.zeros(2000), FS, method="hamilton")
