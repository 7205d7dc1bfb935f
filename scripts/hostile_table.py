"""Run the CLI on each hostile file of issue 21 and print a Markdown table: seconds, peak
memory, exit code and the last line of stderr (the user's message).

Each file is read by a fresh ``themeqa`` process on a fresh project, killed after
``--timeout`` seconds; peak memory is the child's ``ru_maxrss``. Also runs the damaged
``.sav`` files (one byte changed at several offsets of a valid file) and reports how many
crashed the process (a negative exit code is a signal).

Usage::

    python scripts/hostile_table.py [--timeout 30] [--only KEY ...]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hostile.hostile_files import CORPUS, damaged_savs, valid_sav  # noqa: E402
from tests.ingest.test_sav_isolation import CRASHING  # noqa: E402

THEMEQA = [sys.executable, "-m", "themeqa"]


def _run(args: list[str], timeout: float) -> tuple[float, float, int | str, str]:
    """(seconds, peak MiB of the child, exit code or 'timeout', last stderr line)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, cwd=tempfile.gettempdir(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            errors="replace")
    try:
        _out, err = proc.communicate(timeout=timeout)
        code: int | str = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
        code = "timeout"
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    last = lines[-1] if lines else ""
    n = len(lines)
    if n > 1:
        last = f"({n} lines) {last}"
    return seconds, max(peak, before) / 1024, code, last


def _project(tmp: Path, key: str) -> Path:
    project = tmp / f"p-{key}"
    subprocess.run([*THEMEQA, "init", str(project)], check=True, capture_output=True,
                   cwd=tempfile.gettempdir())
    return project


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--code", default=None,
                        help="run the themeqa package found in this folder (e.g. an older "
                             "checkout, for the 'before' column)")
    opts = parser.parse_args()
    if opts.code:
        os.environ["PYTHONPATH"] = os.path.abspath(opts.code)
    rows = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for h in CORPUS:
            if opts.only and h.key not in opts.only:
                continue
            project = _project(tmp, h.key)
            path = tmp / h.key / h.filename
            path.parent.mkdir()
            path.write_bytes(h.make())
            fresh = tmp / f"new-{h.key}"
            args = [a.replace("{file}", str(path)).replace("{project}", str(fresh))
                    for a in h.command]
            sec, _mib, code, last = _run([*THEMEQA, "--project", str(project), *args],
                                        opts.timeout)
            last = last.replace(str(path.parent) + os.sep, "")
            rows.append((h.what, f"{path.stat().st_size:,} B", f"{sec:.1f}", code, last[:150]))
            print(rows[-1], file=sys.stderr, flush=True)
        if not opts.only or "sav" in opts.only:
            project = _project(tmp, "sav")
            crashes, codes, worst = 0, {}, 0.0
            data0 = valid_sav(tmp / "valid.sav").read_bytes()
            picks = [(at, data0[:at] + b"\xff" + data0[at + 1:]) for at in CRASHING]
            picks += damaged_savs(tmp / "valid.sav", offsets=4)
            for at, data in picks:
                path = tmp / f"d{at}" / "scs.sav"
                path.parent.mkdir()
                path.write_bytes(data)
                sec, _mib, code, last = _run(
                    [*THEMEQA, "--project", str(project), "quant", "import", str(path),
                     "--dry-run"], opts.timeout)
                worst = max(worst, sec)
                crashes += isinstance(code, int) and code < 0
                codes[code] = codes.get(code, 0) + 1
            rows.append((f"valid .sav, one byte changed ({len(picks)} offsets)", "", f"max {worst:.1f}",
                         ", ".join(f"{k}: {v}x" for k, v in codes.items()),
                         f"{crashes} crashed by a signal"))
    print("| input | size | seconds | exit | message |")
    print("|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |")


if __name__ == "__main__":
    main()
