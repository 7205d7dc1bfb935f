"""Benchmark: REFI-QDA export of a study-sized project, against a plain-zip baseline.

Not a test: run ``.venv/bin/python bench/bench_qdpx.py``. It builds (fixed seed) a project of
200 documents, ~1,000,000 words, 20,000 codings by two coders (a quarter of spans double-
coded, 2% in the consensus layer), a 3 x 10-code codebook and 60 participants straight into
SQLite (bulk inserts: the export, not the import pipeline, is what is timed), then times

- ``services.exchange.export_project`` (query, build the REFI model, XML, zip) — target < 5 s;
- its parts: ``build_refi_project`` and ``interop.refi.write_qdpx``;
- ``interop.refi.read_qdpx`` of the result (parse, position maps, verification of all
  selections against their text);
- a baseline measured in the same run: ``zipfile`` writing the same 200 texts alone (same
  deflate level), i.e. the I/O floor any .qdpx writer pays
  (same deflate level as the export, ``writer.COMPRESSLEVEL``).

It prints the median and max of each, and the ratio to the baseline.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

N_DOCS, N_WORDS, N_CODINGS = 200, 1_000_000, 20_000


def timed(fn, repeat: int = 3) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of each run: on a shared machine CPU time shows the work itself."""
    out = []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - t0, time.process_time() - c0))
    return out


def build(directory: Path, seed: int = 20261123):
    from sqlalchemy import insert

    from themeqa.services.project import open_project
    from themeqa.store.models import (
        Code,
        Codebook,
        Coder,
        Coding,
        Document,
        Participant,
        StudySession,
    )

    rng = random.Random(seed)
    vocab = [w for w in ["the", "a", "and", "I", "it", "was", "felt", "warm", "kind", "calm", "fear", "hard", "picture", "gran", "kitchen", "memory", "safe", "trust", "body", "chest", "breath", "image", "voice", "tired", "proud", "café", "naïve", "😌", "really", "quite", "just", "maybe", "never", "always"]]
    project = open_project(directory, create=True, name="bench", actor="bench")
    with project.transaction() as s:
        coders = [Coder(name="amira"), Coder(name="ben")]
        s.add_all(coders)
        sessions = [StudySession(label=f"S{i}", condition="MI"[i % 2]) for i in range(1, 11)]
        s.add_all(sessions)
        s.flush()
        s.execute(insert(Participant), [
            {"pid": f"P{i:02d}", "condition": "MI"[i % 2], "session_id": sessions[i % 10].id,
             "age": 20 + i % 40, "gender": ("woman", "man")[i % 2], "extra": {"job": "x"}}
            for i in range(1, 61)])
        code_ids = []
        for b, key in enumerate(("inhibitors", "facilitators", "experience")):
            cb = Codebook(key=key, title=key.title(), position=b)
            s.add(cb)
            s.flush()
            for t in range(10):
                c = Code(codebook_id=cb.id, label=f"{key[0].upper()}{t}", name=f"Theme {t}",
                         definition="A definition.", position=t)
                s.add(c)
                s.flush()
                code_ids.append(c.id)
        docs = []
        per_doc = N_WORDS // N_DOCS
        for d in range(N_DOCS):
            lines, n = [], 0
            while n < per_doc:
                k = min(rng.randint(8, 30), per_doc - n)
                lines.append(f"P{rng.randint(1, 60):02d}: " + " ".join(rng.choices(vocab, k=k)))
                n += k
            text = "\n".join(lines) + "\n"
            docs.append({"name": f"doc{d:03d}.txt", "kind": "transcript", "format": "txt",
                         "text": text, "sha256": str(d), "n_chars": len(text), "n_words": n,
                         "session_id": sessions[d % 10].id})
        s.execute(insert(Document), docs)
        doc_rows = s.exec(__import__("sqlmodel").select(Document.id, Document.n_chars)).all()
        rows = []
        while len(rows) < N_CODINGS:
            did, n_chars = rng.choice(doc_rows)
            a = rng.randrange(0, n_chars - 300)
            b = a + rng.randint(20, 300)
            code = rng.choice(code_ids)
            rows.append({"document_id": did, "code_id": code, "coder_id": coders[0].id,
                         "layer": "consensus" if rng.random() < 0.02 else "coder",
                         "start": a, "end": b})
            if rng.random() < 0.25 and len(rows) < N_CODINGS:
                rows.append({**rows[-1], "coder_id": coders[1].id, "layer": "coder"})
        s.execute(insert(Coding), rows)
    return project, [d["text"] for d in docs]


def main() -> None:
    from themeqa.interop.refi import read_qdpx, write_qdpx
    from themeqa.interop.refi.writer import COMPRESSLEVEL
    from themeqa.services.exchange import build_refi_project, export_project

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        project, texts = build(tmp / "p")
        print(f"built project in {time.perf_counter() - t0:.1f} s: {len(texts)} documents, "
              f"{sum(len(t.split()) for t in texts):,} words, {N_CODINGS:,} codings")
        out = tmp / "out.qdpx"

        def baseline():
            with zipfile.ZipFile(tmp / "base.zip", "w", zipfile.ZIP_DEFLATED,
                                 compresslevel=COMPRESSLEVEL) as zf:
                for i, t in enumerate(texts):
                    zf.writestr(f"sources/{i}.txt", t.encode("utf-8"))

        model = build_refi_project(project)
        rows = [
            ("zipfile, texts only (baseline)", timed(baseline)),
            ("export_project (whole action)", timed(lambda: export_project(project, out))),
            ("  build_refi_project", timed(lambda: build_refi_project(project))),
            ("  write_qdpx", timed(lambda: write_qdpx(model, tmp / "w.qdpx"))),
            ("read_qdpx (parse + verify)", timed(lambda: read_qdpx(out))),
        ]
        p = read_qdpx(out)
        assert p.mismatches == [], p.mismatches[:3]
        n = sum(len(sel.codings) for s in p.sources for sel in s.selections)
        assert n == N_CODINGS, n
        project.close()
        base = statistics.median(w for w, _ in rows[0][1])
        print(f"archive: {out.stat().st_size / 1e6:.1f} MB; codings read back: {n:,}")
        print(f"{'operation':34} {'median s':>9} {'max s':>7} {'cpu s':>7} {'ratio':>6}")
        for name, ts in rows:
            wall = statistics.median(w for w, _ in ts)
            print(f"{name:34} {wall:9.3f} {max(w for w, _ in ts):7.3f} "
                  f"{statistics.median(c for _, c in ts):7.3f} {wall / base:6.2f}")
        ok = statistics.median(w for w, _ in rows[1][1]) < 5.0
        print(f"target export < 5 s: {'met' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
