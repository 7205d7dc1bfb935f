"""``make bench``: time themeqa's operations at each size against baselines from the same run.

Why ratios: this machine is shared and noisy, so every operation that has a natural baseline
is timed against it in the same process, interleaved (baseline, operation, baseline, ...), and
the ratio is what the targets are about; absolute targets (agreement < 1 s at ``study``) are
reported as measured, with the load average of the run.

Each (operation, size) runs in its own subprocess, so its peak memory (``ru_maxrss`` of that
process: data, setup and operation together) is its own; a further, untimed run of the
operation under ``tracemalloc`` gives the peak of what the operation itself allocated.
Operations that miss their target are re-run once under ``cProfile`` and the top entries are
written below the table.

Usage::

    python bench/run.py                      # all sizes (small study archive)
    python bench/run.py --size study         # one size (make bench SIZE=study)
    python bench/run.py --size small --quick --out /tmp/r.md   # the smoke test in make test

Results are merged into ``bench/results.json`` by (operation, size), so a run of one size keeps
the others' rows, and the whole table is written to ``bench/results.md`` and printed.

Plug-in operations (``bench/bench_tui.py``, ``bench/bench_tally.py``, ``bench/bench_qdpx.py``):
a module in ``bench/`` is run by this runner when it defines::

    NAME = "coding screen"              # optional; default from the module name
    SIZES = ("small", "study")          # optional; which sizes it runs at
    TARGET = "p95 < 0.05 s"             # optional: "< X s", "p95 < X s" or "ratio <= X"
    def prepare(size: str, ctx) -> object      # untimed; ctx is a bench.run.Context
    def operation(state) -> object             # timed, repeated
    def baseline(state) -> object              # optional, timed, repeated
    def before(state) -> None                  # optional, untimed, before each timed run

``ctx.data(size)`` is the generated project files, ``ctx.project(size)`` a private copy of a
project with all of them imported, ``ctx.frames(size)`` the generated DataFrames, ``ctx.tmp``
a scratch directory. A module may instead define ``OPERATIONS``, a list of dicts with the
keys ``name, sizes, target, prepare, operation, baseline, before``. A module without either
(and any other ``bench/bench_*.py``) is run as a script (``python bench/bench_x.py``, its own
data and sizes), timed whole, and the end of its output is copied below the table; ``--quick``
skips scripts, visibly. A missing module gives a visible "not built yet" row.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import importlib
import io
import json
import os
import platform
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.generate import GENERATOR_VERSION, SIZES, Corpus, write_project  # noqa: E402

ALL_SIZES = ("small", "study", "archive")
NO_SIZE = "-"
DEFAULT_SEED = 20240601
RESULT_PREFIX = "BENCH_RESULT "
SKIPPED_QUICK = "skipped in --quick (a whole script, minutes long)"
SCRIPT_STATUS = "see its output below"
PLUGINS = (  # module, name, default sizes, default target
    (
        "bench.bench_tui",
        "coding screen: open largest document + apply a code",
        ("small", "study"),
        "p95 < 0.05 s",
    ),
    ("bench.bench_tally", "tallies + Table 2 DOCX", ("small", "archive"), "< 5 s"),
    ("bench.bench_qdpx", "export .qdpx", ("small", "study"), "< 5 s"),
    ("bench.bench_cli", "data commands vs --help", ("small", "study"), "ratio <= 3"),
)

# --------------------------------------------------------------------------------------------
# context: generated data, cached


def default_cache() -> Path:
    base = os.environ.get("THEMEQA_BENCH_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "themeqa-bench"
    )
    return Path(base)


@dataclass
class Context:
    """What an operation's ``prepare`` may ask for; everything is built once and cached."""

    cache: Path
    seed: int = DEFAULT_SEED
    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="themeqa-bench-")))

    def _root(self, size: str) -> Path:
        root = self.cache / f"v{GENERATOR_VERSION}" / f"{size}-{self.seed}"
        root.mkdir(parents=True, exist_ok=True)
        return root

    def corpus(self, size: str) -> Corpus:
        return Corpus(size, self.seed)

    def data(self, size: str) -> Path:
        """The generated files of ``size`` (participants, codebooks, documents, codings)."""
        out = self._root(size) / "data"
        if not (out / "generator.json").exists():
            shutil.rmtree(out, ignore_errors=True)
            part = out.with_name("data.partial")
            shutil.rmtree(part, ignore_errors=True)
            write_project(self.corpus(size), part)
            part.rename(out)
        return out

    def frames(self, size: str) -> dict:
        """``Corpus.frames()`` (documents, turns, codings, participants, codes), pickled."""
        import pandas as pd

        path = self._root(size) / "frames.pkl"
        if path.exists():
            return pd.read_pickle(path)
        frames = self.corpus(size).frames()
        pd.to_pickle(frames, path.with_suffix(".partial"))
        path.with_suffix(".partial").rename(path)
        return frames

    def project_files(self, size: str) -> Path:
        """The cached project directory with everything imported (built on first use)."""
        from bench.generate import load_project

        built = self._root(size) / "project"
        if not (built / ".complete").exists():
            shutil.rmtree(built, ignore_errors=True)
            part = built.with_name("project.partial")
            shutil.rmtree(part, ignore_errors=True)
            load_project(self.data(size), part).close()
            (part / ".complete").write_text("ok")
            part.rename(built)
        return built

    def project(self, size: str) -> Path:
        """A private copy (in ``tmp``) of the built project of ``size``; change it freely."""
        dest = Path(tempfile.mkdtemp(prefix=f"project-{size}-", dir=self.tmp))
        shutil.copytree(self.project_files(size), dest, dirs_exist_ok=True)
        return dest

    def open_project(self, size: str, actor: str = "amira"):
        from themeqa.services.project import open_project

        return open_project(self.project(size), actor=actor)


# --------------------------------------------------------------------------------------------
# operations


@dataclass
class Operation:
    name: str
    sizes: tuple[str, ...]
    target: str  # "< 1 s", "p95 < 0.05 s", "ratio <= 1.5", or "" (report only)
    prepare: Callable[[str, Context], Any] | None = None
    operation: Callable[[Any], Any] | None = None
    baseline: Callable[[Any], Any] | None = None
    before: Callable[[Any], Any] | None = None
    baseline_name: str = ""
    repeats: dict[str, int] = field(default_factory=dict)
    warmup: bool = True
    size_targets: dict[str, str] = field(default_factory=dict)
    missing: str | None = None  # "not built yet" reason
    trace: bool = True  # also run once under tracemalloc (off where it would take minutes)
    profiler: Callable[[Any], str] | None = None  # instead of cProfile of one run
    #: sizes where one run takes minutes: one timed run, no warm-up, no tracemalloc run
    slow_sizes: tuple[str, ...] = ()
    script: Path | None = None  # run a module as a script, timed whole

    def target_for(self, size: str) -> str:
        return self.size_targets.get(size, self.target)


def _run_command(state: list[str]) -> None:
    proc = subprocess.run(state, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{state[0]} exited {proc.returncode}: {proc.stderr[-300:]!r}")


# -- start-up ---------------------------------------------------------------------------------


def _startup_prepare(size: str, ctx: Context) -> dict:
    exe = Path(sys.executable).with_name("themeqa")
    cmd = [str(exe), "--help"] if exe.exists() else [sys.executable, "-m", "themeqa", "--help"]
    return {"op": cmd, "base": [sys.executable, "-c", "pass"]}


def _startup_profile(state: dict, top: int = 15) -> str:
    """Where start-up time goes: ``python -X importtime``, biggest cumulative imports."""
    cmd = [
        sys.executable,
        "-X",
        "importtime",
        "-c",
        "import sys; from themeqa.cli.main import main; sys.argv[1:] = ['--help']; main()",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    rows = []
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if line.startswith("import time:") and len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), int(parts[0].split(":")[1]), parts[2].rstrip()))
    rows.sort(reverse=True)
    lines = ["cumulative us | self us | module (python -X importtime)"]
    lines += [f"{c:>13} | {s:>7} | {m}" for c, s, m in rows[:top]]
    return "\n".join(lines)


# -- import -----------------------------------------------------------------------------------


def _import_prepare(size: str, ctx: Context) -> dict:
    import csv

    import yaml

    from themeqa.ingest.sentences import sentence_spans
    from themeqa.services import importing  # noqa: F401  (imported before timing)

    data = ctx.data(size)
    manifest = yaml.safe_load((data / "manifest.yaml").read_text(encoding="utf-8"))
    texts: list[str] = []
    for entry in manifest["documents"]:
        path = data / entry["file"]
        if entry["kind"] == "transcript":
            texts.append(path.read_text(encoding="utf-8"))
        else:
            with path.open(encoding="utf-8", newline="") as f:
                rows = list(csv.reader(f))
            texts.extend(cell for row in rows[1:] for cell in row[1:] if cell.strip())
    sentence_spans(["Warm up the pipeline. Twice."])
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = max(len(t) for t in texts) + 1
    return {
        "data": data,
        "manifest": manifest,
        "texts": texts,
        "nlp": nlp,
        "ctx": ctx,
        "project": None,
    }


def _import_before(state: dict) -> None:
    from themeqa.services.codebooks import import_codebook
    from themeqa.services.participants import import_participants
    from themeqa.services.project import open_project

    if state["project"] is not None:
        state["project"].close()
    directory = Path(tempfile.mkdtemp(prefix="import-", dir=state["ctx"].tmp))
    project = open_project(directory, create=True, actor="bench")
    import_participants(project, state["data"] / state["manifest"]["participants"])
    for cb in state["manifest"]["codebooks"]:
        import_codebook(project, state["data"] / cb)
    state["project"] = project


def _import_run(state: dict) -> int:
    from bench.generate import import_documents

    return import_documents(state["project"], state["data"], state["manifest"])


def _sentencizer(state: dict) -> int:
    n = 0
    for doc in state["nlp"].pipe(state["texts"], batch_size=64):
        n += sum(1 for _ in doc.sents)
    return n


# -- agreement on turn units, from generated frames ---------------------------------------


def _agreement_inputs(frames: dict) -> dict:
    import numpy as np

    docs = frames["documents"]
    double = set(docs.loc[docs["double_coded"], "document"].tolist())
    turns = frames["turns"]
    units = turns.loc[turns["document"].isin(double), ["document", "start", "end", "participant"]]
    codings = frames["codings"]
    codings = codings.loc[codings["document"].isin(double)]
    codes = frames["codes"]
    parent_of = dict(
        zip(codes["label"], codes["parent"].where(codes["parent"].notna(), None), strict=True)
    )
    return {
        "units": units.reset_index(drop=True),
        "codings": codings,
        "codes": codes["label"].tolist(),
        "parent_of": parent_of,
        "docs": units["document"].to_numpy(dtype=np.int64),
    }


def _agreement_prepare(size: str, ctx: Context) -> dict:
    return _agreement_inputs(ctx.frames(size))


def _agreement(state: dict, *, n_boot: int) -> list:
    """Every code's (rolled-up) 2x2 table and coefficients, and the pooled row -- what
    ``services.check.agreement_table`` computes, minus the query; with ``n_boot`` > 0 also
    each code's document-bootstrap CI of kappa (as the check table shows)."""
    import numpy as np

    from themeqa.core import agreement as ag
    from themeqa.core import agreement_units as au

    coders = ["amira", "ben"]
    presence = au.presence_matrix(state["codings"], state["units"], coders, state["codes"])
    rolled = au.rollup_codes(presence, state["parent_of"])
    tables = []
    pooled = np.zeros(4, dtype=np.int64)
    for code in state["codes"]:
        tables.append(au.per_document_counts(rolled[code][0], rolled[code][1], state["docs"]))
        own = au.per_document_counts(presence[code][0], presence[code][1], state["docs"])
        pooled += own.sum(axis=0)
    summaries = [ag.from_counts(*t.sum(axis=0)) for t in tables]
    used = [i for i, s in enumerate(summaries) if s.both + s.only_a + s.only_b]
    cis: dict[int, object] = {}
    if n_boot and used:  # one set of document draws for all codes, as the check service does
        stacked = np.stack([tables[i] for i in used])
        cis = dict(zip(used, ag.bootstrap_tables_ci(stacked, "kappa", n_boot=n_boot, seed=0),
                       strict=True))
    rows = [(code, summaries[i], cis.get(i)) for i, code in enumerate(state["codes"])]
    rows.append(("pooled", ag.from_counts(*pooled), None))
    return rows


def _agreement_point(state: dict) -> list:
    return _agreement(state, n_boot=0)


def _agreement_bootstrap(state: dict) -> list:
    return _agreement(state, n_boot=1000)


# -- agreement through the check service (needs the database) ------------------------------


def _service_prepare(size: str, ctx: Context) -> dict:
    import themeqa.services.check  # noqa: F401

    project = ctx.open_project(size)
    return {"project": project}


def _service_run(state: dict) -> Any:
    from themeqa.services.check import agreement_table

    return agreement_table(state["project"], coders=("amira", "ben"), unit="turn")


# -- Krippendorff's alpha vs the krippendorff package ---------------------------------------


def _alpha_prepare(size: str, ctx: Context) -> dict:
    import numpy as np

    from themeqa.core import agreement_units as au

    s = _agreement_inputs(ctx.frames(size))
    presence = au.presence_matrix(s["codings"], s["units"], ["amira", "ben"], s["codes"])
    # coders x (codes x units), binary, pooled over every code: one value per coder per
    # (code, turn) pair -- the pooled alpha of a credibility check on turn units
    data = np.concatenate([presence[c] for c in s["codes"]], axis=1).astype(float)
    return {"data": data}


def _alpha_ours(state: dict) -> Any:
    from themeqa.core.agreement import krippendorff_alpha

    return krippendorff_alpha(state["data"], "nominal")


def _alpha_theirs(state: dict) -> Any:
    import krippendorff

    return krippendorff.alpha(reliability_data=state["data"], level_of_measurement="nominal")


def builtin_operations() -> list[Operation]:
    return [
        Operation(
            "themeqa --help start-up",
            (NO_SIZE,),
            "< 0.3 s",
            _startup_prepare,
            lambda s: _run_command(s["op"]),
            lambda s: _run_command(s["base"]),
            baseline_name="python -c pass",
            repeats={NO_SIZE: 10},
            profiler=_startup_profile,
        ),
        Operation(
            "import (services.importing.import_files)",
            ("small", "study"),
            "ratio <= 1.5",
            _import_prepare,
            _import_run,
            _sentencizer,
            before=_import_before,
            baseline_name="spaCy sentencizer alone",
            repeats={"small": 3, "study": 3},
            warmup=False,
            trace=False,
            # the target is for `study`; at `small` fixed costs per call dominate
            size_targets={"small": ""},
        ),
        Operation(
            "agreement, all codes, turn units: 2x2 + coefficients (core)",
            ALL_SIZES,
            "< 1 s",
            _agreement_prepare,
            _agreement_point,
            size_targets={"archive": "< 10 s"},
            repeats={"small": 5, "study": 5, "archive": 3},
        ),
        Operation(
            "agreement, all codes, turn units: + bootstrap CI, 1000 reps (core)",
            ALL_SIZES,
            "< 1 s",
            _agreement_prepare,
            _agreement_bootstrap,
            size_targets={"archive": "< 10 s"},
            repeats={"small": 5, "study": 5, "archive": 1},
            slow_sizes=("archive",),
        ),
        Operation(
            "agreement table, all codes, turn units, with bootstrap CIs (services.check)",
            ("small", "study"),
            "< 1 s",
            _service_prepare,
            _service_run,
            repeats={"small": 3, "study": 3},
            missing=None
            if _module_exists("themeqa.services.check")
            else "not built yet (themeqa/services/check.py)",
        ),
        Operation(
            "Krippendorff's alpha, pooled turn matrix",
            ALL_SIZES,
            "ratio <= 1.0",
            _alpha_prepare,
            _alpha_ours,
            _alpha_theirs,
            baseline_name="krippendorff package",
            repeats={"small": 5, "study": 5, "archive": 3},
        ),
    ]


def _module_exists(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def plugin_operations() -> list[Operation]:
    """Operations of the other bench modules, or "not built yet" rows when they are absent."""
    ops: list[Operation] = []
    for module, name, sizes, target in PLUGINS:
        path = REPO / (module.replace(".", "/") + ".py")
        if not path.exists():
            ops.append(Operation(name, sizes, target, missing=f"not built yet ({path.name})"))
            continue
        try:
            mod = importlib.import_module(module)
        except Exception as exc:  # a half-written module: show it, do not stop the run
            ops.append(
                Operation(
                    name, sizes, target, missing=f"{path.name} does not import: {exc!r}"[:200]
                )
            )
            continue
        specs = getattr(mod, "OPERATIONS", None)
        if specs is None and hasattr(mod, "operation") and hasattr(mod, "prepare"):
            specs = [
                {
                    "name": getattr(mod, "NAME", name),
                    "sizes": getattr(mod, "SIZES", sizes),
                    "target": getattr(mod, "TARGET", target),
                    "prepare": mod.prepare,
                    "operation": mod.operation,
                    "baseline": getattr(mod, "baseline", None),
                    "before": getattr(mod, "before", None),
                    "baseline_name": getattr(mod, "BASELINE", "baseline"),
                }
            ]
        if specs is None:
            ops.append(
                Operation(f"{name} ({path.name}, whole script)", (NO_SIZE,), target, script=path)
            )
            continue
        for spec in specs:
            ops.append(
                Operation(
                    spec.get("name", name),
                    tuple(spec.get("sizes", sizes)),
                    spec.get("target", target),
                    spec["prepare"],
                    spec["operation"],
                    spec.get("baseline"),
                    spec.get("before"),
                    baseline_name=spec.get("baseline_name", "baseline"),
                    repeats=dict(spec.get("repeats", {})),
                )
            )
    return ops


def other_scripts() -> list[Operation]:
    """Any other ``bench/bench_*.py`` (e.g. ``bench_search.py``), run whole and reported."""
    known = {m.rsplit(".", 1)[1] for m, *_ in PLUGINS} | {"bench_alpha", "bench_ingest"}
    return [
        Operation(f"{p.stem} (whole script)", (NO_SIZE,), "", script=p)
        for p in sorted((REPO / "bench").glob("bench_*.py"))
        if p.stem not in known
    ]


def all_operations() -> list[Operation]:
    """Built-in operations, the plug-ins' and other bench scripts. (``bench_alpha.py`` and
    ``bench_ingest.py`` are covered by the alpha and import rows.)"""
    return builtin_operations() + plugin_operations() + other_scripts()


# --------------------------------------------------------------------------------------------
# measuring (in the child process)


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (with few repeats the p95 is the slowest run)."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(-(-q * len(ordered) // 1)) - 1))
    return ordered[k]


def _timed(fn: Callable[[Any], Any], state: Any, before: Callable | None) -> float:
    if before is not None:
        before(state)
    t0 = time.perf_counter()
    fn(state)
    return time.perf_counter() - t0


def _maxrss_mib() -> float:
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _child_maxrss_mib() -> float:
    import resource

    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def measure(
    op: Operation, size: str, ctx: Context, repeats: int, *, warmup: bool, trace: bool
) -> dict:
    """Prepare, warm up, then time baseline and operation interleaved ``repeats`` times."""
    t0 = time.perf_counter()
    state = op.prepare(size, ctx) if op.prepare else None
    prepare_s = time.perf_counter() - t0
    assert op.operation is not None
    if size in op.slow_sizes:
        repeats, warmup, trace = 1, False, False
    if warmup and op.warmup:
        _timed(op.operation, state, op.before)
        if op.baseline:
            _timed(op.baseline, state, op.before)
    times, base = [], []
    for _ in range(repeats):
        if op.baseline:
            base.append(_timed(op.baseline, state, op.before))
        times.append(_timed(op.operation, state, op.before))
    traced = None
    if trace and op.trace:
        if op.before:
            op.before(state)
        tracemalloc.start()
        op.operation(state)
        traced = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    subprocess_rss = _child_maxrss_mib() if op.name.startswith("themeqa --help") else None
    return {
        "times": times,
        "baseline_times": base,
        "prepare_s": prepare_s,
        "maxrss_mib": subprocess_rss if subprocess_rss else _maxrss_mib(),
        "traced_mib": traced,
    }


def profile(op: Operation, size: str, ctx: Context, top: int = 18) -> str:
    """The top entries (by cumulative time) of one profiled run of the operation."""
    state = op.prepare(size, ctx) if op.prepare else None
    if op.profiler is not None:
        return op.profiler(state)
    assert op.operation is not None
    if op.before:
        op.before(state)
    prof = cProfile.Profile()
    prof.enable()
    op.operation(state)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(top)
    text = out.getvalue()
    return text[text.find("ncalls") :] if "ncalls" in text else text


def _script_measure(op: Operation, size: str, ctx: Context) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(op.script)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(
            f"{op.script.name} exited {proc.returncode}: "  # type: ignore[union-attr]
            f"{proc.stderr.strip().splitlines()[-1:]}"
        )
    return {
        "times": [elapsed],
        "baseline_times": [],
        "prepare_s": 0.0,
        "maxrss_mib": _child_maxrss_mib(),
        "traced_mib": None,
        "output": proc.stdout.strip().splitlines()[-30:],
    }


def child_main(args: argparse.Namespace) -> int:
    ops = {op.name: op for op in all_operations()}
    op = ops[args.child[0]]
    size = args.child[1]
    ctx = Context(cache=Path(args.cache), seed=args.seed)
    try:
        if args.profile:
            result: dict = {"profile": profile(op, size, ctx)}
        elif op.script is not None:
            result = _script_measure(op, size, ctx)
        else:
            result = measure(
                op, size, ctx, args.repeats, warmup=not args.quick, trace=not args.no_trace
            )
    finally:
        shutil.rmtree(ctx.tmp, ignore_errors=True)
    print(RESULT_PREFIX + json.dumps(result), flush=True)
    return 0


# --------------------------------------------------------------------------------------------
# the parent: run children, judge targets, write the table


_TARGET_RE = re.compile(r"^(?:(?P<p95>p95)\s*)?(?P<op><=|<)\s*(?P<x>[\d.]+)\s*s$")
_RATIO_RE = re.compile(r"^ratio\s*(?P<op><=|<)\s*(?P<x>[\d.]+)$")


def judge(target: str, median: float, p95: float, ratio: float | None) -> bool | None:
    """True/False when the target is met/missed; None when there is no target to judge."""
    t = target.strip()
    m = _RATIO_RE.match(t)
    if m:
        if ratio is None:
            return None
        x = float(m["x"])
        return ratio <= x if m["op"] == "<=" else ratio < x
    m = _TARGET_RE.match(t)
    if m:
        value = p95 if m["p95"] else median
        x = float(m["x"])
        return value <= x if m["op"] == "<=" else value < x
    return None


def run_child(
    op: Operation, size: str, args: argparse.Namespace, *, profile_run: bool = False
) -> dict:
    repeats = 1 if args.quick else (args.repeats or op.repeats.get(size, 5))
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        op.name,
        size,
        "--repeats",
        str(repeats),
        "--cache",
        str(args.cache),
        "--seed",
        str(args.seed),
    ]
    if args.quick:
        cmd += ["--quick", "--no-trace"]
    if args.no_trace:
        cmd.append("--no-trace")
    if profile_run:
        cmd.append("--profile")
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=args.timeout, check=False
    )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": f"exit {proc.returncode}: {tail}"[:300]}


def summarise(op: Operation, size: str, raw: dict) -> dict:
    row = {
        "operation": op.name,
        "size": size,
        "target": op.target_for(size),
        "baseline_name": op.baseline_name,
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "load": round(os.getloadavg()[0], 2),
    }
    if "error" in raw:
        row["status"] = f"error: {raw['error']}"
        return row
    times = raw["times"]
    row.update(
        median=statistics.median(times),
        p95=_percentile(times, 0.95),
        n=len(times),
        maxrss_mib=raw.get("maxrss_mib"),
        traced_mib=raw.get("traced_mib"),
        prepare_s=raw.get("prepare_s"),
    )
    if raw.get("baseline_times"):
        row["baseline"] = statistics.median(raw["baseline_times"])
        row["ratio"] = row["median"] / row["baseline"] if row["baseline"] > 0 else None
    if raw.get("output"):
        row["output"] = raw["output"]
    met = judge(row["target"], row["median"], row["p95"], row.get("ratio"))
    row["status"] = {True: "met", False: "MISSED", None: "-"}[met]
    if op.script is not None:  # its time includes building its own data: judge its output
        row["status"] = SCRIPT_STATUS
    return row


def _fmt_s(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s"


def _fmt_mib(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f} MiB"


def render(rows: list[dict], header: list[str], profiles: dict[str, str]) -> str:
    cols = [
        "operation",
        "size",
        "median",
        "p95",
        "n",
        "baseline",
        "ratio",
        "target",
        "status",
        "peak RSS",
        "op alloc peak",
        "load",
    ]
    lines = [*header, "", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    order = {name: i for i, name in enumerate(op.name for op in all_operations())}
    size_order = {s: i for i, s in enumerate((NO_SIZE, *ALL_SIZES))}
    for r in sorted(
        rows, key=lambda r: (order.get(r["operation"], 99), size_order.get(r["size"], 9))
    ):
        if "whole script" in r["operation"] and "median" in r:
            r = {**r, "status": SCRIPT_STATUS}
        if "median" not in r:
            cells = [
                r["operation"],
                r["size"],
                "-",
                "-",
                "-",
                "-",
                "-",
                r["target"],
                r["status"],
                "-",
                "-",
                str(r.get("load", "-")),
            ]
        else:
            base = (
                f"{r['baseline_name']}: {_fmt_s(r['baseline'])}"
                if r.get("baseline") is not None
                else "-"
            )
            ratio = f"{r['ratio']:.2f}x" if r.get("ratio") is not None else "-"
            cells = [
                r["operation"],
                r["size"],
                _fmt_s(r["median"]),
                _fmt_s(r["p95"]),
                str(r["n"]),
                base,
                ratio,
                r["target"] or "-",
                r["status"],
                _fmt_mib(r.get("maxrss_mib")),
                _fmt_mib(r.get("traced_mib")),
                str(r.get("load", "-")),
            ]
        lines.append("| " + " | ".join(cells) + " |")
    notes = [
        "",
        "median/p95 over n timed runs (p95 is nearest-rank: with few runs, the slowest). "
        "ratio = median / baseline median, both measured in the same process, interleaved. "
        "peak RSS = ru_maxrss of the operation's own subprocess (data, setup, and the "
        "operation's and its baseline's runs); "
        "op alloc peak = tracemalloc peak of one extra run of the operation alone. "
        "load = 1-minute load average when the row was measured (2 cores, shared).",
    ]
    outputs = [r for r in rows if r.get("output")]
    for r in outputs:
        notes += [
            "",
            f"### Output of {r['operation']} ({r['size']})",
            "",
            "```",
            *r["output"],
            "```",
        ]
    for key, text in profiles.items():
        notes += [
            "",
            f"### Profile: {key} (top entries by cumulative time)",
            "",
            "```",
            text.rstrip(),
            "```",
        ]
    return "\n".join(lines + notes) + "\n"


def parent_main(args: argparse.Namespace) -> int:
    sizes = [s for chunk in args.size for s in chunk.replace(",", " ").split()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        print(f"unknown size(s) {unknown}; choose from {', '.join(SIZES)}", file=sys.stderr)
        return 2
    ops = [
        op
        for op in all_operations()
        if not args.op or any(f.lower() in op.name.lower() for f in args.op)
    ]
    # generate the data first, so each child finds it (and its time is not in any row)
    ctx = Context(cache=Path(args.cache), seed=args.seed)
    for size in sizes:
        t0 = time.perf_counter()
        ctx.data(size)
        print(f"data {size}: {ctx.data(size)} ({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    shutil.rmtree(ctx.tmp, ignore_errors=True)

    results_json = Path(args.json)
    stored: dict[str, dict] = {}
    profiles: dict[str, str] = {}
    if results_json.exists() and not args.fresh:
        saved = json.loads(results_json.read_text(encoding="utf-8"))
        stored = {f"{r['operation']}|{r['size']}": r for r in saved.get("rows", [])}
        profiles = saved.get("profiles", {})
    load_start = os.getloadavg()
    new_rows: list[dict] = []
    for op in ops:
        for size in [NO_SIZE] if op.sizes == (NO_SIZE,) else [s for s in sizes if s in op.sizes]:
            key = f"{op.name}|{size}"
            skip = op.missing
            if op.script is not None and args.quick:
                skip = SKIPPED_QUICK
            if skip:
                row = {
                    "operation": op.name,
                    "size": size,
                    "target": op.target_for(size),
                    "status": skip,
                    "when": time.strftime("%Y-%m-%d %H:%M"),
                    "load": round(os.getloadavg()[0], 2),
                }
                print(f"{op.name} [{size}]: {skip}")
            else:
                print(f"{op.name} [{size}] ...", file=sys.stderr, flush=True)
                row = summarise(op, size, run_child(op, size, args))
                print(
                    f"{op.name} [{size}]: {row['status']}  median {_fmt_s(row.get('median'))}"
                    + (f"  ratio {row['ratio']:.2f}x" if row.get("ratio") else "")
                )
                profiles.pop(key, None)
                if (
                    row["status"] == "MISSED"
                    and op.operation
                    and not args.quick
                    and not args.no_profile
                ):
                    prof = run_child(op, size, args, profile_run=True)
                    if "profile" in prof:
                        profiles[key] = prof["profile"]
            stored[key] = row
            new_rows.append(row)
    load_end = os.getloadavg()
    header = [
        "# themeqa benchmarks",
        "",
        f"Written by `bench/run.py` ({time.strftime('%Y-%m-%d %H:%M %Z')}); Python "
        f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs; load "
        f"average at start {load_start[0]:.2f}, at end {load_end[0]:.2f} (this run). Sizes: "
        + "; ".join(
            f"`{z.name}` {z.sessions + z.written_docs:,} documents, {z.words:,} words, "
            f"{z.codings:,} codings"
            for z in SIZES.values()
        )
        + f"; seed {args.seed}.",
    ]
    rows = list(stored.values())
    text = render(rows, header, profiles)
    print()
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        results_json.write_text(
            json.dumps({"rows": rows, "profiles": profiles}, indent=1), encoding="utf-8"
        )
    failed = [r for r in new_rows if str(r.get("status", "")).startswith("error")]
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size",
        nargs="+",
        default=list(ALL_SIZES),
        help="sizes to run: small study archive (default: all)",
    )
    parser.add_argument("--op", action="append", help="only operations whose name contains this")
    parser.add_argument("--repeats", type=int, default=0, help="timed runs (default per op)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: one run, no warm-up, no tracemalloc, no profiles",
    )
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc run")
    parser.add_argument("--no-profile", action="store_true", help="no profiles of misses")
    parser.add_argument("--fresh", action="store_true", help="ignore earlier results.json")
    parser.add_argument("--out", default=str(REPO / "bench" / "results.md"))
    parser.add_argument("--json", default=None, help="results store (default: beside --out)")
    parser.add_argument("--cache", default=str(default_cache()))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--child", nargs=2, metavar=("OPERATION", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.json is None:
        args.json = str(Path(args.out).with_suffix(".json"))
    if args.child:
        return child_main(args)
    with contextlib.suppress(KeyboardInterrupt):
        return parent_main(args)
    return 130


if __name__ == "__main__":
    sys.exit(main())
