"""Reading raw ECG sample files and event onsets (no neurokit2 needed)."""

from __future__ import annotations

import pytest

from themeqa.core.ecg import ECGError
from themeqa.ingest.ecg import read_ecg, read_events


def test_plain_and_csv_ecg(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("# exported\n0.1\n0.25\n\n-0.05\n", encoding="utf-8")
    assert read_ecg(a).tolist() == [0.1, 0.25, -0.05]
    b = tmp_path / "b.csv"
    b.write_text("time;Lead_II;marker\n0.000;0.5;x\n0.004;0.7;\n", encoding="utf-8")
    assert read_ecg(b).tolist() == [0.5, 0.7]
    c = tmp_path / "c.csv"
    c.write_text("t,mystery\n0,1\n1,2\n", encoding="utf-8")
    with pytest.raises(ECGError, match="name it ecg"):
        read_ecg(c)
    d = tmp_path / "d.txt"
    d.write_text("0.1\nabc\n", encoding="utf-8")
    with pytest.raises(ECGError, match=r"line 2: 'abc'"):
        read_ecg(d)


def test_events(tmp_path):
    e = tmp_path / "e.csv"
    e.write_text("id,onset\nP01,30\nP01,10\n", encoding="utf-8")
    assert read_events(e) == {"P01": [10.0, 30.0]}
    e.write_text("id,start\nP01,30\n", encoding="utf-8")
    with pytest.raises(ECGError, match="participant and onset"):
        read_events(e)
