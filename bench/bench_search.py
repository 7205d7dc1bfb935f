"""Benchmark: lemma search over ~1M words, first pass and cached, against a regex baseline.

Run: ``.venv/bin/python bench/bench_search.py [--words 1000000]``. The corpus is 200 texts
drawn (seeded) from a Zipf distribution over the demo transcripts' vocabulary, in lines of
speaker-labelled sentences. Measured in the same run:

- first pass: spaCy tokenising + lemma lookup for every text, stored in a ``TokenCache``
  (what the first search of a project pays once);
- cached search: loading the tables from the on-disk cache in a fresh process-like cache,
  compiling the query and matching it in every table, with keyword-in-context lines
  (what every later search pays; the issue's target is under 1 s at 1M words);
- baseline: one ``re.finditer(r"\\brelax\\w*", text, re.I)`` pass over the same texts.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from themeqa.core.textsearch import compile_phrases, kwic, match_compiled
from themeqa.ingest.lexicon import TokenCache, lemmatize_words

DEMO = Path(__file__).resolve().parents[1] / "transcripts"


def corpus(n_words: int, n_docs: int = 200, seed: int = 7) -> list[str]:
    vocab = sorted({w for f in DEMO.glob("*.txt")
                    for w in re.findall(r"[A-Za-z']+", f.read_text(encoding="utf-8"))})
    vocab += ["relax", "relaxed", "relaxing", "relaxation"]
    rng = np.random.default_rng(seed)
    ranks = rng.zipf(1.3, size=n_words) % len(vocab)
    words = [vocab[i] for i in ranks]
    per_doc = n_words // n_docs
    texts = []
    for d in range(n_docs):
        chunk = words[d * per_doc:(d + 1) * per_doc]
        lines = []
        for i in range(0, len(chunk), 40):
            lines.append(f"P{(i // 40) % 12 + 1:02d}: " + " ".join(chunk[i:i + 40]) + ".")
        texts.append("\n".join(lines) + "\n")
    return texts


def timed(fn, repeat: int) -> tuple[list[float], object]:
    out, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        out.append(time.perf_counter() - t0)
    return out, result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--words", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    texts = corpus(args.words)
    items = [(f"sha{i}", "en", t) for i, t in enumerate(texts)]
    rx = re.compile(r"\brelax\w*", re.I)
    lemmatize_words(["warm-up"])

    with tempfile.TemporaryDirectory() as tmp:
        first, _ = timed(lambda: TokenCache(Path(tmp)).get_many(items), 1)

        def cached_search():
            cache = TokenCache(Path(tmp))
            tables = cache.get_many(items)
            compiled = compile_phrases(cache.vocab, [tuple(lemmatize_words(["relax"]))])
            hits = []
            for (_, _, text), table in zip(items, tables, strict=True):
                for a, b in match_compiled(table, compiled):
                    hits.append(kwic(text, a, b))
            return hits

        warm_cache = TokenCache(Path(tmp))

        def warm_search(cache=warm_cache):
            tables = cache.get_many(items)
            compiled = compile_phrases(cache.vocab, [tuple(lemmatize_words(["relax"]))])
            return sum(len(match_compiled(t, compiled)) for t in tables)

        cold, hits = timed(cached_search, args.repeat)
        warm, n_warm = timed(warm_search, args.repeat)
    base, n_base = timed(lambda: sum(1 for t in texts for _ in rx.finditer(t)), args.repeat)
    b = statistics.median(base)
    print(f"corpus: {len(texts)} texts, {args.words:,} words, "
          f"{sum(map(len, texts)):,} characters; hits {len(hits)} (regex {n_base})")
    print(f"{'operation':52} {'median s':>9} {'max s':>7} {'ratio':>7}")
    for name, ts in [
        ("regex \\brelax\\w* over the texts (baseline)", base),
        ("first pass: tokenise + lemmas + store cache", first),
        ("search from the disk cache (new process)", cold),
        ("search with tables in memory (same process)", warm),
    ]:
        m = statistics.median(ts)
        print(f"{name:52} {m:9.3f} {max(ts):7.3f} {m / b:7.1f}")
    assert n_warm == len(hits)


if __name__ == "__main__":
    main()
