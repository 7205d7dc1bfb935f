"""Benchmark: turn parsing and sentence splitting on ~1M characters, against baselines.

Run: ``.venv/bin/python bench/bench_ingest.py``. Ratios are against baselines measured in the
same run (this machine is noisy): ``parse_turns`` against one ``re.finditer`` pass over line
starts, ``sentence_spans`` against spaCy's sentencizer alone over the same text.
"""

from __future__ import annotations

import re
import statistics
import time

from themeqa.core.turns import parse_turns
from themeqa.ingest.sentences import sentence_spans

BLOCK = (
    "P01: I remember a time when someone was kind to me and it felt warm.\n"
    "Facilitator: And how did that feel in the body?\n"
    "[00:12:03] P02: Honestly, strange: I did not trust it at first. It took a while.\n\n"
)


def timed(fn, repeat: int = 5) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    import spacy

    text = BLOCK * (1_000_000 // len(BLOCK) + 1)
    line_re = re.compile(r"^[^\n:]{1,40}:", re.M)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = len(text) + 1
    sentence_spans(["warm up"])
    rows = [
        ("regex line scan (baseline)", timed(lambda: list(line_re.finditer(text)))),
        ("parse_turns", timed(lambda: parse_turns(text))),
        ("spaCy sentencizer alone (baseline)", timed(lambda: list(nlp(text).sents), 3)),
        ("sentence_spans", timed(lambda: sentence_spans([text]), 3)),
    ]
    print(f"text: {len(text):,} characters")
    print(f"{'operation':38} {'median s':>9} {'max s':>7} {'ratio':>6}")
    for i, (name, ts) in enumerate(rows):
        base = statistics.median(rows[i - i % 2][1])
        print(f"{name:38} {statistics.median(ts):9.3f} {max(ts):7.3f} "
              f"{statistics.median(ts) / base:6.2f}")


if __name__ == "__main__":
    main()
