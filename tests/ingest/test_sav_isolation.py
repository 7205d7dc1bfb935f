"""A damaged .sav never takes themeqa down: pyreadstat runs in a child process.

Why: a valid .sav written by themeqa's own writer (interop.spss.write_dataset) with one byte
changed in a variable record makes ReadStat die with SIGSEGV (issue 21 saw exit 139 from
``themeqa quant import``). The offsets below are ones that crashed pyreadstat 1.3 in a
search of every byte; the others are spread over the file.
"""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from tests.hostile.hostile_files import damaged_savs, valid_sav
from themeqa.ingest.measures import MeasuresError, read_measures

CRASHING = (180, 212, 388, 391)  # in the variable records: 0xFF there crashed pyreadstat


def _damaged(path, at: int) -> bytes:
    data = valid_sav(path).read_bytes()
    return data[:at] + b"\xff" + data[at + 1:]


def test_the_valid_file_reads_with_its_values_and_metadata(tmp_path):
    table = read_measures(valid_sav(tmp_path / "scs.sav"))
    assert table.ids[:3] == ["P01", "P02", "P03"] and len(table.ids) == 20
    # written in the test's writer as i % 5 + 1 and i % 4 + 1 for i = 0..19
    assert table.data["scs_1"].tolist() == [float(i % 5 + 1) for i in range(20)]
    assert table.data.loc["P04", "scs_2"] == 4.0
    cols = {c.name: c for c in table.columns}
    assert cols["scs_1"].label == "Self-compassion item 1"
    assert cols["scs_1"].value_labels == {"1": "never", "5": "always"}
    assert cols["scs_2"].missing_values == [9.0]
    assert cols["group"].kind == "string" and table.data.loc["P02", "group"] == "mindful"


@pytest.mark.parametrize("at", CRASHING)
def test_a_byte_that_crashes_the_reader_gives_one_line(tmp_path, at):
    path = tmp_path / "scs.sav"
    path.write_bytes(_damaged(tmp_path / "valid.sav", at))
    with pytest.raises(MeasuresError) as caught:
        read_measures(path)
    assert str(caught.value) == "cannot read scs.sav: damaged file (the SPSS reader crashed on it)"


def test_the_crash_is_real_without_the_child(tmp_path):
    """The same file read in-process by pyreadstat dies by a signal (else this pyreadstat
    was fixed and the test says so)."""
    path = tmp_path / "scs.sav"
    path.write_bytes(_damaged(tmp_path / "valid.sav", CRASHING[0]))
    code = "import sys, pyreadstat; pyreadstat.read_sav(sys.argv[1], user_missing=True)"
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                          check=False)
    if proc.returncode >= 0:
        pytest.skip("this pyreadstat no longer crashes on the damaged file")
    assert proc.returncode == -11


def test_one_byte_changed_anywhere_never_crashes(tmp_path):
    outcomes = {"read": 0, "refused": 0}
    for at, data in damaged_savs(tmp_path / "valid.sav", offsets=24):
        path = tmp_path / f"d{at}.sav"
        path.write_bytes(data)
        try:
            table = read_measures(path)
        except MeasuresError as exc:
            msg = str(exc)
            assert msg.startswith(f"{path.name}: ") or msg.startswith(f"cannot read {path.name}: ")
            assert "\n" not in msg
            outcomes["refused"] += 1
        else:
            assert all(isinstance(v, float) and not math.isinf(v)
                       for c in table.columns if c.kind == "numeric"
                       for v in table.data[c.name])
            outcomes["read"] += 1
    assert outcomes["refused"] > 0 and outcomes["read"] > 0, outcomes
