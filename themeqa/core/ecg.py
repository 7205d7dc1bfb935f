"""R-peaks from a raw ECG, heart-rate series and event-related heart rate (numpy/scipy only).

Why in core: detection and the event-related HR are pure signal processing that must be
testable without the optional ``physio`` extra; ``themeqa.ingest.ecg`` adds neurokit2's
detector beside this one.

* :func:`pan_tompkins` - Pan & Tompkins (1985), "A real-time QRS detection algorithm",
  *IEEE Trans Biomed Eng* 32:230-236: band-pass 5-15 Hz, five-point derivative, squaring,
  150 ms moving-window integration, then adaptive signal/noise thresholds
  (SPKI = 0.125 peak + 0.875 SPKI, NPKI likewise; THRESHOLD1 = NPKI + 0.25 (SPKI - NPKI)),
  a 200 ms refractory period and a search-back with THRESHOLD2 = THRESHOLD1 / 2 when no beat
  is found for 166 % of the average RR interval. Simplifications (documented so results
  can be compared): the band-pass is a zero-phase 2nd-order Butterworth (``filtfilt``)
  instead of the original integer-coefficient filters at 200 Hz, the thresholds are learned
  on the first 2 s, and the T-wave slope test is left out (the refractory period and
  search-back handle most T waves at rest).
* :func:`refine_peaks` - each detected peak moved to the local maximum of the signal within
  +/- ``window_s`` (the integrator output lags the R wave).
* :func:`heart_rate_series` - instantaneous HR (60000 / IBI ms) at each beat, interpolated on
  an even grid.
* :func:`event_related_hr` - HR change from a pre-event baseline mean and its area under the
  curve by the trapezoid rule, per marked epoch (as in event-related cardiac analyses, e.g.
  Bradley, Codispoti, Cuthbert & Lang 2001, *Emotion* 1:276-298).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import signal
from scipy.integrate import trapezoid

__all__ = [
    "ECGError",
    "EpochHR",
    "event_related_hr",
    "heart_rate_series",
    "ibi_ms",
    "pan_tompkins",
    "refine_peaks",
]


class ECGError(ValueError):
    """The signal or the epochs cannot be analysed as asked."""


def _signal(ecg: Sequence[float] | np.ndarray, fs: float) -> np.ndarray:
    x = np.asarray(ecg, dtype=float).ravel()
    if fs <= 0:
        raise ECGError(f"sampling rate must be positive, got {fs}")
    if x.size < int(2 * fs):
        raise ECGError(f"need at least 2 s of signal, got {x.size / fs:.2f} s")
    if not np.isfinite(x).all():
        raise ECGError("the ECG contains missing or infinite samples")
    return x


def pan_tompkins(ecg: Sequence[float] | np.ndarray, fs: float) -> np.ndarray:
    """Sample indices of R-peaks by the Pan-Tompkins algorithm (see module docstring).

    The returned indices are the maxima of the *band-passed* signal near each detection;
    pass them through :func:`refine_peaks` on the raw signal for the R-wave apex.
    """
    x = _signal(ecg, fs)
    nyq = fs / 2
    if nyq <= 15:
        raise ECGError(f"sampling rate {fs} Hz is too low for a 5-15 Hz band-pass")
    b, a = signal.butter(2, [5 / nyq, 15 / nyq], btype="band")
    filtered = signal.filtfilt(b, a, x)
    # five-point derivative: y(n) = (1/8T)(-x(n-2) - 2x(n-1) + 2x(n+1) + x(n+2))
    deriv = np.convolve(filtered, np.array([1, 2, 0, -2, -1]) * fs / 8.0, mode="same")
    squared = deriv**2
    win = max(1, round(0.150 * fs))
    integrated = np.convolve(squared, np.ones(win) / win, mode="same")

    refractory = round(0.200 * fs)
    cand, _ = signal.find_peaks(integrated, distance=refractory)
    if cand.size == 0:
        return np.array([], dtype=int)
    learn = integrated[: int(2 * fs)]
    spki = 0.25 * float(learn.max())
    npki = 0.5 * float(learn.mean())
    thr1 = npki + 0.25 * (spki - npki)
    beats: list[int] = []
    rr_recent: list[int] = []

    def accept(i: int) -> None:
        nonlocal spki
        spki = 0.125 * integrated[i] + 0.875 * spki
        if beats:
            rr_recent.append(i - beats[-1])
            del rr_recent[:-8]
        beats.append(i)

    k = 0
    while k < cand.size:
        i = int(cand[k])
        if beats and i - beats[-1] < refractory:
            k += 1
            continue
        if integrated[i] > thr1:
            accept(i)
        else:
            npki = 0.125 * integrated[i] + 0.875 * npki
        # search-back: a gap of 166 % of the mean RR -> best candidate above THRESHOLD2
        if beats and len(rr_recent) >= 2:
            rr_mean = float(np.mean(rr_recent))
            nxt = int(cand[k + 1]) if k + 1 < cand.size else x.size
            if nxt - beats[-1] > 1.66 * rr_mean:
                gap = cand[(cand > beats[-1] + refractory) & (cand < nxt)]
                gap = gap[integrated[gap] > thr1 / 2]
                if gap.size:
                    best = int(gap[np.argmax(integrated[gap])])
                    spki = 0.25 * integrated[best] + 0.75 * spki
                    accept(best)
                    k = int(np.searchsorted(cand, best)) + 1
                    thr1 = npki + 0.25 * (spki - npki)
                    continue
        thr1 = npki + 0.25 * (spki - npki)
        k += 1
    # the centred integrator peaks near the QRS centre: report the band-passed maximum
    # around each detection
    return refine_peaks(np.abs(filtered), np.array(beats, dtype=int), fs, window_s=0.075)


def refine_peaks(
    ecg: Sequence[float] | np.ndarray,
    peaks: Sequence[int] | np.ndarray,
    fs: float,
    *,
    window_s: float = 0.05,
    direction: str = "both",
) -> np.ndarray:
    """Move each peak to the largest sample of ``ecg`` within ``window_s`` seconds.

    ``direction``: ``both`` (+/- window), ``before`` (window before the peak, inclusive).
    Duplicates that two detections may collapse to are removed; the result is sorted. A
    maximum on the first or last sample is dropped: it is an edge (a filter transient or a
    beat cut off by the recording), not a peak.
    """
    x = np.asarray(ecg, dtype=float).ravel()
    half = max(1, round(window_s * fs))
    out = []
    for p in np.asarray(peaks, dtype=int):
        lo = max(0, p - half)
        hi = min(x.size, p + 1 if direction == "before" else p + half + 1)
        if lo >= hi:
            continue
        best = lo + int(np.argmax(x[lo:hi]))
        if 0 < best < x.size - 1:
            out.append(best)
    return np.unique(np.array(out, dtype=int))


def ibi_ms(peaks: Sequence[int] | np.ndarray, fs: float) -> np.ndarray:
    """Inter-beat intervals in ms from peak sample indices."""
    p = np.asarray(peaks, dtype=float)
    if p.size < 2:
        raise ECGError("need at least two R-peaks for an inter-beat interval")
    return np.diff(p) * 1000.0 / fs


def heart_rate_series(
    peaks: Sequence[int] | np.ndarray, fs: float, *, fs_out: float = 4.0
) -> tuple[np.ndarray, np.ndarray]:
    """``(t_seconds, hr_bpm)``: 60000 / IBI placed at the beat ending each interval, linearly
    interpolated on an even grid at ``fs_out`` Hz from the second beat to the last."""
    ibi = ibi_ms(peaks, fs)
    beat_t = np.asarray(peaks, dtype=float)[1:] / fs
    hr = 60000.0 / ibi
    if beat_t.size == 1:
        return beat_t, hr
    grid = np.arange(beat_t[0], beat_t[-1] + 1e-9, 1.0 / fs_out)
    return grid, np.interp(grid, beat_t, hr)


@dataclass(frozen=True)
class EpochHR:
    """One epoch: baseline mean HR (bpm), the HR change curve after the event, its mean and
    its area under the curve (bpm x s, trapezoid rule)."""

    onset: float
    baseline_hr: float
    t: np.ndarray  # seconds from onset
    change: np.ndarray  # HR minus the baseline mean (bpm)
    mean_change: float
    auc: float


def event_related_hr(
    t: Sequence[float] | np.ndarray,
    hr: Sequence[float] | np.ndarray,
    onsets: Sequence[float],
    *,
    baseline: tuple[float, float] = (-5.0, 0.0),
    window: tuple[float, float] = (0.0, 30.0),
) -> list[EpochHR]:
    """Baseline-corrected HR after each event onset (seconds) and its AUC.

    Baseline: mean HR over ``onset + baseline`` (e.g. the 5 s before the event). Response:
    HR minus that mean over ``onset + window``; AUC = ``trapezoid(change, t)`` in bpm x s
    (positive for acceleration). Epochs whose baseline or window fall outside the series
    raise :class:`ECGError` naming the onset.
    """
    tt = np.asarray(t, dtype=float)
    yy = np.asarray(hr, dtype=float)
    if tt.shape != yy.shape or tt.size < 2:
        raise ECGError("t and hr must be equal-length series of at least two samples")
    out = []
    for onset in onsets:
        b0, b1 = onset + baseline[0], onset + baseline[1]
        w0, w1 = onset + window[0], onset + window[1]
        if b0 < tt[0] - 1e-9 or w1 > tt[-1] + 1e-9:
            raise ECGError(
                f"epoch at {onset:g} s needs {b0:g}-{w1:g} s, but the HR series "
                f"covers {tt[0]:g}-{tt[-1]:g} s"
            )
        bmask = (tt >= b0 - 1e-9) & (tt <= b1 + 1e-9)
        if not bmask.any():
            raise ECGError(f"no HR samples in the baseline of the epoch at {onset:g} s")
        base = float(yy[bmask].mean())
        wmask = (tt >= w0 - 1e-9) & (tt <= w1 + 1e-9)
        rel_t = tt[wmask] - onset
        change = yy[wmask] - base
        out.append(
            EpochHR(
                onset=float(onset),
                baseline_hr=base,
                t=rel_t,
                change=change,
                mean_change=float(change.mean()),
                auc=float(trapezoid(change, rel_t)),
            )
        )
    return out
