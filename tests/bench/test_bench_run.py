"""``make bench`` at ``small`` size as a smoke test, and the runner's judging of targets.

Why no timings are asserted: the machine is shared, so a timed assertion would fail at random;
what ``make test`` guards is that every operation still runs and produces numbers (an
operation whose module is not built yet must say so in its row, not vanish).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.run import SKIPPED_QUICK, _percentile, all_operations, judge, render  # noqa: E402


def test_targets_are_judged_on_median_p95_or_ratio():
    assert judge("< 1 s", median=0.9, p95=5.0, ratio=None) is True
    assert judge("< 1 s", median=1.0, p95=1.0, ratio=None) is False  # strict
    assert judge("p95 < 0.05 s", median=0.01, p95=0.06, ratio=None) is False
    assert judge("p95 < 0.05 s", median=0.04, p95=0.049, ratio=None) is True
    assert judge("ratio <= 1.5", median=9.0, p95=9.0, ratio=1.5) is True
    assert judge("ratio <= 1.0", median=0.1, p95=0.1, ratio=1.01) is False
    assert judge("ratio <= 1.0", median=0.1, p95=0.1, ratio=None) is None
    assert judge("", median=0.1, p95=0.1, ratio=None) is None


def test_p95_is_nearest_rank():
    # 20 values 1..20: the 95th percentile by nearest rank is the 19th value
    assert _percentile([float(x) for x in range(20, 0, -1)], 0.95) == 19.0
    assert _percentile([3.0], 0.95) == 3.0
    assert _percentile([1.0, 2.0, 3.0], 0.95) == 3.0  # few runs: the slowest


def test_missing_rows_and_numbers_render():
    rows = [
        {
            "operation": "x",
            "size": "small",
            "target": "< 1 s",
            "status": "met",
            "median": 0.5,
            "p95": 0.7,
            "n": 3,
            "baseline": 0.25,
            "baseline_name": "base",
            "ratio": 2.0,
            "maxrss_mib": 100.0,
            "traced_mib": 5.0,
            "load": 1.0,
        },
        {
            "operation": "y",
            "size": "study",
            "target": "< 5 s",
            "load": 1.0,
            "status": "not built yet (bench_y.py)",
        },
    ]
    text = render(rows, ["# t"], {"x|small": "ncalls  tottime"})
    assert "| x | small | 500.0 ms | 700.0 ms | 3 | base: 250.0 ms | 2.00x | < 1 s | met |" in text
    assert "not built yet (bench_y.py)" in text
    assert "### Profile: x|small" in text


def test_smoke_every_operation_runs_at_small_size(tmp_path):
    out = tmp_path / "results.md"
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "run.py"),
            "--size",
            "small",
            "--quick",
            "--fresh",
            "--out",
            str(out),
            "--cache",
            str(tmp_path / "cache"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    rows = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))["rows"]
    by_name = {r["operation"]: r for r in rows}
    for op in all_operations():
        if "small" not in op.sizes and op.sizes != ("-",):
            continue
        row = by_name[op.name]
        if op.missing:
            assert row["status"] == op.missing
            continue
        if op.script is not None:  # other engineers' stand-alone scripts take minutes
            assert row["status"] == SKIPPED_QUICK
            continue
        assert not row["status"].startswith("error"), row
        assert row["median"] > 0 and row["p95"] >= row["median"] and row["maxrss_mib"] > 0
        if op.baseline is not None:
            assert row["baseline"] > 0 and row["ratio"] > 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# themeqa benchmarks") and "| operation | size |" in text
