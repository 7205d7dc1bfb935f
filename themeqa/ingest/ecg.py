"""R-peak detection on a raw ECG with a choice of detector (optional extra ``physio``).

Why in ``ingest`` and not ``core``: neurokit2 is an optional dependency and not allowed in
the pure core; this module offers it beside the core's own Pan-Tompkins implementation
(``themeqa.core.ecg.pan_tompkins``) so results can be cross-checked. neurokit2 is imported
only when its detector is asked for; without it :class:`PhysioUnavailable` says how to
install it (``pip install 'themeqa[physio]'``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from themeqa.core.ecg import ECGError, pan_tompkins, refine_peaks

__all__ = ["DETECTORS", "PhysioUnavailable", "detect_r_peaks", "read_ecg", "read_events"]

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
    if x.size < 2 * fs or not np.isfinite(x).all():
        raise ECGError(f"need at least 2 s of finite samples, got {x.size / fs:.2f} s")
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


_ECG_COLUMNS = ("ecg", "signal", "value", "mv", "ecg_mv", "lead_ii", "ii")


def read_ecg(path: str | Path) -> np.ndarray:
    """Samples of a raw ECG from a text or CSV file (the sampling rate is given separately).

    One number per line, or a CSV whose column is named ``ecg``, ``signal``, ``value``,
    ``mV``, ``lead_II`` or ``II`` (case-insensitive), otherwise its only numeric column.
    Blank lines and ``#`` comments are skipped. Raises :class:`ECGError` naming the file and
    line.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ECGError(f"{p.name}: cannot read as text ({exc})") from exc
    lines = [(no, ln.split("#", 1)[0].strip()) for no, ln in enumerate(text.splitlines(), 1)]
    lines = [(no, ln) for no, ln in lines if ln]
    if not lines:
        raise ECGError(f"{p.name}: no samples")
    first = lines[0][1]
    delim = max((",", ";", "\t"), key=first.count)
    rows = [(no, [c.strip() for c in ln.split(delim)]) for no, ln in lines]

    def number(no: int, cell: str) -> float:
        try:
            return float(cell)
        except ValueError:
            raise ECGError(f"{p.name}, line {no}: {cell!r} is not a number") from None

    header = rows[0][1]
    has_header = any(not _is_number(c) for c in header)
    body = rows[1:] if has_header else rows
    col = 0
    if has_header:
        names = [h.strip().strip('"').lower() for h in header]
        hits = [i for i, n in enumerate(names) if n in _ECG_COLUMNS]
        numeric = [
            j for j in range(len(header)) if all(j < len(c) and _is_number(c[j]) for _, c in body)
        ]
        if hits:
            col = hits[0]
        elif len(numeric) == 1:
            col = numeric[0]
        else:
            raise ECGError(f"{p.name}: cannot tell which column holds the ECG; name it ecg")
    elif len(header) > 1:
        raise ECGError(f"{p.name}: several columns and no header; name the ECG column ecg")
    return np.array([number(no, cells[col] if col < len(cells) else "") for no, cells in body])


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def read_events(path: str | Path) -> dict[str, list[float]]:
    """Event onsets per participant from a CSV with columns ``participant`` (or ``id``,
    ``pid``) and ``onset`` (seconds from the start of that participant's recording); other
    columns are ignored. Returns participant id -> sorted onsets."""
    from themeqa.limits import LimitError, csv_rows, short

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ECGError(f"{p.name}: cannot read as text ({exc})") from exc
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    try:  # csv's own errors (a field over 128 KiB) become one line with the limit
        rows = csv_rows(text, max((",", ";", "\t"), key=first.count))
    except LimitError as exc:
        raise ECGError(f"{p.name}: {exc}") from None
    records = [(no, r) for no, r in enumerate(rows, start=1) if r]
    header = records[0][1] if records else []
    fields = {h.strip().lower(): i for i, h in enumerate(header)}  # the last of a name wins
    id_col = next((fields[k] for k in ("participant", "id", "pid") if k in fields), None)
    onset_col = fields.get("onset")
    if id_col is None or onset_col is None:
        raise ECGError(f"{p.name}: needs the columns participant and onset (seconds)")
    out: dict[str, list[float]] = {}
    for no, row in records[1:]:
        pid = row[id_col].strip() if id_col < len(row) else ""
        cell = row[onset_col].strip() if onset_col < len(row) else ""
        if not pid and not cell:
            continue
        if not _is_number(cell):
            raise ECGError(
                f"{p.name}, row {no}: onset {short(cell)} is not a number of seconds")
        out.setdefault(pid, []).append(float(cell))
    return {k: sorted(v) for k, v in out.items()}
