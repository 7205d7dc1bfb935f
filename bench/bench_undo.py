"""Time an undoable 20,000-coding import, its undo and redo, and single-action undo latency.

Not a test: run ``.venv/bin/python bench/bench_undo.py``. It builds (fixed seed) a project with
one 50,000-word transcript and a 60-code codebook, writes a codings CSV of 20,000 codings by two
coders, then times, interleaved, a baseline and the real thing:

- baseline: the same 20,000 rows written with one bulk ``INSERT`` and no audit log (what
  ``import_codings`` did before every coding got its own undo event);
- ``import_codings``: CSV parsing, reference resolution, the bulk insert *and* 20,000 audit
  events (one batch, so the import is one undo step);
- ``undo`` of that import (checks every row is unchanged, then deletes them) and ``redo``;
- with those codings and their events in place: ``add_coding`` then ``undo`` then ``redo`` of
  a single coding, 30 times each (median and p95), which is what ctrl+z costs in the TUI.

Targets: the import stays within a small factor of the baseline (seconds, not minutes), and a
single undo stays well under the TUI's 50 ms repaint budget.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

N_CODINGS = 20_000
N_WORDS = 50_000
SEED = 7


def _files(root: Path) -> dict[str, Path]:
    rng = random.Random(SEED)
    words = ["warm", "kind", "hard", "picture", "felt", "safe", "gran", "kitchen", "calm",
             "afraid", "trust", "voice", "image", "breath", "colour", "light"]
    lines, n = [], 0
    while n < N_WORDS:
        speaker = rng.choice(["P01", "P02", "P03", "Facilitator"])
        k = rng.randint(8, 60)
        lines.append(f"{speaker}: " + " ".join(rng.choice(words) for _ in range(k)) + ".")
        n += k
    text = "\n".join(lines) + "\n"
    (root / "S1.txt").write_text(text, encoding="utf-8")
    (root / "participants.csv").write_text(
        "id,condition,session,timepoints\nP01,M,S1,initial\nP02,M,S1,initial\n"
        "P03,M,S1,initial\n", encoding="utf-8")
    themes = []
    for t in range(1, 21):
        themes.append(f"  - label: '{t}'\n    name: Theme {t}\n    children:\n")
        themes.extend(f"      - label: {t}{c}\n        name: Sub {t}{c}\n" for c in "ab")
    (root / "codebook.yaml").write_text(
        "codebook: bench\ntitle: Bench\nthemes:\n" + "".join(themes), encoding="utf-8")
    labels = [f"{t}{c}" for t in range(1, 21) for c in ("", "a", "b")]
    rows = ["document,start,end,code,coder,layer,quote"]
    for _ in range(N_CODINGS):
        a = rng.randrange(0, len(text) - 200)
        rows.append(f"S1.txt,{a},{a + rng.randint(5, 200)},{rng.choice(labels)},"
                    f"{rng.choice(['amira', 'ben'])},coder,{int(rng.random() < 0.05)}")
    (root / "codings.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return {p.stem: p for p in root.iterdir()}


def _stats(ts: list[float]) -> str:
    ts = sorted(ts)
    p95 = ts[min(len(ts) - 1, round(0.95 * (len(ts) - 1)))]
    return f"median {statistics.median(ts) * 1000:8.1f} ms   p95 {p95 * 1000:8.1f} ms"


def main() -> None:
    from sqlalchemy import delete, insert

    from themeqa.interop.codings_csv import read_codings_csv
    from themeqa.services.codebooks import code_index, import_codebook
    from themeqa.services.codings import add_coding, import_codings
    from themeqa.services.importing import import_files
    from themeqa.services.lookup import get_or_create_coder
    from themeqa.services.participants import import_participants
    from themeqa.services.project import open_project
    from themeqa.services.undo import redo, undo
    from themeqa.store.models import Coding, Document, utcnow

    root = Path(tempfile.mkdtemp(prefix="bench-undo-"))
    files = _files(root)
    p = open_project(root / "project", create=True, actor="importer")
    import_participants(p, files["participants"])
    import_codebook(p, files["codebook"])
    import_files(p, [files["S1"]], session="S1", timepoint="initial")

    def baseline() -> None:
        rows = read_codings_csv(files["codings"])
        with p.transaction() as s:
            doc = s.query(Document).one()
            index = code_index(s)
            coders = {n: get_or_create_coder(s, n).id for n in ("amira", "ben")}
            now = utcnow()
            s.execute(insert(Coding), [
                {"document_id": doc.id, "code_id": index[("bench", r.code)],
                 "coder_id": coders[r.coder], "layer": r.layer, "start": r.start,
                 "end": r.end, "quote": r.quote, "created_at": now, "updated_at": now}
                for r in rows])
        with p.transaction() as s:
            s.execute(delete(Coding))

    timings: dict[str, list[float]] = {"baseline": [], "import": [], "undo": [], "redo": []}
    for _ in range(3):
        t0 = time.perf_counter()
        baseline()
        timings["baseline"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        assert import_codings(p, files["codings"]) == N_CODINGS
        timings["import"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        assert undo(p, "importer") is not None
        timings["undo"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        assert redo(p, "importer") is not None
        timings["redo"].append(time.perf_counter() - t0)
        assert undo(p, "importer") is not None  # leave no codings for the next round
    assert redo(p, "importer") is not None

    base = statistics.median(timings["baseline"])
    print(f"{N_CODINGS:,} codings, one {N_WORDS:,}-word document, 60 codes")
    for name in ("baseline", "import", "undo", "redo"):
        med = statistics.median(timings[name])
        print(f"  {name:9} median {med:6.2f} s   ratio to baseline {med / base:5.2f}")

    single = {"add_coding": [], "undo": [], "redo": []}
    for i in range(30):
        t0 = time.perf_counter()
        add_coding(p, document="S1.txt", start=i, end=i + 10, code="1a", coder="amira")
        single["add_coding"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        undo(p, "amira")
        single["undo"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        redo(p, "amira")
        single["redo"].append(time.perf_counter() - t0)
    print(f"single coding, with {N_CODINGS:,} codings and their events in the project:")
    for name, ts in single.items():
        print(f"  {name:10} {_stats(ts)}")
    p.close()


if __name__ == "__main__":
    main()
