"""Multi-process scenarios shared by the SQLite and PostgreSQL tests (issue 20).

Each scenario starts real processes (``worker.py``), each with its own engine and
connections, releases them at one moment and checks what the database holds afterwards
against what each process was told. The counts are small so a scenario takes a few seconds.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import select

from themeqa.services.codebooks import import_codebook
from themeqa.services.doctor_loops import find_loops
from themeqa.store.models import AuditEvent, Code, Codebook, Coding

WORKER = Path(__file__).with_name("worker.py")


def run_workers(url: str, tmp: Path, jobs: list[list[str]], *, env: dict | None = None,
                timeout: float = 120) -> list[list]:
    """Start one process per job, release them together, return each one's results."""
    tmp.mkdir(parents=True, exist_ok=True)
    go = tmp / "go"
    go.unlink(missing_ok=True)
    procs, ready = [], []
    for i, job in enumerate(jobs):
        r = tmp / f"ready-{i}"
        r.unlink(missing_ok=True)
        ready.append(r)
        procs.append(subprocess.Popen(
            [sys.executable, str(WORKER), job[0], url, str(r), str(go), *job[1:]],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env))
    deadline = time.monotonic() + timeout
    while not all(r.exists() for r in ready):
        if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
            errs = [p.communicate()[1][-2000:] for p in procs if p.poll() is not None]
            raise AssertionError(f"a worker did not start: {errs}")
        time.sleep(0.01)
    go.touch()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=max(1.0, deadline - time.monotonic()))
        assert p.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def kinds(results: list[list]) -> dict[str, int]:
    out: dict[str, int] = {}
    for res in results:
        for kind, _ in res:
            out[kind] = out.get(kind, 0) + 1
    return out


# ------------------------------------------------------------------------- concurrent edits


def concurrent_edits(project, tmp: Path, n: int = 30, *, env: dict | None = None) -> dict:
    """amira and ben each make ``n`` edits of code 1 with the version they just read.

    Returns the figures; the caller asserts. ``lost`` counts edits reported as applied whose
    version was also given to another applied edit (one overwrote the other unseen).
    """
    with project.reading() as s:
        code = s.exec(select(Code).join(Codebook, Code.codebook_id == Codebook.id)
                      .where(Codebook.key == "inhibitors", Code.label == "1")).one()
        code_id, v0 = code.id, code.version
        last_event = s.exec(select(AuditEvent.id).order_by(AuditEvent.id.desc())).first() or 0
    results = run_workers(project.url, tmp, [["edit", str(code_id), str(n), "amira"],
                                             ["edit", str(code_id), str(n), "ben"]], env=env)
    applied = [(v, text) for res in results for kind, (v, text) in
               ((k, x) for k, x in res if k == "ok")]
    refused = {name: [m for k, m in res if k == "refused"]
               for name, res in zip(("amira", "ben"), results, strict=True)}
    with project.reading() as s:
        row = s.get(Code, code_id)
        logged = len(s.exec(select(AuditEvent.id).where(
            AuditEvent.id > last_event, AuditEvent.entity == "code",
            AuditEvent.entity_id == code_id, AuditEvent.action == "update")).all())
        final = (row.version, row.definition)
    return {"v0": v0, "applied": applied, "refused": refused, "final": final,
            "logged": logged, "errors": kinds(results).get("error", 0),
            "lost": len(applied) - len({v for v, _ in applied})}


def check_no_lost_edit(fig: dict, n: int) -> None:
    """Each edit applied or refused; the applied ones are exactly the versions v0+1.. and the
    final row is the last of them."""
    applied, v0 = fig["applied"], fig["v0"]
    refused = fig["refused"]
    assert fig["errors"] == 0
    assert len(applied) + len(refused["amira"]) + len(refused["ben"]) == 2 * n
    assert sorted(v for v, _ in applied) == list(range(v0 + 1, v0 + 1 + len(applied)))
    assert fig["lost"] == 0
    assert fig["final"] == (v0 + len(applied), max(applied)[1])
    assert fig["logged"] == len(applied)  # one audit event per applied edit, none for refusals
    # a refusal names the other coder: one's own edits run one after the other
    for me, other in (("amira", "ben"), ("ben", "amira")):
        for message in refused[me]:
            assert f"changed by {other} since you opened it" in message, message


# ------------------------------------------------------------------------- concurrent moves


def race_codebook(project, tmp: Path, pairs: int) -> list[tuple[int, int]]:
    """A codebook of ``pairs`` pairs of top-level codes (P_i, Q_i); their ids."""
    lines = ["codebook: race", "title: Moves at once", "themes:"]
    for i in range(pairs):
        lines += [f"  - label: P{i}", f"    name: Pull {i}",
                  f"  - label: Q{i}", f"    name: Push {i}"]
    path = tmp / "race.yaml"
    tmp.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_codebook(project, path)
    with project.reading() as s:
        ids = dict(s.exec(select(Code.label, Code.id).join(Codebook)
                          .where(Codebook.key == "race")).all())
    return [(ids[f"P{i}"], ids[f"Q{i}"]) for i in range(pairs)]


def concurrent_moves(project, tmp: Path, pairs: int = 25, *, env: dict | None = None) -> dict:
    """One process moves each P_i under Q_i while another moves Q_i under P_i."""
    ids = race_codebook(project, tmp, pairs)
    results = run_workers(project.url, tmp, [
        ["move", *(f"{p}:{q}" for p, q in ids)],
        ["move", *(f"{q}:{p}" for p, q in ids)],
    ], env=env, timeout=180)
    with project.reading() as s:
        parents = dict(s.exec(select(Code.id, Code.parent_id)).all())
    loops = find_loops(parents)
    both = sum(1 for i in range(pairs)
               if results[0][i][0] == "ok" and results[1][i][0] == "ok")
    return {"ids": ids, "results": results, "parents": parents, "loops": loops,
            "both_applied": both, "errors": kinds(results).get("error", 0)}


def check_no_loop(fig: dict) -> None:
    assert fig["errors"] == 0
    assert fig["loops"] == []
    assert fig["both_applied"] == 0
    for i, (p, q) in enumerate(fig["ids"]):
        a, b = fig["results"][0][i], fig["results"][1][i]
        # exactly one of the two moves is applied; the other is refused as a loop
        assert [a[0], b[0]].count("ok") == 1, (a, b)
        refused = a if a[0] == "refused" else b
        assert "inside" in refused[1], refused
        expected = (q, None) if a[0] == "ok" else (None, p)
        assert (fig["parents"][p], fig["parents"][q]) == expected


# ------------------------------------------------------------------ import beside coding


def import_beside_coding(project, tmp: Path, document: str, *, n_code: int = 40,
                         rows: int = 30, times: int = 4, env: dict | None = None) -> dict:
    csv = tmp / "extra_codings.csv"
    tmp.mkdir(parents=True, exist_ok=True)
    csv.write_text("document,start,end,code,coder,layer,quote\n" + "".join(
        f"{document},{10 + i},{20 + i},inhibitors::2,carla,coder,0\n" for i in range(rows)),
        encoding="utf-8")
    with project.reading() as s:
        before = len(s.exec(select(Coding.id)).all())
    results = run_workers(project.url, tmp, [["code", document, str(n_code), "ben"],
                                             ["import", str(csv), str(times)]], env=env)
    with project.reading() as s:
        after = s.exec(select(Coding.id)).all()
    return {"results": results, "before": before, "after": len(after),
            "distinct": len(set(after)), "k": kinds(results)}


def check_imports_succeed(fig: dict, *, n_code: int = 40, rows: int = 30,
                          times: int = 4) -> None:
    assert fig["k"] == {"ok": n_code + times}, fig["results"]
    assert fig["results"][1] == [["ok", rows]] * times
    assert fig["after"] == fig["distinct"] == fig["before"] + n_code + rows * times
