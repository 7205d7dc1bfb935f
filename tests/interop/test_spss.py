"""SPSS/CSV/XLSX dataset export: valid names, labels, value labels, missing codes, round trip."""

from __future__ import annotations

import csv
import math

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from themeqa.interop.spss import Dataset, SpssError, spss_names, write_dataset
from themeqa.reports.escape import escape_formula


def _dataset() -> Dataset:
    frame = pd.DataFrame(
        {
            "pid": ["P01", "P02", "P03"],
            "condition": ["M", "I", "M"],
            "theme inhibitors::2a": [1.0, 0.0, 1.0],
            "theme inhibitors::2A": [0.0, 0.0, 1.0],  # clashes case-insensitively after cleaning
            "scs26_total": [2.5, np.nan, 3.1666666666666665],
            "with": [1.0, 2.0, np.nan],
            "note": ["=SUM(A1)", None, "fine"],
        }
    )
    return Dataset(
        frame=frame,
        labels={
            "theme inhibitors::2a": "inhibitors::2a Others are unreliable",
            "scs26_total": "scs26 total",
        },
        value_labels={
            "theme inhibitors::2a": {0.0: "absent", 1.0: "present"},
            "with": {1.0: "memory", 2.0: "imagination", -9.0: "not asked"},
        },
        missing={"with": [-9.0], "scs26_total": [{"lo": 90.0, "hi": 99.0}]},
        measure={"theme inhibitors::2a": "nominal", "scs26_total": "scale"},
    )


def test_spss_names_are_valid_and_unique():
    names = spss_names(
        ["pid", "theme inhibitors::2a", "theme inhibitors::2A", "with", "1st", "a" * 80, "end."]
    )
    assert names["theme inhibitors::2a"] == "theme_inhibitors_2a"
    assert names["theme inhibitors::2A"] == "theme_inhibitors_2A_2"
    assert names["with"] == "with_" and names["1st"] == "v1st"
    assert len(names["a" * 80]) == 64 and names["end."] == "end"
    assert len({n.upper() for n in names.values()}) == len(names)


def test_sav_round_trip(tmp_path):
    ds = _dataset()
    out = write_dataset(ds, tmp_path / "data.sav", escape=escape_formula)
    df, meta = pyreadstat.read_sav(str(out), user_missing=True)
    assert meta.column_names == [
        "pid",
        "condition",
        "theme_inhibitors_2a",
        "theme_inhibitors_2A_2",
        "scs26_total",
        "with_",
        "note",
    ]
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["theme_inhibitors_2a"] == "inhibitors::2a Others are unreliable"
    assert meta.variable_value_labels["theme_inhibitors_2a"] == {0.0: "absent", 1.0: "present"}
    assert meta.variable_value_labels["with_"][-9.0] == "not asked"
    assert meta.missing_ranges["with_"] == [{"lo": -9.0, "hi": -9.0}]
    assert meta.missing_ranges["scs26_total"] == [{"lo": 90.0, "hi": 99.0}]
    assert meta.variable_measure["theme_inhibitors_2a"] == "nominal"
    assert df["pid"].tolist() == ["P01", "P02", "P03"]
    assert df["scs26_total"].iloc[2] == 3.1666666666666665  # full double precision
    assert math.isnan(df["scs26_total"].iloc[1]) and math.isnan(df["with_"].iloc[2])
    assert df["note"].tolist() == ["=SUM(A1)", "", "fine"]  # .sav is data, not a sheet


def test_csv_and_xlsx_are_formula_escaped(tmp_path):
    from openpyxl import load_workbook

    ds = _dataset()
    out = write_dataset(ds, tmp_path / "data.csv", escape=escape_formula)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:3] == ["pid", "condition", "theme_inhibitors_2a"]
    assert rows[1][-1] == "'=SUM(A1)" and rows[1][4] == "2.5" and rows[2][4] == ""
    assert rows[1][2] == "1"  # whole numbers written without .0
    x = write_dataset(ds, tmp_path / "data.xlsx", escape=escape_formula)
    wb = load_workbook(x)
    assert wb.sheetnames == ["data", "variables"]
    data = list(wb["data"].iter_rows(values_only=True))
    assert data[1][-1] == "'=SUM(A1)" and data[3][4] == pytest.approx(3.1666666666666665)
    meta = {r[0]: r for r in wb["variables"].iter_rows(values_only=True)}
    assert meta["with_"][2] == "1 = memory; 2 = imagination; -9 = not asked"


def test_unknown_format(tmp_path):
    with pytest.raises(SpssError, match=r"\.sav, \.csv"):
        write_dataset(_dataset(), tmp_path / "x.json", escape=escape_formula)


def test_demo_dataset_round_trip_matches_the_project(demo_copy, tmp_path):
    from themeqa.services.dataset import export_dataset
    from themeqa.services.measures import measure_frame
    from themeqa.services.project import open_project
    from themeqa.services.tally import presence_matrix

    project = open_project(demo_copy, actor="tester")
    try:
        summary = export_dataset(project, tmp_path / "demo.sav")
        pm = presence_matrix(project)
        scores = measure_frame(project)
    finally:
        project.close()
    df, meta = pyreadstat.read_sav(summary["file"])
    assert len(df) == 20 and df["pid"].tolist() == list(pm.index)
    col = summary["names"]["theme inhibitors::2a"]
    assert df[col].tolist() == pm["inhibitors::2a"].astype(float).tolist()
    assert df["scs26_total"].to_numpy() == pytest.approx(scores["scs26_total"].to_numpy())
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels[col] == "inhibitors::2a Others are unreliable"
    assert set(df["condition"]) == {"M", "I"}
    # a demographic whose values are all numbers goes out numeric (participants.csv: P01 12)
    assert df["years_since_diagnosis"].dtype.kind == "f"
    assert df.loc[df["pid"] == "P01", "years_since_diagnosis"].item() == 12.0
    assert meta.variable_measure["years_since_diagnosis"] == "scale"
