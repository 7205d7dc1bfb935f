"""Consistency checks for the fictional demo study in ``transcripts/``.

Only the standard library, PyYAML and pytest are used here, so these checks do not depend on
themeqa's own readers.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TRANSCRIPTS = ROOT / "transcripts"
CODEBOOKS = ROOT / "codebooks"
SESSIONS = [f"S{i}" for i in range(1, 7)]
# A speaker label at line start, optionally after a [hh:mm:ss] timestamp.
LABEL = re.compile(r"^(?:\[\d{2}:\d{2}:\d{2}\] )?([A-Z][A-Za-z0-9]*):", re.MULTILINE)


def load_yaml(path: Path):
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def all_labels(themes: list[dict]) -> list[str]:
    labels = []
    for theme in themes:
        labels.append(str(theme["label"]))
        labels.extend(all_labels(theme.get("children") or []))
    return labels


@functools.cache
def codebook_labels() -> tuple[str, ...]:
    labels = []
    for path in sorted(CODEBOOKS.glob("*.yaml")):
        labels.extend(all_labels(load_yaml(path)["themes"]))
    return tuple(labels)


def participants() -> list[dict[str, str]]:
    with (TRANSCRIPTS / "participants.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@functools.cache
def anchors() -> tuple[dict, ...]:
    items = []
    for path in sorted((TRANSCRIPTS / "codings").glob("anchors_*.yaml")):
        items.extend(load_yaml(path) or [])
    return tuple(items)


def transcript(session: str) -> str:
    return (TRANSCRIPTS / f"{session}_focus_group.txt").read_text(encoding="utf-8")


def test_build_codings_check_passes():
    result = subprocess.run(
        [sys.executable, str(TRANSCRIPTS / "build_codings.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


def test_codebook_labels_are_unique_across_codebooks():
    labels = codebook_labels()
    assert len(labels) == len(set(labels))
    assert {"1", "2a", "6b", "F2c", "E4"} <= set(labels)


def test_every_anchor_code_exists():
    labels = set(codebook_labels())
    unknown = sorted({str(a["code"]) for a in anchors()} - labels)
    assert not unknown, f"codes not in any codebook: {unknown}"


def test_participants_table():
    rows = participants()
    assert [r["id"] for r in rows] == [f"P{i:02d}" for i in range(1, 21)]
    for row in rows:
        assert row["condition"] in {"M", "I"}
        assert 18 <= int(row["age"]) <= 100
        assert set(row["timepoints"].split(";")) <= {"initial", "follow-up"}
    by_session = {}
    for row in rows:
        by_session.setdefault(row["session"], set()).add(row["condition"])
    assert all(len(conds) == 1 for conds in by_session.values())


@pytest.mark.parametrize("session", SESSIONS)
def test_speakers_belong_to_their_session(session):
    allowed = {"Facilitator"} | {r["id"] for r in participants() if r["session"] == session}
    speakers = set(LABEL.findall(transcript(session)))
    assert speakers, f"{session}: no speaker labels found"
    assert speakers <= allowed, f"{session}: unexpected speakers {sorted(speakers - allowed)}"


@pytest.mark.parametrize("session", SESSIONS)
def test_transcript_length_and_encoding(session):
    raw = (TRANSCRIPTS / f"{session}_focus_group.txt").read_bytes()
    assert b"\r" not in raw and not raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8")
    assert unicodedata.normalize("NFC", text) == text
    words = len(text.split())
    assert 1500 <= words <= 3000, f"{session}: {words} words"


def test_manifest_files_exist():
    manifest = load_yaml(TRANSCRIPTS / "manifest.yaml")
    paths = [manifest["participants"], *manifest["codebooks"], *manifest["codings"]]
    paths += [doc["file"] for doc in manifest["documents"]]
    missing = [p for p in paths if not (TRANSCRIPTS / p).is_file()]
    assert not missing, f"manifest lists missing files: {missing}"
    kinds = {doc["file"]: doc["kind"] for doc in manifest["documents"]}
    assert all(kinds[f"{s}_focus_group.txt"] == "transcript" for s in SESSIONS)


def test_second_coder_covers_only_s2_and_s5():
    documents = {a["document"] for a in anchors() if a["coder"] == "ben"}
    assert documents == {"S2_focus_group.txt", "S5_focus_group.txt"}


def test_both_coders_code_the_double_coded_sessions():
    for doc in ("S2_focus_group.txt", "S5_focus_group.txt"):
        coders = {a["coder"] for a in anchors() if a["document"] == doc}
        assert coders == {"amira", "ben"}


def load_builder():
    spec = importlib.util.spec_from_file_location("build_codings", TRANSCRIPTS / "build_codings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("text", "message"),
    [("words nobody said", "not found"), ("Facilitator:", "give 'occurrence'")],
)
def test_build_codings_names_a_bad_anchor(tmp_path, text, message):
    builder = load_builder()
    anchor = {"document": "S1_focus_group.txt", "coder": "amira", "code": "1", "text": text}
    (tmp_path / "anchors_bad.yaml").write_text(yaml.safe_dump([anchor]), encoding="utf-8")
    with pytest.raises(builder.AnchorError) as excinfo:
        builder.build(anchor_dir=tmp_path, base=TRANSCRIPTS)
    assert "anchors_bad.yaml item 1" in str(excinfo.value)
    assert message in str(excinfo.value)


def test_codings_csv_spans_match_anchor_texts():
    builder = load_builder()
    docs = builder.DocumentTexts(TRANSCRIPTS)
    with (TRANSCRIPTS / "codings_demo.csv").open(encoding="utf-8", newline="") as fh:
        spans = {
            (
                r["document"],
                r["coder"],
                r["code"],
                docs.get(r["document"])[int(r["start"]) : int(r["end"])],
            )
            for r in csv.DictReader(fh)
        }
    for a in anchors():
        key = (a["document"], a["coder"], str(a["code"]), builder.normalize_text(a["text"]))
        assert key in spans
