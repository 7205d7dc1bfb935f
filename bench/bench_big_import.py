"""Benchmark: importing one very large source (600k and 1.2M characters), against spaCy.

Why this exists: at study size (200 files) the import meets its target (<= 1.5x spaCy's
sentencizer alone, ``bench/run.py``), but one huge document was reported slow (~30 s for the
largest source of ``../shared/conformance``), which would mean something super-linear. This
times, for one document at a time, in one process and interleaved (baseline, operation, ...):

- ``services.importing.import_files`` of one generated transcript (``bench.generate``) of
  600,000 and of 1,200,000 characters, into a fresh project each run (creating the project
  is not timed);
- ``ingest.sentences.sentence_spans`` alone over the same text;
- when ``../shared/conformance`` is present, ``services.exchange_import.import_project`` of
  the .qdpx holding the largest source there (an NVivo export of ~635,000 characters of
  YouTube comments, one short line per field), the whole action;

each against the baseline **spaCy's sentencizer alone over the same text** (``spacy.blank``
of the language the import picks, plus ``sentencizer``, the text as one doc). "1.2M / 600k"
is the operation's time at 1.2M over its time at 600k: about 2 when the work is linear.

"warm" runs come after one untimed run of the same text (spaCy's vocabulary already holds its
words); "cold" runs are each in a fresh process whose spaCy has seen no text yet, as in a
``themeqa import`` from the command line (the spaCy import itself is not timed).

What it showed (2026-11-23): the work is linear (1.2M / 600k about 2, as for spaCy alone),
and a generated transcript imports in ~0.55x the baseline's time; the NVivo source, whose
lines are mostly short fields without sentence punctuation, took ~1.85x, spent on spaCy's
per-line cost, until ``sentence_spans`` stopped sending such lines to spaCy (now ~1.2x).

The machine is shared and noisy: medians of several runs are shown with CPU seconds beside
the wall-clock ones, and ratios are what to compare.

Run: ``.venv/bin/python bench/bench_big_import.py [--repeat 3] [--cold 1]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

SAMPLES = REPO.parent / "shared" / "conformance" / "refi" / "samples"
SIZES = (600_000, 1_200_000)


def generated_transcript(n_chars: int, seed: int = 20240601) -> str:
    """A speaker-labelled focus-group transcript of at most ``n_chars`` characters.

    Made by ``bench.generate`` (one session, eight speakers) a little longer than needed, then
    cut at the last turn boundary before ``n_chars``, so both sizes are ordinary transcripts.
    """
    from bench.generate import SIZES as GEN_SIZES
    from bench.generate import Corpus

    words = int(n_chars / 6.5)  # the generator's text averages ~6.9 characters per word
    size = replace(GEN_SIZES["study"], name="big", sessions=1, participants=8,
                   written_docs=1, questions=1, words=int(words / 0.999),
                   written_share=0.001, codings=10)
    corpus = Corpus(size, seed)
    text = corpus.document(corpus.plans[0]).text
    assert text is not None and len(text) > n_chars, "generator gave too little text"
    return text[: text.rindex("\n\n", 0, n_chars) + 1]


def largest_refi_source() -> tuple[Path, str] | None:
    """(the .qdpx, its largest source's text) for the largest plain-text source in the
    conformance samples; of several archives holding it, the one with least else in it."""
    if not SAMPLES.is_dir():
        return None
    best = None
    for path in sorted(SAMPLES.glob("*.qdpx")):
        try:
            with zipfile.ZipFile(path) as zf:
                txts = [i for i in zf.infolist() if i.filename.lower().endswith(".txt")]
        except zipfile.BadZipFile:
            continue
        if not txts:
            continue
        big = max(txts, key=lambda i: i.file_size)
        key = (-big.file_size, sum(i.file_size for i in txts), path.name)
        if best is None or key < best[0]:
            best = (key, path, big.filename)
    if best is None:
        return None
    from themeqa.core.text import normalize_text

    _, path, member = best
    with zipfile.ZipFile(path) as zf:
        text = normalize_text(zf.read(member).decode("utf-8-sig"))
    return path, text


def _baseline_nlp(language: str, length: int):
    import spacy

    nlp = spacy.blank(language)
    nlp.add_pipe("sentencizer")
    nlp.max_length = length + 1
    return nlp


def _sentencizer(nlp, text: str) -> int:
    return sum(1 for _ in nlp(text).sents)


def _timed(fn) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


class Case:
    """One document to import: its text, and how the import under test is run."""

    def __init__(self, name: str, text: str, *, qdpx: Path | None = None) -> None:
        from themeqa.ingest.language import detect_language

        self.name = name
        self.text = text
        self.qdpx = qdpx
        # the language the import picks, so the baseline splits with the same rules
        self.language = "en" if qdpx else detect_language(text)
        self.tmp = Path(tempfile.mkdtemp(prefix="big-import-"))
        self.file = self.tmp / "big_transcript.txt"
        self.file.write_text(text, encoding="utf-8")
        self.runs = 0

    def import_once(self) -> tuple[float, float]:
        """Import into a new project (made before the clock starts); (wall, CPU) seconds."""
        from themeqa.services.exchange_import import import_project
        from themeqa.services.importing import import_files
        from themeqa.services.project import open_project

        self.runs += 1
        directory = self.tmp / f"project{self.runs}"
        if self.qdpx is not None:
            return _timed(lambda: import_project(self.qdpx, directory, actor="bench"))
        project = open_project(directory, create=True, actor="bench")
        try:
            return _timed(lambda: import_files(project, [self.file], kind="transcript"))
        finally:
            project.close()
            shutil.rmtree(directory, ignore_errors=True)

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def spans_once(self) -> tuple[float, float]:
        from themeqa.ingest.sentences import sentence_spans

        return _timed(lambda: sentence_spans([self.text], language=self.language))


def cases(only: int | None = None) -> list[Case]:
    """The generated transcripts, then the conformance source if present (``only``: just
    that one, so a fresh process does not generate texts it will not use)."""
    out: list[Case] = []
    for i, n in enumerate(SIZES):
        if only is None or only == i:
            out.append(Case(f"generated transcript, {n:,} chars", generated_transcript(n)))
    if only is None or only == len(SIZES):
        found = largest_refi_source()
        if found is not None:
            path, text = found
            out.append(Case(f"{path.name} (largest source, {len(text):,} chars)", text,
                            qdpx=path))
    return out


def warm(case: Case, repeat: int) -> dict:
    nlp = _baseline_nlp(case.language, len(case.text))
    _sentencizer(nlp, case.text)  # untimed: both vocabularies now hold the text's words
    case.import_once()
    rows: dict[str, list[tuple[float, float]]] = {"base": [], "import": [], "spans": []}
    for _ in range(repeat):
        rows["base"].append(_timed(lambda: _sentencizer(nlp, case.text)))
        rows["import"].append(case.import_once())
        if case.qdpx is None:
            rows["spans"].append(case.spans_once())
    return {k: v for k, v in rows.items() if v}


def cold_child(which: str, index: int) -> None:
    """In a fresh process: time one cold run of case ``index`` and print it as JSON."""
    import spacy  # noqa: F401  (imported before the clock, as in a running app)

    from themeqa.ingest.sentences import sentence_spans
    from themeqa.services import exchange_import, importing  # noqa: F401

    (case,) = cases(only=index)
    if which == "base":
        nlp = _baseline_nlp(case.language, len(case.text))
        t = _timed(lambda: _sentencizer(nlp, case.text))
    else:
        sentence_spans(["Warm up the pipeline."], language=case.language)  # built, not fed
        t = case.import_once()
    case.close()
    print(json.dumps(t))


def cold(index: int, repeat: int) -> dict:
    rows: dict[str, list[tuple[float, float]]] = {"base": [], "import": []}
    for _ in range(repeat):
        for which in ("base", "import"):
            out = subprocess.run(
                [sys.executable, __file__, "--child", which, str(index)],
                capture_output=True, text=True, check=True, cwd=REPO,
            )
            rows[which].append(tuple(json.loads(out.stdout.strip().splitlines()[-1])))
    return rows


def _med(runs: list[tuple[float, float]], k: int) -> float:
    return statistics.median(r[k] for r in runs)


def report(title: str, case: Case, rows: dict) -> list[str]:
    lines = []
    base_w, base_c = _med(rows["base"], 0), _med(rows["base"], 1)
    for key, label in (("base", "spaCy sentencizer alone (baseline)"),
                       ("import", "import_project (whole action)" if case.qdpx
                        else "import_files (one file)"),
                       ("spans", "sentence_spans alone")):
        if key not in rows:
            continue
        w, c = _med(rows[key], 0), _med(rows[key], 1)
        lines.append(f"  {title:5} {label:38} {w:8.3f} {c:8.3f} {w / base_w:7.2f} "
                     f"{c / base_c:7.2f}  n={len(rows[key])}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="warm runs per case")
    parser.add_argument("--cold", type=int, default=1, help="fresh-process runs per case")
    parser.add_argument("--child", nargs=2, metavar=("WHICH", "INDEX"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        cold_child(args.child[0], int(args.child[1]))
        return
    from themeqa.ingest.sentences import sentence_spans

    sentence_spans(["Warm up the pipeline."])  # spaCy import and pipeline build: not timed
    all_cases = cases()
    if len(all_cases) < 3:
        print(f"(no conformance files at {SAMPLES}: generated transcripts only)")
    print(f"{'':7} {'operation':38} {'wall s':>8} {'cpu s':>8} {'x wall':>7} {'x cpu':>7}")
    import_medians: dict[str, float] = {}
    base_medians: dict[str, float] = {}
    for i, case in enumerate(all_cases):
        print(f"{case.name} (language {case.language})")
        rows = warm(case, args.repeat)
        print("\n".join(report("warm", case, rows)), flush=True)
        import_medians[case.name] = _med(rows["import"], 1)
        base_medians[case.name] = _med(rows["base"], 1)
        case.close()
        if args.cold:
            print("\n".join(report("cold", case, cold(i, args.cold))), flush=True)
    small, large = (c.name for c in all_cases[:2])
    print(f"1.2M / 600k (warm, CPU): import {import_medians[large] / import_medians[small]:.2f}, "
          f"spaCy alone {base_medians[large] / base_medians[small]:.2f} (2.0 = linear)")
    print("x wall / x cpu = median over the baseline's median, same case, same run")


if __name__ == "__main__":
    main()
