"""sentence_spans: spaCy sentencizer, trimmed spans, never across a line break, lazy import."""

from __future__ import annotations

import subprocess
import sys

import pytest

from themeqa.ingest.sentences import MODEL_ENV_VAR, sentence_spans


def pieces(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[a:b] for a, b in spans]


def test_basic_sentences_and_offsets() -> None:
    text = "Hello there. How are you?\nP03: Fine thanks.  Really!\n\n  Another line  "
    (spans,) = sentence_spans([text])
    assert spans == [(0, 12), (13, 25), (26, 43), (45, 52), (56, 68)]
    assert pieces(text, spans) == [
        "Hello there.",
        "How are you?",
        "P03: Fine thanks.",
        "Really!",
        "Another line",
    ]


def test_never_crosses_a_line_break() -> None:
    text = "Facilitator: so what happened\nP01: nothing much really\nit was fine"
    (spans,) = sentence_spans([text])
    assert pieces(text, spans) == [
        "Facilitator: so what happened",
        "P01: nothing much really",
        "it was fine",
    ]


def test_many_texts_blank_and_order() -> None:
    texts = ["One. Two.", "", "   \n ", "Drei. Vier!"]
    result = sentence_spans(texts, language="de", batch_size=2)
    assert result == [[(0, 4), (5, 9)], [], [], [(0, 5), (6, 11)]]
    assert sentence_spans([]) == []


def test_unknown_language_falls_back_to_multilingual() -> None:
    assert sentence_spans(["Un. Deux."], language="zz") == [[(0, 3), (4, 9)]]


def test_missing_trained_model_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MODEL_ENV_VAR, "no_such_pipeline_xyz")
    assert sentence_spans(["One two. Three four."]) == [[(0, 8), (9, 20)]]


def test_long_text_beyond_default_max_length() -> None:
    text = "Short sentence here. " * 60_000  # 1.26M characters > spaCy's 1,000,000 default
    (spans,) = sentence_spans([text])
    assert len(spans) == 60_000
    assert spans[-1] == (len(text) - 21, len(text) - 1)


def test_spans_are_trimmed_sorted_and_in_range() -> None:
    text = "  Well... I think so?  Maybe!\n\n\tYes. \n"
    (spans,) = sentence_spans([text])
    prev = 0
    for a, b in spans:
        assert prev <= a < b <= len(text)
        assert not text[a].isspace() and not text[b - 1].isspace()
        assert "\n" not in text[a:b]
        prev = b


def test_import_does_not_load_spacy() -> None:
    code = "import sys, themeqa.ingest.sentences; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_one_million_characters() -> None:
    """Correct on a large text (its speed is measured in bench/bench_ingest.py)."""
    sentence_spans(["Warm up."])
    block = "P01: I remember a time when someone was kind. It felt warm!\nFacilitator: Why?\n"
    text = block * (1_000_000 // len(block))
    (spans,) = sentence_spans([text])
    assert len(spans) == 3 * (1_000_000 // len(block))
