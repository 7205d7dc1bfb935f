"""How transcript import scales with size, and why there is a document size limit (issue 21).

Imports one generated transcript (``tests/hostile/hostile_files.big_transcript``: four
speakers, varied made-up sentences, one turn a line) of each size into a fresh project, each
in its own process, and prints seconds, seconds per MB, peak memory above the process's
baseline and that as a multiple of the file size, with the share of the time spent splitting
sentences (spaCy). Then times the refusal of a 200 MB transcript (``read_source``, which
checks the size before reading).

Run: ``python bench/bench_transcript_size.py [--sizes 0.5 1 2 4]``. The figures are recorded
in ``docs/safety.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[3])
from pathlib import Path
from tests.hostile.hostile_files import big_transcript
from themeqa.services.project import open_project
from themeqa.services.importing import import_files
import themeqa.ingest.sentences as sentences
size, work = float(sys.argv[1]), Path(sys.argv[2])
path = work / "S1.txt"
path.write_bytes(big_transcript(int(size * 2**20)))
handle = open_project(work / "study", create=True, actor="bench")
sentences._pipeline("en", None)  # spaCy loaded before the baseline, as in a running app
split = {"s": 0.0}
original = sentences.sentence_spans
def timed(*a, **k):
    t = time.perf_counter(); r = original(*a, **k); split["s"] += time.perf_counter() - t
    return r
sentences.sentence_spans = timed
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
import_files(handle, [path])
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
handle.close()
print(json.dumps({"bytes": path.stat().st_size, "seconds": seconds, "split": split["s"],
                  "extra_mib": (peak - base) / 1024}))
"""


def _one(size: float) -> dict:
    env = {**os.environ, "THEMEQA_MAX_DOCUMENT_MB": "100000"}
    with tempfile.TemporaryDirectory() as d:
        out = subprocess.run([sys.executable, "-c", _CHILD, str(size), d, str(ROOT)],
                             capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _refusal() -> float:
    sys.path.insert(0, str(ROOT))
    from themeqa.ingest.model import IngestError
    from themeqa.ingest.readers import read_source

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "huge.txt"
        chunk = b"P01: It felt warm and safe, like the kitchen at home.\n" * 20_000
        with path.open("wb") as fh:
            while fh.tell() < 200 * 2**20:
                fh.write(chunk)
        t = time.perf_counter()
        try:
            read_source(path)
        except IngestError as exc:
            print(f"200 MB transcript refused: {exc}")
        return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=float, nargs="*", default=[0.5, 1, 2, 4])
    opts = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| MB | seconds | s per MB | sentence split | extra peak MiB | x file size |")
    print("|---|---|---|---|---|---|")
    for size in opts.sizes:
        r = _one(size)
        mb = r["bytes"] / 2**20
        print(f"| {mb:.1f} | {r['seconds']:.1f} | {r['seconds'] / mb:.1f} | "
              f"{100 * r['split'] / r['seconds']:.0f}% | {r['extra_mib']:.0f} | "
              f"{r['extra_mib'] / mb:.0f} |", flush=True)
    print(f"refusal of a 200 MB transcript: {_refusal():.3f} s")


if __name__ == "__main__":
    main()
