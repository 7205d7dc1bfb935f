"""`themeqa quant` end to end on a copy of the demo study."""

from __future__ import annotations

import json

import numpy as np
import pyreadstat

from themeqa.cli.main import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_quant_commands(demo_copy, tmp_path, capsys):
    p = ["--project", str(demo_copy)]
    code, out, _ = run(capsys, *p, "quant", "list", "--json")
    assert code == 0
    names = [v["name"] for v in json.loads(out)]
    assert "scs_26" in names and "scs26_total" in names

    m = tmp_path / "extra.csv"
    m.write_text("id,anxiety\nP7,12\nP01,9\nX1,4\n", encoding="utf-8")
    code, _, err = run(capsys, *p, "quant", "import", str(m))
    assert code == 2 and err.startswith("error: ") and "P7 -> P07" in err
    code, out, _ = run(capsys, *p, "quant", "import", str(m), "--accept-matches", "--json")
    res = json.loads(out)
    assert code == 0 and res["unmatched"] == ["X1"] and res["values_written"] == 2
    code, out, _ = run(capsys, *p, "quant", "import", str(m), "--dry-run")
    assert code == 0 and "already exist (need --replace): anxiety" in out
    code, out, _ = run(capsys, *p, "quant", "import", str(m), "--dry-run", "--prefix", "t1_")
    assert code == 0 and "already exist" not in out and "1 variable(s)" in out

    rr = tmp_path / "rr"
    rr.mkdir()
    rng = np.random.default_rng(3)
    for pid in ("P01", "P02"):
        (rr / f"{pid}_rest.txt").write_text(
            "\n".join(f"{v:.0f}" for v in 800 + rng.normal(0, 30, 200)), encoding="utf-8"
        )
    code, out, _ = run(capsys, *p, "quant", "hrv", str(rr), "--json")
    assert code == 0 and json.loads(out)["participants"] == ["P01", "P02"]

    out_file = tmp_path / "joint.md"
    code, out, _ = run(
        capsys,
        *p,
        "quant",
        "analyse",
        str(out_file),
        "--measures",
        "scs26_total,anxiety",
        "--correction",
        "bh",
    )
    assert code == 0 and "27 theme(s) x 2 measure(s)" in out
    text = out_file.read_text(encoding="utf-8")
    assert "Joint display" in text and "Benjamini-Hochberg" in text
    # issue 22: without OUT it prints, like every report: the same Markdown as the file
    code, printed, _ = run(capsys, *p, "quant", "analyse", "--measures", "scs26_total,anxiety",
                           "--correction", "bh")
    assert code == 0 and printed == text
    code, printed, _ = run(capsys, *p, "quant", "analyse", "--measures", "scs26_total", "--json")
    assert code == 0 and json.loads(printed)["file"] is None
    assert not list(tmp_path.glob("*.docx")) and not (demo_copy / "-").exists()

    sav = tmp_path / "study.sav"
    code, out, _ = run(capsys, *p, "quant", "export", str(sav))
    assert code == 0
    df, _meta = pyreadstat.read_sav(str(sav))
    assert df.loc[df["pid"] == "P07", "anxiety"].item() == 12.0
    assert df["hrv_rmssd"].notna().sum() == 2

    code, _, err = run(
        capsys, *p, "quant", "analyse", str(tmp_path / "x.md"), "--measures", "ghost"
    )
    assert code == 2 and "ghost" in err
    code, out, err = run(capsys, *p, "quant", "analyse", "--measures", "ghost")
    assert code == 2 and "ghost" in err and out == ""
