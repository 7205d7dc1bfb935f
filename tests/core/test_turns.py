"""Speaker-turn parsing: label forms, exact offsets, conservatism, properties, speed."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from themeqa.core.turns import (
    Turn,
    clean_label,
    is_facilitator_label,
    is_speaker_label,
    label_role,
    parse_turns,
    sentences_without_labels,
    split_at_label,
    split_label,
    unrecognised_labels,
    whole_text_turn,
)


def spans(text: str, turns: list[Turn]) -> list[tuple[str | None, str, str]]:
    """(speaker, label text, content text) for readable assertions."""
    return [
        (t.speaker, text[t.start : t.content_start], text[t.content_start : t.end]) for t in turns
    ]


def test_basic_offsets_exact() -> None:
    text = "Intro.\nP03: Hello there.\nStill me.\n\nFacilitator: And you?  \n"
    turns = parse_turns(text)
    assert turns == [
        Turn(start=7, end=34, speaker="P03", content_start=12),
        Turn(start=36, end=57, speaker="Facilitator", content_start=49),
    ]
    assert text[7:34] == "P03: Hello there.\nStill me."
    assert text[49:57] == "And you?"


def test_text_before_first_label_belongs_to_no_turn() -> None:
    text = "Transcript of session 1\n\nP01: hi"
    (turn,) = parse_turns(text)
    assert turn.start == 25
    assert text[: turn.start].strip() == "Transcript of session 1"


@pytest.mark.parametrize(
    ("line", "speaker", "content"),
    [
        ("P03: text", "P03", "text"),
        ("P3: text", "P3", "text"),
        ("Facilitator: text", "Facilitator", "text"),
        ("F: text", "F", "text"),
        ("INT: text", "INT", "text"),
        ("Interviewer: text", "Interviewer", "text"),
        ("Moderator: text", "Moderator", "text"),
        ("Researcher: text", "Researcher", "text"),
        ("Interviewer 2: text", "Interviewer 2", "text"),
        ("Interviewer1 : text", "Interviewer1", "text"),
        ("Participant 3: text", "Participant 3", "text"),
        ("Speaker 1: text", "Speaker 1", "text"),
        ("I:  text", "I", "text"),
        ("S2: (…) text", "S2", "(…) text"),
        ("[00:12:03] P03: text", "P03", "text"),
        ("(00:12) P03: text", "P03", "text"),
        ("00:12:03 P03: text", "P03", "text"),
        ("**P03**: text", "P03", "text"),
        ("**P03:** text", "P03", "text"),
        ("P03 [00:12:03]: text", "P03", "text"),
        ("  P03: indented", "P03", "indented"),
    ],
)
def test_label_forms(line: str, speaker: str, content: str) -> None:
    text = f"{line}\nnext line"
    turns = parse_turns(text)
    assert len(turns) == 1
    t = turns[0]
    assert t.speaker == speaker
    assert text[t.content_start : t.end] == f"{content}\nnext line"
    assert t.start == len(line) - len(line.lstrip())


def test_exact_offsets_timestamp_and_markdown() -> None:
    text = "[00:12:03] P03: Yes.\n**Facilitator:** Why?\n"
    assert parse_turns(text) == [
        Turn(start=0, end=20, speaker="P03", content_start=16),
        Turn(start=21, end=42, speaker="Facilitator", content_start=38),
    ]


def test_names_need_to_recur() -> None:
    once = "Jane Doe: hello\nmore text"
    assert parse_turns(once) == []
    twice = "Jane Doe: hello\nJohn Smith: hi\nJane Doe: again\nJohn Smith: bye"
    assert [t.speaker for t in parse_turns(twice)] == [
        "Jane Doe",
        "John Smith",
        "Jane Doe",
        "John Smith",
    ]
    assert parse_turns(twice)[0] == Turn(0, 15, "Jane Doe", 10)


def test_timestamped_name_needs_no_recurrence() -> None:
    text = "[00:01] Jane Doe: hi\n(00:02) P01: yes"
    assert [t.speaker for t in parse_turns(text)] == ["Jane Doe", "P01"]


def test_name_with_particle() -> None:
    text = "Neil deGrasse Tyson: one\nNeil deGrasse Tyson: two"
    assert [t.speaker for t in parse_turns(text)] == ["Neil deGrasse Tyson"] * 2


def test_extra_labels_are_accepted_once() -> None:
    text = "Intro\nAlice Walker: I felt calm.\nP01: me too"
    turns = parse_turns(text, extra_labels=["alice walker"])
    assert spans(text, turns) == [
        ("Alice Walker", "Alice Walker: ", "I felt calm."),
        ("P01", "P01: ", "me too"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Note that: this is prose\nNote that: again",
        "Note: one\nNote: two",
        "Then he said: hello\nThen he said: hello",
        "Example 2: x\nExample 2: y",
        "The answer is: 42\nThe answer is: 42",
        "Summary: x\nSummary: y",
        "https://example.org\nhttp://example.org",
        "10:30: meeting\n11:30: lunch",
        "Remember that you can access the course at any time: it has everything",
        "## Details\ntext\n## Transcript\ntext",
        "Four Capitalised Words Here: x\nFour Capitalised Words Here: y",
    ],
)
def test_not_speakers(text: str) -> None:
    assert parse_turns(text) == []


def test_markdown_heading_speakers() -> None:
    text = "# Title\n\n### Interviewer\nHallo.\n### Systems Developer\nJa.\n### Systems Developer\nNee."
    turns = parse_turns(text)
    assert spans(text, turns) == [
        ("Interviewer", "### Interviewer\n", "Hallo."),
        ("Systems Developer", "### Systems Developer\n", "Ja."),
        ("Systems Developer", "### Systems Developer\n", "Nee."),
    ]
    assert turns[0] == Turn(9, 31, "Interviewer", 25)


def test_otter_name_and_time_lines() -> None:
    text = "Jonas Rosland  0:21  \nHello.\n\nCarolyn Lu  1:35  \num, hi\n\nJonas Rosland  2:01\nok"
    turns = parse_turns(text)
    assert [t.speaker for t in turns] == ["Jonas Rosland", "Carolyn Lu", "Jonas Rosland"]
    assert turns[0] == Turn(0, 28, "Jonas Rosland", 22)
    # Carolyn Lu occurs once only: a timestamped label needs no recurrence.
    assert text[turns[1].content_start : turns[1].end] == "um, hi"


def test_label_without_content_and_crlf_free_offsets() -> None:
    text = "P01:\nP02: hi"
    assert parse_turns(text) == [Turn(0, 4, "P01", 4), Turn(5, 12, "P02", 10)]


def test_empty_and_blank() -> None:
    assert parse_turns("") == []
    assert parse_turns("   \n\n") == []


def test_clean_label() -> None:
    assert clean_label("**P03:**") == "P03"
    assert clean_label("[00:12:03] P03:") == "P03"
    assert clean_label("  Jane   Doe : ") == "Jane Doe"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Facilitator", True),
        ("F", True),
        ("INT", True),
        ("interviewer", True),
        ("Interviewer 2", True),
        ("Interviewer1", True),
        ("Moderator:", True),
        ("Researcher", True),
        ("I", True),
        ("**Facilitator**", True),
        ("P03", False),
        ("Interviewee", False),
        ("Jane Doe", False),
    ],
)
def test_is_facilitator_label(label: str, expected: bool) -> None:
    assert is_facilitator_label(label) is expected


def test_is_speaker_label_and_split_label() -> None:
    assert is_speaker_label("P03")
    assert not is_speaker_label("Jane Doe")
    assert is_speaker_label("Jane Doe", occurrences=2)
    assert is_speaker_label("jane doe", extra_labels=["Jane Doe"])
    assert not is_speaker_label("Note", occurrences=5)
    assert split_label("Jane Doe: hello there") == ("Jane Doe", "hello there")
    assert split_label("- P03: hi") == ("P03", "hi")
    assert split_label("and then: no") is None


def test_whole_text_turn() -> None:
    assert whole_text_turn("  I felt calm.\n", "P03") == Turn(2, 14, "P03", 2)
    assert whole_text_turn(" \n", None) is None


# --- properties ------------------------------------------------------------------------------

_line = st.one_of(
    st.sampled_from(
        [
            "P01: hello",
            "P02:",
            "Facilitator: so",
            "[00:01:02] P03: yes",
            "**P04**: bold",
            "**P05:** x",
            "Jane Doe: hi",
            "### Interviewer",
            "Jonas R  0:21",
            "",
            "   ",
            "Note: x",
        ]
    ),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_line, max_size=25), st.lists(st.sampled_from(["Jane Doe", "X", ""]), max_size=2))
def test_turns_sorted_disjoint_in_range(lines: list[str], extra: list[str]) -> None:
    text = "\n".join(lines)
    turns = parse_turns(text, extra)
    prev_end = 0
    for t in turns:
        assert 0 <= t.start <= t.content_start <= t.end <= len(text)
        assert t.start >= prev_end
        assert t.speaker
        assert t.end == t.start or not text[t.end - 1].isspace()
        prev_end = t.end


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_breaks(text: str) -> None:
    turns = parse_turns(text)
    assert turns == sorted(turns, key=lambda t: t.start)
    for a, b in itertools.pairwise(turns):
        assert a.end <= b.start


def test_sentences_without_labels_cuts_labels_off() -> None:
    text = "Intro line.\nP01:   It was calm. Then not.\nFacilitator:\n[00:12] P02: Yes.\n"
    turns = parse_turns(text)
    sentences = [(0, 11), (12, 31), (32, 41), (42, 54), (55, 72)]
    got = sentences_without_labels(sentences, turns, text)
    # the label-only line "Facilitator:" is dropped; the timestamp goes with P02's label
    assert [text[a:b] for a, b in got] == ["Intro line.", "It was calm.", "Then not.", "Yes."]
    # no labels (a written response): the spans as they are
    assert sentences_without_labels([(0, 4)], [whole_text_turn("Calm", "P01")], "Calm") == [(0, 4)]


def test_one_million_characters() -> None:
    """Correct on a large text (its speed is measured in bench/bench_ingest.py)."""
    block = (
        "P01: I remember a time when someone was kind to me and it felt warm.\n"
        "Facilitator: And how did that feel in the body?\n"
        "[00:12:03] P02: Honestly, strange: I did not trust it at first.\n"
        "It took a while.\n\n"
    )
    text = block * (1_000_000 // len(block) + 1)
    turns = parse_turns(text)
    assert len(turns) == 3 * (1_000_000 // len(block) + 1)


# --------------------------------------------------------------------- issue 19: role labels


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("Interviewer2 2", "facilitator"),
        ("Interviewer 2", "facilitator"),
        ("Moderator", "facilitator"),
        ("INT", "facilitator"),
        ("Facilitator 1", "facilitator"),
        ("Facilitator-1", "facilitator"),
        ("Moderator (2)", "facilitator"),
        ("Intervewer", "facilitator"),  # one letter dropped
        ("Facilitaor", "facilitator"),  # two letters swapped
        ("Mod", "facilitator"),
        ("Interviewee1", "participant"),
        ("Respondent B", "participant"),
        ("Particpant 4", "participant"),
        ("Interviewe", None),  # one edit from interviewer *and* interviewee: left alone
        ("Interview", None),  # two edits from interviewer
        ("Marguerite", None),
        ("Jane Doe", None),
    ],
)
def test_label_role(label: str, role: str | None) -> None:
    assert label_role(label) == role
    assert is_facilitator_label(label) == (role == "facilitator")


def test_one_off_typod_role_label_starts_its_own_turn() -> None:
    text = (
        "Interviewer1 : Et le jardin ?\n"
        "Interviewee1 : Je le cultive le dimanche.\n"
        "Interviewer2 2: d'accord Merci\n"
        "Interviewee1 : Avec plaisir.\n"
    )
    got = spans(text, parse_turns(text))
    assert got == [
        ("Interviewer1", "Interviewer1 : ", "Et le jardin ?"),
        ("Interviewee1", "Interviewee1 : ", "Je le cultive le dimanche."),
        ("Interviewer2 2", "Interviewer2 2: ", "d'accord Merci"),
        ("Interviewee1", "Interviewee1 : ", "Avec plaisir."),
    ]


def test_unrecognised_labels_lists_one_off_names_only() -> None:
    text = (
        "P01: We walked by the canal.\n"
        "Odile: once only, so not taken as a speaker\n"
        "P02: Then the rain came.\n"
        "Bruno Lenz: twice\nP01: yes\nBruno Lenz: again\n"
        "Note: not a speaker\n"
    )
    assert unrecognised_labels(text) == {"Odile": 1}
    assert unrecognised_labels(text, ["odile"]) == {}
    assert [t.speaker for t in parse_turns(text)] == [
        "P01", "P02", "Bruno Lenz", "P01", "Bruno Lenz"]


def test_split_at_label_cuts_only_where_the_label_stands() -> None:
    text = "P01: first\nOdile: an aside\nmore aside\nP01: back\n"
    before = parse_turns(text)
    assert [t.speaker for t in before] == ["P01", "P01"]
    after = split_at_label(text, before, "odile")
    # exactly what parsing with the label known gives
    assert after == parse_turns(text, ["Odile"])
    assert spans(text, after) == [
        ("P01", "P01: ", "first"),
        ("Odile", "Odile: ", "an aside\nmore aside"),
        ("P01", "P01: ", "back"),
    ]
    assert split_at_label(text, after, "Odile") == after  # idempotent
    assert split_at_label(text, before, "Nobody") == before


def test_split_at_label_before_the_first_turn() -> None:
    text = "Odile: opening words\nP01: reply\n"
    before = parse_turns(text)
    assert split_at_label(text, before, "Odile") == parse_turns(text, ["Odile"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["P01", "P02", "Odile", "Facilitator", "Anna Berg"]),
                min_size=1, max_size=8),
       st.sampled_from(["Odile", "Anna Berg"]))
def test_split_at_label_equals_parsing_with_the_label_known(speakers, label) -> None:
    text = "".join(f"{who}: words {i}\n" for i, who in enumerate(speakers))
    assert split_at_label(text, parse_turns(text), label) == parse_turns(text, [label])
