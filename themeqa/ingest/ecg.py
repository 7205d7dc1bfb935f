"""R-peak detection on a raw ECG with a choice of detector (optional extra ``physio``).

Why in ``ingest`` and not ``core``: neurokit2 is an optional dependency and not allowed in
the pure core; this module offers it beside the core's own Pan-Tompkins implementation
(``themeqa.core.ecg.pan_tompkins``) so results can be cross-checked. neurokit2 is imported
only when its detector is asked for; without it :class:`PhysioUnavailable` says how to
install it (``pip install 'themeqa[physio]'``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from themeqa.core.ecg import ECGError, pan_tompkins, refine_peaks

__all__ = ["DETECTORS", "PhysioUnavailable", "detect_r_peaks"]

DETECTORS = ("neurokit", "pantompkins")


class PhysioUnavailable(ECGError):
    """neurokit2 (the ``physio`` extra) is not installed."""


def detect_r_peaks(
    ecg: Sequence[float] | np.ndarray,
    fs: float,
    *,
    method: str = "neurokit",
    refine_window_s: float = 0.05,
) -> np.ndarray:
    """R-peak sample indices, refined to the local maximum of the raw signal.

    ``method``: ``neurokit`` (neurokit2's default: ``ecg_clean`` then ``ecg_peaks``,
    Makowski et al. 2021, *Behav Res Methods* 53:1689-1696) or ``pantompkins`` (the core's
    implementation of Pan & Tompkins 1985). Each peak is then moved to the largest raw sample
    within +/- ``refine_window_s`` (:func:`themeqa.core.ecg.refine_peaks`), so both
    detectors report the R-wave apex.
    """
    x = np.asarray(ecg, dtype=float).ravel()
    if method == "pantompkins":
        peaks = pan_tompkins(x, fs)
    elif method == "neurokit":
        try:
            import neurokit2 as nk
        except ImportError as exc:
            raise PhysioUnavailable(
                "the neurokit detector needs neurokit2: pip install 'themeqa[physio]' "
                "(or use method='pantompkins')"
            ) from exc
        _, info = nk.ecg_peaks(nk.ecg_clean(x, sampling_rate=fs), sampling_rate=fs)
        peaks = np.asarray(info["ECG_R_Peaks"], dtype=int)
    else:
        raise ECGError(f"method must be one of {', '.join(DETECTORS)}, got {method!r}")
    return refine_peaks(x, peaks, fs, window_s=refine_window_s)
