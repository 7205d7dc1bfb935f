"""Heart-rate variability indices from RR/NN intervals in milliseconds.

Definitions follow the Task Force of the European Society of Cardiology and the North American
Society of Pacing and Electrophysiology (1996), "Heart rate variability: standards of
measurement, physiological interpretation and clinical use", *Circulation* 93:1043-1065
(below: Task Force 1996).

* :func:`time_domain` - mean NN, SDNN, RMSSD, NN50, pNN50, mean HR.
* :func:`frequency_domain` - LF and HF power (ms^2) from a Welch periodogram of the evenly
  resampled tachogram, LF/HF and normalised HF.
* :func:`correct_ectopic` - a simple median-threshold artefact/ectopic beat correction.

All functions take a 1-D sequence of intervals in **milliseconds** (readers in
``themeqa.ingest.rr`` convert seconds). Intervals must be finite and positive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy import signal
from scipy.integrate import trapezoid
from scipy.interpolate import CubicSpline

__all__ = [
    "HF_BAND",
    "LF_BAND",
    "MIN_LF_DURATION_S",
    "FrequencyDomain",
    "HRVError",
    "TimeDomain",
    "correct_ectopic",
    "frequency_domain",
    "resample_tachogram",
    "time_domain",
    "welch_psd",
]

LF_BAND: tuple[float, float] = (0.04, 0.15)
HF_BAND: tuple[float, float] = (0.15, 0.40)
#: Task Force (1996): "approximately 2 min" of recording are needed to assess LF.
MIN_LF_DURATION_S = 120.0


class HRVError(ValueError):
    """The intervals cannot be analysed (too few, not positive, too short for a band...)."""


def _as_rr(rr: Sequence[float] | np.ndarray, *, min_len: int = 2) -> np.ndarray:
    arr = np.asarray(rr, dtype=float)
    if arr.ndim != 1:
        raise HRVError(f"RR intervals must be a 1-D sequence, got shape {arr.shape}")
    if arr.size < min_len:
        raise HRVError(f"need at least {min_len} RR intervals, got {arr.size}")
    if not np.isfinite(arr).all():
        i = int(np.flatnonzero(~np.isfinite(arr))[0])
        raise HRVError(f"RR interval {i} is not a finite number ({arr[i]})")
    if (arr <= 0).any():
        i = int(np.flatnonzero(arr <= 0)[0])
        raise HRVError(f"RR interval {i} is not positive ({arr[i]:g} ms)")
    if arr.max() < 10:
        raise HRVError("all RR intervals are below 10: they look like seconds; pass milliseconds")
    return arr


@dataclass(frozen=True)
class TimeDomain:
    """Time-domain indices (Task Force 1996). Units: ms, count, %, beats/min."""

    n: int  #: number of intervals
    mean_nn: float  #: mean NN interval (ms)
    sdnn: float  #: standard deviation of NN intervals, ddof=1 (ms)
    rmssd: float  #: root mean square of successive differences (ms)
    nn50: int  #: successive differences with |diff| > 50 ms
    pnn50: float  #: 100 * nn50 / (n - 1), i.e. relative to the number of differences (%)
    mean_hr: float  #: 60000 / mean_nn (beats/min)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def time_domain(rr: Sequence[float] | np.ndarray) -> TimeDomain:
    """Time-domain HRV indices of NN intervals in ms (Task Force 1996, Table 1).

    * ``sdnn`` is the sample standard deviation (``ddof=1``).
    * ``rmssd = sqrt(mean(diff(rr)**2))`` over the ``n - 1`` successive differences.
    * ``nn50`` counts successive differences whose magnitude is *greater than* 50 ms (Task
      Force 1996: "number of interval differences of successive NN intervals greater than
      50 ms"); ``pnn50`` divides by the number of differences, ``n - 1``.
    * ``mean_hr = 60000 / mean_nn``: the number of beats per minute over the recording (total
      beats / total duration). Some libraries instead average the instantaneous rates
      ``60000 / rr_i``, which is never smaller (Jensen's inequality) and differs by a fraction
      of a beat per minute at rest.
    """
    arr = _as_rr(rr)
    diffs = np.diff(arr)
    mean_nn = float(arr.mean())
    nn50 = int(np.count_nonzero(np.abs(diffs) > 50.0))
    return TimeDomain(
        n=int(arr.size),
        mean_nn=mean_nn,
        sdnn=float(arr.std(ddof=1)),
        rmssd=float(np.sqrt(np.mean(diffs**2))),
        nn50=nn50,
        pnn50=100.0 * nn50 / diffs.size,
        mean_hr=60000.0 / mean_nn,
    )


@dataclass(frozen=True)
class FrequencyDomain:
    """Frequency-domain indices. Powers in ms^2, frequencies in Hz."""

    lf: float  #: power in LF_BAND (ms^2)
    hf: float  #: power in HF_BAND (ms^2)
    lf_hf: float  #: lf / hf (inf when hf == 0)
    nhf: float  #: hf / (lf + hf) (a fraction; x100 for normalised units)
    lf_peak: float  #: frequency of the PSD maximum inside LF_BAND
    hf_peak: float  #: frequency of the PSD maximum inside HF_BAND
    duration_s: float  #: recording length, sum(rr) / 1000
    fs: float  #: resampling rate
    nperseg: int  #: Welch segment length (samples)
    noverlap: int  #: Welch segment overlap (samples)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def resample_tachogram(
    rr: Sequence[float] | np.ndarray, fs: float = 4.0
) -> tuple[np.ndarray, np.ndarray]:
    """Evenly resample the RR tachogram at ``fs`` Hz by cubic-spline interpolation.

    Interval ``rr[i]`` is placed at the time of the beat that ends it, ``sum(rr[:i+1])``,
    measured from the first beat (so ``rr[0]`` sits at t = 0). The spline is scipy's
    not-a-knot ``CubicSpline``; the grid is ``0, 1/fs, ...`` up to (not past) the last beat.
    Returns ``(t_seconds, rr_ms)``.
    """
    arr = _as_rr(rr, min_len=4)
    if fs <= 0:
        raise HRVError(f"fs must be positive, got {fs}")
    beat_t = np.cumsum(arr) / 1000.0
    beat_t -= beat_t[0]
    grid = np.arange(0.0, beat_t[-1], 1.0 / fs)
    return grid, CubicSpline(beat_t, arr)(grid)


def welch_psd(
    rr: Sequence[float] | np.ndarray,
    fs: float = 4.0,
    *,
    nperseg: int = 256,
    noverlap: int | None = None,
    detrend: str | None = "linear",
) -> tuple[np.ndarray, np.ndarray]:
    """Welch PSD (ms^2/Hz) of the resampled tachogram; see :func:`frequency_domain`."""
    _, x = resample_tachogram(rr, fs)
    if detrend not in ("linear", "constant", None):
        raise HRVError(f"detrend must be 'linear', 'constant' or None, got {detrend!r}")
    if detrend is not None:
        x = signal.detrend(x, type=detrend)
    nper = min(int(nperseg), x.size)
    nover = nper // 2 if noverlap is None else int(noverlap)
    if not 0 <= nover < nper:
        raise HRVError(f"noverlap must be in 0..{nper - 1}, got {nover}")
    # Each segment also has its mean removed (scipy's detrend="constant").
    f, p = signal.welch(x, fs=fs, window="hann", nperseg=nper, noverlap=nover, detrend="constant")
    return f, p


def _band(f: np.ndarray, p: np.ndarray, band: tuple[float, float]) -> tuple[float, float]:
    mask = (f >= band[0]) & (f < band[1])
    if mask.sum() < 2:
        raise HRVError(f"fewer than two PSD bins in {band[0]}-{band[1]} Hz; use a longer nperseg")
    power = float(trapezoid(p[mask], f[mask]))
    peak = float(f[mask][np.argmax(p[mask])])
    return power, peak


def frequency_domain(
    rr: Sequence[float] | np.ndarray,
    fs: float = 4.0,
    *,
    nperseg: int = 256,
    noverlap: int | None = None,
    detrend: str | None = "linear",
) -> FrequencyDomain:
    """LF and HF power of NN intervals (ms) by Welch's method.

    Steps:

    1. Resample the tachogram at ``fs`` (default 4 Hz) by cubic-spline interpolation at the
       cumulative beat times (:func:`resample_tachogram`).
    2. Remove the linear trend of the whole resampled series (``detrend="linear"``; use
       ``"constant"`` to remove only the mean, or ``None``).
    3. Welch periodogram, Hann window, ``nperseg=256`` samples (64 s at 4 Hz: a frequency
       resolution of 1/64 Hz, so about 7 bins in LF and 16 in HF; a segment covers at least
       2.5 cycles of 0.04 Hz) with 50 % overlap (``noverlap=nperseg//2``), each segment
       mean-removed; density scaling, so the PSD is in ms^2/Hz. Averaging several 64 s
       segments trades resolution for variance, the usual choice for 2-5 min recordings.
       When the series is shorter than ``nperseg`` samples one segment of its whole length
       is used.
    4. Integrate the PSD with the trapezoid rule over the bins with
       ``0.04 <= f < 0.15`` (LF) and ``0.15 <= f < 0.40`` (HF) Hz (Task Force 1996 bands).

    ``lf_hf = lf / hf``; ``nhf = hf / (lf + hf)``.

    Raises :class:`HRVError` when the recording (``sum(rr)``) is shorter than 120 s: the Task
    Force (1996) states that about 2 min are needed to assess LF (1 min for HF).
    """
    arr = _as_rr(rr, min_len=4)
    duration = float(arr.sum() / 1000.0)
    if duration < MIN_LF_DURATION_S:
        raise HRVError(
            f"recording is {duration:.1f} s long; LF power (0.04-0.15 Hz) needs at least "
            f"{MIN_LF_DURATION_S:.0f} s of RR intervals (Task Force 1996)"
        )
    f, p = welch_psd(arr, fs, nperseg=nperseg, noverlap=noverlap, detrend=detrend)
    lf, lf_peak = _band(f, p, LF_BAND)
    hf, hf_peak = _band(f, p, HF_BAND)
    nper = min(int(nperseg), int(np.floor(duration * fs)))
    total = lf + hf
    return FrequencyDomain(
        lf=lf,
        hf=hf,
        lf_hf=lf / hf if hf > 0 else float("inf"),
        nhf=hf / total if total > 0 else float("nan"),
        lf_peak=lf_peak,
        hf_peak=hf_peak,
        duration_s=duration,
        fs=float(fs),
        nperseg=nper,
        noverlap=nper // 2 if noverlap is None else int(noverlap),
    )


def correct_ectopic(
    rr: Sequence[float] | np.ndarray,
    threshold: float = 0.20,
    *,
    half_window: int = 5,
) -> tuple[np.ndarray, int]:
    """Replace ectopic/artefact intervals; return ``(corrected_rr, n_corrected)``.

    A beat is flagged when it deviates from the median of its neighbours by more than
    ``threshold`` (default 20 %) of that median: ``|rr[i] - med[i]| > threshold * med[i]``,
    where ``med[i]`` is the median of up to ``half_window`` intervals on each side of ``i``
    (the beat itself excluded, so a single artefact cannot mask itself). Flagged intervals are
    replaced by linear interpolation (over beat index) between the nearest unflagged
    intervals; at the ends the nearest unflagged value is carried over. ``n_corrected`` is the
    number of replaced intervals. An ectopic beat usually shows as a short interval followed
    by a long compensatory one, i.e. two corrected intervals.

    This is the classic percentage rule used since Malik et al. (1989, *Eur Heart J*
    10:1060-1074; 20 % change) applied against a local median rather than the previous beat,
    the threshold-based correction described for Kubios HRV (Tarvainen et al. 2014, *Comput
    Methods Programs Biomed* 113:210-220). It is a simplification: it does not classify beats
    as Lipponen & Tarvainen (2019, *J Med Eng Technol* 43:173-181) do. Replacement keeps the
    number of intervals, so missed or extra beats change the total duration slightly.
    """
    arr = _as_rr(rr, min_len=3)
    if not 0 < threshold < 1:
        raise HRVError(f"threshold must be a fraction between 0 and 1, got {threshold}")
    if half_window < 1:
        raise HRVError(f"half_window must be at least 1, got {half_window}")
    n = arr.size
    flagged = np.zeros(n, dtype=bool)
    for i in range(n):
        lo, hi = max(0, i - half_window), min(n, i + half_window + 1)
        neighbours = np.concatenate((arr[lo:i], arr[i + 1 : hi]))
        med = float(np.median(neighbours))
        flagged[i] = abs(arr[i] - med) > threshold * med
    n_flagged = int(flagged.sum())
    if n_flagged == 0:
        return arr.copy(), 0
    if n_flagged == n:
        raise HRVError("every interval was flagged as an artefact; check the input units")
    idx = np.arange(n)
    corrected = arr.copy()
    corrected[flagged] = np.interp(idx[flagged], idx[~flagged], arr[~flagged])
    return corrected, n_flagged
