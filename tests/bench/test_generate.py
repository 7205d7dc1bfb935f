"""The benchmark corpus generator: deterministic, self-consistent, accepted by the importers.

Why these tests: every benchmark number rests on the generated project being what a user
would import -- if the importers refused it, or parsed turns the generator did not mean, the
benchmarks would time the wrong thing. The end-to-end test goes through the real CLI.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.generate import (  # noqa: E402
    CODERS,
    SIZES,
    Corpus,
    Size,
    write_project,
    zipf_cdf,
)
from themeqa.core.turns import parse_turns  # noqa: E402


def _digest(directory: Path) -> dict[str, str]:
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != "generator.json"
    }


@pytest.fixture(scope="module")
def small_files(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "small"
    write_project(Corpus("small", seed=7), out)
    return out


def test_same_seed_same_files_other_seed_other_files(small_files, tmp_path):
    again = tmp_path / "again"
    write_project(Corpus("small", seed=7), again)
    assert _digest(again) == _digest(small_files)
    other = tmp_path / "other"
    write_project(Corpus("small", seed=8), other)
    a, b = _digest(other), _digest(small_files)
    assert a.keys() == b.keys()
    assert a["codings.csv"] != b["codings.csv"]
    assert a["transcripts/S1_focus_group.txt"] != b["transcripts/S1_focus_group.txt"]


def test_turns_are_what_the_turn_parser_finds():
    """Offsets computed from token lengths match the text, and ``parse_turns`` (with the
    participants' name labels as extra labels, as the importer passes them) finds exactly the
    generated turns."""
    corpus = Corpus("small", seed=3)
    names = [p["speaker_labels"] for p in corpus.participants if p["speaker_labels"]]
    assert names, "some participants are labelled by name"
    seen_name = False
    for doc in corpus.documents():
        assert doc.text is not None and len(doc.text) == doc.n_chars
        if doc.plan.kind != "transcript":
            assert (doc.turn_start[0], doc.turn_end[0]) == (0, len(doc.text))
            continue
        turns = parse_turns(doc.text, extra_labels=names)
        assert [(t.start, t.content_start, t.end, t.speaker) for t in turns] == list(
            zip(
                doc.turn_start.tolist(),
                doc.turn_content.tolist(),
                doc.turn_end.tolist(),
                doc.turn_speaker,
                strict=True,
            )
        )
        seen_name |= any(s in names for s in doc.turn_speaker)
        # sentences are whole, end in punctuation and start with a capital
        for a, b in zip(doc.sentence_start[:20], doc.sentence_end[:20], strict=True):
            sentence = doc.text[a:b]
            assert sentence[0].isupper() and sentence[-1] in ".?!"
            assert ":" not in sentence and "\n" not in sentence
    assert seen_name


def test_codings_lie_inside_participants_turns():
    corpus = Corpus("small", seed=5)
    for doc in corpus.documents():
        for start, end in zip(doc.coding_start.tolist(), doc.coding_end.tolist(), strict=True):
            assert 0 <= start < end <= doc.n_chars
            t = int(np.searchsorted(doc.turn_start, start, side="right")) - 1
            assert doc.turn_content[t] <= start and end <= doc.turn_end[t]
            assert doc.turn_participant[t] is not None  # never on the facilitator


def test_frames_without_text_match_the_documents():
    corpus = Corpus("small", seed=5)
    frames = corpus.frames()
    codings, turns = frames["codings"], frames["turns"]
    for doc in corpus.documents():
        i = doc.plan.index
        got = codings[codings["document"] == i]
        assert got["start"].tolist() == doc.coding_start.tolist()
        assert got["code"].tolist() == doc.coding_code
        assert turns[turns["document"] == i]["end"].tolist() == doc.turn_end.tolist()
    assert set(frames["codes"]["label"]) >= set(codings["code"])
    assert len(frames["documents"]) == len(corpus.plans)


#: Between small and study: enough double-coded codings (about 1,300) for proportions.
MEDIUM = Size(
    "medium",
    sessions=12,
    participants=48,
    written_docs=24,
    questions=2,
    words=120_000,
    codings=4_000,
    vocabulary=5_000,
)


def _a_and_b(corpus: Corpus) -> tuple[Counter, Counter]:
    """(document, start, end, code) multisets of coders A and B on the double-coded sample."""
    a: Counter = Counter()
    b: Counter = Counter()
    for doc in corpus.documents(with_text=False):
        if not doc.plan.double_coded:
            continue
        for row in zip(
            doc.coding_start.tolist(),
            doc.coding_end.tolist(),
            doc.coding_code,
            doc.coding_coder,
            strict=True,
        ):
            (a if row[3] == CODERS[0] else b)[(doc.plan.index, *row[:3])] += 1
    return a, b


def test_no_disagreement_means_b_repeats_a_on_the_sample():
    corpus = Corpus(MEDIUM, seed=11, disagreement=0.0)
    a, b = _a_and_b(corpus)
    assert len(a) > 800 and a == b
    # only the sample is double-coded: B codes no other document
    frames = corpus.frames()
    double = set(frames["documents"].query("double_coded")["document"])
    assert set(frames["codings"].query("coder == 'ben'")["document"]) <= double


def test_controlled_disagreement_by_kind():
    # every disagreement a swapped code: same spans, (almost) never the same code
    a, b = _a_and_b(Corpus(MEDIUM, seed=11, disagreement=1.0, mix=(0, 1, 0, 0)))
    spans = Counter({k[:3]: 0 for k in a})
    assert {k[:3] for k in b} == set(spans)
    assert len(set(b) & set(a)) < 0.05 * len(b)  # only where A had two codes on one span
    # half of B's codings dropped: B has about half as many
    a, b = _a_and_b(Corpus(MEDIUM, seed=11, disagreement=0.5, mix=(0, 0, 1, 0)))
    assert set(b) <= set(a)
    assert 0.45 < sum(b.values()) / sum(a.values()) < 0.55
    # every span shifted: same code, overlapping but different extent
    a, b = _a_and_b(Corpus(MEDIUM, seed=11, disagreement=1.0, mix=(1, 0, 0, 0)))
    # (a shifted span may happen to equal another of A's codings with the same code)
    assert len(set(b) & set(a)) < 0.05 * len(b)
    a_by_doc_code: dict = {}
    for doc, s, e, code in a:
        a_by_doc_code.setdefault((doc, code), []).append((s, e))
    for doc, s, e, code in list(b)[:500]:
        assert any(s < ae and e > as_ for as_, ae in a_by_doc_code[(doc, code)])


def test_sizes_match_the_issue():
    study = Corpus("study")
    assert len(study.plans) == 200
    frames = study.frames()
    assert abs(frames["documents"]["words"].sum() - 1_000_000) < 10_000
    assert abs(len(frames["codings"]) - 20_000) < 600
    archive = Corpus("archive")  # plans only: generating it is for the benchmarks
    assert len(archive.plans) == 10_000 == SIZES["archive"].sessions + SIZES["archive"].written_docs
    assert abs(sum(p.words for p in archive.plans) - 20_000_000) < 200_000


def test_word_frequencies_follow_the_zipf_distribution(small_files):
    """The most frequent word's share is p(1) of the Zipf-Mandelbrot cdf (about 3.8% for a
    4,000-word vocabulary: (1 + 2.7)^-1 / sum_k (k + 2.7)^-1), within sampling error."""
    text = " ".join(
        p.read_text(encoding="utf-8") for p in (small_files / "transcripts").glob("*.txt")
    )
    words = [w.strip(".,?!").lower() for w in text.split() if not w.endswith(":")]
    counts = Counter(words)
    top, n = counts.most_common(1)[0]
    expected = zipf_cdf(SIZES["small"].vocabulary)[0]
    assert top == "the"
    assert abs(n / len(words) - expected) < 0.15 * expected
    assert len(counts) > 1500  # a long tail of rarer words


def test_small_project_imports_through_the_cli(small_files, tmp_path, capsys):
    """``themeqa init``, ``participants import``, ``codebook import``, ``import`` and
    ``codings import`` accept every generated file, every speaker maps to a participant and
    every coding lands."""
    import yaml

    from themeqa.cli.main import main

    data = small_files
    manifest = yaml.safe_load((data / "manifest.yaml").read_text(encoding="utf-8"))
    project = str(tmp_path / "proj")
    assert main(["init", project]) == 0

    def run(*args: str) -> dict | list:
        capsys.readouterr()
        assert main(["--project", project, *args, "--json"]) == 0, capsys.readouterr().err
        return json.loads(capsys.readouterr().out)

    assert (
        main(["--project", project, "participants", "import", str(data / manifest["participants"])])
        == 0
    )
    for cb in manifest["codebooks"]:
        assert main(["--project", project, "codebook", "import", str(data / cb)]) == 0
    n_docs = 0
    for entry in manifest["documents"]:
        args = [
            "import",
            str(data / entry["file"]),
            "--timepoint",
            entry["timepoint"],
            "--kind",
            entry["kind"],
        ]
        if entry.get("session"):
            args += ["--session", entry["session"]]
        report = run(*args)
        assert report["unmapped_speakers"] == {}
        n_docs += len(report["documents"])
    corpus = Corpus("small", seed=7)
    assert n_docs == len(corpus.plans)
    capsys.readouterr()
    assert main(["--project", project, "codings", "import", str(data / "codings.csv")]) == 0
    capsys.readouterr()
    rows = (data / "codings.csv").read_text(encoding="utf-8").count("\n") - 1
    listed = run("codings", "list")
    assert len(listed) == rows
    assert {c["coder"] for c in listed} == set(CODERS)
    # the written responses went to their participants, the transcripts to their sessions
    docs = run("documents")
    assert len(docs) == n_docs
