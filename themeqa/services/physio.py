"""Heart rate and event-related heart rate from raw ECG files, stored as measure variables.

Why: some studies record ECG during the imagery exercise rather than RR intervals; this
turns each participant's recording into the same kind of participant-level variables as the
questionnaires (mean HR, HRV of the detected beats, and, when event onsets are given, the
baseline-corrected HR change and its area under the curve), so they enter the joint display
and the SPSS export like any other measure. Files are linked to participants by the start of
the file name, exactly like RR files (``services.measures.compute_hrv``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from themeqa.errors import InputError
from themeqa.services.measures import (
    file_participant_id,
    match_ids,
    natural_key,
    participant_ids,
    store_computed,
)
from themeqa.services.project import ProjectHandle

__all__ = ["ECG_VARIABLES", "compute_ecg"]

ECG_VARIABLES: dict[str, str] = {
    "n_beats": "R-peaks detected (count)",
    "mean_hr": "Mean heart rate from the ECG (beats/min)",
    "rmssd": "RMSSD of the detected beats (ms)",
    "er_change": "Event-related HR change, mean over epochs (beats/min)",
    "er_auc": "Event-related HR area under the curve, mean over epochs (beats/min x s)",
}


def compute_ecg(
    project: ProjectHandle,
    paths: Sequence[Path | str],
    *,
    fs: float,
    method: str = "neurokit",
    events: Path | str | None = None,
    baseline: tuple[float, float] = (-5.0, 0.0),
    window: tuple[float, float] = (0.0, 30.0),
    accept_matches: bool = False,
    prefix: str = "ecg_",
    replace: bool = True,
) -> dict[str, Any]:
    """Detect R-peaks in each participant's ECG file and store HR variables.

    ``fs``: sampling rate (Hz). ``method``: ``neurokit`` or ``pantompkins``
    (``ingest.ecg.detect_r_peaks``; peaks refined to the local maximum). ``events``: a CSV
    of ``participant,onset`` (seconds); for each epoch HR is baseline-corrected over
    ``onset + baseline`` and summarised over ``onset + window`` (``core.ecg``). One
    transaction; near-miss file names need ``accept_matches``.
    """
    from themeqa.core.ecg import ECGError, event_related_hr, heart_rate_series, ibi_ms
    from themeqa.core.hrv import HRVError, time_domain
    from themeqa.ingest.ecg import detect_r_peaks, read_ecg, read_events

    files = [Path(p) for p in paths]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise InputError(f"no such file: {', '.join(missing)}")
    by_id = {file_participant_id(f): f for f in files}
    if len(by_id) != len(files):
        raise InputError("two ECG files belong to the same participant")
    with project.reading() as s:
        pids = sorted(participant_ids(s))
    exact, proposals, unmatched = match_ids(list(by_id), pids)
    if proposals and not accept_matches:
        shown = ", ".join(f"{by_id[m.given].name} -> {m.pid}" for m in proposals)
        raise InputError(
            f"{len(proposals)} file(s) only nearly match participants ({shown}); "
            "rerun with --accept-matches or rename them; nothing was written"
        )
    link = {g: g for g in exact} | {m.given: m.pid for m in proposals}
    try:
        onsets = read_events(events) if events is not None else {}
    except ECGError as exc:
        raise InputError(str(exc)) from exc
    results: dict[str, dict[str, float]] = {}
    for fid, pid in link.items():
        try:
            peaks = detect_r_peaks(read_ecg(by_id[fid]), fs, method=method)
            ibi = ibi_ms(peaks, fs)
            row = {
                "n_beats": float(peaks.size),
                "mean_hr": 60000.0 / float(ibi.mean()),
                "rmssd": time_domain(ibi).rmssd,
            }
            epochs_at = onsets.get(pid) or onsets.get(fid) or []
            if epochs_at:
                t, hr = heart_rate_series(peaks, fs)
                eps = event_related_hr(t, hr, epochs_at, baseline=baseline, window=window)
                row["er_change"] = sum(e.mean_change for e in eps) / len(eps)
                row["er_auc"] = sum(e.auc for e in eps) / len(eps)
        except (ECGError, HRVError) as exc:
            raise InputError(f"{by_id[fid].name}: {exc}") from exc
        results[pid] = row
    chosen = {v: lbl for v, lbl in ECG_VARIABLES.items()
              if onsets or not v.startswith("er_")}
    names = store_computed(
        project, results, chosen, source="ecg", prefix=prefix, replace=replace,
        details={
            "files": {pid: by_id[g].name for g, pid in link.items()},
            "fs": fs,
            "method": method,
            "events": str(events) if events else None,
            "baseline": list(baseline),
            "window": list(window),
        },
    )
    return {
        "participants": sorted(results, key=natural_key),
        "variables": names,
        "unmatched": [by_id[u].name for u in unmatched],
        "beats": {pid: int(r["n_beats"]) for pid, r in results.items()},
    }
