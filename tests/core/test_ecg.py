"""Pan-Tompkins R-peaks, refinement, HR series and event-related HR on signals built here."""

from __future__ import annotations

import numpy as np
import pytest

from themeqa.core.ecg import (
    ECGError,
    event_related_hr,
    heart_rate_series,
    ibi_ms,
    pan_tompkins,
    refine_peaks,
)

FS = 250.0


def pulse_train(
    beat_times_s: np.ndarray, duration_s: float, fs: float = FS, noise: float = 0.02, seed: int = 0
) -> np.ndarray:
    """A crude ECG: a narrow QRS-like Gaussian (sd 10 ms) at each beat, a broad T wave
    (sd 40 ms, 0.3 of the height, 250 ms later), slow baseline wander and white noise."""
    t = np.arange(int(duration_s * fs)) / fs
    x = 0.1 * np.sin(2 * np.pi * 0.2 * t)
    for b in beat_times_s:
        x += np.exp(-0.5 * ((t - b) / 0.010) ** 2)
        x += 0.3 * np.exp(-0.5 * ((t - b - 0.25) / 0.040) ** 2)
    return x + np.random.default_rng(seed).normal(0, noise, t.size)


def test_pan_tompkins_finds_every_beat_of_a_variable_rhythm():
    rng = np.random.default_rng(1)
    rr = rng.uniform(0.65, 1.05, 70)  # 57-92 beats/min
    beats = 0.5 + np.cumsum(rr)
    beats = beats[beats < 59.5]
    x = pulse_train(beats, 60.0)
    found = refine_peaks(x, pan_tompkins(x, FS), FS)
    assert found.size == beats.size
    # each refined peak is the sample nearest the true beat (within one sample)
    assert np.abs(found / FS - beats).max() <= 1.0 / FS + 1e-9


def test_refine_moves_to_local_maximum():
    x = np.zeros(100)
    x[40] = 5.0
    x[45] = 3.0
    assert refine_peaks(x, [43, 47], fs=100, window_s=0.05).tolist() == [40, 45]
    assert refine_peaks(x, [43, 41], fs=100, window_s=0.05).tolist() == [40]  # merged


def test_ibi_and_hr_series_by_hand():
    peaks = np.array([0, 250, 500, 800])  # at 250 Hz: IBIs 1000, 1000, 1200 ms
    assert ibi_ms(peaks, 250).tolist() == [1000.0, 1000.0, 1200.0]
    t, hr = heart_rate_series(peaks, 250, fs_out=4)
    # beats at 1.0 s (60 bpm), 2.0 s (60), 3.2 s (50); grid 1.0, 1.25, ... 3.0
    assert t[0] == 1.0 and t[-1] == pytest.approx(3.0)
    assert hr[t.tolist().index(2.0)] == pytest.approx(60.0)
    # halfway between 2.0 s (60) and 3.2 s (50): 2.6 s is not on the grid; 2.5 s is 5/12 in
    assert hr[t.tolist().index(2.5)] == pytest.approx(60 - 10 * 0.5 / 1.2)


def test_event_related_hr_baseline_and_trapezoid_auc_by_hand():
    t = np.arange(0, 40.001, 0.25)
    hr = np.where(t < 10, 60.0, 70.0)  # a step of +10 bpm at 10 s
    hr[(t >= 20)] = 65.0
    (ep,) = event_related_hr(t, hr, [10.0], baseline=(-5, 0), window=(0, 20))
    # baseline covers 5.0..10.0 s: 20 samples at 60 and the sample at 10.0 s at 70
    assert ep.baseline_hr == pytest.approx((20 * 60 + 70) / 21)
    b = ep.baseline_hr
    # change is 70-b on 0..9.75 s and 65-b on 10..20 s; the trapezoid over the step
    # 9.75..10.0 s is 0.25 * ((70-b) + (65-b)) / 2, i.e. 0.25 * 5 / 2 less than a sharp step
    assert ep.auc == pytest.approx(10 * (70 - b) + 10 * (65 - b) - 0.25 * 5 / 2)
    assert ep.t[0] == 0 and ep.t[-1] == 20
    with pytest.raises(ECGError, match="epoch at 35"):
        event_related_hr(t, hr, [35.0], window=(0, 10))


def test_bad_signals():
    with pytest.raises(ECGError, match="at least 2 s"):
        pan_tompkins(np.zeros(100), 250)
    with pytest.raises(ECGError, match="too low"):
        pan_tompkins(np.zeros(100), 20)
    with pytest.raises(ECGError, match="two R-peaks"):
        ibi_ms([5], 250)
