"""Time an undoable 5,000-value measures import, its undo and redo, and a replace-import.

Not a test: run ``.venv/bin/python bench/bench_measures_undo.py``. It builds (fixed seed) a
project with 200 participants and a CSV of 25 questionnaire items per participant (5,000
values), then times, interleaved, a baseline and the real thing:

- baseline: the same variables and values read from the same file and written with bulk
  ``INSERT`` s and no audit log (a plain import without recording);
- ``import_measures``: reading, id linking, the writes *and* 5,027 audit events (one per
  variable and value, plus the notes: one batch, so the import is one undo step);
- ``undo`` of that import (checks every value is unchanged, then deletes them) and ``redo``;
- a ``replace`` import of a file in which every value differs (5,000 ``update`` events with
  before-snapshots) and its ``undo`` (every old value written back).

Target (issue: undo for every edit): import and undo of 5,000 values well under 1-2 s, and
within a small factor of the baseline.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

N_PARTICIPANTS = 200
N_ITEMS = 25
SEED = 11


def _files(root: Path) -> dict[str, Path]:
    rng = random.Random(SEED)
    pids = [f"P{i:03d}" for i in range(1, N_PARTICIPANTS + 1)]
    (root / "participants.csv").write_text(
        "id,condition\n" + "".join(f"{p},{'MI'[i % 2]}\n" for i, p in enumerate(pids)),
        encoding="utf-8")
    header = "id," + ",".join(f"item_{k}" for k in range(1, N_ITEMS + 1)) + "\n"
    for name, offset in (("items.csv", 0), ("items_v2.csv", 10)):
        rows = [f"{p}," + ",".join(str(rng.randint(1, 5) + offset) for _ in range(N_ITEMS))
                for p in pids]
        (root / name).write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return {p.name: p for p in root.iterdir()}


def main() -> None:
    from sqlalchemy import delete, insert

    from themeqa.ingest.measures import read_measures
    from themeqa.services.measures import import_measures, participant_ids
    from themeqa.services.participants import import_participants
    from themeqa.services.project import open_project
    from themeqa.services.undo import redo, undo
    from themeqa.store.models import MeasureValue, MeasureVariable

    root = Path(tempfile.mkdtemp(prefix="bench-measures-undo-"))
    files = _files(root)
    p = open_project(root / "project", create=True, actor="importer")
    import_participants(p, files["participants.csv"])

    def baseline() -> None:
        table = read_measures(files["items.csv"])
        with p.transaction() as s:
            ids = participant_ids(s)
            for pos, col in enumerate(table.columns):
                var_id = s.execute(insert(MeasureVariable.__table__).values(
                    name=col.name, label=col.label, kind=col.kind, source="file:items.csv",
                    value_labels={}, missing_values=[], position=pos)).inserted_primary_key[0]
                series = table.data[col.name]
                s.execute(insert(MeasureValue.__table__), [
                    {"participant_id": ids[g], "variable_id": var_id,
                     "value": float(series.loc[g]), "text_value": None} for g in table.ids])
        with p.transaction() as s:
            s.execute(delete(MeasureValue.__table__))
            s.execute(delete(MeasureVariable.__table__))

    def timed(name: str, fn) -> None:
        t0 = time.perf_counter()
        fn()
        timings[name].append(time.perf_counter() - t0)

    timings: dict[str, list[float]] = {
        k: [] for k in ("baseline", "import", "undo", "redo", "replace", "undo replace")}
    n = N_PARTICIPANTS * N_ITEMS
    for _ in range(5):
        timed("baseline", baseline)
        timed("import", lambda: import_measures(p, files["items.csv"]))
        timed("undo", lambda: undo(p, "importer"))
        timed("redo", lambda: redo(p, "importer"))
        timed("replace", lambda: import_measures(p, files["items_v2.csv"], replace=True))
        timed("undo replace", lambda: undo(p, "importer"))
        assert undo(p, "importer") is not None  # leave no measures for the next round

    base = statistics.median(timings["baseline"])
    print(f"{n:,} values ({N_ITEMS} variables x {N_PARTICIPANTS} participants), 5 rounds")
    for name, ts in timings.items():
        med = statistics.median(ts)
        print(f"  {name:13} median {med * 1000:7.1f} ms   ratio to baseline {med / base:5.2f}")
    p.close()


if __name__ == "__main__":
    main()
