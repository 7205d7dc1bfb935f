"""RR interval readers: text, CSV, Polar .hrm, units, and refusal of bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from themeqa.ingest.rr import RRFormatError, parse_rr_text, read_rr

CONFORMANCE = Path(__file__).resolve().parents[2].parent / "shared" / "conformance"
HRV_DIR = CONFORMANCE / "hrv"
needs_hrv = pytest.mark.skipif(
    not HRV_DIR.is_dir(), reason=f"conformance data not present at {HRV_DIR}"
)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8", newline="")
    return p


def test_text_one_per_line_with_comments_and_blanks(tmp_path):
    p = write(tmp_path, "a.txt", "# subject 1\r\n800\r\n\r\n810  # ok\r\n 815 \r\n750\r\n")
    rec = read_rr(p)
    assert rec.format == "text"
    np.testing.assert_array_equal(rec.rr, [800, 810, 815, 750])
    assert not rec.converted_from_seconds and rec.dropped_lines == ()


def test_text_whitespace_and_comma_separated(tmp_path):
    p = write(tmp_path, "a.txt", "800 810\t815\n750, 760,770\n")
    np.testing.assert_array_equal(read_rr(p).rr, [800, 810, 815, 750, 760, 770])


def test_seconds_are_converted(tmp_path):
    rec = read_rr(write(tmp_path, "s.txt", "0.8\n0.81\n0.815\n"))
    assert rec.converted_from_seconds
    np.testing.assert_allclose(rec.rr, [800, 810, 815])


def test_zero_lines_are_dropped_and_reported():
    rec = parse_rr_text("800\n0\n810\n0\n")
    np.testing.assert_array_equal(rec.rr, [800, 810])
    assert rec.dropped_lines == (2, 4)


@pytest.mark.parametrize(
    ("content", "line", "pattern"),
    [
        ("800\n810\nabc\n", 3, "'abc' is not a number"),
        ("800\n-810\n", 2, "negative interval"),
        ("800\n810 nan\n", 2, "not a finite number"),
    ],
)
def test_text_errors_name_file_and_line(tmp_path, content, line, pattern):
    p = write(tmp_path, "bad.txt", content)
    with pytest.raises(RRFormatError, match=pattern) as err:
        read_rr(p)
    assert isinstance(err.value, ValueError)
    assert err.value.line == line
    assert f"{p}, line {line}" in str(err.value)


def test_binary_and_empty_files_refused(tmp_path):
    with pytest.raises(RRFormatError, match="binary content"):
        read_rr(write(tmp_path, "x.txt", b"\x93NUMPY\x01\x00v\x00{'descr'"))
    with pytest.raises(RRFormatError, match="no RR intervals"):
        read_rr(write(tmp_path, "e.txt", "# nothing\n\n"))
    with pytest.raises(RRFormatError, match="cannot read file"):
        read_rr(tmp_path / "missing.txt")


def test_csv_named_column_case_insensitive(tmp_path):
    p = write(tmp_path, "r.csv", "time,RR (ms),hr\n0.8,800,75\n1.61,810,74\n2.425,815,73.6\n")
    rec = read_rr(p)
    assert rec.format == "csv" and rec.column == "RR (ms)"
    np.testing.assert_array_equal(rec.rr, [800, 810, 815])


@pytest.mark.parametrize("name", ["rri", "NN", "IBI", "rr_ms"])
def test_csv_other_names_and_semicolon(tmp_path, name):
    p = write(tmp_path, "r.csv", f"t;{name}\n1;900\n2;910\n")
    np.testing.assert_array_equal(read_rr(p).rr, [900, 910])


def test_csv_single_numeric_column(tmp_path):
    p = write(tmp_path, "r.csv", "label,value\nx,0.9\ny,0.95\n")
    rec = read_rr(p)
    assert rec.column == "value" and rec.converted_from_seconds
    np.testing.assert_allclose(rec.rr, [900, 950])


def test_headerless_single_column_csv(tmp_path):
    np.testing.assert_array_equal(read_rr(write(tmp_path, "r.csv", "900\n910\n")).rr, [900, 910])


def test_text_with_header_is_read_as_csv(tmp_path):
    # the shape of systole's rr.txt: pandas index column with an empty header, then "rr"
    p = write(tmp_path, "rr.txt", ",rr\n0,992.0\n1,1016.0\n2,985.5\n")
    rec = read_rr(p)
    assert rec.format == "csv" and rec.column == "rr"
    np.testing.assert_array_equal(rec.rr, [992, 1016, 985.5])


def test_csv_ambiguous_columns_refused(tmp_path):
    with pytest.raises(RRFormatError, match="cannot tell which column"):
        read_rr(write(tmp_path, "r.csv", "a,b\n1,900\n2,910\n"))


def test_csv_bad_cell_names_line(tmp_path):
    p = write(tmp_path, "r.csv", "time,rr\n0,900\n\n1,oops\n")
    with pytest.raises(RRFormatError, match=r"line 4: 'oops' is not a number"):
        read_rr(p)
    with pytest.raises(RRFormatError, match=r"line 3: missing value"):
        read_rr(write(tmp_path, "m.csv", "time,rr\n0,900\n1,\n"))


HRM_HEAD = "[Params]\r\nVersion=106\r\nMonitor=13\r\nSMode=000000000\r\nInterval={iv}\r\n\r\n"


def test_polar_hrm_rr_data(tmp_path):
    text = HRM_HEAD.format(iv=238) + "[Note]\r\n\r\n[HRData]\r\n800\r\n810\r\n0\r\n815\t12\r\n"
    rec = read_rr(write(tmp_path, "x.hrm", text))
    assert rec.format == "hrm"
    np.testing.assert_array_equal(rec.rr, [800, 810, 815])
    assert rec.dropped_lines == (12,)  # the 0 on line 12


def test_polar_hrm_heart_rate_samples_refused(tmp_path):
    text = HRM_HEAD.format(iv=5) + "[HRData]\r\n72\r\n73\r\n"
    with pytest.raises(RRFormatError, match=r"line 8: .*heart-rate samples.*Interval=5"):
        read_rr(write(tmp_path, "x.hrm", text))


def test_polar_hrm_without_hrdata_refused(tmp_path):
    with pytest.raises(RRFormatError, match=r"no \[HRData\]"):
        read_rr(write(tmp_path, "x.hrm", HRM_HEAD.format(iv=238)))


def test_utf16_text(tmp_path):
    p = write(tmp_path, "u.txt", "800\n900\n".encode("utf-16"))
    np.testing.assert_array_equal(read_rr(p).rr, [800, 900])


# --- conformance ------------------------------------------------------------------------------

EXPECTED_COUNTS = {
    "hrv_exercise_rri.hrm": 4117,  # lines 83..4199 of [HRData]
    "hrv_real_rri.txt": 771,  # 772 lines, the last a 0 placeholder
    "hrv_rest_rri.txt": 910,
    "hrvanalysis_test_nn_intervals.txt": 1000,
    "pyhrv_sample_nni_long.txt": 4684,  # README: 4684 values
    "pyhrv_sample_nni_short.txt": 337,  # README: 337 values
    "systole_rr.txt": 245,  # a pandas CSV (",rr" header + index column) named .txt
}


@needs_hrv
@pytest.mark.parametrize("path", sorted(HRV_DIR.glob("*")) if HRV_DIR.is_dir() else [],
                         ids=lambda p: p.name)  # fmt: skip
def test_conformance_files_read(path):
    rec = read_rr(path)
    assert rec.rr.size == EXPECTED_COUNTS[path.name]
    assert (rec.rr > 200).all() and (rec.rr < 2500).all()
    assert not rec.converted_from_seconds


@needs_hrv
def test_conformance_real_rri_trailing_zero_dropped():
    rec = read_rr(HRV_DIR / "hrv_real_rri.txt")
    assert rec.dropped_lines == (772,)


@needs_hrv
def test_conformance_systole_is_csv():
    rec = read_rr(HRV_DIR / "systole_rr.txt")
    assert (rec.format, rec.column) == ("csv", "rr")
    assert rec.rr[0] == 992.0


@needs_hrv
def test_conformance_numpy_file_named_txt_refused():
    p = CONFORMANCE / "transcripts" / "broken" / "numpy_array_saved_as.txt"
    if not p.exists():
        pytest.skip(f"{p} not present")
    with pytest.raises(RRFormatError, match="binary content"):
        read_rr(p)
