"""The merged participant dataset (demographics, condition, theme presence, measures) and
its export to SPSS ``.sav``, CSV and XLSX.

Why: every number of the joint display should be checkable in SPSS on exactly the data the
tool used: one row per participant, theme presence as 0/1 from the same presence matrix
(``services.tally.presence_matrix``), and the stored measures with their labels, value labels
and user-missing declarations.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from themeqa.errors import InputError
from themeqa.services.project import ProjectHandle

__all__ = ["PRESENCE_LABELS", "export_dataset", "merged_dataset"]

PRESENCE_LABELS = {0.0: "absent", 1.0: "present"}


def merged_dataset(
    project: ProjectHandle,
    *,
    layer: str = "auto",
    codebook: str | None = None,
    presence=None,
    variables: list[str] | None = None,
):
    """An ``interop.spss.Dataset``: pid, condition, session, age, gender, other
    demographics, one 0/1 column per theme (``theme codebook::label``; SPSS, CSV and XLSX get the
    valid names of ``interop.spss.spss_names``, ``theme_codebook_label``), then the measures."""
    import numpy as np
    import pandas as pd

    from themeqa.interop.spss import Dataset
    from themeqa.services.analyses import theme_info
    from themeqa.services.measures import list_variables, measure_frame, participant_frame

    people = participant_frame(project)
    if presence is None:
        from themeqa.services.tally import presence_matrix

        presence = presence_matrix(project, layer=layer, codebook=codebook)
    info = theme_info(project, layer, codebook) if len(presence.columns) else {}
    measures = measure_frame(project, variables)
    meta = {v.name: v for v in list_variables(project)}
    frame = people.copy()
    # demographics are stored as text; a column whose every value is a number goes out as a
    # numeric (scale) variable so SPSS can average it
    numeric_extra = []
    for col in frame.columns:
        if col in ("condition", "session", "age", "gender"):
            continue
        values = frame[col].map(lambda v: None if v is None or str(v).strip() == "" else v)
        as_num = pd.to_numeric(values, errors="coerce")
        if values.notna().any() and (as_num.notna() == values.notna()).all():
            frame[col] = as_num.astype(float)
            numeric_extra.append(col)
    labels: dict[str, str] = {
        "pid": "Participant id",
        "condition": "Condition",
        "session": "Session (group)",
        "age": "Age (years)",
        "gender": "Gender",
    }
    value_labels: dict[str, dict[float, str]] = {}
    measure_level: dict[str, str] = {"age": "scale", **dict.fromkeys(numeric_extra, "scale")}
    pres = presence.reindex(frame.index).fillna(False).astype(bool)
    for theme in pres.columns:
        col = f"theme {theme}"
        frame[col] = pres[theme].astype(float)
        name = info.get(theme, (theme,))[0]
        labels[col] = f"{theme} {name}" if name != theme else theme
        value_labels[col] = dict(PRESENCE_LABELS)
        measure_level[col] = "nominal"
    missing: dict[str, list[Any]] = {}
    for col in measures.columns:
        target = col if col not in frame.columns else f"m {col}"
        frame[target] = measures[col].reindex(frame.index)
        v = meta.get(col)
        labels[target] = v.label if v and v.label else col
        if v and v.value_labels:
            with contextlib.suppress(ValueError):  # string codes: no numeric value labels
                value_labels[target] = {float(k): str(lbl) for k, lbl in v.value_labels.items()}
        if v and v.missing_values:
            missing[target] = list(v.missing_values)
        if v and v.kind == "numeric" and target not in value_labels:
            measure_level[target] = "scale"
    frame = frame.reset_index()
    for col in frame.columns:
        # text columns: object (pandas 2) or the ``str`` dtype (pandas 3, which turns None
        # into NaN); either way they leave as str or None, held as object so None survives
        if not pd.api.types.is_numeric_dtype(frame[col]):
            frame[col] = pd.Series(
                [None if x is None or (isinstance(x, float) and np.isnan(x)) else str(x)
                 for x in frame[col]],
                index=frame.index,
                dtype=object,
            )
    frame = pd.DataFrame(frame)
    return Dataset(
        frame=frame,
        labels=labels,
        value_labels=value_labels,
        missing=missing,
        measure=measure_level,
    )


def export_dataset(
    project: ProjectHandle,
    out: Path | str,
    *,
    fmt: str | None = None,
    layer: str = "auto",
    codebook: str | None = None,
) -> dict[str, Any]:
    """Write the merged dataset to ``out`` (``.sav``/``.csv``/``.xlsx``); returns a summary
    with the SPSS variable names used."""
    from themeqa.interop.spss import SpssError, spss_names, write_dataset
    from themeqa.reports.escape import escape_formula
    from themeqa.services.audit import record

    ds = merged_dataset(project, layer=layer, codebook=codebook)
    try:
        path = write_dataset(ds, out, fmt, escape=escape_formula)
    except SpssError as exc:
        raise InputError(str(exc)) from exc
    except OSError as exc:
        raise InputError(f"{out}: cannot write ({exc.strerror or exc})") from exc
    names = spss_names(ds.frame.columns)
    with project.transaction() as s:
        record(
            s,
            project.actor,
            "export",
            "dataset",
            None,
            after={"file": str(path), "rows": len(ds.frame), "columns": len(names)},
        )
    return {"file": str(path), "rows": len(ds.frame), "columns": len(names), "names": names}
