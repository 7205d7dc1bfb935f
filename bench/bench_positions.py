"""Benchmark: building a REFI-QDA position map (``interop.refi.positions.OffsetMap``).

Why this exists: every text source of a .qdpx import gets an ``OffsetMap`` (two when the
reader retries the other position units), and it used to walk the text character by character
in Python: ~0.07-0.15 s for the ~635,000-character NVivo source of ``../shared/conformance``
(~6-12% of importing it), ~1-2 s when the text is not NFC. It now finds the few places where
the two sides differ with C-speed scans. This times, interleaved in one process,

- ``OffsetMap(raw, units)`` for code-point and UTF-16 units;
- the baseline **``core.text.normalize_text`` of the same text** (BOM, CRLF, NFC: the C-speed
  pass that producing the stored text costs anyway, and which the map includes);

over the largest source of the conformance samples as NVivo wrote it (BOM, CRLF, ~900 emoji),
the same decomposed (NFD: every accent a separate mark, the slow path) and, when the samples
are absent, a generated 620,000-character text with the same features.

What it showed (2026-11-23): on the NVivo source the map costs ~2-3x the baseline (~13-17
ms; the old per-character loop took ~70 ms as code points, ~130 ms as UTF-16 units); on its
NFD form ~10x the baseline (~0.2-0.35 s, was ~1.4-2 s). Exactness is the tests' business
(``tests/interop/test_refi_positions.py`` compares with the old algorithm).

Run: ``.venv/bin/python bench/bench_positions.py [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import unicodedata
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

SAMPLES = REPO.parent / "shared" / "conformance" / "refi" / "samples"


def largest_raw_source() -> tuple[str, str] | None:
    """(label, decoded text with its BOM and CRLFs) of the largest conformance source."""
    best = None
    for path in sorted(SAMPLES.glob("*.qdpx")) if SAMPLES.is_dir() else []:
        try:
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist():
                    if info.filename.lower().endswith(".txt") and (
                        best is None or info.file_size > best[0]
                    ):
                        best = (info.file_size, path, info.filename)
        except zipfile.BadZipFile:
            continue
    if best is None:
        return None
    _, path, member = best
    with zipfile.ZipFile(path) as zf:
        return path.name, zf.read(member).decode("utf-8")


def generated(n_chars: int = 620_000) -> str:
    """NVivo-like text: BOM, CRLF lines, an emoji every ~700 characters, accented words."""
    line = "Caf\u00e9 comment, na\u00efve \u00e1rv\u00edzt\u0171r\u0151 \U0001F600 ok\r\n"
    return "\ufeff" + line * (n_chars // len(line))


def once(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    from themeqa.core.text import normalize_text
    from themeqa.interop.refi.positions import OffsetMap

    found = largest_raw_source()
    label, raw = found if found else ("generated", generated())
    cases = [
        (f"{label} ({len(raw):,} chars)", raw),
        ("same, NFD", raw[:1] + unicodedata.normalize("NFD", raw[1:])),
    ]
    print(f"{'text':52s} {'units':9s} {'OffsetMap':>10s} {'baseline':>9s} {'ratio':>6s}")
    for name, text in cases:
        for units in ("codepoint", "utf16"):
            op, base = [], []
            for _ in range(args.repeat):  # interleaved: the machine is shared
                base.append(once(lambda t=text: normalize_text(t)))
                op.append(once(lambda t=text, u=units: OffsetMap(t, u)))
            o, b = statistics.median(op), statistics.median(base)
            print(f"{name:52s} {units:9s} {o * 1000:8.1f}ms {b * 1000:7.1f}ms {o / b:6.1f}")


if __name__ == "__main__":
    main()
