"""Reading measure tables: CSV (encodings, delimiters), XLSX and SPSS .sav with labels and
user-missing codes."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tests.conftest import CONFORMANCE
from themeqa.ingest.measures import MeasuresError, code_key, read_measures


def test_csv_with_auto_detected_id_and_types(tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("Participant,scs_1,scs_2,notes\nP01,3,4,fine\nP02,,5,\n\n", encoding="utf-8")
    t = read_measures(f)
    assert t.id_column == "Participant" and t.ids == ["P01", "P02"]
    kinds = {c.name: c.kind for c in t.columns}
    assert kinds == {"scs_1": "numeric", "scs_2": "numeric", "notes": "string"}
    assert math.isnan(t.data.loc["P02", "scs_1"]) and t.data.loc["P02", "scs_2"] == 5.0
    assert t.data.loc["P02", "notes"] is None


def test_cp1252_semicolon_csv_with_decimal_comma(tmp_path):
    f = tmp_path / "m.csv"
    f.write_bytes(
        (
            "code;Stimmung;score\nP01;gr\xfcn und fr\xf6hlich;3,5\n"
            "P02;m\xfcde, aber zufrieden;4\nP03;\xe4ngstlich;2,25\n"
        ).encode("cp1252")
    )
    t = read_measures(f)
    assert t.encoding == "cp1252" and t.id_column == "code"
    assert (
        t.data.loc["P01", "score"] == 3.5 and t.data.loc["P01", "Stimmung"] == "grün und fröhlich"
    )
    assert t.data.loc["P03", "score"] == 2.25


def test_id_column_option_and_errors(tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("id,y\nA,1\nA,2\n", encoding="utf-8")
    with pytest.raises(MeasuresError, match=r"row 3: participant 'A' again \(first on row 2\)"):
        read_measures(f)
    with pytest.raises(MeasuresError, match="no column 'pid'"):
        read_measures(f, id_column="pid")
    g = tmp_path / "g.csv"
    g.write_text("score,age\n1,30\n1,31\n", encoding="utf-8")
    with pytest.raises(MeasuresError, match="--id-column"):
        read_measures(g)
    assert read_measures(g, id_column="age").ids == ["30", "31"]
    j = tmp_path / "m.json"
    j.write_text("{}", encoding="utf-8")
    with pytest.raises(MeasuresError, match="unsupported"):
        read_measures(j)


def test_xlsx_numbers_and_ids(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["pid", "total", "group"])
    ws.append(["P01", 2.5, "M"])
    ws.append([7, 3, "I"])  # a numeric id cell arrives as 7, read as "7"
    ws.append([None, None, None])
    f = tmp_path / "m.xlsx"
    wb.save(f)
    t = read_measures(f)
    assert t.ids == ["P01", "7"]
    assert t.data["total"].tolist() == [2.5, 3.0]
    assert [c.kind for c in t.columns] == ["numeric", "string"]


def test_sav_value_labels_and_user_missing_codes(tmp_path):
    import pyreadstat

    df = pd.DataFrame(
        {
            "pid": ["P01", "P02", "P03", "P04"],
            "scs_1": [1.0, 5.0, 99.0, 3.0],
            "grp": [1.0, 2.0, -9.0, 1.0],
            "rating": [0.0, 7.0, 8.5, 9.0],
        }
    )
    f = tmp_path / "m.sav"
    pyreadstat.write_sav(
        df,
        str(f),
        column_labels={"pid": "Participant", "scs_1": "SCS item 1"},
        variable_value_labels={"grp": {1: "memory", 2: "imagination", -9: "not asked"}},
        missing_ranges={"scs_1": [99], "grp": [-9], "rating": [{"lo": 8, "hi": 10}]},
    )
    t = read_measures(f)
    assert t.format == "sav" and t.id_column == "pid"
    cols = {c.name: c for c in t.columns}
    assert cols["scs_1"].label == "SCS item 1" and cols["scs_1"].missing_values == [99.0]
    assert cols["grp"].value_labels == {"1": "memory", "2": "imagination", "-9": "not asked"}
    assert cols["rating"].missing_values == [{"lo": 8.0, "hi": 10.0}]
    assert math.isnan(t.data.loc["P03", "scs_1"]) and math.isnan(t.data.loc["P03", "grp"])
    assert t.data["rating"].isna().tolist() == [False, False, True, True]
    assert t.data.loc["P02", "rating"] == 7.0
    assert t.n_user_missing == 4  # 99, -9, 8.5, 9.0


def test_code_key():
    assert code_key(1.0) == "1" and code_key(-9) == "-9" and code_key(2.5) == "2.5"


@pytest.mark.conformance
def test_conformance_scs_items_csv():
    f = CONFORMANCE / "scs" / "scs26_items.csv"
    if not f.is_file():
        pytest.skip(f"conformance file absent: {f}")
    t = read_measures(f)
    assert t.id_column == "participant"
    numeric = [c.name for c in t.columns if c.kind == "numeric"]
    assert numeric == [f"scs_{i}" for i in range(1, 27)]
    assert t.ids[0] == "R0001" and len(t.ids) == len(set(t.ids)) > 20
