"""Real transcripts made by other people and tools (../shared/conformance/transcripts).

Every file in ``good/`` must read; interviews with speaker labels must give several turns with
sensible speakers. Every file in ``broken/`` must be refused with an IngestError naming the
file and a reason. The files are read in place and never copied into this repository.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from themeqa.core.turns import is_facilitator_label, unrecognised_labels
from themeqa.ingest.model import IngestError
from themeqa.ingest.readers import read_source
from themeqa.ingest.sentences import sentence_spans

CONFORMANCE = Path(__file__).resolve().parents[2].parent / "shared" / "conformance"
TRANSCRIPTS = CONFORMANCE / "transcripts"

pytestmark = [
    pytest.mark.conformance,
    pytest.mark.skipif(
        not TRANSCRIPTS.is_dir(),
        reason=f"conformance files not found at {TRANSCRIPTS} (../shared/conformance is absent)",
    ),
]


def _files(sub: str) -> list[Path]:
    folder = TRANSCRIPTS / sub
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


# file -> (expected speakers, of which facilitator side, minimum turns, expected encoding)
EXPECTED: dict[str, tuple[set[str], set[str], int, str | None]] = {
    "de_haski_interview1.docx": ({"I", "S1", "S2"}, {"I"}, 10, None),
    "de_haski_interview2.docx": ({"I", "S3", "S4"}, {"I"}, 10, None),
    "de_haski_interview3.docx": ({"I", "S5", "S6"}, {"I"}, 10, None),
    "en_hitsave_qcubed_otter.md": ({"Jonas Rosland", "Carolyn Lu"}, set(), 20, "utf-8"),
    "en_mlss_interview03_utf16le_bom_crlf.txt": (
        {"Interviewer 1", "Interviewer 2", "Interviewee"},
        {"Interviewer 1", "Interviewer 2"},
        50,
        "utf-16-le",
    ),
    "en_mlss_interview12.txt": (
        {"Interviewer 1", "Interviewer 2", "Interviewee"},
        {"Interviewer 1", "Interviewer 2"},
        50,
        "utf-8",
    ),
    "en_mlss_interview17_utf8bom.txt": (
        {"Interviewer 1", "Interviewer 2", "Interviewee"},
        {"Interviewer 1", "Interviewer 2"},
        50,
        "utf-8-sig",
    ),
    "en_mom_meeting_speakers.docx": ({"Speaker 1", "Speaker 2", "Speaker 3"}, set(), 5, None),
    "en_mozilla_cycle_collector_talk.vtt": ({"Kyle Huey", "Chris Pearce"}, set(), 3, "utf-8"),
    "en_teams_timeframe.vtt": ({"Yuri Bakulin", "Adrian Petrescu"}, set(), 2, "utf-8"),
    "en_webvtt_spec_example.vtt": ({"Roger Bingham", "Neil deGrasse Tyson"}, set(), 4, "utf-8"),
    # "Interviewer2 2:" is a typo'd label used once (issue 19): still the interviewer
    "fr_mlss_interview02_cp1252_crlf.txt": (
        {"Interviewer1", "Interviewer2", "Interviewer2 2", "Interviewee1"},
        {"Interviewer1", "Interviewer2", "Interviewer2 2"},
        50,
        "cp1252",
    ),
    "nl_thesis_int3_headings.md": (
        {"Interviewer", "Systems Developer"},
        {"Interviewer"},
        50,
        "utf-8",
    ),
    # no speaker labels at all: a lecture and a subtitle track
    "en_uoe_lecture.docx": (set(), set(), 0, None),
    "en_uoe_lecture_cp1252_crlf.txt": (set(), set(), 0, "cp1252"),
    "en_hitsave_goodboy_galaxy.srt": (set(), set(), 0, "utf-8"),
}


@pytest.mark.parametrize("path", _files("good"), ids=lambda p: p.name)
def test_good_files_read(path: Path) -> None:
    source = read_source(path)
    assert source.filename == path.name
    assert len(source.documents) == 1
    doc = source.documents[0]
    assert doc.name == path.name
    assert len(doc.text.strip()) > 50
    assert "\r" not in doc.text and "\ufeff" not in doc.text
    assert "\ufffd" not in doc.text  # nothing mis-decoded into replacement characters
    prev = 0
    for t in doc.turns:
        assert prev <= t.start <= t.content_start <= t.end <= len(doc.text)
        prev = t.end
    assert sentence_spans([doc.text])[0], "no sentences found"

    expected = EXPECTED.get(path.name)
    if expected is None:
        pytest.skip(f"{path.name} is new: add its expected speakers to EXPECTED")
    speakers_expected, facilitators, min_turns, encoding = expected
    counts = Counter(t.speaker for t in doc.turns)
    assert set(counts) == speakers_expected
    assert {s for s in counts if s and is_facilitator_label(s)} == facilitators
    assert len(doc.turns) >= min_turns
    if encoding is not None:
        assert source.encoding == encoding
    if speakers_expected:
        assert len({t.speaker for t in doc.turns[:10]}) >= 2  # speakers alternate early on


def test_cp1252_text_is_decoded_faithfully() -> None:
    path = TRANSCRIPTS / "good" / "en_uoe_lecture_cp1252_crlf.txt"
    doc = read_source(path).documents[0]
    assert "I’m Dr Federico Andreis" in doc.text
    fr = read_source(TRANSCRIPTS / "good" / "fr_mlss_interview02_cp1252_crlf.txt").documents[0]
    assert "c'est de faire … en fait" in fr.text
    assert "qualité" in fr.text


def test_one_off_typod_interviewer_label_is_its_own_turn() -> None:
    """Issue 19: ``Interviewer2 2: d'accord Merci`` was swallowed into Interviewee1's turn."""
    doc = read_source(TRANSCRIPTS / "good" / "fr_mlss_interview02_cp1252_crlf.txt").documents[0]
    line = "Interviewer2 2: d'accord Merci"
    at = doc.text.index(line)
    (turn,) = [t for t in doc.turns if t.start <= at < t.end]
    assert turn.speaker == "Interviewer2 2"
    assert (turn.start, doc.text[turn.content_start:turn.end]) == (at, "d'accord Merci")
    before = max((t for t in doc.turns if t.end <= at), key=lambda t: t.start)
    assert before.speaker == "Interviewee1"
    assert "Interviewer2 2" not in doc.text[before.start:before.end]
    assert unrecognised_labels(doc.text) == {}


def test_docx_and_txt_of_the_same_lecture_agree() -> None:
    docx_doc = read_source(TRANSCRIPTS / "good" / "en_uoe_lecture.docx").documents[0]
    txt_doc = read_source(TRANSCRIPTS / "good" / "en_uoe_lecture_cp1252_crlf.txt").documents[0]
    assert docx_doc.text.split()[:40] == txt_doc.text.split()[:40]


@pytest.mark.parametrize("path", _files("broken"), ids=lambda p: p.name)
def test_broken_files_are_refused(path: Path) -> None:
    with pytest.raises(IngestError) as info:
        read_source(path)
    message = str(info.value)
    assert message.startswith(f"{path.name}: ")
    assert "\n" not in message
    reason = info.value.reason
    assert len(reason) > 10
    assert any(
        word in reason for word in ("not a text file", "not a .docx", "corrupt or truncated")
    ), reason
