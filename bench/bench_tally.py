"""Time participant tallies and the Table 2 DOCX on a large generated study.

Not a test: run ``.venv/bin/python bench/bench_tally.py``. It generates (fixed seed) frames for
1,000 participants in 200 sessions (two conditions), 5,000 documents (400 focus-group
transcripts of ~60 turns at two timepoints, 4,600 written responses), 100,000 codings by two
coders and a 120-code codebook (30 themes x 3 subordinate themes), then times

- ``core.tally.tally`` by condition and by condition x timepoint (attribution, roll-up, counts),
- the same plus quote choice, Table 2 and writing it as DOCX (the user's "export" action),
- a baseline measured in the same run: the straightforward pandas approach (merge codings with
  turns on document, filter overlaps, drop duplicate participant/code pairs) for attribution
  only, which the tally must beat while also doing roll-up and breakdowns.

It prints median and p95 seconds of each and the ratio to the baseline, and checks that the
baseline and the tally credit the same (participant, code) pairs. Target: tallies + DOCX < 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd


def generate(seed: int, n_participants: int = 1000, n_codings: int = 100_000):
    rng = np.random.default_rng(seed)
    n_sessions = n_participants // 5
    pids = [f"P{i:04d}" for i in range(1, n_participants + 1)]
    session_of = {p: f"S{i // 5 + 1:03d}" for i, p in enumerate(pids)}
    condition = {f"S{s:03d}": ("M" if s % 2 else "I") for s in range(1, n_sessions + 1)}
    follow = rng.random(n_participants) < 0.6
    participants = pd.DataFrame(
        {
            "participant": pids,
            "condition": [condition[session_of[p]] for p in pids],
            "session": [session_of[p] for p in pids],
            "timepoints": [
                ("initial", "follow-up") if f else ("initial",) for f in follow.tolist()
            ],
            "age": rng.integers(18, 80, n_participants),
            "gender": rng.choice(["woman", "man", "non-binary"], n_participants),
        }
    )
    docs, turns = [], []
    doc_id = 0
    doc_len = {}
    for s in range(1, n_sessions + 1):
        members = pids[(s - 1) * 5 : s * 5]
        for tp in ("initial", "follow-up"):
            pos = 0
            for _ in range(60):
                speaker = None if rng.random() < 0.3 else members[rng.integers(0, 5)]
                length = int(rng.integers(30, 400))
                turns.append((doc_id, pos, pos + length, speaker))
                pos += length + 1
            docs.append((doc_id, "transcript", tp, f"S{s:03d}", None))
            doc_len[doc_id] = pos
            doc_id += 1
    n_written = 5000 - len(docs)
    writers = rng.choice(pids, n_written)
    for w in writers.tolist():
        tp = "follow-up" if rng.random() < 0.4 else "initial"
        length = int(rng.integers(100, 1500))
        docs.append((doc_id, "written", tp, session_of[w], w))
        turns.append((doc_id, 0, length, w))
        doc_len[doc_id] = length
        doc_id += 1
    documents = pd.DataFrame(
        docs, columns=["document", "kind", "timepoint", "session", "participant"]
    )
    turns = pd.DataFrame(turns, columns=["document", "start", "end", "participant"])
    turns["content_start"] = turns["start"]

    codes = []
    code_id = 0
    for top in range(30):
        parent = code_id
        codes.append((code_id, "cb", str(top + 1), f"Theme {top + 1}", None, 1))
        code_id += 1
        for sub in "abc":
            codes.append((code_id, "cb", f"{top + 1}{sub}", f"Sub {top + 1}{sub}", parent, 2))
            code_id += 1
    codes = pd.DataFrame(
        codes[:120], columns=["code", "codebook", "label", "name", "parent", "depth"]
    )

    # 60 % of codings on transcripts, the rest on written responses
    n_tr = int(n_codings * 0.6)
    doc_choice = np.concatenate(
        [rng.integers(0, 400, n_tr), rng.integers(400, 5000, n_codings - n_tr)]
    )
    lengths = np.array([doc_len[d] for d in range(5000)])
    span = rng.integers(20, 400, n_codings)
    start = (rng.random(n_codings) * np.maximum(lengths[doc_choice] - span, 1)).astype(np.int64)
    codings = pd.DataFrame(
        {
            "id": np.arange(n_codings),
            "document": doc_choice,
            "start": start,
            "end": start + span,
            "code": rng.integers(0, 120, n_codings),
            "coder": rng.choice(["amira", "ben"], n_codings),
            "layer": "coder",
            "quote": rng.random(n_codings) < 0.01,
        }
    )
    return codings, turns, documents, participants, codes


def baseline_pairs(codings, turns, documents) -> pd.DataFrame:
    """The plain pandas way: merge on document, test overlap, de-duplicate (no roll-up)."""
    written = documents.loc[documents["kind"] == "written", ["document", "participant"]]
    speaking = turns[turns["participant"].notna() & ~turns["document"].isin(written["document"])]
    merged = codings[["document", "start", "end", "code"]].merge(
        speaking[["document", "start", "end", "participant"]],
        on="document",
        suffixes=("", "_t"),
    )
    hit = merged[(merged["start"] < merged["end_t"]) & (merged["end"] > merged["start_t"])]
    wrote = codings[["document", "code"]].merge(written, on="document")
    both = pd.concat([hit[["participant", "code"]], wrote[["participant", "code"]]])
    return both.drop_duplicates()


def _timed(fn: Callable[[], object], repeats: int) -> tuple[float, float, object]:
    fn()  # warm-up: first-call costs (imports, caches) are not what is measured
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--participants", type=int, default=1000,
                        help="e.g. 5000 with --codings 500000 for archive scale")
    parser.add_argument("--codings", type=int, default=100_000)
    args = parser.parse_args()

    from themeqa.core.tally import attribute_codings, choose_quotes, clean_quote, tally
    from themeqa.reports.tallies import build_table2
    from themeqa.reports.writers import write_tables

    codings, turns, documents, participants, codes = generate(
        args.seed, args.participants, args.codings)
    frames = (codings, turns, documents, participants, codes)
    text = ("I could see her kitchen and it felt warm and safe for a moment. " * 40)[:1500]
    out = Path(tempfile.mkdtemp()) / "table2.docx"

    def tallies():
        hits = attribute_codings(codings, turns, documents)
        by_c = tally(*frames, by=("condition",), layer="union", hits=hits, rollup=True)
        by_ct = tally(
            *frames,
            by=("condition", "timepoint"),
            layer="union",
            hits=hits,
            timepoint_order=["initial", "follow-up"],
        )
        return hits, by_c, by_ct

    def tallies_and_docx():
        hits, by_c, by_ct = tallies()
        picked = choose_quotes(codings, hits)
        cond = participants.set_index("participant")["condition"]
        quotes = {
            c: (clean_quote(text[: q.end - q.start]), q.participant, cond[q.participant])
            for c, q in picked.items()
        }
        table = build_table2([by_c, by_ct], quotes, {"cb": "Codebook"})
        write_tables([table], out)
        return by_c

    base_med, base_p95, base = _timed(
        lambda: baseline_pairs(codings, turns, documents), args.repeats
    )
    t_med, t_p95, (_, flat, _) = _timed(
        lambda: (None, tally(*frames, by=(), layer="union", rollup=False), None), args.repeats
    )
    all_med, all_p95, _ = _timed(tallies, args.repeats)
    docx_med, docx_p95, by_c = _timed(tallies_and_docx, args.repeats)

    ours = {(p, c) for p, c in flat.presence[["participant", "code"]].itertuples(index=False)}
    theirs = set(base.itertuples(index=False, name=None))
    assert ours == theirs, "tally and baseline disagree"

    print(
        f"study: {len(participants):,} participants, {len(documents):,} documents, "
        f"{len(turns):,} turns, {len(codings):,} codings, {len(codes)} codes; "
        f"{len(ours):,} participant-theme pairs"
    )
    rows = [
        ("baseline: pandas merge + overlap filter (attribution only)", base_med, base_p95),
        ("tally, no roll-up, no breakdown (same output as baseline)", t_med, t_p95),
        ("tallies: roll-up, by condition and condition x timepoint", all_med, all_p95),
        ("tallies + quotes + Table 2 DOCX (target < 2 s)", docx_med, docx_p95),
    ]
    for name, med, p95 in rows:
        print(f"{name:<62} median {med:6.3f} s  p95 {p95:6.3f} s  x{med / base_med:5.2f} baseline")
    print(f"Table 2 rows: {len(by_c.codes)}; DOCX {out.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
